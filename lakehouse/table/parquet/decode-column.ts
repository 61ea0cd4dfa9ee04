import { DateUnit, Precision, TimeUnit, Type, makeVector } from 'apache-arrow';
import type { Data, DataType, Vector } from 'apache-arrow';
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import { int64Words, readInt64 } from './int64.ts';

/**
 * Converts one Arrow column read from a Parquet file to the in-memory representation of
 * schema/types.ts. Accepts the Arrow types our writer produces plus the lossless variants other
 * writers use for the same Delta type (narrower integers, float32, other timestamp units, date64,
 * large/dictionary strings). Throws TypeError when the file's type cannot represent the column, and
 * RangeError naming column and row for a value that would not be exact (INT64 beyond ±(2^53−1),
 * sub-microsecond timestamp) or for a null in a non-nullable column.
 */
export function decodeColumn(column: ColumnDef, vector: Vector, numRows: number): Cell[] {
  return decodeInto(column, vector, new Array<Cell>(numRows));
}

/**
 * decodeColumn for a column of numbers without nulls, into a Float64Array (see numberColumn): the same
 * values and errors, with no JS array of cells. Undefined for a string or boolean column, or a vector
 * with a null, which decodeColumn decodes (or refuses).
 */
export function decodeNumbers(column: ColumnDef, vector: Vector, numRows: number): Float64Array | undefined {
  if (column.type === 'string' || column.type === 'boolean' || vector.nullCount > 0) return undefined;
  // Every decoder of a number type writes numbers only, and exact ones (or throws): a Float64Array holds them.
  return decodeInto(column, vector, new Float64Array(numRows) as unknown as Cell[]) as unknown as Float64Array;
}

function decodeInto(column: ColumnDef, vector: Vector, out: Cell[]): Cell[] {
  const decode = chunkDecoder(column, vector.type as DataType);
  let row = 0;
  for (const chunk of vector.data) {
    decode(chunk, out, row);
    if (chunk.nullCount > 0) {
      if (!column.nullable) {
        const first = firstNull(chunk);
        throw new RangeError(`column "${column.name}" row ${row + first}: null in a non-nullable column`);
      }
      nullOut(chunk, out, row);
    }
    row += chunk.length;
  }
  return out;
}

type ChunkDecoder = (chunk: Data, out: Cell[], start: number) => void;

function isValid(chunk: Data, i: number): boolean {
  const bit = chunk.offset + i;
  return (chunk.nullBitmap![bit >> 3]! & (1 << (bit & 7))) !== 0;
}

function firstNull(chunk: Data): number {
  for (let i = 0; i < chunk.length; i++) if (!isValid(chunk, i)) return i;
  return -1;
}

// Values under a null slot are whatever the writer left there; decoders write them unchecked and
// this pass replaces them, so the hot loops stay free of validity tests.
function nullOut(chunk: Data, out: Cell[], start: number): void {
  for (let i = 0; i < chunk.length; i++) if (!isValid(chunk, i)) out[start + i] = null;
}

function unsupported(column: ColumnDef, type: DataType): TypeError {
  return new TypeError(`column "${column.name}": the file stores it as Arrow ${String(type)}, which cannot be read as ${column.type}`);
}

function chunkDecoder(column: ColumnDef, type: DataType): ChunkDecoder {
  const id = type.typeId;
  const t = type as unknown as { bitWidth?: number; isSigned?: boolean; unit?: number; precision?: Precision; dictionary?: DataType };
  switch (column.type) {
    case 'long':
      if (id === Type.Int && t.bitWidth === 64 && t.isSigned) return int64Decoder(column, 1, 'INT64');
      if (id === Type.Int && t.bitWidth! <= 32) return numberDecoder();
      break;
    case 'integer':
      if (id === Type.Int && (t.bitWidth! < 32 || (t.bitWidth === 32 && t.isSigned))) return numberDecoder();
      break;
    case 'date':
      if (id === Type.Date && t.unit === DateUnit.DAY) return numberDecoder();
      if (id === Type.Date) return int64DivideDecoder(column, 86_400_000n, 'date64 (ms)');
      break;
    case 'double':
      if (id === Type.Float && t.precision !== Precision.HALF) return numberDecoder();
      break;
    case 'timestamp':
      if (id === Type.Timestamp && t.unit === TimeUnit.MICROSECOND) return int64Decoder(column, 1, 'timestamp(us)');
      if (id === Type.Timestamp && t.unit === TimeUnit.MILLISECOND) return int64Decoder(column, 1_000, 'timestamp(ms)');
      if (id === Type.Timestamp && t.unit === TimeUnit.SECOND) return int64Decoder(column, 1_000_000, 'timestamp(s)');
      if (id === Type.Timestamp) return int64DivideDecoder(column, 1_000n, 'timestamp(ns)');
      break;
    case 'boolean':
      if (id === Type.Bool) return booleanDecoder();
      break;
    case 'string':
      if (id === Type.Utf8) return utf8Decoder();
      // 64-bit offsets and dictionary-encoded strings are rare in files meant for Delta: Arrow's getter.
      if (id === Type.LargeUtf8 || (id === Type.Dictionary && t.dictionary!.typeId === Type.Utf8)) return genericDecoder();
      break;
  }
  throw unsupported(column, type);
}

