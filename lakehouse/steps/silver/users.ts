/** Silver users: one registration per user; the earliest registration of a user_id wins. */
import { registeredUsersBz, users, type UserRow } from '../../../schema/tables.ts';
import { runIncremental } from '../incremental-step.ts';
import { canonicalLess, dedupe, readNewRows } from '../rows.ts';
import type { Step } from '../step.ts';

const STEP = 'silver_users';

/** The registration to keep of two for one user: the earlier one (ties broken deterministically). */
function earlier(a: UserRow, b: UserRow): UserRow {
  if (a.registration_timestamp !== b.registration_timestamp) return a.registration_timestamp < b.registration_timestamp ? a : b;
  return canonicalLess(b, a) ? b : a;
}

export const silverUsers: Step = {
  name: STEP,
  layer: 'silver',
  reads: [registeredUsersBz],
  writes: [users],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: users,
      upstream: [registeredUsersBz],
      async compute({ ranges: [bz] }) {
        const rows = await readNewRows(bz, { columns: ['user_id', 'device_id', 'mac_address', 'registration_timestamp'] });
        const { kept, duplicates } = dedupe(rows, (r) => r.user_id, earlier);
        return { rows: kept, recordsIn: rows.length, duplicates };
      },
      whenMatched: (target, source) => (earlier(target, source) === source && source !== target && !sameUser(target, source) ? source : undefined),
    }),
};

function sameUser(a: UserRow, b: UserRow): boolean {
  return a.device_id === b.device_id && a.mac_address === b.mac_address && a.registration_timestamp === b.registration_timestamp;
}
