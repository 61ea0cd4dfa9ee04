/**
 * Parquet library benchmark: rows/s written, rows/s read and peak RSS for heart-rate rows
 * (device_id long, time timestamp µs, heartrate double, valid boolean), snappy, one row group.
 *
 *   npx tsx bench/parquet.ts [rows]          (default 1,000,000 rows)
 *
 * Each library runs in its own child process so that its peak RSS (process.resourceUsage().maxRSS)
 * is attributable to it alone. Both directions start and end at the in-memory representation of
 * schema/types.ts (a ColumnBatch of plain JS arrays), so conversion costs are part of the figure.
 * Libraries that are not installed any more (losing candidates are uninstalled) are reported as
 * such; reinstall one with `npm install --no-save <pkg>` to measure it again.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Cell, ColumnDef } from '../schema/types.ts';
import type { ColumnBatch } from '../lakehouse/table/columns/index.ts';
import { encodeParquet, decodeParquet } from '../lakehouse/table/parquet/index.ts';
import { wasmMemory } from 'parquet-wasm';

const HEART_RATE: readonly ColumnDef[] = [
  { name: 'device_id', type: 'long', nullable: false },
  { name: 'time', type: 'timestamp', nullable: false },
  { name: 'heartrate', type: 'double', nullable: false },
  { name: 'valid', type: 'boolean', nullable: false },
];
const ROW_GROUP = 1 << 20;

interface Adapter {
  /** What is measured, printed next to the figures. */
  readonly note: string;
  write(batch: ColumnBatch): Promise<Uint8Array>;
  read(bytes: Uint8Array): Promise<ColumnBatch>;
  /** Size of the WebAssembly linear memory, for wasm-based libraries (it grows, never shrinks). */
  wasmMiB?(): number;
}

interface Result {
  lib: string;
  note: string;
  bytes: number;
  writeRowsPerSec: number;
  readRowsPerSec: number;
  rssAfterDataMiB: number;
  peakRssMiB: number;
  wasmMiB?: number;
  exact: boolean;
}

// The candidates are imported by a computed name so that this file still type-checks (and reports
// "not installed") once the losing libraries have been uninstalled.
async function importOptional<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch {
    return undefined;
  }
}

/** Deterministic heart-rate rows: 1,000 devices interleaved in time order, ~2% invalid readings. */
function heartRateBatch(numRows: number): ColumnBatch {
  let seed = 42;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const device = new Array<Cell>(numRows);
  const time = new Array<Cell>(numRows);
  const rate = new Array<Cell>(numRows);
  const valid = new Array<Cell>(numRows);
  const start = Date.UTC(2024, 0, 1) * 1000;
  for (let i = 0; i < numRows; i++) {
    device[i] = 1 + (i % 1000);
    time[i] = start + i * 1000 + Math.floor(random() * 1000);
    rate[i] = Math.round((55 + 60 * random()) * 10) / 10;
    valid[i] = random() > 0.02;
  }
  return {
    numRows,
    columns: new Map([
      ['device_id', device],
      ['time', time],
      ['heartrate', rate],
      ['valid', valid],
    ]),
  };
}

// ---- @dsnp/parquetjs: row-at-a-time writer and cursor; INT64 in, BigInt/Date out --------------

interface ParquetJs {
  ParquetSchema: new (fields: Record<string, { type: string; compression?: string }>) => unknown;
  ParquetWriter: {
    openStream(
      schema: unknown,
      out: NodeJS.WritableStream,
      opts?: { rowGroupSize?: number },
    ): Promise<{ appendRow(row: Record<string, unknown>): Promise<void>; close(): Promise<void> }>;
  };
  ParquetReader: {
    openBuffer(buf: Buffer): Promise<{
      getCursor(columns?: string[][]): { next(): Promise<Record<string, unknown> | null> };
      close(): Promise<void>;
    }>;
  };
}

