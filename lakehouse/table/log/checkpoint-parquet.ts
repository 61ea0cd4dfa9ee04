/**
 * The Parquet side of checkpoints (checkpoint.ts): the rows of a checkpoint as Arrow columns of Delta's
 * checkpoint schema, encoded with parquet-wasm, and the columns a reader needs decoded back from any
 * writer's checkpoint file.
 *
 * Both directions work on whole columns, not row by row: a checkpoint holds a row per live file, and
 * Arrow's builders (per value, per nested field) or its row proxies would cost several times more than
 * the Parquet encoding itself at 100,000 files.
 */
import { isAscii } from 'node:buffer';
import { Bool, Field, Int32, Int64, List, Map_, makeData, makeVector, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, Type, Utf8, type Data, type DataType } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import type { AddAction, MetadataAction, ProtocolAction, TxnAction } from './actions.ts';

// ---------------------------------------------------------------------------------------------------
// The schema fitlake writes (PROTOCOL.md "Checkpoint Schema"; nullability as delta-rs writes it)

const utf8 = (name: string, nullable = true) => new Field(name, new Utf8(), nullable);
const int64 = (name: string, nullable = true) => new Field(name, new Int64(), nullable);
const bool = (name: string, nullable = true) => new Field(name, new Bool(), nullable);
/** map<string, string>: keys never null. */
const stringMap = (name: string, nullable: boolean, valuesNullable: boolean) =>
  new Field(name, new Map_<Utf8, Utf8>(new Field('key_value', new Struct<{ key: Utf8; value: Utf8 }>([utf8('key', false), utf8('value', valuesNullable)]), false)), nullable);

const ADD = new Struct([
  utf8('path', false),
  stringMap('partitionValues', false, true),
  int64('size', false),
  int64('modificationTime', false),
  bool('dataChange', false),
  utf8('stats'),
  stringMap('tags', true, true),
]);
const REMOVE = new Struct([utf8('path', false), int64('deletionTimestamp'), bool('dataChange', false), bool('extendedFileMetadata'), stringMap('partitionValues', true, true), int64('size')]);
const METADATA = new Struct([
  utf8('id', false),
  utf8('name'),
  utf8('description'),
  new Field('format', new Struct([utf8('provider', false), stringMap('options', false, false)]), false),
  utf8('schemaString', false),
  new Field('partitionColumns', new List(new Field('element', new Utf8(), false)), false),
  int64('createdTime'),
  stringMap('configuration', false, false),
]);
const PROTOCOL = new Struct([new Field('minReaderVersion', new Int32(), false), new Field('minWriterVersion', new Int32(), false)]);
const TXN = new Struct([utf8('appId', false), int64('version', false), int64('lastUpdated')]);

/** One action column per kind; each row sets exactly one of them. */
const SCHEMA = new Schema([new Field('protocol', PROTOCOL, true), new Field('metaData', METADATA, true), new Field('txn', TXN, true), new Field('add', ADD, true), new Field('remove', REMOVE, true)]);

/** The actions of a checkpoint, as the writer hands them over (adds with their tags already set). */
export interface CheckpointRows {
  protocol: ProtocolAction;
  metadata: MetadataAction;
  txns: readonly TxnAction[];
  adds: readonly AddAction[];
  /** path → deletion time (ms). */
  tombstones: readonly (readonly [string, number])[];
}

// ---------------------------------------------------------------------------------------------------
// Encoding: JS values → Arrow data, column by column

type Cell = unknown;

function validity(values: readonly Cell[]): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  for (const v of values) if (v === null || v === undefined) nullCount++;
  if (nullCount === 0) return { nullBitmap: undefined, nullCount };
  const nullBitmap = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null && v !== undefined) nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

function utf8Data(type: Utf8, values: readonly Cell[]): Data {
  const n = values.length;
  const texts = values.map((v) => (v === null || v === undefined ? '' : String(v)));
  const joined = texts.join('');
  const bytes = Buffer.from(joined, 'utf8');
  const valueOffsets = new Int32Array(n + 1);
  // ASCII (paths, most statistics): a character is a byte, so the lengths are the offsets.
  const ascii = bytes.length === joined.length;
  for (let i = 0, at = 0; i < n; i++) {
    at += ascii ? texts[i]!.length : Buffer.byteLength(texts[i]!, 'utf8');
    valueOffsets[i + 1] = at;
  }
  return makeData({ type, length: n, ...validity(values), valueOffsets, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) });
}

