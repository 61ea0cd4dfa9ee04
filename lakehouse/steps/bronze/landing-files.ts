/**
 * Ingesting landing-zone files into a bronze table, each file exactly once.
 *
 * A file is identified by its path and size (the txn appId) and its modification time (the txn
 * version): a file already committed is skipped; a file replaced by a newer one (later mtime) is
 * ingested again, as a new arrival. Each file is one commit — its quarantine rows first, under the same
 * txn id, then its bronze rows — so a crash at any point is repaired by running the step again. A big
 * file read in parts (below) is committed in segments of about rangeTuning.segmentBytes instead, each
 * with the bytes and lines read so far as txns (segmentTxnIds): a step cut off resumes after its last
 * segment, not from the start of the file.
 * Files are streamed in ranges and cut into data files as they are read: memory does not grow with the
 * file size.
 *
 * A source whose lines parse on their own (Kafka dumps) may give a rangeParser: a big file is then cut
 * into parts of whole lines that worker threads parse and encode into data files in parallel, while
 * this thread reads, stores and commits; parts are taken in file order, so the rows, their order, the
 * quarantine records and their line numbers are those of parsing the file here. The next file's parts
 * go out while a file's last parts finish and it commits; commits stay in file order.
 */
import type { TableDef } from '../../../schema/types.ts';
import { INVALID_UTF8_REASON, takeInvalidUtf8Lines, validUtf8Lines, type InvalidUtf8Line, type LineBreaks } from '../../parse/utf8-lines.ts';
import { OVERSIZED_HEAD_CHARS, oversizedReason, readLineBatches } from '../../parse/lines.ts';
import type { ObjectInfo, ObjectStore } from '../../storage/index.ts';
import type { DeltaTable } from '../../table/index.ts';
import { type AddAction, commit, type Txn, CommitConflictError, type Snapshot, SET_TRANSACTION_RETENTION, setTransactionRetentionMs } from '../../table/log/index.ts';
import { quarantineRecords } from '../../../schema/tables.ts';
import { DataFileWriter, storeDataFiles } from '../../table/files/index.ts';
import { faultPoint } from '../../fault-points.ts';
import { ConfigError, FitlakeError, NotFoundError } from '../../errors.ts';
import { contentFingerprint, contentTxnId, fileTxnIds } from './file-identity.ts';
import { extentCheck, extentTxnIds, grownFrom, landingTuning, readableEnd } from './file-extent.ts';
import { parseLine, RowCollector, type FileParser, type LineOutcome, type RangeInput, type RangeOutput } from '../../kernels/line-range.ts';
import { QuarantineBuffer } from '../quarantine.ts';
import type { StepContext, StepResult } from '../step.ts';

/** Rows per data file written while a large file streams in. */
const ROWS_PER_CHUNK = 500_000;
/** Bytes per ranged read of a landing file. */
const READ_BYTES = 8 * 1024 * 1024;

/** Sizes of the parallel path (see the module comment); tests make them small to cut files into many parts. */
export const rangeTuning = {
  /** Files from this size on are parsed in parts on worker threads (when the spec can). */
  minFileBytes: 8 * 1024 * 1024,
  /** Bytes of whole lines per part at most: ~100k Kafka records, one data file per partition each. */
  partBytes: 16 * 1024 * 1024,
  /**
   * Parts are smaller for a file of a few parts, down to this size, so that every worker gets about
   * three of them: a 43 MB file in 16 MiB parts kept one of two workers idle for the third part.
   */
  minPartBytes: 2 * 1024 * 1024,
  /** A big file is committed in segments of about this many bytes (whole parts). */
  segmentBytes: 512 * 1024 * 1024,
};

/** The part size for a file of `size` bytes parsed by `parallel` workers (see rangeTuning). */
function partBytesFor(size: number, parallel: number): number {
  return Math.min(rangeTuning.partBytes, Math.max(rangeTuning.minPartBytes, Math.ceil(size / (3 * parallel))));
}