async function parquetJsAdapter(): Promise<Adapter | undefined> {
  const lib = await importOptional<ParquetJs>('@dsnp/parquetjs');
  if (!lib) return undefined;
  const { Writable } = await import('node:stream');
  const schema = new lib.ParquetSchema({
    device_id: { type: 'INT64', compression: 'SNAPPY' },
    time: { type: 'TIMESTAMP_MICROS', compression: 'SNAPPY' },
    heartrate: { type: 'DOUBLE', compression: 'SNAPPY' },
    valid: { type: 'BOOLEAN', compression: 'SNAPPY' },
  });
  return {
    note: 'time read back as Date: microseconds lost, and negative timestamps are rejected on write',
    async write(batch) {
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk);
          done();
        },
      });
      const writer = await lib.ParquetWriter.openStream(schema, sink, { rowGroupSize: ROW_GROUP });
      const cols = HEART_RATE.map((c) => batch.columns.get(c.name)!);
      for (let i = 0; i < batch.numRows; i++) {
        await writer.appendRow({ device_id: cols[0]![i], time: cols[1]![i], heartrate: cols[2]![i], valid: cols[3]![i] });
      }
      await writer.close();
      return new Uint8Array(Buffer.concat(chunks));
    },
    async read(bytes) {
      const reader = await lib.ParquetReader.openBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const cursor = reader.getCursor();
      const device: Cell[] = [];
      const time: Cell[] = [];
      const rate: Cell[] = [];
      const valid: Cell[] = [];
      for (let row = await cursor.next(); row; row = await cursor.next()) {
        device.push(Number(row['device_id'] as bigint));
        time.push((row['time'] as Date).getTime() * 1000);
        rate.push(row['heartrate'] as number);
        valid.push(row['valid'] as boolean);
      }
      await reader.close();
      const columns = new Map<string, Cell[]>([['device_id', device], ['time', time], ['heartrate', rate], ['valid', valid]]);
      return { numRows: device.length, columns };
    },
  };
}

// ---- parquet-wasm + apache-arrow: Arrow record batch → IPC → arrow-rs writer (and back) ----------

interface ArrowLib {
  makeData(props: Record<string, unknown>): unknown;
  Schema: new (fields: unknown[]) => unknown;
  Field: new (name: string, type: unknown, nullable: boolean) => { type: unknown };
  Struct: new (fields: unknown[]) => unknown;
  RecordBatch: new (schema: unknown, data: unknown) => unknown;
  Table: new (batch: unknown) => unknown;
  Int64: new () => unknown;
  Float64: new () => unknown;
  Bool: new () => unknown;
  TimestampMicrosecond: new (tz: string) => unknown;
  tableToIPC(table: unknown, format: 'stream'): Uint8Array;
  tableFromIPC(bytes: Uint8Array): {
    numRows: number;
    getChild(name: string): { data: { values: ArrayLike<number> & { buffer: ArrayBuffer; byteOffset: number; length: number } }[] } | null;
  };
}
interface WasmTable {
  intoIPCStream(): Uint8Array;
  free(): void;
}
interface ParquetWasm {
  Table: { fromIPCStream(bytes: Uint8Array): WasmTable };
  WriterPropertiesBuilder: new () => {
    setCompression(c: number): ParquetWasm['WriterPropertiesBuilder']['prototype'];
    setMaxRowGroupSize(n: number): ParquetWasm['WriterPropertiesBuilder']['prototype'];
    build(): unknown;
  };
  Compression: { SNAPPY: number };
  writeParquet(table: WasmTable, props: unknown): Uint8Array;
  readParquet(bytes: Uint8Array, options: { batchSize: number }): WasmTable;
  wasmMemory(): { buffer: ArrayBuffer };
}

