/**
 * Rows keyed by a pair of numbers (a device and a time), deduplicated as they are added: an
 * open-addressing hash table of row numbers over two Float64Array key columns. It does what KeyIndex
 * does for the one key shape that comes by the million, heart-rate readings, without a Map or an object
 * per key: a lookup is a hash and one or two array reads. Keys compare like Map keys (SameValueZero: 0
 * and -0 are one key, NaN is one key), so it agrees with KeyIndex on every pair of numbers.
 */
import { doubled } from '../columns/typed-arrays.ts';

/** Slots per row at most, before the table doubles: short probe runs at a modest size. */
const MAX_LOAD = 0.5;

/** 0 and -0 are one key and so are all NaNs: each is hashed as the one value it equals. */
const canonical = (x: number) => (x !== x ? NaN : x + 0);

/** A 32-bit hash of a number that is equal for equal numbers (after canonical). */
function hashNumber(x: number): number {
  // Low and high 32 bits of the integer part: exact for safe integers, and stable for any other number.
  const low = x | 0;
  const high = (x / 4294967296) | 0;
  return Math.imul(low ^ Math.imul(high, 0x27d4eb2d), 0x9e3779b1);
}

export class NumberPairIndex {
  /** The first key of each row, for rows [0, size). */
  first: Float64Array;
  /** The second key of each row, for rows [0, size). */
  second: Float64Array;
  size = 0;
  /** Row + 1 per slot; 0 is an empty slot. */
  private slots: Int32Array;

  constructor(capacityRows = 1024) {
    const rows = Math.max(16, capacityRows);
    this.first = new Float64Array(rows);
    this.second = new Float64Array(rows);
    this.slots = new Int32Array(slotCountFor(rows));
  }

  /** The row of key (a, b), or -1 when it is not there. */
  find(a: number, b: number): number {
    const entry = this.slots[this.slotFor(canonical(a), canonical(b))]!;
    return entry - 1;
  }

  /** The row of key (a, b) if it is there; otherwise adds it as row `size` (then size + 1) and returns -1. */
  addOrFind(a: number, b: number): number {
    a = canonical(a);
    b = canonical(b);
    const slot = this.slotFor(a, b);
    const entry = this.slots[slot]!;
    if (entry !== 0) return entry - 1;
    const row = this.size;
    if (row === this.first.length) this.growRows();
    this.first[row] = a;
    this.second[row] = b;
    this.size = row + 1;
    this.slots[slot] = row + 1;
    if (this.size > this.slots.length * MAX_LOAD) this.rehash(this.slots.length * 2);
    return -1;
  }

  /** The slot holding canonical key (a, b), or the empty slot where it would go. */
  private slotFor(a: number, b: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let slot = slotOf(a, b) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === 0) return slot;
      const x = this.first[entry - 1]!;
      const y = this.second[entry - 1]!;
      if ((x === a || (x !== x && a !== a)) && (y === b || (y !== y && b !== b))) return slot;
    }
  }

  private growRows(): void {
    this.first = doubled(this.first);
    this.second = doubled(this.second);
  }

  private rehash(slotCount: number): void {
    const slots = new Int32Array(slotCount);
    const mask = slotCount - 1;
    for (let row = 0; row < this.size; row++) {
      let slot = slotOf(this.first[row]!, this.second[row]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = row + 1;
    }
    this.slots = slots;
  }
}

/** The smallest power of two that holds `rows` at MAX_LOAD. */
function slotCountFor(rows: number): number {
  let n = 16;
  while (n * MAX_LOAD < rows) n *= 2;
  return n;
}

function slotOf(a: number, b: number): number {
  const h = hashNumber(a) ^ Math.imul(hashNumber(b) ^ 0x165667b1, 0x85ebca77);
  return h ^ (h >>> 15);
}