export interface LandingSpec {
  step: string;
  /** Folder of the landing zone, e.g. `registered_users`. */
  folder: string;
  /** Only keys with this suffix are files of the source (e.g. `.csv`). */
  suffix: string;
  target: TableDef;
  /** A parser for a new file; throwing rejects the whole file to quarantine with the error's message. */
  parserFor(fileKey: string): FileParser;
  /**
   * Optionally, a parser of parts that gives what parseLineRange gives with this source's parser (run
   * off this thread when there are workers, see the module comment), and how many parts may be out at
   * once; undefined to read files line by line. Only for a parser that keeps no state between lines.
   */
  rangeParser?(): { parse(input: RangeInput): Promise<RangeOutput>; parallel: number } | undefined;
}


/** Stream bytes [from, end) of a stored object in ranged reads. */
export async function* readObject(store: ObjectStore, key: string, end: number, from = 0): AsyncGenerator<Uint8Array> {
  for (let offset = from; offset < end; offset += READ_BYTES) yield store.getRange(key, offset, Math.min(READ_BYTES, end - offset));
}

/** The offset after the next line break at or after `from` (or `end`), read in bounded pieces. */
async function endOfLine(store: ObjectStore, key: string, from: number, end: number): Promise<number> {
  for (let offset = from; offset < end; ) {
    const bytes = await store.getRange(key, offset, Math.min(READ_BYTES, end - offset));
    const lf = bytes.indexOf(10);
    if (lf >= 0) return offset + lf + 1;
    offset += bytes.byteLength;
  }
  return end;
}

/** The first line of the first `size` bytes of a stored text file (its header), without its line break. */
async function firstLine(store: ObjectStore, key: string, size: number): Promise<string> {
  for await (const batch of readLineBatches(readObject(store, key, size))) return batch[0]?.line ?? '';
  return '';
}

/**
 * A file of the source: directly in the folder (subfolders are not the source: `processed/`, archives),
 * not hidden (`.name`, `_name`: temp files of exporters and tools), with the source's suffix.
 */
export function isSourceFile(key: string, spec: Pick<LandingSpec, 'folder' | 'suffix'>): boolean {
  const name = key.slice(spec.folder.length + 1);
  return key.startsWith(`${spec.folder}/`) && !name.includes('/') && !name.startsWith('.') && !name.startsWith('_') && name.endsWith(spec.suffix);
}

/** A read of a landing file that failed; `retriable` as its cause (a store outage is, a broken file is not). */
export class LandingReadError extends Error {
  readonly retriable: boolean;
  constructor(key: string, cause: unknown) {
    super(`reading landing file ${key}: ${(cause as Error).message}`, { cause });
    this.name = 'LandingReadError';
    this.retriable = cause instanceof FitlakeError ? cause.retriable && !(cause instanceof NotFoundError) : true;
  }
}

/** The landing store with the reads of its files raising LandingReadError. */
function reportingReads(store: ObjectStore): ObjectStore {
  const wrap = <T>(key: string, read: () => Promise<T>) => read().catch((e: unknown) => Promise.reject(new LandingReadError(key, e)));
  return Object.assign(Object.create(store) as ObjectStore, {
    get: (key: string) => wrap(key, () => store.get(key)),
    getRange: (key: string, offset: number, length: number) => wrap(key, () => store.getRange(key, offset, length)),
  });
}

/** Quarantine the refused entries not quarantined before (their txn is the record), in one commit. */
async function quarantineRefused(ctx: StepContext, spec: LandingSpec, refused: readonly { key: string; reason: string; appId: string }[], result: StepResult): Promise<void> {
  const quarantine = (await ctx.lake.table(quarantineRecords)).snapshot;
  const fresh = refused.filter((r) => !quarantine.txns.has(`${r.appId}#quarantine`));
  if (fresh.length === 0) return;
  const buffer = new QuarantineBuffer(spec.step, spec.target.name, ctx.now);
  for (const r of fresh) buffer.add(r.key, null, r.reason);
  // Each refused file is one record in, quarantined: the step's counts balance.
  result.recordsIn += fresh.length;
  result.quarantined += fresh.length;
  await buffer.flush(ctx.lake, fresh.map((r) => ({ appId: r.appId, version: 1 })), quarantine);
}