async function parquetWasmAdapter(): Promise<Adapter | undefined> {
  const wasm = await importOptional<ParquetWasm>('parquet-wasm');
  const arrow = await importOptional<ArrowLib>('apache-arrow');
  if (!wasm || !arrow) return undefined;
  const int64 = (values: readonly Cell[]): BigInt64Array => {
    const out = new Int32Array(values.length * 2);
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      const hi = Math.floor(v / 4294967296);
      out[2 * i] = v - hi * 4294967296;
      out[2 * i + 1] = hi;
    }
    return new BigInt64Array(out.buffer);
  };
  const fromInt64 = (values: BigInt64Array): Cell[] => {
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const out = new Array<Cell>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
    return out;
  };
  return {
    note: 'raw library use, no validation or stats (see fitlake row for the real module)',
    async write(batch) {
      const n = batch.numRows;
      const col = (name: string): readonly Cell[] => batch.columns.get(name)!;
      const bits = new Uint8Array((n + 7) >> 3);
      const valid = col('valid');
      for (let i = 0; i < n; i++) if (valid[i]) bits[i >> 3]! |= 1 << (i & 7);
      const fields = [
        new arrow.Field('device_id', new arrow.Int64(), false),
        new arrow.Field('time', new arrow.TimestampMicrosecond('UTC'), false),
        new arrow.Field('heartrate', new arrow.Float64(), false),
        new arrow.Field('valid', new arrow.Bool(), false),
      ];
      const children = [
        arrow.makeData({ type: fields[0]!.type, length: n, data: int64(col('device_id')) }),
        arrow.makeData({ type: fields[1]!.type, length: n, data: int64(col('time')) }),
        arrow.makeData({ type: fields[2]!.type, length: n, data: Float64Array.from(col('heartrate') as number[]) }),
        arrow.makeData({ type: fields[3]!.type, length: n, data: bits }),
      ];
      const data = arrow.makeData({ type: new arrow.Struct(fields), length: n, children });
      const ipc = arrow.tableToIPC(new arrow.Table(new arrow.RecordBatch(new arrow.Schema(fields), data)), 'stream');
      const table = wasm.Table.fromIPCStream(ipc);
      const props = new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.SNAPPY).setMaxRowGroupSize(ROW_GROUP).build();
      return wasm.writeParquet(table, props);
    },
    wasmMiB: () => mib(wasm.wasmMemory().buffer.byteLength / 1024),
    async read(bytes) {
      const wasmTable = wasm.readParquet(bytes, { batchSize: ROW_GROUP });
      const table = arrow.tableFromIPC(wasmTable.intoIPCStream());
      const columns = new Map<string, Cell[]>();
      for (const { name, type } of HEART_RATE) {
        const out: Cell[] = [];
        for (const chunk of table.getChild(name)!.data) {
          const values = chunk.values;
          if (type === 'long' || type === 'timestamp') for (const v of fromInt64(values as unknown as BigInt64Array)) out.push(v);
          else if (type === 'double') for (let i = 0; i < values.length; i++) out.push(values[i]!);
          else {
            const length = (chunk as unknown as { length: number }).length;
            for (let i = 0; i < length; i++) out.push((values[i >> 3]! & (1 << (i & 7))) !== 0);
          }
        }
        columns.set(name, out);
      }
      return { numRows: table.numRows, columns };
    },
  };
}

// ---- hyparquet-writer + hyparquet: pure JS, column arrays in and out; INT64 as BigInt ------------

interface HyparquetWriter {
  parquetWriteBuffer(options: {
    columnData: { name: string; data: unknown[] | ArrayLike<unknown> }[];
    schema: Record<string, unknown>[];
    codec: string;
    rowGroupSize: number;
  }): ArrayBuffer;
}
interface Hyparquet {
  parquetRead(options: {
    file: ArrayBuffer;
    columns?: string[];
    parsers?: { timestampFromMicroseconds(v: bigint): number };
    onChunk(chunk: { columnName: string; columnData: ArrayLike<unknown>; rowStart: number; rowEnd: number }): void;
  }): Promise<void>;
}

async function hyparquetAdapter(): Promise<Adapter | undefined> {
  const writer = await importOptional<HyparquetWriter>('hyparquet-writer');
  const reader = await importOptional<Hyparquet>('hyparquet');
  if (!writer || !reader) return undefined;
  const required = 'REQUIRED';
  const schema = [
    { name: 'root', num_children: 4 },
    { name: 'device_id', type: 'INT64', repetition_type: required },
    {
      name: 'time',
      type: 'INT64',
      repetition_type: required,
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
    },
    { name: 'heartrate', type: 'DOUBLE', repetition_type: required },
    { name: 'valid', type: 'BOOLEAN', repetition_type: required },
  ];
  return {
    note: 'INT64 columns go through one BigInt per value in both directions',
    async write(batch) {
      const columnData = HEART_RATE.map(({ name, type }) => {
        const values = batch.columns.get(name)!;
        if (type !== 'long' && type !== 'timestamp') return { name, data: values as unknown[] };
        const data = new BigInt64Array(values.length);
        for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i] as number);
        return { name, data };
      });
      const buffer = writer.parquetWriteBuffer({ columnData, schema, codec: 'SNAPPY', rowGroupSize: ROW_GROUP });
      return new Uint8Array(buffer);
    },
    async read(bytes) {
      const columns = new Map<string, Cell[]>(HEART_RATE.map((c) => [c.name, []]));
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      let numRows = 0;
      await reader.parquetRead({
        file,
        parsers: { timestampFromMicroseconds: (v) => Number(v) },
        onChunk({ columnName, columnData }) {
          const out = columns.get(columnName)!;
          for (let i = 0; i < columnData.length; i++) {
            const v = columnData[i];
            out.push(typeof v === 'bigint' ? Number(v) : (v as Cell));
          }
          numRows = out.length;
        },
      });
      return { numRows, columns };
    },
  };
}

// ---- fitlake: the module itself (validation + stats included), on the chosen library -----------

