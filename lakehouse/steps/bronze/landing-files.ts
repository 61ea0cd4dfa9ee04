/**
 * Ingesting landing-zone files into a bronze table, each file exactly once.
 *
 * A file is identified by its path and size (the txn appId) and its modification time (the txn
 * version): a file already committed is skipped; a file replaced by a newer one (later mtime) is
 * ingested again, as a new arrival. Each file is one commit — its quarantine rows first, under the same
 * txn id, then its bronze rows — so a crash at any point is repaired by running the step again.
 * Files are streamed in ranges and cut into data files as they are read: memory does not grow with the
 * file size.
 */
import type { Cell, TableDef } from '../../../schema/types.ts';
import { readLineBatches, type TextLine } from '../../parse/lines.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { AddAction } from '../../table/actions.ts';
import { batchFromRows } from '../../table/column-batch.ts';
import { commit } from '../../table/transaction.ts';
import { writeDataFiles } from '../../table/write-files.ts';
import { QuarantineBuffer } from '../quarantine.ts';
import type { StepContext, StepResult } from '../step.ts';

/** Rows per data file written while a large file streams in. */
const ROWS_PER_CHUNK = 500_000;
/** Bytes per ranged read of a landing file. */
const READ_BYTES = 8 * 1024 * 1024;

/** The outcome of parsing one line: a bronze row (without load columns) or a reason to quarantine it. */
export type LineOutcome = { ok: true; row: Record<string, Cell> } | { ok: false; reason: string } | { ok: 'header' };

/** A parser for one file: created per file so CSV parsers can hold the header. */
export type FileParser = (line: TextLine) => LineOutcome;

export interface LandingSpec {
  step: string;
  /** Folder of the landing zone, e.g. `registered_users`. */
  folder: string;
  /** Only keys with this suffix are files of the source (e.g. `.csv`). */
  suffix: string;
  target: TableDef;
  /** A parser for a new file; throwing rejects the whole file to quarantine with the error's message. */
  parserFor(fileKey: string): FileParser;
}

/** Stream a stored object in ranged reads. */
export async function* readObject(store: ObjectStore, key: string, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < size; offset += READ_BYTES) yield store.getRange(key, offset, Math.min(READ_BYTES, size - offset));
}

export const fileTxnId = (step: string, key: string, size: number) => `${step}:file:${key}:${size}`;

/** Ingest every landing file of the spec not yet committed; see the module comment. */
export async function ingestLandingFiles(ctx: StepContext, spec: LandingSpec): Promise<StepResult> {
  const result: StepResult = { step: spec.step, recordsIn: 0, rowsWritten: 0, quarantined: 0, duplicates: 0, versions: {}, changed: false };
  const table = await ctx.lake.table(spec.target);
  result.versions[spec.target.name] = table.version;
  if (!ctx.landing) return { ...result, detail: 'no landing zone configured' };
  const files = (await ctx.landing.list(`${spec.folder}/`)).filter((f) => f.key.endsWith(spec.suffix));
  let ingested = 0;
  for (const file of files) {
    const txn = { appId: fileTxnId(spec.step, file.key, file.size), version: Math.floor(file.modified) };
    const have = table.txnVersion(txn.appId);
    if (have !== undefined && have >= txn.version) continue;

    const quarantine = new QuarantineBuffer(spec.step, spec.target.name, ctx.now);
    const loadTime = ctx.now();
    const adds: AddAction[] = [];
    let pending: Record<string, Cell>[] = [];
    let rows = 0;
    const flush = async () => {
      if (pending.length === 0) return;
      const batch = batchFromRows(spec.target.columns, pending);
      adds.push(...(await writeDataFiles(table.store, spec.target.name, table.snapshot.columns, table.snapshot.partitionColumns, batch, { now: ctx.now })));
      pending = [];
    };
    let parse: FileParser | undefined;
    try {
      parse = spec.parserFor(file.key);
    } catch (e) {
      quarantine.add(file.key, null, `file rejected: ${(e as Error).message}`);
    }
    if (parse) {
      for await (const lines of readLineBatches(readObject(ctx.landing, file.key, file.size))) {
        for (const line of lines) {
          let outcome: LineOutcome;
          try {
            outcome = parse(line);
          } catch (e) {
            // A parser that throws mid-file (a bad header line) rejects the rest of the file line by line.
            outcome = { ok: false, reason: (e as Error).message };
          }
          if (outcome.ok === 'header') continue;
          result.recordsIn++;
          if (outcome.ok) {
            outcome.row.load_time = loadTime;
            outcome.row.source_file = file.key;
            pending.push(outcome.row);
            rows++;
          } else {
            quarantine.add(`${file.key}:${line.lineNumber}`, line.line, outcome.reason);
          }
        }
        if (pending.length >= ROWS_PER_CHUNK) await flush();
        ctx.progress?.({ records: result.recordsIn, detail: file.key });
      }
      await flush();
    }
    result.quarantined += quarantine.size;
    await quarantine.flush(ctx.lake, [txn]);
    const committed = await commit(table.store, {
      readSnapshot: table.snapshot,
      actions: adds.map((add) => ({ add })),
      operation: 'WRITE',
      operationParameters: { mode: 'Append', source: file.key },
      operationMetrics: { numFiles: adds.length, numOutputRows: rows },
      readSet: { readsAdded: false },
      txn,
      now: ctx.now,
    });
    await table.refresh();
    if (committed.committed) {
      result.rowsWritten += rows;
      ingested++;
    }
    result.versions[spec.target.name] = table.version;
  }
  result.changed = ingested > 0;
  result.detail = `${ingested} new file(s)`;
  return result;
}
