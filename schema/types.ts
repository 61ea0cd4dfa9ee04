/**
 * The vocabulary of table declarations. Every table of the lake is declared once with these types
 * (see schema/tables.ts); its Delta schemaString, its Parquet schema and its TypeScript row type are
 * all derived from that one declaration.
 *
 * In-memory representation of each column type (chosen for speed and exactness):
 * - string    → string
 * - long      → number, always a safe integer (|v| < 2^53); writers reject anything else with a
 *               RangeError rather than round it, so no 64-bit value ever loses precision silently
 * - integer   → number (32-bit signed)
 * - double    → number
 * - boolean   → boolean
 * - timestamp → number of microseconds since 1970-01-01T00:00:00Z (UTC, as Delta stores it)
 * - date      → number of days since 1970-01-01
 * Null is `null` for every type.
 */
export type ColumnType = 'string' | 'long' | 'integer' | 'double' | 'boolean' | 'timestamp' | 'date';

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

export type Layer = 'bronze' | 'silver' | 'gold' | 'quarantine';

export interface TableDef {
  /** Table name as in ../shared/sbit/README.md, e.g. `heart_rate`. */
  readonly name: string;
  readonly layer: Layer;
  readonly columns: readonly ColumnDef[];
  /** Columns that identify a row; merges match on them. Empty for append-only tables. */
  readonly primaryKey: readonly string[];
  /** Hive-style partition columns, in order. */
  readonly partitionBy: readonly string[];
  readonly description: string;
  /** Delta table properties the table is created with (and given when it lacks them). */
  readonly properties?: Readonly<Record<string, string>>;
}

/** One cell of a row or a column: the JS value for its column type, or null. */
export type Cell = string | number | boolean | null;

type CellOf<T extends ColumnType> = T extends 'string' ? string : T extends 'boolean' ? boolean : number;

/** The column names of a declared table: `ColumnName<typeof heartRate>` is `'device_id' | 'time' | …`. */
export type ColumnName<T extends TableDef> = T['columns'][number]['name'];

/** The TypeScript row type of a declared table: `RowOf<typeof heartRate>`. */
export type RowOf<T extends TableDef> = {
  -readonly [C in T['columns'][number] as C['name']]: ValueOf<C>;
};

/** The JS value of one declared column, null included when the column is nullable. */
export type ValueOf<C extends ColumnDef> = C['nullable'] extends true ? CellOf<C['type']> | null : CellOf<C['type']>;

/** Location of a table inside a lake: `<layer>/<name>`. */
export function tablePath(table: Pick<TableDef, 'layer' | 'name'>): string {
  return `${table.layer}/${table.name}`;
}