function int64Data(type: Int64, values: readonly Cell[]): Data {
  const halves = new Int32Array(values.length * 2);
  values.forEach((v, i) => {
    if (typeof v !== 'number') return;
    const high = Math.floor(v / 4_294_967_296);
    halves[2 * i] = (v - high * 4_294_967_296) | 0;
    halves[2 * i + 1] = high;
  });
  return makeData({ type, length: values.length, ...validity(values), data: new BigInt64Array(halves.buffer) });
}

function int32Data(type: Int32, values: readonly Cell[]): Data {
  return makeData({ type, length: values.length, ...validity(values), data: Int32Array.from(values, (v) => (typeof v === 'number' ? v : 0)) });
}

function boolData(type: Bool, values: readonly Cell[]): Data {
  const data = new Uint8Array((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v === true) data[i >> 3]! |= 1 << (i & 7);
  });
  return makeData({ type, length: values.length, ...validity(values), data });
}

function structData(type: Struct, values: readonly Cell[]): Data {
  const children = type.children.map((field) => toData(field.type, values.map((v) => (v === null || v === undefined ? null : (v as Record<string, Cell>)[field.name]))));
  return makeData({ type, length: values.length, ...validity(values), children });
}

function mapData(type: Map_, values: readonly Cell[]): Data {
  const keys: string[] = [];
  const items: Cell[] = [];
  const valueOffsets = new Int32Array(values.length + 1);
  values.forEach((v, i) => {
    if (v !== null && v !== undefined) {
      for (const [key, value] of Object.entries(v as Record<string, Cell>)) {
        keys.push(key);
        items.push(value);
      }
    }
    valueOffsets[i + 1] = keys.length;
  });
  const entries = type.children[0]!.type as Struct;
  const child = makeData({ type: entries, length: keys.length, nullCount: 0, children: [toData(entries.children[0]!.type, keys), toData(entries.children[1]!.type, items)] });
  return makeData({ type, length: values.length, ...validity(values), valueOffsets, child });
}

function listData(type: List, values: readonly Cell[]): Data {
  const items: Cell[] = [];
  const valueOffsets = new Int32Array(values.length + 1);
  values.forEach((v, i) => {
    if (Array.isArray(v)) items.push(...(v as Cell[]));
    valueOffsets[i + 1] = items.length;
  });
  return makeData({ type, length: values.length, ...validity(values), valueOffsets, child: toData(type.children[0]!.type, items) });
}

/** A column of JS values (null for null) as Arrow data of `type` (the types of the checkpoint schema). */
function toData(type: DataType, values: readonly Cell[]): Data {
  switch (type.typeId) {
    case Type.Utf8:
      return utf8Data(type as Utf8, values);
    case Type.Int:
      return (type as Int64 | Int32).bitWidth === 64 ? int64Data(type as Int64, values) : int32Data(type as Int32, values);
    case Type.Bool:
      return boolData(type as Bool, values);
    case Type.Struct:
      return structData(type as Struct, values);
    case Type.Map:
      return mapData(type as Map_, values);
    case Type.List:
      return listData(type as List, values);
    default:
      throw new TypeError(`checkpoint column of type ${String(type)} is not supported`);
  }
}

