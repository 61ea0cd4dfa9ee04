/**
 * An immutable, in-memory, column-major copy of one version of a (small, gold) table, shaped for the
 * API's reads: numbers in Float64Arrays (null → NaN), strings dictionary-encoded in Uint32Arrays, and,
 * built on first use and kept for the life of the version,
 *
 * - equality indexes: the rows holding each value of a column, ascending (CSR layout: one Uint32Array
 *   of rows grouped by value plus offsets), so a filter on a selective column touches only its rows;
 * - sort orders: for a column, the permutation of rows sorted by (column, key) and each row's rank in
 *   it, so a page is a walk along the permutation or a top-k of ranks, never a sort per request.
 *
 * No row objects: a million rows of workout_bpm_summary take about 110 MB with every index built.
 *
 * An index is typed by the table it holds (ColumnarIndex<typeof gymSummary>): its lookups take that
 * table's column names, so a mistyped name is a type error rather than a missing column at run time.
 * ColumnarIndex without a table takes any name, for code that serves several tables.
 */
import type { ColumnName, ColumnType, TableDef } from '../../schema/types.ts';
import type { ColumnBatch } from '../../lakehouse/table/columns/index.ts';

export type IndexValue = number | string | null;

export interface StringColumn {
  readonly codes: Uint32Array;
  /** Dictionary: code → value (null for null). */
  readonly values: readonly (string | null)[];
  readonly codeOf: ReadonlyMap<string | null, number>;
}

/** Rows of each value of a column: rows[offsets[g] .. offsets[g+1]) hold group g, ascending. */
interface EqualityIndex {
  readonly groupOf: ReadonlyMap<IndexValue, number>;
  readonly groupOfRow: Uint32Array;
  readonly offsets: Uint32Array;
  readonly rows: Uint32Array;
  /** The same groups with each group's rows in the order of a sort order, by sort column ('' = key). */
  readonly ordered: Map<string, Uint32Array>;
}

/** Rows sorted by (column, key): perm[i] is the row at position i; rank[row] its position. */
export interface SortOrder {
  /** The sort column, or null for key order. */
  readonly column: string | null;
  readonly perm: Uint32Array;
  readonly rank: Uint32Array;
}

/** A position in a sort order: the sort column's value (absent for key order) and the key's values. */
export interface OrderTuple {
  readonly value?: IndexValue;
  readonly key: readonly IndexValue[];
}

/** Rows [from, to) of an index. */
export interface RowRange {
  readonly from: number;
  readonly to: number;
}

const EMPTY_ROWS = new Uint32Array(0);
const MAX_RESULTS = 256;

