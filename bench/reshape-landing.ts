/**
 * A landing zone as someone else would have written it: the same records as a generated one
 * (simulator/landing-generator.ts), so the same tables come out, in another shape. Run as its own process, so its
 * memory never counts for the pipeline measured after it:
 *
 *   node --import tsx bench/reshape-landing.ts SRC DST [--order random|time] [--layout python|canonical] [--files one|many] [--conflicts] [--seed N]
 *
 * - order random: the heart-rate records shuffled across devices, days and files (as a backfill, a merged
 *   export or late uploads deliver them), by an external shuffle: records dealt at random into buckets of
 *   about 64 MiB on disk, each bucket shuffled in memory; memory follows a bucket, not the data.
 * - layout python: records written as Python's json.dumps writes them (a space after every separator),
 *   the dump line's own fields (key, value, topic, ...) and the payload's fields each in a varying order,
 *   heart rates as 72, 72.0 or 7.2e1 (the same number).
 * - files one: all heart-rate records in one file; many: files of 1,000,000 lines.
 * - conflicts: for ~1% of the readings, an exact copy of the record and/or other readings of the same
 *   device and second with another heart rate (conflicts.ts says which and what the lake must keep).
 *   In time order they sit next to the original, before or after it; in random order they are shuffled
 *   with the rest.
 * CSV exports are copied as they are; the other dumps are rewritten in the layout, in their order.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { conflictFor } from './conflicts.ts';
import { prng } from '../simulator/landing-generator.ts';

interface Shape {
  order: 'random' | 'time';
  layout: 'python' | 'canonical';
  files: 'one' | 'many';
  conflicts: boolean;
  seed: number;
}

/** A Kafka dump line's fields. */
interface DumpRecord {
  key: string | null;
  value: string | null;
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

const BUCKET_BYTES = 64 * 1024 * 1024;
const LINES_PER_FILE = 1_000_000;

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : process.argv[at + 1]!;
}

/** A heart rate in one of the forms JSON writers use for the same number. */
function numberText(n: number, pick: number): string {
  if (Number.isInteger(n)) {
    const forms = [String(n), `${n}.0`, n.toExponential().replace('e+', 'e')];
    return forms[pick % forms.length]!;
  }
  return pick % 2 === 0 ? String(n) : n.toExponential().replace('e+', 'e');
}

/** `items` rotated by `k` places: a varying field order that keeps every field. */
const rotated = <T>(items: readonly T[], k: number): T[] => [...items.slice(k % items.length), ...items.slice(0, k % items.length)];

/**
 * One dump line in Python's json.dumps layout, the line's fields and the payload's fields in orders
 * `pick` (0 to 53) chooses, independently of each other and of the number's form: a reader must tie
 * none of them to another.
 */
function pythonLine(line: string, pick: number): string {
  const r = JSON.parse(line) as DumpRecord;
  let value = r.value;
  if (value !== null && r.topic === 'bpm') {
    const p = JSON.parse(value) as Record<string, number>;
    const fields = [`"device_id": ${p.device_id}`, `"time": ${p.time}`, `"heartrate": ${numberText(p.heartrate!, Math.floor(pick / 3) % 3)}`];
    value = `{${rotated(fields, pick % 3).join(', ')}}`;
  } else if (value !== null) {
    value = JSON.stringify(JSON.parse(value), null, 1).replace(/\n\s*/g, ' ').replace(/\{ /g, '{').replace(/ \}/g, '}');
  }
  const outer = [
    `"key": ${JSON.stringify(r.key)}`,
    `"value": ${JSON.stringify(value)}`,
    `"topic": ${JSON.stringify(r.topic)}`,
    `"partition": ${r.partition}`,
    `"offset": ${r.offset}`,
    `"timestamp": ${r.timestamp}`,
  ];
  return `{${rotated(outer, Math.floor(pick / 9)).join(', ')}}`;
}

/** Offsets of the conflicting readings: past the generator's (1,000,000 + line), so each looks like a record of its own. */
const CONFLICT_OFFSETS = 2_000_000_000;

/**
 * A heart-rate record with the readings that conflict with it (conflicts.ts), each already in the
 * layout; the original's place among them varies. Only an original is expanded: the generator sends a
 * reading at its own second and a repeat later, so the record's timestamp equals the payload's time
 * only for the original.
 */
class ConflictMaker {
  private next = CONFLICT_OFFSETS;
  /** Instants given conflicts, and records added. */
  instants = 0;
  added = 0;

  constructor(private readonly layout: (line: string) => string) {}

  expand(line: string, pick: number): string[] {
    const laid = this.layout(line);
    const r = JSON.parse(line) as DumpRecord;
    if (r.value === null) return [laid];
    const p = JSON.parse(r.value) as { device_id: number; time: number; heartrate: number };
    if (p.time !== r.timestamp) return [laid];
    const conflict = conflictFor(p.device_id, p.time, p.heartrate);
    if (!conflict) return [laid];
    const extra: string[] = conflict.duplicate ? [laid] : [];
    for (const heartrate of conflict.others) {
      const value = JSON.stringify({ device_id: p.device_id, time: p.time, heartrate });
      extra.push(this.layout(JSON.stringify({ ...r, value, offset: this.next++ })));
    }
    this.instants++;
    this.added += extra.length;
    const at = pick % (extra.length + 1);
    return [...extra.slice(0, at), laid, ...extra.slice(at)];
  }
}

