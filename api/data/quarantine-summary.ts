/**
 * The quarantine table summarised for people: records counted by (target table, step, reason), the
 * largest groups first, with the first few records of each as examples. Built once per table version
 * (the API serves it from a TableWatcher), reading only the columns it shows.
 */
import type { DeltaTable } from '../../lakehouse/table/index.ts';
import type { Snapshot } from '../../lakehouse/table/log/index.ts';

/** Groups kept (reasons can carry details of a record, so there can be many). */
export const MAX_QUARANTINE_GROUPS = 100;
/**
 * Distinct groups counted one by one; records of further reasons are counted together under
 * OTHER_REASONS, so memory stays bounded however many distinct reason texts a bad input produces.
 */
export const MAX_TRACKED_GROUPS = 10_000;
export const OTHER_REASONS = '(other reasons)';
/** Examples kept per group; a request asks for at most this many. */
export const MAX_QUARANTINE_EXAMPLES = 5;
/** Characters of a raw payload shown; an oversized line is the very thing that gets quarantined. */
export const MAX_RAW_CHARS = 500;

export interface QuarantinedRecord {
  readonly source: string;
  /** At most MAX_RAW_CHARS characters (see rawTruncated). */
  readonly raw: string | null;
  readonly rawTruncated: boolean;
  /** µs since the epoch. */
  readonly loadTime: number;
}

export interface QuarantineGroup {
  readonly targetTable: string;
  readonly step: string;
  readonly reason: string;
  readonly count: number;
  readonly examples: readonly QuarantinedRecord[];
}

export interface QuarantineSummary {
  readonly total: number;
  /** Distinct (target table, step, reason) groups, all of them (groups holds at most MAX_QUARANTINE_GROUPS). */
  readonly groupCount: number;
  readonly groups: readonly QuarantineGroup[];
}

export const EMPTY_QUARANTINE: QuarantineSummary = { total: 0, groupCount: 0, groups: [] };

export async function summarizeQuarantine(table: DeltaTable, snapshot: Snapshot): Promise<QuarantineSummary> {
  const groups = new Map<string, { targetTable: string; step: string; reason: string; count: number; examples: QuarantinedRecord[] }>();
  let total = 0;
  for await (const batch of table.scan({ snapshot, columns: ['target_table', 'step', 'reason', 'source', 'raw', 'load_time'] })) {
    const [target, step, reason, source, raw, loadTime] = ['target_table', 'step', 'reason', 'source', 'raw', 'load_time'].map((c) => batch.columns.get(c)!);
    for (let i = 0; i < batch.numRows; i++) {
      total++;
      let key = JSON.stringify([target![i], step![i], reason![i]]);
      let group = groups.get(key);
      if (!group && groups.size >= MAX_TRACKED_GROUPS) {
        key = OTHER_REASONS;
        group = groups.get(key);
      }
      if (!group) {
        group = key === OTHER_REASONS ? { targetTable: '*', step: '*', reason: OTHER_REASONS, count: 0, examples: [] } : { targetTable: String(target![i]), step: String(step![i]), reason: String(reason![i]), count: 0, examples: [] };
        groups.set(key, group);
      }
      group.count++;
      if (group.examples.length < MAX_QUARANTINE_EXAMPLES) {
        const text = raw![i] as string | null;
        group.examples.push({
          source: String(source![i]),
          raw: text === null ? null : text.slice(0, MAX_RAW_CHARS),
          rawTruncated: text !== null && text.length > MAX_RAW_CHARS,
          loadTime: loadTime![i] as number,
        });
      }
    }
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count || a.targetTable.localeCompare(b.targetTable) || a.reason.localeCompare(b.reason));
  return { total, groupCount: sorted.length, groups: sorted.slice(0, MAX_QUARANTINE_GROUPS) };
}