/** The Parquet bytes of a checkpoint's rows: protocol, metadata, txns, adds, then tombstones. */
export function encodeCheckpointRows(rows: CheckpointRows): Uint8Array {
  const n = 2 + rows.txns.length + rows.adds.length + rows.tombstones.length;
  const column = (first: number, cells: readonly Cell[]) => {
    const out = new Array<Cell>(n).fill(null);
    cells.forEach((c, i) => (out[first + i] = c));
    return out;
  };
  const m = rows.metadata;
  const metadata = {
    ...m,
    name: m.name ?? null,
    description: m.description ?? null,
    createdTime: m.createdTime ?? null,
  };
  const txnAt = 2;
  const addAt = txnAt + rows.txns.length;
  const removeAt = addAt + rows.adds.length;
  const tombstones = rows.tombstones.map(([path, at]) => ({ path, deletionTimestamp: at, dataChange: false, extendedFileMetadata: false, partitionValues: null, size: null }));
  const adds = rows.adds.map((a) => ({ ...a, stats: a.stats ?? null, tags: a.tags ?? null }));
  const children = [
    toData(PROTOCOL, column(0, [rows.protocol])),
    toData(METADATA, column(1, [metadata])),
    toData(TXN, column(txnAt, rows.txns)),
    toData(ADD, column(addAt, adds)),
    toData(REMOVE, column(removeAt, tombstones)),
  ];
  const batch = new RecordBatch(SCHEMA, makeData({ type: new Struct(SCHEMA.fields), length: n, nullCount: 0, children }));
  const properties = new parquetWasm.WriterPropertiesBuilder()
    .setCompression(parquetWasm.Compression.SNAPPY)
    // Paths and statistics are all distinct: a dictionary would be built only to be given up.
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(parquetWasm.EnabledStatistics.None)
    .setCreatedBy('fitlake')
    // How many rows are state (protocol, metadata, txns, adds), ahead of the tombstones: a reader
    // that opens the table reads only those (decodeCheckpointFile). Other readers ignore it.
    .setKeyValueMetadata(new Map([[STATE_ROWS_KEY, String(addAt + rows.adds.length)]]))
    .build();
  // writeParquet takes ownership of (and frees) both the table and the properties.
  return parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(tableToIPC(new Table([batch]), 'stream')), properties);
}

// ---------------------------------------------------------------------------------------------------
// Decoding: the columns a reader needs, from any writer's checkpoint

/** What a reader takes from checkpoint files, into the maps a snapshot starts from. */
export interface DecodedCheckpoint {
  /** The checkpoint's version. */
  readonly version: number;
  /** The add tag that says the version that added the file; taken out of the adds' tags. */
  readonly tag: string;
  protocol?: ProtocolAction;
  metadata?: MetadataAction;
  /** Live files by path. */
  readonly files: Map<string, AddAction>;
  /**
   * The version that added each: the tag's, or the checkpoint's own without one (or with one naming a
   * later version, which cannot be right): never later than the truth.
   */
  readonly fileVersions: Map<string, number>;
  readonly txns: TxnAction[];
  /** path → deletion time (ms). */
  readonly tombstones: Map<string, number>;
}

function isValid(data: Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (bitmap === undefined || bitmap === null || bitmap.length === 0) return true;
  const j = data.offset + i;
  return (bitmap[j >> 3]! & (1 << (j & 7))) !== 0;
}

/** The child of a struct's data by field name, or undefined when the struct has no such field. */
function child(data: Data | undefined, name: string): Data | undefined {
  if (data === undefined) return undefined;
  const i = (data.type as Struct).children.findIndex((f) => f.name === name);
  return i < 0 ? undefined : (data.children[i] as Data);
}

const decoder = new TextDecoder();

/**
 * A string column as strings, null where not valid. When the column's bytes are all ASCII (paths, most
 * statistics) they become one string, sliced per value: several times faster than decoding each value.
 */
function strings(data: Data | undefined, length: number): (string | null)[] {
  const out = new Array<string | null>(length).fill(null);
  if (data === undefined || length === 0) return out;
  if (data.typeId !== Type.Utf8 || !(data.valueOffsets instanceof Int32Array)) {
    // Another string layout (large or view strings): Arrow's own accessor.
    const vector = makeVector(data);
    for (let i = 0; i < length; i++) out[i] = isValid(data, i) ? String(vector.get(i)) : null;
    return out;
  }
  const offsets = data.valueOffsets;
  const values = data.values as Uint8Array;
  const first = offsets[data.offset]!;
  const end = offsets[data.offset + length]!;
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const whole = isAscii(bytes.subarray(first, end)) ? bytes.toString('latin1', first, end) : undefined;
  for (let i = 0; i < length; i++) {
    if (!isValid(data, i)) continue;
    const a = offsets[data.offset + i]!;
    const b = offsets[data.offset + i + 1]!;
    out[i] = whole !== undefined ? whole.slice(a - first, b - first) : decoder.decode(values.subarray(a, b));
  }
  return out;
}

/** Byte access to a string column of the usual layout (undefined for another layout). */
function utf8Bytes(data: Data | undefined): { offsets: Int32Array; values: Uint8Array; at: number } | undefined {
  if (data === undefined || data.typeId !== Type.Utf8 || !(data.valueOffsets instanceof Int32Array)) return undefined;
  return { offsets: data.valueOffsets, values: data.values as Uint8Array, at: data.offset };
}