/**
 * The txns of a big file's committed segments: bytes read (whole lines) and lines so far, of this
 * file's content (its key, size and mtime), so a replaced file starts again from its beginning.
 */
export const segmentTxnIds = (step: string, key: string, size: number, mtime: number) => {
  const id = `${step}:segment:${key}:${size}@${mtime}`;
  return { bytes: `${id}:bytes`, lines: `${id}:lines` };
};

/** Ingest every landing file of the spec not yet committed; see the module comment. */
/** What one run of a landing step keeps across its files. */
interface LandingRun {
  ctx: StepContext;
  spec: LandingSpec;
  table: DeltaTable;
  /** The landing zone, its read failures reported as LandingReadError. */
  landing: ObjectStore;
  result: StepResult;
  /** Entries refused this run (unreadable, not files), quarantined once each after the files. */
  refused: { key: string; reason: string; appId: string }[];
  /** Contents ingested in this run: a copy later in the listing is the same file. */
  fingerprints: Set<string>;
  /** Files whose content was in already under another name or earlier in the listing (archived with the ingested ones). */
  duplicates: Set<string>;
  ingested: number;
  /** Files whose last line was held back (being written): they are read on in a later run. */
  held: number;
  /**
   * The file before, finishing (its last parts, then its commit) while this one's parts go out: workers
   * then never wait for a commit, nor one for the other's last part of a file.
   */
  finishing: Promise<void>;
  finishingFailed: boolean;
}

/** What is to be read of one new or grown file, and the txns that record it as read. */
interface FilePlan {
  file: ObjectInfo;
  mtime: number;
  /** Where the read starts: 0, or where an earlier read of a grown file stopped (file-extent.ts). */
  start: number;
  /** Where it ends: the file's size, or before a last line still being written. */
  end: number;
  /** Lines read by earlier runs of a grown file. */
  linesBefore: number;
  /** The txns of a file read up to `end` with `lines` lines: its extent, and when read to its end, its name and content as seen. */
  extentTxns(lines: number): Txn[];
}

export async function ingestLandingFiles(ctx: StepContext, spec: LandingSpec): Promise<StepResult> {
  const result: StepResult = { step: spec.step, recordsIn: 0, rowsWritten: 0, quarantined: 0, duplicates: 0, versions: {}, changed: false };
  const table = await ctx.lake.table(spec.target);
  result.versions[spec.target.name] = table.version;
  if (!ctx.landing) return { ...result, detail: 'no landing zone configured' };
  faultPoint('landing.list', { step: spec.step, location: spec.folder });
  const files = (await ctx.landing.list(`${spec.folder}/`)).filter((f) => isSourceFile(f.key, spec));
  const archive = ctx.landingArchive?.replace(/^\/+|\/+$/g, '');
  if (archive !== undefined && (archive === '' || `${archive}/`.startsWith(`${spec.folder}/`) || `${spec.folder}/`.startsWith(`${archive}/`))) {
    throw new ConfigError(`the landing archive ${JSON.stringify(ctx.landingArchive)} must be a folder outside the source folder ${spec.folder}/`, { setting: 'landingArchive', value: ctx.landingArchive ?? '' });
  }
  await keepMarkersBounded(table, archive);
  const run: LandingRun = { ctx, spec, table, landing: reportingReads(ctx.landing), result, refused: [], fingerprints: new Set(), duplicates: new Set(), ingested: 0, held: 0, finishing: Promise.resolve(), finishingFailed: false };
  for (const file of files) {
    // A file that failed to finish stops the step here (with its error), not after all the others.
    if (run.finishingFailed) await run.finishing;
    const ids = fileTxnIds(spec.step, file.key, file.size, Math.floor(file.modified));
    if (file.unreadable) {
      run.refused.push({ key: file.key, reason: `file refused: ${file.unreadable}`, appId: ids.refused });
      continue;
    }
    try {
      const plan = await planFile(run, file);
      if (plan) await ingestFile(run, plan);
    } catch (e) {
      // The file itself cannot be read (not the store: that error is retried): it is refused as a whole,
      // once, and the other files go on. One that vanished since the listing is simply not there.
      if (!(e instanceof LandingReadError) || e.retriable) throw e;
      if (e.cause instanceof NotFoundError) continue;
      run.refused.push({ key: file.key, reason: `file unreadable: ${(e.cause as Error).message}`, appId: ids.refused });
    }
  }
  await run.finishing;
  await quarantineRefused(ctx, spec, run.refused, result);
  const archived = archive === undefined ? 0 : await archiveIngested(run, files, archive);
  result.changed = run.ingested > 0;
  result.detail = `${run.ingested} new file(s)${run.held > 0 ? `; ${run.held} ending in a line still being written, read on in a later run` : ''}${archived > 0 ? `; ${archived} moved to ${archive}/` : ''}`;
  return result;
}

