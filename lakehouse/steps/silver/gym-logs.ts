/**
 * Silver gym_logs: one row per (mac_address, gym, login). A logout counts only when it is after the
 * login; of several, the latest wins. Order of arrival does not matter.
 */
import { gymLoginsBz, gymLogs, type GymLogRow } from '../../../schema/tables.ts';
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
        const rows = await readNewRows(bz, { columns: ['mac_address', 'gym', 'login', 'logout'] });
        const normalized: GymLogRow[] = rows.map((r) => ({ ...r, logout: laterLogout(r.login, r.logout, null) }));
        const { kept, duplicates } = dedupe(
          normalized,
          (r) => keyOf(r, gymLogs.primaryKey),
          (a, b): GymLogRow => ({ ...a, logout: laterLogout(a.login, a.logout, b.logout) }),
        );
        return { rows: kept, recordsIn: rows.length, duplicates };
      },
      whenMatched: (target, source) => {
        const logout = laterLogout(target.login, target.logout, source.logout);
        return logout === target.logout ? undefined : { ...target, logout };
      },
    }),
};
