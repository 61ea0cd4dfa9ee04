/** Silver users: one registration per user; the earliest registration of a user_id wins. */
import { registeredUsersBz, users } from '../../../schema/tables.ts';
import type { Row } from '../../table/operations/index.ts';
import { runIncremental } from '../incremental-step.ts';
import { canonicalLess, dedupe, readNewRows } from '../rows.ts';
import type { Step } from '../step.ts';

const STEP = 'silver_users';

/** The registration to keep of two for one user: the earlier one (ties broken deterministically). */
function earlier(a: Row, b: Row): Row {
  if ((a.registration_timestamp as number) !== (b.registration_timestamp as number)) {
    return (a.registration_timestamp as number) < (b.registration_timestamp as number) ? a : b;
  }
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
        const rows = await readNewRows(bz!, { columns: ['user_id', 'device_id', 'mac_address', 'registration_timestamp'] });
        const { kept, duplicates } = dedupe(rows, (r) => r.user_id as number, earlier);
        return { rows: kept, recordsIn: rows.length, duplicates };
      },
      whenMatched: (target, source) => (earlier(target, source) === source && source !== target && !sameUser(target, source) ? source : undefined),
    }),
};

function sameUser(a: Row, b: Row): boolean {
  return a.device_id === b.device_id && a.mac_address === b.mac_address && a.registration_timestamp === b.registration_timestamp;
}
