/**
 * Silver user_bins: demographics per user, kept current (SCD type 1): a changed profile arrives as a new
 * row; a user whose profile left user_profile without a new one loses the bins.
 */
import { userBins, userProfile, type UserBinRow } from '../../../schema/tables.ts';
import { ageBin, ageOn } from '../../rules/age-bin.ts';
import { dayOfMicros } from '../../time.ts';
import { runIncremental } from '../incremental-step.ts';
import { readNewRows, readRemovedRows, sameRow } from '../rows.ts';
import { columnScope, deleteUnproduced } from '../replace-scope.ts';
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
      async compute({ ctx, target, ranges: [profiles] }) {
        const rows = await readNewRows(profiles);
        const left = new Set((await readRemovedRows(profiles, { columns: ['user_id'] })).map((p) => p.user_id));
        const bins: UserBinRow[] = rows.map((p) => ({
          user_id: p.user_id,
          // The bin at the profile's own update time: deterministic, never "today".
          age: ageBin(ageOn(p.dob, dayOfMicros(p.updated))),
          gender: p.gender,
          city: p.city,
          state: p.state,
          dob: p.dob,
        }));
        if (left.size > 0) {
          await deleteUnproduced(target, userBins.primaryKey, columnScope('user_id', left), bins, { step: STEP, reason: 'profiles removed', now: ctx.now });
        }
        return { rows: bins, recordsIn: rows.length };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