/** Lines of a file, as read. */
async function* linesOf(file: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line.trim() !== '') yield line;
}

/** Writes lines into numbered files of at most `perFile` lines (Infinity: one file). */
class LineFiles {
  private handle: FileHandle | undefined;
  private lines = 0;
  private index = 0;
  private pending: string[] = [];
  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly perFile: number,
  ) {}
  async write(line: string): Promise<void> {
    if (!this.handle || this.lines >= this.perFile) {
      await this.flush();
      await this.handle?.close();
      this.handle = await open(path.join(this.dir, `${this.prefix}_${String(this.index++).padStart(4, '0')}.json`), 'w');
      this.lines = 0;
    }
    this.pending.push(line);
    this.lines++;
    if (this.pending.length >= 10_000) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.handle && this.pending.length > 0) await this.handle.write(this.pending.join('\n') + '\n');
    this.pending = [];
  }
  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
  }
}

async function reshape(src: string, dst: string, shape: Shape): Promise<void> {
  await rm(dst, { recursive: true, force: true });
  for (const folder of ['registered_users', 'gym_logins']) {
    await mkdir(path.join(dst, folder), { recursive: true });
    for (const f of await readdir(path.join(src, folder))) await copyFile(path.join(src, folder, f), path.join(dst, folder, f));
  }
  await mkdir(path.join(dst, 'kafka'), { recursive: true });
  const rnd = prng(shape.seed);
  const pick = () => Math.floor(rnd() * 6);
  // 3 payload orders x 3 number forms x 6 line orders (see pythonLine).
  const layout = (line: string) => (shape.layout === 'python' ? pythonLine(line, Math.floor(rnd() * 54)) : line);
  const conflicts = shape.conflicts ? new ConflictMaker(layout) : undefined;
  const bpmRecords = (line: string): string[] => (conflicts ? conflicts.expand(line, pick()) : [layout(line)]);
  const kafkaFiles = (await readdir(path.join(src, 'kafka'))).filter((f) => f.endsWith('.json')).sort();
  const bpmFiles = kafkaFiles.filter((f) => f.startsWith('bpm'));
  for (const f of kafkaFiles.filter((x) => !bpmFiles.includes(x))) {
    const out = new LineFiles(path.join(dst, 'kafka'), f.replace(/\.json$/, ''), Infinity);
    for await (const line of linesOf(path.join(src, 'kafka', f))) await out.write(layout(line));
    await out.close();
  }
  const out = new LineFiles(path.join(dst, 'kafka'), 'bpm', shape.files === 'one' ? Infinity : LINES_PER_FILE);
  if (shape.order === 'time') {
    for (const f of bpmFiles) for await (const line of linesOf(path.join(src, 'kafka', f))) for (const record of bpmRecords(line)) await out.write(record);
  } else {
    // Deal every record (in its layout, with its conflicts) into a random bucket on disk, then shuffle
    // each bucket in memory: a conflicting reading lands anywhere, before or after its original.
    let bytes = 0;
    for (const f of bpmFiles) bytes += (await readFile(path.join(src, 'kafka', f))).byteLength;
    const buckets = Math.max(1, Math.ceil(bytes / BUCKET_BYTES));
    const bucketDir = path.join(dst, '.buckets');
    await mkdir(bucketDir, { recursive: true });
    const writers = await Promise.all(Array.from({ length: buckets }, (_, i) => open(path.join(bucketDir, `${i}`), 'w')));
    const pendingOf = writers.map(() => [] as string[]);
    for (const f of bpmFiles) {
      for await (const line of linesOf(path.join(src, 'kafka', f))) {
        for (const record of bpmRecords(line)) {
          const b = Math.floor(rnd() * buckets);
          pendingOf[b]!.push(record);
          if (pendingOf[b]!.length >= 5_000) await writers[b]!.write(pendingOf[b]!.splice(0).join('\n') + '\n');
        }
      }
    }
    for (let b = 0; b < buckets; b++) {
      if (pendingOf[b]!.length > 0) await writers[b]!.write(pendingOf[b]!.join('\n') + '\n');
      await writers[b]!.close();
    }
    for (let b = 0; b < buckets; b++) {
      const lines = (await readFile(path.join(bucketDir, `${b}`), 'utf8')).split('\n').filter((l) => l !== '');
      for (let i = lines.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      for (const line of lines) await out.write(line);
    }
    await rm(bucketDir, { recursive: true, force: true });
  }
  await out.close();
  if (conflicts) console.log(`conflicts: ${conflicts.instants.toLocaleString('en-US')} readings got ${conflicts.added.toLocaleString('en-US')} more records (copies and other heart rates)`);
}

const [src, dst] = process.argv.slice(2);
if (!src || !dst) throw new Error('usage: reshape-landing.ts SRC DST [--order random|time] [--layout python|canonical] [--files one|many] [--conflicts] [--seed N]');
const shape: Shape = {
  order: arg('--order', 'random') === 'time' ? 'time' : 'random',
  layout: arg('--layout', 'python') === 'canonical' ? 'canonical' : 'python',
  files: arg('--files', 'many') === 'one' ? 'one' : 'many',
  conflicts: process.argv.includes('--conflicts'),
  seed: Number(arg('--seed', '11')),
};
await reshape(src, dst, shape);