/** Whether value k of a string column is exactly these bytes. */
function bytesEqual(column: { offsets: Int32Array; values: Uint8Array; at: number }, k: number, bytes: Uint8Array): boolean {
  const start = column.offsets[column.at + k]!;
  if (column.offsets[column.at + k + 1]! - start !== bytes.length) return false;
  for (let j = 0; j < bytes.length; j++) if (column.values[start + j] !== bytes[j]) return false;
  return true;
}

/** Value k of a string column read as a whole decimal number (NaN when it is not one). */
function decimal(column: { offsets: Int32Array; values: Uint8Array; at: number }, k: number): number {
  const start = column.offsets[column.at + k]!;
  const end = column.offsets[column.at + k + 1]!;
  if (end === start || end - start > 15) return NaN;
  let n = 0;
  for (let j = start; j < end; j++) {
    const digit = column.values[j]! - 48;
    if (digit < 0 || digit > 9) return NaN;
    n = n * 10 + digit;
  }
  return n;
}

/** An integer column as numbers (64-bit ones exact below 2^53), null where not valid. */
function numbers(data: Data | undefined, length: number): (number | null)[] {
  const out = new Array<number | null>(length).fill(null);
  if (data === undefined) return out;
  const values = data.values as BigInt64Array | Int32Array;
  if (values instanceof BigInt64Array) {
    // Two 32-bit halves (little-endian, as Arrow's buffers are): no BigInt made per value.
    const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    for (let i = 0; i < length; i++) {
      if (!isValid(data, i)) continue;
      const j = 2 * (data.offset + i);
      out[i] = halves[j + 1]! * 4_294_967_296 + (halves[j]! >>> 0);
    }
    return out;
  }
  for (let i = 0; i < length; i++) if (isValid(data, i)) out[i] = Number(values[data.offset + i]!);
  return out;
}

function bools(data: Data | undefined, length: number): (boolean | null)[] {
  const out = new Array<boolean | null>(length).fill(null);
  if (data === undefined) return out;
  const values = data.values as Uint8Array;
  for (let i = 0; i < length; i++) {
    if (!isValid(data, i)) continue;
    const j = data.offset + i;
    out[i] = (values[j >> 3]! & (1 << (j & 7))) !== 0;
  }
  return out;
}

/** A map<string, string> column as records, null where not valid. */
function stringMaps(data: Data | undefined, length: number): (Record<string, string | null> | null)[] {
  const out = new Array<Record<string, string | null> | null>(length).fill(null);
  if (data === undefined) return out;
  const offsets = data.valueOffsets as Int32Array;
  const entries = data.children[0] as Data;
  const count = offsets[data.offset + length]!;
  const keys = strings(child(entries, 'key') ?? (entries.children[0] as Data), count);
  const values = strings(child(entries, 'value') ?? (entries.children[1] as Data), count);
  for (let i = 0; i < length; i++) {
    if (!isValid(data, i)) continue;
    const from = offsets[data.offset + i]!;
    const to = offsets[data.offset + i + 1]!;
    if (from === to) {
      // The partition values of every file of an unpartitioned table: one shared (frozen) empty record.
      out[i] = EMPTY;
      continue;
    }
    const record: Record<string, string | null> = {};
    for (let k = from; k < to; k++) record[keys[k]!] = values[k] ?? null;
    out[i] = record;
  }
  return out;
}

const EMPTY: Record<string, string | null> = Object.freeze({});

function stringList(data: Data | undefined, i: number): string[] {
  if (data === undefined || !isValid(data, i)) return [];
  const offsets = data.valueOffsets as Int32Array;
  const start = offsets[data.offset + i]!;
  const end = offsets[data.offset + i + 1]!;
  return strings(data.children[0] as Data, end)
    .slice(start, end)
    .map((s) => s ?? '');
}

