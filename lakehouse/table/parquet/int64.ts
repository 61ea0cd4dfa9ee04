import { endianness } from 'node:os';

/**
 * 64-bit integers without BigInt: Arrow's Int64 and Timestamp buffers are read and written as pairs
 * of Int32 words (low word first), because one BigInt per value costs an allocation each and would
 * cap throughput far below the table layer's target.
 */

// Typed arrays use the platform byte order; the word pairs below are only little-endian pairs on a
// little-endian platform (every platform Node ships for today, but fail loudly rather than corrupt).
if (endianness() !== 'LE') throw new Error('fitlake parquet: Int64 word views require a little-endian platform');

const TWO_32 = 4294967296;

/** Stores safe integer `value` as the i-th Int64 of `words` (two Int32 words per value). */
export function writeInt64(words: Int32Array, i: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  // Storing into an Int32Array wraps modulo 2^32, which is exactly the low word's bit pattern.
  words[2 * i] = value - high * TWO_32;
  words[2 * i + 1] = high;
}

/**
 * The i-th Int64 of `words` as a number. Exact whenever the result is a safe integer; any value with
 * |v| ≥ 2^53 comes out as a non-safe number, so callers detect overflow with Number.isSafeInteger.
 */
export function readInt64(words: Int32Array, i: number): number {
  return words[2 * i + 1]! * TWO_32 + (words[2 * i]! >>> 0);
}

/** Int32 word view over an Int64 buffer (BigInt64Array) without copying. */
export function int64Words(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}
