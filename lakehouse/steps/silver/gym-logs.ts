/**
 * Silver gym_logs: one row per (mac_address, gym, login). A logout counts only when it is after the
 * login; of several, the latest wins. Order of arrival does not matter.
 */
import { gymLoginsBz, gymLogs } from '../../../schema/tables.ts';
import type { Row } from '../../table/operations/index.ts';
import { runIncremental } from '../incremental-step.ts';
import { dedupe, keyOf, readNewRows } from '../rows.ts';
import type { Step } from '../step.ts';

const STEP = 'silver_gym_logs';

/** The logout to keep: a valid (after login) one, the later of two. */
function laterLogout(login: number, a: number | null, b: number | null): number | null {
  const valid = (x: number | null) => (x !== null && x > login ? x : null);
  const va = valid(a);
  const vb = valid(b);
  if (va === null) return vb;
  if (vb === null) return va;
  return Math.max(va, vb);
}

export const silverGymLogs: Step = {
  name: STEP,
  layer: 'silver',
  reads: [gymLoginsBz],
  writes: [gymLogs],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: gymLogs,
      upstream: [gymLoginsBz],
      async compute({ ranges: [bz] }) {
        const rows = await readNewRows(bz!, { columns: ['mac_address', 'gym', 'login', 'logout'] });
        const normalized: Row[] = rows.map((r) => ({ ...r, logout: laterLogout(r.login as number, r.logout as number | null, null) }));
        const { kept, duplicates } = dedupe(
          normalized,
          (r) => keyOf(r, gymLogs.primaryKey),
          (a, b): Row => ({ ...a, logout: laterLogout(a.login as number, a.logout as number | null, b.logout as number | null) }),
        );
        return { rows: kept, recordsIn: rows.length, duplicates };
      },
      whenMatched: (target: Row, source: Row) => {
        const logout = laterLogout(target.login as number, target.logout as number | null, source.logout as number | null);
        return logout === target.logout ? undefined : { ...target, logout };
      },
    }),
};
