/** Growing the typed arrays that columns, indexes and builders fill value by value. */

/**
 * An array of the same type twice as long (at least 16) holding the first `used` values of `values`:
 * the doubling that keeps appending a value at a time to amortized constant cost.
 */
export function doubled(values: Int32Array, used?: number): Int32Array<ArrayBuffer>;
export function doubled(values: Float64Array, used?: number): Float64Array<ArrayBuffer>;
export function doubled(values: Int32Array | Float64Array, used = values.length): Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> {
  const length = Math.max(16, values.length * 2);
  const next = values instanceof Int32Array ? new Int32Array(length) : new Float64Array(length);
  next.set(values.subarray(0, used));
  return next;
}