/** Fixed-width values that are already JS numbers (Int8–32, Uint8–32, Float32/64, Date32). */
function numberDecoder(): ChunkDecoder {
  return (chunk, out, start) => {
    const values = chunk.values as ArrayLike<number>;
    for (let i = 0; i < chunk.length; i++) out[start + i] = values[i]!;
  };
}

function inexact(column: ColumnDef, row: number, what: string, raw: bigint): RangeError {
  return new RangeError(
    `column "${column.name}" row ${row}: ${what} value ${raw} cannot be represented exactly as a ${column.type} ` +
      '(safe integer range is ±(2^53−1)); refusing to round it',
  );
}

/**
 * Int64-backed values (INT64, timestamps in µs/ms/s) multiplied by `factor` into the column's unit.
 * Both the stored value and the result must be safe integers, otherwise it would be rounded silently.
 */
function int64Decoder(column: ColumnDef, factor: number, what: string): ChunkDecoder {
  return (chunk, out, start) => {
    const values = chunk.values as BigInt64Array;
    const words = int64Words(values);
    for (let i = 0; i < chunk.length; i++) {
      const raw = readInt64(words, i);
      const v = raw * factor;
      if (!Number.isSafeInteger(v) || !Number.isSafeInteger(raw)) {
        // Slots under a null hold whatever the writer left there: only real values must be exact.
        if (chunk.nullCount > 0 && !isValid(chunk, i)) continue;
        throw inexact(column, start + i, what, values[i]!);
      }
      out[start + i] = v;
    }
  };
}

/**
 * Int64-backed values in a finer unit (timestamp ns, date64 ms) divided by `divisor`. Done in BigInt
 * because nanosecond timestamps exceed 2^53 for any date after April 1970; the quotient must be whole.
 */
function int64DivideDecoder(column: ColumnDef, divisor: bigint, what: string): ChunkDecoder {
  return (chunk, out, start) => {
    const values = chunk.values as BigInt64Array;
    for (let i = 0; i < chunk.length; i++) {
      const raw = values[i]!;
      const v = Number(raw / divisor);
      if (raw % divisor !== 0n || !Number.isSafeInteger(v)) {
        if (chunk.nullCount > 0 && !isValid(chunk, i)) continue;
        throw inexact(column, start + i, what, raw);
      }
      out[start + i] = v;
    }
  };
}

function booleanDecoder(): ChunkDecoder {
  return (chunk, out, start) => {
    const bits = chunk.values as Uint8Array;
    for (let i = 0; i < chunk.length; i++) {
      const bit = chunk.offset + i;
      out[start + i] = (bits[bit >> 3]! & (1 << (bit & 7))) !== 0;
    }
  };
}

function utf8Decoder(): ChunkDecoder {
  return (chunk, out, start) => {
    const offsets = chunk.valueOffsets as Int32Array;
    const bytes = chunk.values as Uint8Array;
    // Node's Buffer#toString decodes short UTF-8 slices much faster than TextDecoder#decode.
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < chunk.length; i++) out[start + i] = buffer.toString('utf8', offsets[i]!, offsets[i + 1]!);
  };
}

function genericDecoder(): ChunkDecoder {
  return (chunk, out, start) => {
    const vector = makeVector(chunk);
    for (let i = 0; i < chunk.length; i++) out[start + i] = vector.get(i) as string | null;
  };
}
