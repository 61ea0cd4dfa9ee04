/** The typed context every resolver gets: who asks (from the verified token) and the lake's data. */
import type { Viewer } from './auth/viewer.ts';
import type { LakeData } from './data/lake-data.ts';

export interface ApiContext {
  readonly viewer: Viewer;
  readonly data: LakeData;
  /** ms since the epoch. */
  readonly now: () => number;
}