function collect(out: DecodedCheckpoint, columns: Map<string, Data>, numRows: number): void {
  const protocol = columns.get('protocol');
  if (protocol) {
    const reader = numbers(child(protocol, 'minReaderVersion'), numRows);
    const writer = numbers(child(protocol, 'minWriterVersion'), numRows);
    for (let i = 0; i < numRows; i++) if (isValid(protocol, i)) out.protocol = { minReaderVersion: reader[i]!, minWriterVersion: writer[i]! };
  }
  const metaData = columns.get('metaData');
  if (metaData) {
    for (let i = 0; i < numRows; i++) {
      if (!isValid(metaData, i)) continue;
      const text = (data: Data | undefined) => strings(data, numRows)[i] ?? null;
      const format = child(metaData, 'format');
      out.metadata = {
        id: text(child(metaData, 'id')) ?? '',
        name: text(child(metaData, 'name')),
        description: text(child(metaData, 'description')),
        format: { provider: 'parquet', options: (stringMaps(child(format, 'options'), numRows)[i] as Record<string, string> | null) ?? {} },
        schemaString: text(child(metaData, 'schemaString')) ?? '',
        partitionColumns: stringList(child(metaData, 'partitionColumns'), i),
        configuration: (stringMaps(child(metaData, 'configuration'), numRows)[i] as Record<string, string> | null) ?? {},
        createdTime: numbers(child(metaData, 'createdTime'), numRows)[i] ?? null,
      };
    }
  }
  const txn = columns.get('txn');
  if (txn) {
    const appIds = strings(child(txn, 'appId'), numRows);
    const versions = numbers(child(txn, 'version'), numRows);
    const updated = numbers(child(txn, 'lastUpdated'), numRows);
    for (let i = 0; i < numRows; i++) if (isValid(txn, i)) out.txns.push({ appId: appIds[i]!, version: versions[i]!, lastUpdated: updated[i] ?? null });
  }
  const add = columns.get('add');
  if (add) {
    const paths = strings(child(add, 'path'), numRows);
    const partitionValues = stringMaps(child(add, 'partitionValues'), numRows);
    const sizes = numbers(child(add, 'size'), numRows);
    const times = numbers(child(add, 'modificationTime'), numRows);
    const dataChange = bools(child(add, 'dataChange'), numRows);
    const stats = strings(child(add, 'stats'), numRows);
    const tags = child(add, 'tags');
    const tagOffsets = tags?.valueOffsets as Int32Array | undefined;
    const tagEntries = tags?.children[0] as Data | undefined;
    const keyData = child(tagEntries, 'key') ?? (tagEntries?.children[0] as Data | undefined);
    const valueData = child(tagEntries, 'value') ?? (tagEntries?.children[1] as Data | undefined);
    const keyBytes = utf8Bytes(keyData);
    const valueBytes = utf8Bytes(valueData);
    // A tag's key and value as strings only when it is not fitlake's (rare): the bytes say which.
    const keyAt = (k: number) => (keyBytes ? decoder.decode(keyBytes.values.subarray(keyBytes.offsets[keyBytes.at + k]!, keyBytes.offsets[keyBytes.at + k + 1]!)) : strings(keyData, k + 1)[k]!);
    const valueAt = (k: number) => (valueData === undefined || !isValid(valueData, k) ? '' : valueBytes ? decoder.decode(valueBytes.values.subarray(valueBytes.offsets[valueBytes.at + k]!, valueBytes.offsets[valueBytes.at + k + 1]!)) : (strings(valueData, k + 1)[k] ?? ''));
    const tagName = new TextEncoder().encode(out.tag);
    for (let i = 0; i < numRows; i++) {
      if (!isValid(add, i)) continue;
      const file: AddAction = { path: paths[i]!, partitionValues: partitionValues[i] ?? {}, size: sizes[i] ?? 0, modificationTime: times[i] ?? 0, dataChange: dataChange[i] ?? false };
      if (stats[i] !== null) file.stats = stats[i];
      let tagged: string | number | undefined;
      if (tags !== undefined && isValid(tags, i)) {
        // The tag asked for is taken out; any others stay on the add action.
        let others: Record<string, string> | undefined;
        for (let k = tagOffsets![tags.offset + i]!; k < tagOffsets![tags.offset + i + 1]!; k++) {
          if (keyBytes && valueBytes ? bytesEqual(keyBytes, k, tagName) : keyAt(k) === out.tag) {
            tagged = valueData === undefined || !isValid(valueData, k) ? undefined : valueBytes ? decimal(valueBytes, k) : valueAt(k);
          } else {
            (others ??= {})[keyAt(k)] = valueAt(k);
          }
        }
        if (others !== undefined) file.tags = others;
      }
      const addedIn = tagged === undefined ? NaN : Number(tagged);
      out.files.set(file.path, file);
      out.fileVersions.set(file.path, Number.isSafeInteger(addedIn) && addedIn >= 0 && addedIn <= out.version ? addedIn : out.version);
    }
  }
  const remove = columns.get('remove');
  if (remove) {
    const paths = strings(child(remove, 'path'), numRows);
    const at = numbers(child(remove, 'deletionTimestamp'), numRows);
    for (let i = 0; i < numRows; i++) if (isValid(remove, i)) out.tombstones.set(paths[i]!, at[i] ?? 0);
  }
}

