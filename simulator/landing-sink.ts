/**
 * Records to a landing-zone folder in the SBIT file formats: `registered_users/*.csv` and
 * `gym_logins/*.csv` with their header, and Kafka-dump JSON lines under `kafka/`, one file series per
 * stream (user_info, workout, bpm). Files are cut at `linesPerFile` lines and each appears atomically
 * when complete (atomic-file.ts), so a pipeline running meanwhile ingests whole files only.
 *
 * Dump offsets count per topic from 0 in delivery order (partition 0), like one partition's log.
 */
import path from 'node:path';
import { AtomicFile } from './atomic-file.ts';
import { CSV_HEADERS, csvLine, dumpLine, type SimRecord } from './records.ts';
import type { Sink, SinkReport, WrittenFile } from './sink.ts';

export interface LandingSinkOptions {
  /** The landing zone folder. */
  root: string;
  /** Part of every file name, so runs with different tags do not replace each other's files. @default 'sim' */
  tag?: string;
  /** Most records per file; a longer stream continues in the next file. @default 1_000_000 */
  linesPerFile?: number;
}

/** A file series being written: the open file, its lines, and text not yet handed to it. */
interface OpenSeries {
  file: AtomicFile;
  key: string;
  records: number;
  pending: string[];
}

/** The folder and file stem of each series. */
const SERIES: Record<string, { folder: string; ext: string }> = {
  registered_users: { folder: 'registered_users', ext: 'csv' },
  gym_logins: { folder: 'gym_logins', ext: 'csv' },
  user_info: { folder: 'kafka', ext: 'json' },
  workout: { folder: 'kafka', ext: 'json' },
  bpm: { folder: 'kafka', ext: 'json' },
};

/** Writes records as landing-zone files; see the module comment. */
export class LandingSink implements Sink {
  readonly kind = 'landing' as const;
  private readonly root: string;
  private readonly tag: string;
  private readonly linesPerFile: number;
  private readonly open = new Map<string, OpenSeries>();
  private readonly parts = new Map<string, number>();
  private readonly offsets = new Map<string, number>();
  private readonly written: WrittenFile[] = [];

  constructor({ root, tag = 'sim', linesPerFile = 1_000_000 }: LandingSinkOptions) {
    if (!/^[A-Za-z0-9_-]+$/.test(tag)) throw new RangeError(`tag must be letters, digits, - and _, got ${JSON.stringify(tag)}`);
    if (!Number.isSafeInteger(linesPerFile) || linesPerFile < 1) throw new RangeError(`linesPerFile must be a positive whole number, got ${linesPerFile}`);
    this.root = path.resolve(root);
    this.tag = tag;
    this.linesPerFile = linesPerFile;
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    for (const record of batch) {
      const name = record.kind === 'csv' ? record.source : record.stream;
      const series = this.open.get(name) ?? (await this.start(name));
      if (record.kind === 'csv') {
        series.pending.push(csvLine(record));
      } else {
        const offset = this.offsets.get(record.topic) ?? 0;
        this.offsets.set(record.topic, offset + 1);
        series.pending.push(dumpLine(record, offset));
      }
      if (++series.records >= this.linesPerFile) await this.finish(name, series);
    }
    // One write per series and batch: the lines of a batch go to the disk together.
    for (const series of this.open.values()) await this.flush(series);
  }

  async close(): Promise<SinkReport> {
    for (const [name, series] of [...this.open]) await this.finish(name, series);
    return { files: [...this.written], messages: {} };
  }

  async abort(): Promise<void> {
    for (const series of this.open.values()) await series.file.abort();
    this.open.clear();
  }

  /** Open the next file of a series (a CSV starts with its header). */
  private async start(name: string): Promise<OpenSeries> {
    const { folder, ext } = SERIES[name]!;
    const part = (this.parts.get(name) ?? 0) + 1;
    this.parts.set(name, part);
    const key = `${folder}/${name}-${this.tag}-${String(part).padStart(4, '0')}.${ext}`;
    const series: OpenSeries = { file: await AtomicFile.create(path.join(this.root, ...key.split('/'))), key, records: 0, pending: [] };
    const header = CSV_HEADERS[name as keyof typeof CSV_HEADERS];
    if (header !== undefined) series.pending.push(header);
    this.open.set(name, series);
    return series;
  }

  private async flush(series: OpenSeries): Promise<void> {
    if (series.pending.length === 0) return;
    const text = `${series.pending.join('\n')}\n`;
    series.pending = [];
    await series.file.write(text);
  }

  /** Complete a file: it appears in the landing zone now. */
  private async finish(name: string, series: OpenSeries): Promise<void> {
    await this.flush(series);
    await series.file.commit();
    this.open.delete(name);
    this.written.push({ key: series.key, records: series.records });
  }
}