/** How long a landing table remembers a file it ingested, once files leave the landing zone for an archive. */
export const LANDING_MARKER_RETENTION = 'interval 30 days';

/**
 * The txns that record ingested files would grow by three a file for ever. With a landing archive, a
 * file leaves the landing zone once its commit is in, so its markers are only needed for a while: to
 * move it after a crash between commit and move, and to recognise the same export dropped again. The
 * table then forgets them after LANDING_MARKER_RETENTION (delta.setTransactionRetentionDuration; a
 * value already set, by a user or another engine, is kept). Without an archive every ingested file
 * stays, and one whose markers were forgotten would be read again: a table that forgets is refused.
 * (Kafka offsets in the same table are kept alive: schema/tables.ts.)
 */
async function keepMarkersBounded(table: DeltaTable, archive: string | undefined): Promise<void> {
  const retention = table.snapshot.metadata.configuration[SET_TRANSACTION_RETENTION];
  if (archive !== undefined) {
    if (retention === undefined) await table.setProperties({ [SET_TRANSACTION_RETENTION]: LANDING_MARKER_RETENTION });
    return;
  }
  if (setTransactionRetentionMs(table.snapshot.metadata) !== undefined) {
    throw new ConfigError(
      `${table.snapshot.metadata.name ?? table.store.url} forgets ingested files after ${retention} (${SET_TRANSACTION_RETENTION}, set when a landing archive was configured): ` +
        'without the archive, files left in the landing zone would be read again once forgotten. Configure the landing archive again, or remove the property to remember every file',
      { setting: 'landingArchive', value: '' },
    );
  }
}

/**
 * Move the listed files that are in the table (read to their end under this name, size and time, or
 * their content in already) to the archive. Only after their commits: a crash before a move leaves the
 * file where it was, and the next run, finding it ingested, moves it. A file that changed since the
 * listing stays for the next run to read on.
 */
