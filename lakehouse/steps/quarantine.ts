/**
 * The quarantine table: records that could not be kept, with their raw payload, source and reason.
 * A step writes its quarantine rows before its main commit, under the same txn ids, so a crash between
 * the two commits repeats neither: the retry finds the quarantine part already committed.
 */
import { quarantineRecords, type QuarantineRow } from '../../schema/tables.ts';
import { batchFromRows } from '../table/columns/index.ts';
import type { Snapshot, Txn } from '../table/log/index.ts';
import type { Lake } from './lake.ts';

export class QuarantineBuffer {
  readonly rows: QuarantineRow[] = [];

  constructor(
    private readonly step: string,
    private readonly targetTable: string,
    private readonly now: () => number,
  ) {}

  add(source: string, raw: string | null, reason: string): void {
    this.rows.push({ step: this.step, target_table: this.targetTable, source, raw, reason, load_time: this.now() });
  }

  get size(): number {
    return this.rows.length;
  }

  /**
   * Append the buffered rows with the step's txns (no-op when those txns are already there). `planned`:
   * the quarantine snapshot the step read its quarantine checkpoints from; the append is judged against
   * every commit since (see target-transaction.ts), so a second runner never quarantines a range twice.
   */
  async flush(lake: Lake, txn: readonly Txn[], planned?: Snapshot): Promise<Snapshot | undefined> {
    if (this.rows.length === 0) return undefined;
    const table = await lake.table(quarantineRecords);
    const result = await table.append(batchFromRows(quarantineRecords.columns, this.rows), { txn: txn.map((t) => ({ ...t, appId: `${t.appId}#quarantine` })) }, planned);
    this.rows.length = 0;
    // The table as this commit left it (or as the no-op found it): where a caller going on plans from.
    return result.snapshot;
  }
}
