/**
 * Full refresh support: empty the tables a set of steps writes, rewind their checkpoints and remove
 * their quarantine rows, so the next run rebuilds them from their inputs. Steps that share a target
 * table (the two kafka_multiplex_bz sources) are reset together: one cannot be emptied alone.
 */
import { quarantineRecords, type QuarantineRow } from '../../schema/tables.ts';
import { tablePath } from '../../schema/types.ts';
import { type Action, commit } from '../table/log/index.ts';
import { removeOf } from '../table/operations/index.ts';
import { rowsOf, batchFromRows } from '../table/columns/index.ts';
import { STEPS } from './graph.ts';
import type { Lake } from './lake.ts';
import type { Step } from './step.ts';

/** Checkpoint ids that belong to a step (see incremental.ts, landing-files.ts, kafka-topics.ts). */
const ownsTxn = (step: string, appId: string) => appId.startsWith(`${step}<-`) || appId.startsWith(`${step}:`);

/** The steps plus every other step writing one of their tables. */
export function withCoWriters(steps: readonly Step[]): Step[] {
  const tables = new Set(steps.flatMap((s) => s.writes.map(tablePath)));
  return STEPS.filter((s) => steps.includes(s) || s.writes.some((w) => tables.has(tablePath(w))));
}

/** Reset the steps; returns the new version of each table touched. */
export async function resetSteps(lake: Lake, requested: readonly Step[], now: () => number = Date.now): Promise<Record<string, number>> {
  const steps = withCoWriters(requested);
  const names = steps.map((s) => s.name);
  const versions: Record<string, number> = {};
  const timestamp = now();
  for (const def of new Set(steps.flatMap((s) => s.writes))) {
    const table = await lake.table(def);
    const snapshot = table.snapshot;
    const actions: Action[] = [...snapshot.files.values()].map((add) => ({ remove: removeOf(add, timestamp) }));
    // A txn at version -1 reads as "nothing consumed yet" (log replay keeps the last txn of an app).
    for (const appId of snapshot.txns.keys()) if (names.some((n) => ownsTxn(n, appId))) actions.push({ txn: { appId, version: -1, lastUpdated: timestamp } });
    if (actions.length === 0) continue;
    await commit(table.store, { readSnapshot: snapshot, actions, operation: 'DELETE', operationParameters: { reason: `reprocess ${names.join(', ')}` }, now });
    versions[def.name] = (await table.refresh()).version;
  }

  const quarantine = await lake.table(quarantineRecords);
  const keep: QuarantineRow[] = [];
  for await (const batch of quarantine.scan()) for (const row of rowsOf(quarantineRecords, batch)) if (!names.includes(row.step)) keep.push(row);
  const rewinds: Action[] = [];
  for (const appId of quarantine.snapshot.txns.keys()) if (names.some((n) => ownsTxn(n, appId))) rewinds.push({ txn: { appId, version: -1, lastUpdated: timestamp } });
  if (keep.length !== (await quarantine.count()) || rewinds.length > 0) {
    await quarantine.overwrite(batchFromRows(quarantineRecords.columns, keep), { where: [], now });
    if (rewinds.length > 0) await commit(quarantine.store, { readSnapshot: (await quarantine.refresh()), actions: rewinds, operation: 'SET TRANSACTION', now });
    versions[quarantineRecords.name] = (await quarantine.refresh()).version;
  }
  return versions;
}
