/** Silver user_bins: demographics per user, kept current (SCD type 1). */
import { userBins, userProfile } from '../../../schema/tables.ts';
import { ageBin, ageOn } from '../../rules/age-bin.ts';
import { dayOfMicros } from '../../time.ts';
import type { Row } from '../../table/operations/merge.ts';
import { runIncremental } from '../incremental-step.ts';
import { readNewRows, sameRow } from '../rows.ts';
import type { Step } from '../step.ts';

const STEP = 'silver_user_bins';

export const silverUserBins: Step = {
  name: STEP,
  layer: 'silver',
  reads: [userProfile],
  writes: [userBins],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: userBins,
      upstream: [userProfile],
      async compute({ ranges: [profiles] }) {
        const rows = await readNewRows(profiles!);
        const bins: Row[] = rows.map((p) => ({
          user_id: p.user_id!,
          // The bin at the profile's own update time: deterministic, never "today".
          age: ageBin(ageOn(p.dob as number, dayOfMicros(p.updated as number))),
          gender: p.gender!,
          city: p.city!,
          state: p.state!,
          dob: p.dob!,
        }));
        return { rows: bins, recordsIn: rows.length };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
