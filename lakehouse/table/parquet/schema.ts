import { Bool, DateDay, Field, Float64, Int32, Int64, Schema, TimestampMicrosecond, Utf8 } from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import type { ColumnDef, ColumnType } from '../../../schema/types.ts';

/**
 * Column types → Arrow types. Files are written by arrow-rs (through parquet-wasm), which maps these
 * Arrow types onto exactly the Parquet types Delta expects:
 *   string    → Utf8                       → BYTE_ARRAY, String (UTF8)
 *   long      → Int64                      → INT64
 *   integer   → Int32                      → INT32
 *   double    → Float64                    → DOUBLE
 *   boolean   → Bool                       → BOOLEAN
 *   timestamp → Timestamp(µs, "UTC")       → INT64, TIMESTAMP(isAdjustedToUTC=true, MICROS)
 *   date      → Date32 (days)              → INT32, DATE
 * The time zone must be present: without it arrow-rs writes isAdjustedToUTC=false, which Spark and
 * delta-rs read as timestamp_ntz.
 */
export function arrowTypeOf(type: ColumnType): DataType {
  switch (type) {
    case 'string':
      return new Utf8();
    case 'long':
      return new Int64();
    case 'integer':
      return new Int32();
    case 'double':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'timestamp':
      return new TimestampMicrosecond('UTC');
    case 'date':
      return new DateDay();
  }
}

/** Arrow field of a column: same name, nullable ⇔ Parquet OPTIONAL, otherwise REQUIRED. */
export function arrowFieldOf(column: ColumnDef): Field {
  return new Field(column.name, arrowTypeOf(column.type), column.nullable);
}

/** Arrow schema of a file written from `columns`, in that order. */
export function arrowSchemaOf(columns: readonly ColumnDef[]): Schema {
  return new Schema(columns.map(arrowFieldOf));
}