const ACTION_COLUMNS = ['protocol', 'metaData', 'txn', 'add', 'remove'];
const STATE_COLUMNS = ACTION_COLUMNS.filter((c) => c !== 'remove');

/**
 * Decode the actions of one checkpoint file into `out`: only the action columns fitlake reads (others,
 * such as commitInfo, domainMetadata or sidecar, are not decoded), and of those the fields it needs.
 * `tombstones: false` leaves the remove column for decodeCheckpointTombstones: a table compacted for a
 * week holds far more tombstones than files, and only vacuum and checkpoint writing read them.
 * Returns the number of rows of the file.
 */
export async function decodeCheckpointFile(out: DecodedCheckpoint, bytes: Uint8Array, options: { tombstones?: boolean } = {}): Promise<number> {
  const wanted = options.tombstones === false ? STATE_COLUMNS : ACTION_COLUMNS;
  // A checkpoint fitlake wrote says where its tombstones begin: a table compacted for a week has many
  // times more of them than files, and decoding rows costs per row, null or not.
  const stateRows = options.tombstones === false ? await fitlakeStateRows(bytes) : undefined;
  let table: Table;
  try {
    // Every checkpoint writer writes all five columns (the schema of the protocol): one call.
    table = tableFromIPC(parquetWasm.readParquet(bytes, { columns: wanted, batchSize: 1 << 20, ...(stateRows !== undefined ? { limit: stateRows.state } : {}) }).intoIPCStream());
    if (stateRows !== undefined) return collectBatches(out, table) + (stateRows.total - stateRows.state);
  } catch {
    // One without some of them: read what is there.
    // Our bytes never live in a SharedArrayBuffer; the cast satisfies lib typings that insist on it.
    const file = await parquetWasm.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    try {
      const present = new Set(tableFromIPC(file.schema().intoIPCStream()).schema.fields.map((f) => f.name));
      table = tableFromIPC((await file.read({ columns: wanted.filter((c) => present.has(c)), batchSize: 1 << 20 })).intoIPCStream());
    } finally {
      file.free();
    }
  }
  return collectBatches(out, table);
}

const STATE_ROWS_KEY = 'fitlake.checkpoint.stateRows';

/** The state rows and all rows of a checkpoint fitlake wrote (its footer says), else undefined. */
async function fitlakeStateRows(bytes: Uint8Array): Promise<{ state: number; total: number } | undefined> {
  let file: parquetWasm.ParquetFile | undefined;
  try {
    file = await parquetWasm.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    const parquet = file.metadata();
    const metadata = parquet.fileMetadata();
    const state = Number((metadata.keyValueMetadata() as Map<string, string>).get(STATE_ROWS_KEY));
    const total = metadata.numRows();
    metadata.free();
    parquet.free();
    return Number.isSafeInteger(state) && state >= 2 && state <= total ? { state, total } : undefined;
  } catch {
    return undefined;
  } finally {
    file?.free();
  }
}

function collectBatches(out: DecodedCheckpoint, table: Table): number {
  let rows = 0;
  for (const batch of table.batches) {
    const columns = new Map<string, Data>();
    for (const name of ACTION_COLUMNS) {
      const vector = batch.getChild(name);
      if (vector) columns.set(name, vector.data[0] as Data);
    }
    collect(out, columns, batch.numRows);
    rows += batch.numRows;
  }
  return rows;
}

/** The tombstones of one checkpoint file (its remove column only), synchronously: none when it has no such column. */
export function decodeCheckpointTombstones(bytes: Uint8Array, into: Map<string, number>): void {
  let table: Table;
  try {
    table = tableFromIPC(parquetWasm.readParquet(bytes, { columns: ['remove'], batchSize: 1 << 20 }).intoIPCStream());
  } catch {
    return;
  }
  collectBatches({ version: 0, tag: '', files: new Map(), fileVersions: new Map(), txns: [], tombstones: into }, table);
}
