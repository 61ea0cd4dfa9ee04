/**
 * Rows keyed by (series, time) pairs of numbers, deduplicated as they are added, for keys that mostly
 * come in time order within each series: heart-rate readings, (device_id, time). It answers what
 * NumberPairIndex answers, with the same rows in the same order, but a key later than every earlier key
 * of its series is known to be new without a lookup in a table of all keys: the table of a few million
 * keys missed the cache on almost every reading, and was most of the cost of deduplicating them.
 *
 * Each series keeps its rows that came in order (so sorted by time) and its latest time. A key at or
 * before that time is looked for in the series' sorted rows by binary search, then among the keys that
 * came out of order, which a NumberPairIndex holds. Every key is in exactly one of the two places.
 * Keys compare like Map keys (SameValueZero), as in NumberPairIndex: 0 and -0 are one key, and so are
 * all NaNs; a NaN time is never in order, so it is always looked up among the out-of-order keys.
 */
import { NumberPairIndex } from './number-pair-index.ts';
import { doubled } from '../columns/typed-arrays.ts';

/** 0 and -0 are one key and so are all NaNs. */
const canonical = (x: number) => (x !== x ? NaN : x + 0);

/** The rows of one series that came in time order, and the latest of their times. */
interface Series {
  key: number;
  rows: Int32Array;
  count: number;
  latest: number;
  /** The series whose key came after this one's last time: readings come round the devices in a steady order. */
  next: Series | undefined;
}

export class SeriesKeyIndex {
  /** The series key of each row, for rows [0, size). */
  first: Float64Array;
  /** The time of each row, for rows [0, size). */
  second: Float64Array;
  size = 0;
  /** Series by their key (SameValueZero), in a Map: there are few of them, and they are found once per row. */
  private readonly series = new Map<number, Series>();
  /** The series of the last key added or found. */
  private previous: Series | undefined;
  /** Keys that came at or before the latest time of their series and were not there yet. */
  private outOfOrder: NumberPairIndex | undefined;
  /** The row of each entry of `outOfOrder`, by its entry number. */
  private readonly outOfOrderRows: number[] = [];

  constructor(capacityRows = 1024) {
    const rows = Math.max(16, capacityRows);
    this.first = new Float64Array(rows);
    this.second = new Float64Array(rows);
  }

  /** The row of key (a, b) if it is there; otherwise adds it as row `size` (then size + 1) and returns -1. */
  addOrFind(a: number, b: number): number {
    a = canonical(a);
    b = canonical(b);
    const previous = this.previous;
    let series = previous?.next;
    if (series === undefined || !(series.key === a || (a !== a && series.key !== series.key))) {
      series = this.series.get(a);
      if (series === undefined) {
        series = { key: a, rows: new Int32Array(16), count: 0, latest: -Infinity, next: undefined };
        this.series.set(a, series);
      }
      if (previous !== undefined) previous.next = series;
    }
    this.previous = series;
    if (b > series.latest) {
      const row = this.append(a, b);
      if (series.count === series.rows.length) series.rows = doubled(series.rows);
      series.rows[series.count++] = row;
      series.latest = b;
      return -1;
    }
    const inOrder = this.search(series, b);
    if (inOrder >= 0) return inOrder;
    // The out-of-order index numbers its entries 0, 1, …; outOfOrderRows maps them to rows here.
    const entry = (this.outOfOrder ??= new NumberPairIndex()).addOrFind(a, b);
    if (entry >= 0) return this.outOfOrderRows[entry]!;
    this.outOfOrderRows.push(this.size);
    this.append(a, b);
    return -1;
  }

  /** The in-order row of the series at time b, or -1 (a NaN time is never found: every compare is false). */
  private search(series: Series, b: number): number {
    const rows = series.rows;
    const second = this.second;
    let low = 0;
    let high = series.count - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const row = rows[mid]!;
      const time = second[row]!;
      if (time < b) low = mid + 1;
      else if (time > b) high = mid - 1;
      else if (time === b) return row;
      else return -1;
    }
    return -1;
  }

  private append(a: number, b: number): number {
    const row = this.size;
    if (row === this.first.length) {
      this.first = doubled(this.first);
      this.second = doubled(this.second);
    }
    this.first[row] = a;
    this.second[row] = b;
    this.size = row + 1;
    return row;
  }
}