function fitlakeAdapter(): Adapter {
  return {
    note: 'lakehouse/table/parquet-*.ts: encodeParquet (with checks and stats) / decodeParquet',
    async write(batch) {
      return encodeParquet(HEART_RATE, batch, { compression: 'snappy', rowGroupRows: ROW_GROUP }).bytes;
    },
    read: (bytes) => decodeParquet(bytes, HEART_RATE),
    wasmMiB: () => mib((wasmMemory() as { buffer: ArrayBuffer }).buffer.byteLength / 1024),
  };
}

const ADAPTERS: Record<string, () => Adapter | undefined | Promise<Adapter | undefined>> = {
  '@dsnp/parquetjs': parquetJsAdapter,
  'hyparquet (+writer)': hyparquetAdapter,
  'parquet-wasm (+arrow)': parquetWasmAdapter,
  'fitlake module': fitlakeAdapter,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** True when every cell of `actual` equals `expected` (timestamps to the microsecond). */
function sameBatch(expected: ColumnBatch, actual: ColumnBatch): boolean {
  if (expected.numRows !== actual.numRows) return false;
  for (const [name, values] of expected.columns) {
    const got = actual.columns.get(name);
    if (!got) return false;
    for (let i = 0; i < values.length; i++) if (got[i] !== values[i]) return false;
  }
  return true;
}

const mib = (kib: number): number => Math.round(kib / 1024);

async function child(lib: string, numRows: number): Promise<void> {
  const adapter = await ADAPTERS[lib]!();
  if (!adapter) {
    process.stdout.write(JSON.stringify({ lib, missing: true }) + '\n');
    return;
  }
  const batch = heartRateBatch(numRows);
  const rssAfterDataMiB = mib(process.resourceUsage().maxRSS);
  const runs = 3;
  const writeTimes: number[] = [];
  const readTimes: number[] = [];
  let bytes: Uint8Array = new Uint8Array(0);
  let decoded: ColumnBatch | undefined;
  // One untimed warm-up round so that JIT compilation (and wasm instantiation) is not measured.
  for (let run = 0; run <= runs; run++) {
    let t = performance.now();
    bytes = await adapter.write(batch);
    const written = performance.now() - t;
    t = performance.now();
    decoded = await adapter.read(bytes);
    const read = performance.now() - t;
    if (run > 0) {
      writeTimes.push(written);
      readTimes.push(read);
    }
  }
  const result: Result = {
    lib,
    note: adapter.note,
    bytes: bytes.byteLength,
    writeRowsPerSec: Math.round(numRows / (median(writeTimes) / 1000)),
    readRowsPerSec: Math.round(numRows / (median(readTimes) / 1000)),
    rssAfterDataMiB,
    peakRssMiB: mib(process.resourceUsage().maxRSS),
    ...(adapter.wasmMiB ? { wasmMiB: adapter.wasmMiB() } : {}),
    exact: sameBatch(batch, decoded!),
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function parent(numRows: number): void {
  const self = fileURLToPath(import.meta.url);
  console.log(`${numRows.toLocaleString('en-US')} heart-rate rows, snappy, one row group; median of 3 runs after a warm-up`);
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0]!.toFixed(2)}`);
  console.log('library                 rows/s write   rows/s read   file MiB  RSS data MiB  peak RSS MiB  exact');
  for (const lib of Object.keys(ADAPTERS)) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', lib, String(numRows)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const line = run.stdout.trim().split('\n').pop() ?? '';
    if (run.status !== 0 || !line.startsWith('{')) {
      console.log(`${lib.padEnd(22)}  failed: ${run.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
      continue;
    }
    const r = JSON.parse(line) as Result & { missing?: boolean };
    if (r.missing) {
      console.log(`${lib.padEnd(22)}  not installed`);
      continue;
    }
    console.log(
      `${lib.padEnd(22)}  ${r.writeRowsPerSec.toLocaleString('en-US').padStart(12)}  ${r.readRowsPerSec.toLocaleString('en-US').padStart(12)}` +
        `  ${(r.bytes / 2 ** 20).toFixed(1).padStart(8)}  ${String(r.rssAfterDataMiB).padStart(12)}  ${String(r.peakRssMiB).padStart(12)}  ${r.exact ? 'yes' : 'NO'}`,
    );
    console.log(`${''.padEnd(24)}(${r.note}${r.wasmMiB ? `; wasm memory ${r.wasmMiB} MiB` : ''})`);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1]!, Number(args[2]));
else parent(Number(args[0] ?? 1_000_000));
