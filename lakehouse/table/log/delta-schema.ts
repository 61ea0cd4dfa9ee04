/** A table declaration ↔ the Delta `schemaString` (a JSON struct type) of its metaData action. */
import type { ColumnDef, ColumnType } from '../../../schema/types.ts';

interface DeltaField {
  name: string;
  type: unknown;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

const PRIMITIVES: readonly ColumnType[] = ['string', 'long', 'integer', 'double', 'boolean', 'timestamp', 'date'];

/** The schemaString of a column list. */
export function toSchemaString(columns: readonly ColumnDef[]): string {
  const fields: DeltaField[] = columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, metadata: {} }));
  return JSON.stringify({ type: 'struct', fields });
}

/**
 * Columns of a schemaString. Types outside fitlake's vocabulary (structs, decimals, binary, …) are
 * reported, not guessed: the caller decides whether that is an error.
 */
export function fromSchemaString(schemaString: string): { columns: ColumnDef[]; unsupported: string[] } {
  const parsed = JSON.parse(schemaString) as { type: string; fields: DeltaField[] };
  const columns: ColumnDef[] = [];
  const unsupported: string[] = [];
  for (const field of parsed.fields) {
    if (typeof field.type === 'string' && (PRIMITIVES as readonly string[]).includes(field.type)) {
      columns.push({ name: field.name, type: field.type as ColumnType, nullable: field.nullable });
    } else {
      unsupported.push(`${field.name}: ${JSON.stringify(field.type)}`);
    }
  }
  return { columns, unsupported };
}