/** Total order of cells as sort orders use it: null (NaN) first, numbers numerically, strings by code unit. */
export function compareValues(a: IndexValue, b: IndexValue): number {
  const aNull = a === null || (typeof a === 'number' && Number.isNaN(a));
  const bNull = b === null || (typeof b === 'number' && Number.isNaN(b));
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class ColumnarIndex<T extends TableDef = TableDef> {
  private readonly equality = new Map<string, EqualityIndex>();
  private readonly orders = new Map<string, SortOrder>();
  /** Results computed from this version (counts, aggregates), by key; bounded, dropped with the version. */
  private readonly results = new Map<string, unknown>();

  constructor(
    /** Table version this index holds (-1: the table does not exist yet). */
    readonly version: number,
    readonly numRows: number,
    private readonly numbers: ReadonlyMap<string, Float64Array>,
    private readonly strings: ReadonlyMap<string, StringColumn>,
    /** Primary key columns: the tie-breaker of every order, and what cursors carry. */
    readonly key: readonly string[],
    /** Which rows came from which data file of the version, so the next version's index reads only its new files. */
    readonly fileRows: ReadonlyMap<string, RowRange> = new Map(),
  ) {}

  /**
   * The result of `compute` for this version, remembered under `key` (undefined: not remembered). The
   * index never changes, so a result stays right as long as the key names everything else it read.
   */
  memo<T>(key: string | undefined, compute: () => T): T {
    if (key === undefined) return compute();
    if (this.results.has(key)) return this.results.get(key) as T;
    const value = compute();
    if (this.results.size >= MAX_RESULTS) this.results.delete(this.results.keys().next().value!);
    this.results.set(key, value);
    return value;
  }

  hasColumn(name: string): boolean {
    return this.numbers.has(name) || this.strings.has(name);
  }

  isString(name: ColumnName<T>): boolean {
    return this.strings.has(name);
  }

  number(name: ColumnName<T>): Float64Array {
    const column = this.numbers.get(name);
    if (!column) throw new Error(`index has no number column ${name}`);
    return column;
  }

  string(name: ColumnName<T>): StringColumn {
    const column = this.strings.get(name);
    if (!column) throw new Error(`index has no string column ${name}`);
    return column;
  }

  /** The cell of a row (NaN numbers come back as null). */
  value(name: ColumnName<T>, row: number): IndexValue {
    const numbers = this.numbers.get(name);
    if (numbers) {
      const v = numbers[row]!;
      return Number.isNaN(v) ? null : v;
    }
    const s = this.string(name);
    return s.values[s.codes[row]!]!;
  }

  keyOf(row: number): IndexValue[] {
    return this.key.map((k) => this.value(k, row));
  }

  /** The rows whose column equals the value, ascending (a view: do not modify). */
  rowsWhere(column: ColumnName<T>, value: IndexValue): Uint32Array {
    const index = this.equalityIndex(column);
    const group = index.groupOf.get(value);
    return group === undefined ? EMPTY_ROWS : index.rows.subarray(index.offsets[group]!, index.offsets[group + 1]!);
  }

  /** The rows whose column equals the value, in the given sort order (ranks ascending; a view). */
  rowsWhereInOrder(column: ColumnName<T>, value: IndexValue, order: SortOrder): Uint32Array {
    const index = this.equalityIndex(column);
    const group = index.groupOf.get(value);
    if (group === undefined) return EMPTY_ROWS;
    const name = order.column ?? '';
    let rows = index.ordered.get(name);
    if (!rows) {
      // One pass along the order drops every row into its group: groups come out in rank order.
      rows = new Uint32Array(this.numRows);
      const fill = index.offsets.slice(0, index.offsets.length - 1);
      for (let i = 0; i < this.numRows; i++) {
        const row = order.perm[i]!;
        rows[fill[index.groupOfRow[row]!]!++] = row;
      }
      index.ordered.set(name, rows);
    }
    return rows.subarray(index.offsets[group]!, index.offsets[group + 1]!);
  }

  private equalityIndex(column: ColumnName<T>): EqualityIndex {
    let index = this.equality.get(column);
    if (!index) {
      index = this.buildEquality(column);
      this.equality.set(column, index);
    }
    return index;
  }

  /** The sort order by a column then the key (null: by the key alone). */
  order(column: ColumnName<T> | null): SortOrder {
    const name = column ?? '';
    let order = this.orders.get(name);
    if (!order) {
      order = this.buildOrder(column);
      this.orders.set(name, order);
    }
    return order;
  }

  /** Sign of (tuple − row) in the given order. */
  compareTuple(order: SortOrder, tuple: OrderTuple, row: number): number {
    if (order.column !== null) {
      const c = compareValues(tuple.value ?? null, this.value(order.column, row));
      if (c !== 0) return c;
    }
    for (let i = 0; i < this.key.length; i++) {
      const c = compareValues(tuple.key[i] ?? null, this.value(this.key[i]!, row));
      if (c !== 0) return c;
    }
    return 0;
  }

  /** Number of rows ordered at or before the tuple (strict: before it). */
  countBefore(order: SortOrder, tuple: OrderTuple, inclusive: boolean): number {
    let lo = 0;
    let hi = this.numRows;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compareTuple(order, tuple, order.perm[mid]!);
      if (c > 0 || (inclusive && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private buildEquality(column: ColumnName<T>): EqualityIndex {
    const n = this.numRows;
    const groupOf = new Map<IndexValue, number>();
    const groupOfRow = new Uint32Array(n);
    const counts: number[] = [];
    const strings = this.strings.get(column);
    if (strings) {
      // Codes are already dense groups.
      for (let code = 0; code < strings.values.length; code++) {
        groupOf.set(strings.values[code]!, code);
        counts.push(0);
      }
      for (let row = 0; row < n; row++) {
        const code = strings.codes[row]!;
        groupOfRow[row] = code;
        counts[code]!++;
      }
    } else {
      const numbers = this.number(column);
      for (let row = 0; row < n; row++) {
        const raw = numbers[row]!;
        const v = Number.isNaN(raw) ? null : raw;
        let g = groupOf.get(v);
        if (g === undefined) {
          g = counts.length;
          groupOf.set(v, g);
          counts.push(0);
        }
        groupOfRow[row] = g;
        counts[g]!++;
      }
    }
    const offsets = new Uint32Array(counts.length + 1);
    for (let g = 0; g < counts.length; g++) offsets[g + 1] = offsets[g]! + counts[g]!;
    const fill = offsets.slice(0, counts.length);
    const rows = new Uint32Array(n);
    for (let row = 0; row < n; row++) rows[fill[groupOfRow[row]!]!++] = row;
    return { groupOf, groupOfRow, offsets, rows, ordered: new Map() };
  }

  /** Per-row sort keys of a column as numbers: values themselves, or the rank of a string in its dictionary. */
  private sortKeys(column: ColumnName<T>): Float64Array {
    const numbers = this.numbers.get(column);
    if (numbers) return numbers;
    const s = this.string(column);
    const codes = [...s.values.keys()].sort((a, b) => compareValues(s.values[a]!, s.values[b]!));
    const codeRank = new Float64Array(s.values.length);
    codes.forEach((code, i) => (codeRank[code] = i));
    const out = new Float64Array(this.numRows);
    for (let row = 0; row < this.numRows; row++) out[row] = codeRank[s.codes[row]!]!;
    return out;
  }

  private buildOrder(column: ColumnName<T> | null): SortOrder {
    const n = this.numRows;
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    if (column === null) {
      const keys = this.key.map((k) => this.sortKeys(k));
      perm.sort((a, b) => {
        for (const k of keys) {
          const c = compareValues(k[a]!, k[b]!);
          if (c !== 0) return c;
        }
        return a - b;
      });
    } else {
      const keyRank = this.order(null).rank;
      const v = this.sortKeys(column);
      perm.sort((a, b) => compareValues(v[a]!, v[b]!) || keyRank[a]! - keyRank[b]!);
    }
    const rank = new Uint32Array(n);
    for (let i = 0; i < n; i++) rank[perm[i]!] = i;
    return { column, perm, rank };
  }
}

/** Which columns of table T an index keeps, and as what. */
export interface IndexSpec<T extends TableDef = TableDef> {
  readonly columns: readonly { readonly name: ColumnName<T>; readonly type: ColumnType }[];
  readonly key: readonly ColumnName<T>[];
}

const isNumberType = (type: ColumnType) => type !== 'string' && type !== 'boolean';

interface StringColumnBuilder {
  codes: Uint32Array[];
  values: (string | null)[];
  codeOf: Map<string | null, number>;
}

/** The code of a value in a column being built, added to its dictionary on first sight. */
function codeFor(column: StringColumnBuilder, value: string | null): number {
  let code = column.codeOf.get(value);
  if (code === undefined) {
    code = column.values.length;
    column.values.push(value);
    column.codeOf.set(value, code);
  }
  return code;
}

/**
 * Builds a ColumnarIndex one batch at a time, from the batches of a scan or from rows of an earlier
 * index: either way a value gets its code on first sight, so the same rows in the same order give the
 * same index however they came in.
 */
export class ColumnarIndexBuilder<T extends TableDef = TableDef> {
  private numRows = 0;
  private readonly numberChunks = new Map<ColumnName<T>, Float64Array[]>();
  private readonly stringColumns = new Map<ColumnName<T>, StringColumnBuilder>();
  /** Per string column, code in `source` → code here (-1: not seen yet), for copyRows. */
  private translation: { source: ColumnarIndex<T>; codes: Map<ColumnName<T>, Int32Array> } | undefined;

  constructor(private readonly spec: IndexSpec<T>) {
    for (const c of spec.columns) {
      if (isNumberType(c.type)) this.numberChunks.set(c.name, []);
      else this.stringColumns.set(c.name, { codes: [], values: [], codeOf: new Map() });
    }
  }

  add(batch: ColumnBatch): void {
    const n = batch.numRows;
    for (const [name, chunks] of this.numberChunks) {
      const cells = batch.columns.get(name);
      if (!cells) throw new Error(`batch has no column ${name}`);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = cells[i];
        out[i] = typeof v === 'number' ? v : NaN;
      }
      chunks.push(out);
    }
    for (const [name, column] of this.stringColumns) {
      const cells = batch.columns.get(name);
      if (!cells) throw new Error(`batch has no column ${name}`);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const raw = cells[i];
        out[i] = codeFor(column, raw === null || raw === undefined ? null : String(raw));
      }
      column.codes.push(out);
    }
    this.numRows += n;
  }

  /** Rows [from, to) of an index of the same spec, as they are there (no file is read). */
  copyRows(source: ColumnarIndex<T>, from: number, to: number): void {
    const n = to - from;
    for (const [name, chunks] of this.numberChunks) chunks.push(source.number(name).slice(from, to));
    if (this.translation?.source !== source) this.translation = { source, codes: new Map() };
    for (const [name, column] of this.stringColumns) {
      const old = source.string(name);
      let translate = this.translation.codes.get(name);
      if (!translate) this.translation.codes.set(name, (translate = new Int32Array(old.values.length).fill(-1)));
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const oldCode = old.codes[from + i]!;
        let code = translate[oldCode]!;
        if (code < 0) translate[oldCode] = code = codeFor(column, old.values[oldCode]!);
        out[i] = code;
      }
      column.codes.push(out);
    }
    this.numRows += n;
  }

  /** Rows added so far. */
  get rowCount(): number {
    return this.numRows;
  }

  finish(version: number, fileRows?: ReadonlyMap<string, RowRange>): ColumnarIndex<T> {
    const concat = <A extends Float64Array | Uint32Array>(chunks: A[], make: (n: number) => A): A => {
      if (chunks.length === 1) return chunks[0]!;
      const out = make(this.numRows);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    };
    const numbers = new Map<string, Float64Array>();
    for (const [name, chunks] of this.numberChunks) numbers.set(name, concat(chunks, (n) => new Float64Array(n)));
    const strings = new Map<string, StringColumn>();
    for (const [name, c] of this.stringColumns) strings.set(name, { codes: concat(c.codes, (n) => new Uint32Array(n)), values: c.values, codeOf: c.codeOf });
    return new ColumnarIndex(version, this.numRows, numbers, strings, this.spec.key, fileRows);
  }
}

/** The index of an empty (or not yet created) table. */
export function emptyIndex<T extends TableDef>(spec: IndexSpec<T>): ColumnarIndex<T> {
  return new ColumnarIndexBuilder(spec).finish(-1);
}
