/** Silver user_profile: change data capture from user_info; per user the latest `updated` wins, never an older one. */
import { kafkaMultiplexBz, userProfile } from '../../../schema/tables.ts';
import { parseUserInfo } from '../../parse/payloads.ts';
import type { Row } from '../../table/operations/index.ts';
import { runIncremental } from '../incremental-step.ts';
import { canonicalLess, dedupe, sameRow } from '../rows.ts';
import type { Step } from '../step.ts';
import { plausibleOnly, readTopicPayloads } from './topic-payloads.ts';
import { profileProblem } from '../../rules/plausible.ts';

const STEP = 'silver_user_profile';

/** The newer of two profile records (ties broken deterministically). */
function newer(a: Row, b: Row): Row {
  if (a.updated !== b.updated) return (a.updated as number) > (b.updated as number) ? a : b;
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
        const { parsed, recordsIn } = await readTopicPayloads(bz!, 'user_info', plausibleOnly(parseUserInfo, profileProblem), quarantine);
        const rows: Row[] = parsed.map(({ update_type: _kind, ...profile }) => profile);
        const { kept, duplicates } = dedupe(rows, (r) => r.user_id as number, newer);
        return { rows: kept, recordsIn, duplicates };
      },
      whenMatched: (target, source) => (newer(target, source) === source && !sameRow(source, target) ? source : undefined),
    }),
};
