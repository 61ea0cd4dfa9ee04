/** Silver user_profile: change data capture from user_info; per user the latest `updated` wins, never an older one. */
import { kafkaMultiplexBz, userProfile, type UserProfileRow } from '../../../schema/tables.ts';
import { parseUserInfo } from '../../parse/payloads.ts';
import { runIncremental } from '../incremental-step.ts';
import { canonicalLess, dedupe, sameRow } from '../rows.ts';
import type { Step } from '../step.ts';
import { plausibleOnly, readTopicPayloads } from './topic-payloads.ts';
import { profileProblem } from '../../rules/plausible.ts';

const STEP = 'silver_user_profile';

/** The newer of two profile records (ties broken deterministically). */
function newer(a: UserProfileRow, b: UserProfileRow): UserProfileRow {
  if (a.updated !== b.updated) return a.updated > b.updated ? a : b;
  return canonicalLess(b, a) ? b : a;
}

export const silverUserProfile: Step = {
  name: STEP,
  layer: 'silver',
  reads: [kafkaMultiplexBz],
  writes: [userProfile],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: userProfile,
      upstream: [kafkaMultiplexBz],
      async compute({ ranges: [bz], quarantine }) {
        const { parsed, recordsIn } = await readTopicPayloads(bz, 'user_info', plausibleOnly(parseUserInfo, profileProblem), quarantine);
        const rows: UserProfileRow[] = parsed.map(({ update_type: _kind, ...profile }) => profile);
        const { kept, duplicates } = dedupe(rows, (r) => r.user_id, newer);
        return { rows: kept, recordsIn, duplicates };
      },
      whenMatched: (target, source) => (newer(target, source) === source && !sameRow(source, target) ? source : undefined),
    }),
};