async function archiveIngested(run: LandingRun, files: readonly ObjectInfo[], archive: string): Promise<number> {
  const { ctx, spec, table } = run;
  const landing = ctx.landing!;
  await table.refresh();
  let moved = 0;
  for (const file of files) {
    if (file.unreadable) continue;
    const mtime = Math.floor(file.modified);
    if (!seenUnderItsName(table, spec.step, file) && !run.duplicates.has(file.key)) continue;
    const now = await landing.head(file.key);
    if (!now || now.size !== file.size || Math.floor(now.modified) !== mtime) continue;
    // A file of the same name archived before keeps its place: this one gets its modification time in its name.
    let target = `${archive}/${file.key}`;
    if (await landing.head(target)) target = `${archive}/${file.key.replace(/(\.[^./]*)?$/, (suffix) => `.${mtime}${suffix}`)}`;
    try {
      await landing.move(file.key, target);
      moved++;
    } catch (e) {
      // Another run of this step (an overlapping attempt) moved it first.
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  return moved;
}

/** Whether the table recorded the file as read to its end under this name, size and modification time (or so recorded before content identity). */
function seenUnderItsName(table: DeltaTable, step: string, file: ObjectInfo): boolean {
  const mtime = Math.floor(file.modified);
  const ids = fileTxnIds(step, file.key, file.size, mtime);
  return table.txnVersion(ids.seen) !== undefined || table.txnVersion(ids.legacy) === mtime;
}

/** What to read of a file, or undefined when there is nothing: seen before, its content in already, or only a line still being written. */
async function planFile(run: LandingRun, file: ObjectInfo): Promise<FilePlan | undefined> {
  const { ctx, spec, table, landing, result } = run;
  const mtime = Math.floor(file.modified);
  const ids = fileTxnIds(spec.step, file.key, file.size, mtime);
  // Seen under this name, size and time: not read again.
  if (seenUnderItsName(table, spec.step, file)) return undefined;
  // A renamed, moved back or copied file: its content is in already.
  const fingerprint = await contentFingerprint(landing, file.key, file.size);
  const contentId = contentTxnId(spec.step, fingerprint);
  if (table.txnVersion(contentId) !== undefined || run.fingerprints.has(fingerprint)) {
    ctx.progress?.({ records: result.recordsIn, detail: `${file.key}: content already ingested` });
    run.duplicates.add(file.key);
    return undefined;
  }
  run.fingerprints.add(fingerprint);
  // A file read before, grown since, is read on from where that read stopped (file-extent.ts); the
  // half line a file still being written ends in waits.
  const grown = await grownFrom(table.snapshot.txns, spec.step, file.key, file.size, landing);
  const start = grown?.offset ?? 0;
  // The file's age by the wall clock its modification time is on, not the step's clock (tests fix that).
  const end = await readableEnd(landing, file.key, file.size, file.modified, Date.now());
  if (end < file.size) run.held++;
  if (end <= start) {
    ctx.progress?.({ records: result.recordsIn, detail: `${file.key}: its last line is still being written` });
    return undefined;
  }
  const extent = extentTxnIds(spec.step, file.key, await extentCheck(landing, file.key, end));
  // Read to its end, the file is in: its name, size and time, and its content, are recorded as seen.
  const complete = end === file.size;
  return {
    file,
    mtime,
    start,
    end,
    linesBefore: grown?.lines ?? 0,
    extentTxns: (lines) => [
      ...(complete ? [{ appId: ids.seen, version: 1 }, { appId: contentId, version: 1 }] : []),
      { appId: extent.bytes, version: end },
      { appId: extent.lines, version: lines },
    ],
  };
}

/**
 * The rows and quarantine records of one file as they are read, and their commits. Rows are taken apart
 * into columns as they are parsed and each read's rows converted to Arrow (DataFileWriter): row objects
 * and strings then die young, where half a million of them kept until a data file is written cost the
 * garbage collector more than the parsing.
 */
class FileIngest {
  readonly quarantine: QuarantineBuffer;
  readonly loadTime: number;
  readonly adds: AddAction[] = [];
  readonly names: string[];
  readonly writer: DataFileWriter;
  readonly collector: RowCollector;
  /** Rows written and not yet committed. */
  rows = 0;
  /** The file's parser, undefined when it refused the file (quarantined as a whole). */
  readonly parse: FileParser | undefined;

  constructor(
    private readonly run: LandingRun,
    readonly plan: FilePlan,
  ) {
    const { ctx, spec, table } = run;
    this.quarantine = new QuarantineBuffer(spec.step, spec.target.name, ctx.now);
    this.loadTime = ctx.now();
    this.names = spec.target.columns.map((c) => c.name);
    this.writer = new DataFileWriter(table.store, spec.target.name, table.snapshot.columns, table.snapshot.partitionColumns, { now: ctx.now });
    this.collector = new RowCollector(this.names, this.loadTime, plan.file.key);
    let parse: FileParser | undefined;
    try {
      parse = spec.parserFor(plan.file.key);
    } catch (e) {
      this.quarantine.add(plan.file.key, null, `file rejected: ${(e as Error).message}`);
    }
    this.parse = parse;
  }

  /** Rows parsed and not yet encoded, into Arrow. */
  encodePending(): void {
    this.writer.append(this.collector.takeBatch());
  }

  /** Every row so far into stored data files. */
  async flush(): Promise<void> {
    this.encodePending();
    this.adds.push(...(await this.writer.flush()));
  }

  /** A part of the file (whole lines) for a range parser. */
  rangeInput(bytes: Uint8Array, atFileStart: boolean): RangeInput {
    const { spec, table } = this.run;
    return {
      bytes,
      fileKey: this.plan.file.key,
      atFileStart,
      loadTime: this.loadTime,
      table: spec.target.name,
      declared: this.names,
      columns: [...table.snapshot.columns],
      partitionColumns: [...table.snapshot.partitionColumns],
    };
  }

  /**
   * Quarantine rows, then rows, under the same txns: the whole file in one commit, or a big file's
   * segment (see the module comment). A segment is judged against the snapshots its offsets were read
   * from (`planned`), so that another runner's commit of the same file since is a conflict.
   */
  async commitRows(txns: readonly Txn[], detail: string, planned?: { bronze: Snapshot; quarantine: Snapshot }) {
    const { ctx, spec, table, result } = this.run;
    result.quarantined += this.quarantine.size;
    const quarantineAfter = await this.quarantine.flush(ctx.lake, txns, planned?.quarantine);
    const committed = await commit(table.store, {
      readSnapshot: planned?.bronze ?? table.snapshot,
      actions: this.adds.map((add) => ({ add })),
      operation: 'WRITE',
      operationParameters: { mode: 'Append', source: this.plan.file.key },
      operationMetrics: { numFiles: this.adds.length, numOutputRows: this.rows },
      readSet: { readsAdded: false },
      txn: txns,
      now: ctx.now,
    });
    await table.refresh();
    ctx.progress?.({ records: result.recordsIn, detail });
    if (committed.committed) result.rowsWritten += this.rows;
    this.adds.length = 0;
    this.rows = 0;
    result.versions[spec.target.name] = table.version;
    if (planned) {
      planned.bronze = committed.snapshot;
      if (quarantineAfter) planned.quarantine = quarantineAfter;
    }
    return committed;
  }
}

/** Read one planned file into the table: in parts on worker threads when the source can, else line by line. */
async function ingestFile(run: LandingRun, plan: FilePlan): Promise<void> {
  const job = new FileIngest(run, plan);
  const rangeParser = job.parse && plan.file.size >= rangeTuning.minFileBytes ? run.spec.rangeParser?.() : undefined;
  if (rangeParser) {
    await readInParts(run, job, rangeParser);
    return;
  }
  await run.finishing;
  const lines = job.parse ? await readLineByLine(run, job, job.parse) : plan.linesBefore;
  if ((await job.commitRows(plan.extentTxns(lines), `${plan.file.key} committed`)).committed) run.ingested++;
}

/** The file read line by line through its parser; returns the file's lines read so far (blank ones included). */
async function readLineByLine(run: LandingRun, job: FileIngest, parse: FileParser): Promise<number> {
  const { ctx, spec, landing, result } = run;
  const { file, start, end } = job.plan;
  const { collector, quarantine } = job;
  let lines = job.plan.linesBefore;
  // Read on within the file: its header line (a CSV's) goes through the parser first, unkept.
  if (start > 0) parseLine(parse, { line: await firstLine(landing, file.key, end), lineNumber: 1 });
  const from = { lineNumber: lines + 1, atFileStart: start === 0 };
  const counted: LineBreaks = { breaks: 0, endsWithBreak: true };
  const invalidLines: InvalidUtf8Line[] = [];
  const checked = validUtf8Lines(readObject(landing, file.key, end, start), lines + 1, landingTuning.maxLineBytes, (bad) => invalidLines.push(bad), counted);
  const refuseInvalid = () => {
    for (const bad of invalidLines.splice(0)) collector.take({ ok: false, reason: INVALID_UTF8_REASON }, (reason) => quarantine.add(`${file.key}:${bad.line}`, bad.base64, reason));
  };
  for await (const batch of readLineBatches(checked, from, landingTuning.maxLineBytes)) {
    refuseInvalid();
    for (const line of batch) {
      const outcome: LineOutcome = line.oversized === undefined ? parseLine(parse, line) : { ok: false, reason: oversizedReason(line.oversized, landingTuning.maxLineBytes) };
      const at = (!outcome.ok && outcome.from) || line;
      collector.take(outcome, (reason) => quarantine.add(`${file.key}:${at.lineNumber}`, at.line, reason));
    }
    job.encodePending();
    if (job.writer.rows >= ROWS_PER_CHUNK) await job.flush();
    ctx.progress?.({ records: result.recordsIn + collector.recordsIn, detail: file.key });
    faultPoint('bronze.ingest', { step: spec.step, location: file.key });
  }
  refuseInvalid();
  // A record the file left open (an unterminated quoted field): refused with all its lines.
  const open = parse.end?.();
  if (open && !open.ok && open.from) collector.take(open, (reason) => quarantine.add(`${file.key}:${open.from!.lineNumber}`, open.from!.line, reason));
  await job.flush();
  // Physical lines read, blank ones and a last one without its line break included.
  lines += counted.breaks + (counted.endsWithBreak ? 0 : 1);
  result.recordsIn += collector.recordsIn;
  job.rows = collector.rows;
  // Encoding the last chunk of a large file takes seconds: show the orchestrator we are alive.
  ctx.progress?.({ records: result.recordsIn, detail: `${file.key} written` });
  return lines;
}

/**
 * A big file in parts parsed on worker threads, taken back in order, committed in segments of about
 * rangeTuning.segmentBytes: a step cut off in a big file resumes after its last segment. The file's
 * last parts and its commit finish in the background (run.finishing) while the next file's parts go out.
 */
async function readInParts(run: LandingRun, job: FileIngest, rangeParser: { parse(input: RangeInput): Promise<RangeOutput>; parallel: number }): Promise<void> {
  const { ctx, spec, table, landing, result } = run;
  const { file, mtime, start, end } = job.plan;
  const quarantine = job.quarantine;
  const segmentTxns = segmentTxnIds(spec.step, file.key, file.size, mtime);
  const planned = { bronze: table.snapshot, quarantine: (await ctx.lake.table(quarantineRecords)).snapshot };
  let lineOffset = planned.bronze.txns.get(segmentTxns.lines) ?? job.plan.linesBefore;
  let offset = planned.bronze.txns.get(segmentTxns.bytes) ?? start;
  // A segment whose quarantine rows were committed but whose bronze commit was not: redo exactly it.
  const quarantined = planned.quarantine.txns.get(`${segmentTxns.bytes}#quarantine`);
  let redoEnd = quarantined !== undefined && quarantined > offset ? quarantined : undefined;
  const takePart = async ({ out, invalid }: { out: RangeOutput; invalid: readonly InvalidUtf8Line[] }) => {
    result.recordsIn += out.recordsIn;
    // Lines that were not UTF-8 (taken out before parsing): numbered like the part's other lines.
    for (const bad of invalid) quarantine.add(`${file.key}:${lineOffset + bad.line}`, bad.base64, INVALID_UTF8_REASON);
    result.recordsIn += invalid.length;
    job.rows += out.rows;
    for (const q of out.quarantine) quarantine.add(`${file.key}:${lineOffset + q.line}`, q.raw, q.reason);
    lineOffset += out.lines;
    job.adds.push(...(await storeDataFiles(table.store, table.snapshot.partitionColumns, out.files, { now: ctx.now })));
    ctx.progress?.({ records: result.recordsIn, detail: file.key });
    faultPoint('bronze.ingest', { step: spec.step, location: file.key });
  };
  const inFlight: Promise<{ out: RangeOutput; invalid: readonly InvalidUtf8Line[] }>[] = [];
  const drain = async () => {
    while (inFlight.length > 0) await takePart(await inFlight.shift()!);
  };
  let atFileStart = offset === 0;
  const send = async (raw: Uint8Array) => {
    const { bytes, invalid } = takeInvalidUtf8Lines(raw);
    const part = rangeParser.parse(job.rangeInput(bytes, atFileStart)).then((out) => ({ out, invalid }));
    // Awaited in order below; a failure of a later part must not go unhandled meanwhile.
    part.catch(() => undefined);
    inFlight.push(part);
    atFileStart = false;
    while (inFlight.length > rangeParser.parallel) await takePart(await inFlight.shift()!);
  };
  // Each part is one ranged read, cut after its last line break; the next read starts there.
  const partBytes = partBytesFor(file.size, rangeParser.parallel);
  let segmentStart = offset;
  for (let length = partBytes; offset < end; ) {
    const readTo = redoEnd ?? end;
    const bytes = ownBytes(await landing.getRange(file.key, offset, Math.min(length, readTo - offset)));
    const last = offset + bytes.byteLength >= readTo;
    const cut = last ? bytes.byteLength : bytes.lastIndexOf(10) + 1;
    if (cut === 0 && length < landingTuning.maxLineBytes) {
      length *= 2; // a line longer than a part: read more of it
      continue;
    }
    if (cut === 0) {
      // A line over the limit: quarantined with its head (line numbers are exact once the parts
      // before it are taken), the rest passed over without holding it.
      await drain();
      const lineEnd = await endOfLine(landing, file.key, offset + bytes.byteLength, readTo);
      const head = new TextDecoder().decode(bytes.subarray(0, OVERSIZED_HEAD_CHARS));
      result.recordsIn++;
      quarantine.add(`${file.key}:${lineOffset + 1}`, head, oversizedReason(lineEnd - offset, landingTuning.maxLineBytes, 'bytes'));
      lineOffset++;
      offset = lineEnd;
      length = partBytes;
      continue;
    }
    await send(bytes.subarray(0, cut));
    offset += cut;
    length = partBytes;
    if (offset < end && (offset === redoEnd || offset - segmentStart >= rangeTuning.segmentBytes)) {
      // A segment's end (not the file's): its parts, its quarantine rows, then its rows and offsets.
      await drain();
      await run.finishing;
      const segment = await job.commitRows([{ appId: segmentTxns.bytes, version: offset }, { appId: segmentTxns.lines, version: lineOffset }], `${file.key} up to byte ${offset}`, planned);
      // Another runner committed this segment first: the step starts again from what it committed.
      if (!segment.committed) throw new CommitConflictError(table.store.url, segment.version, `segment of ${file.key} up to byte ${offset} was committed by another runner`);
      segmentStart = offset;
      redoEnd = undefined;
    }
  }
  const previous = run.finishing;
  run.finishing = (async () => {
    await drain();
    ctx.progress?.({ records: result.recordsIn, detail: `${file.key} written` });
    // Commits stay in file order.
    await previous;
    const endTxns = [...job.plan.extentTxns(lineOffset), { appId: segmentTxns.bytes, version: end }, { appId: segmentTxns.lines, version: lineOffset }];
    if ((await job.commitRows(endTxns, `${file.key} committed`, planned)).committed) run.ingested++;
  })();
  // Awaited by the next file's commit or after the last file; a failure meanwhile is not unhandled.
  run.finishing.catch(() => {
    run.finishingFailed = true;
  });
}

/**
 * The bytes in an array of their own, which can be handed to a worker without taking other memory
 * along (a small read may come from a shared pool).
 */
function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}
