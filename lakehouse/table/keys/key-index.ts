/**
 * Row numbers by composite key, for merges and deduplication. Exact for every cell: one Map level per
 * key column but the last (Map keys compare like the cells: SameValueZero), where text keys joined by a
 * separator cost a string per row and collide when a value holds the separator, and no numeric packing
 * of two columns into one number is collision-free over all safe integers.
 *
 * The last key column is usually a time, and rows mostly come in time order per key prefix (a device's
 * readings): numbers arriving in increasing order go to a sorted array (appended, found by binary
 * search), anything else to a Map. A Map of doubles boxes every key; the arrays do not, which makes an
 * index of a million readings several times cheaper to build.
 */
import type { Cell } from '../../../schema/types.ts';

/** The entries under one key prefix: see the module comment. */
class Leaf {
  private readonly sortedKeys: number[] = [];
  private readonly sortedValues: number[] = [];
  private others: Map<Cell, number> | undefined;

  get(cell: Cell): number | undefined {
    if (typeof cell === 'number') {
      const keys = this.sortedKeys;
      let lo = 0;
      let hi = keys.length - 1;
      // Past the last sorted key: not among them (the common case for newer data).
      if (hi >= 0 && cell <= keys[hi]!) {
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          const k = keys[mid]!;
          if (k === cell) return this.sortedValues[mid];
          if (k < cell) lo = mid + 1;
          else hi = mid - 1;
        }
      }
    }
    return this.others?.get(cell);
  }

  /** Store value under cell, which must not be present. */
  set(cell: Cell, value: number): void {
    const keys = this.sortedKeys;
    // NaN never enters the sorted array: it compares false both ways, and the Map finds it by SameValueZero.
    if (typeof cell === 'number' && (keys.length === 0 ? cell === cell : cell > keys[keys.length - 1]!)) {
      keys.push(cell);
      this.sortedValues.push(value);
    } else {
      (this.others ??= new Map()).set(cell, value);
    }
  }
}

/** Map key equality. */
const sameValueZero = (a: Cell, b: Cell) => a === b || (a !== a && b !== b);

export class KeyIndex {
  private readonly root: Map<Cell, unknown> | Leaf;
  // The leaf of the previous lookup's key prefix: rows of one prefix mostly come in runs.
  private readonly lastPrefix: Cell[];
  private lastLeaf: Leaf | undefined;

  /** An index over keys of `width` columns (at least one). */
  constructor(private readonly width: number) {
    if (width < 1) throw new RangeError('a key has at least one column');
    this.root = width === 1 ? new Leaf() : new Map();
    this.lastPrefix = new Array<Cell>(width - 1).fill(null);
  }

  private leaf(columns: readonly (readonly Cell[])[], i: number, create: boolean): Leaf | undefined {
    const depth = this.width - 1;
    if (depth === 0) return this.root as Leaf;
    const prefix = this.lastPrefix;
    if (this.lastLeaf !== undefined) {
      let same = true;
      for (let c = 0; same && c < depth; c++) same = sameValueZero(prefix[c]!, columns[c]![i]!);
      if (same) return this.lastLeaf;
    }
    let node = this.root as Map<Cell, unknown>;
    for (let c = 0; c < depth; c++) {
      const cell = columns[c]![i]!;
      let next = node.get(cell) as Map<Cell, unknown> | Leaf | undefined;
      if (next === undefined) {
        if (!create) return undefined;
        next = c === depth - 1 ? new Leaf() : new Map<Cell, unknown>();
        node.set(cell, next);
      }
      node = next as Map<Cell, unknown>;
    }
    const found = node as unknown as Leaf;
    for (let c = 0; c < depth; c++) prefix[c] = columns[c]![i]!;
    this.lastLeaf = found;
    return found;
  }

  /** The value stored under the key of row i of `columns` (the key columns, in key order), or undefined. */
  get(columns: readonly (readonly Cell[])[], i: number): number | undefined {
    return this.leaf(columns, i, false)?.get(columns[this.width - 1]![i]!);
  }

  /** Store `value` under the key of row i of `columns` unless that key is there; returns the value already stored, or undefined. */
  add(columns: readonly (readonly Cell[])[], i: number, value: number): number | undefined {
    const leaf = this.leaf(columns, i, true)!;
    const cell = columns[this.width - 1]![i]!;
    const have = leaf.get(cell);
    if (have !== undefined) return have;
    leaf.set(cell, value);
    return undefined;
  }
}
