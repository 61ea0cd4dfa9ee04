/** Creating a table: version 0 holds the protocol and the metadata (schema, partition columns). */
import { randomUUID } from 'node:crypto';
import type { ColumnDef } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { encodeCommit, type Action } from '../actions.ts';
import { toSchemaString } from '../delta-schema.ts';
import { SchemaMismatchError, TableNotFoundError } from '../errors.ts';
import { commitKey } from '../log-paths.ts';
import { loadSnapshot, READER_VERSION, WRITER_VERSION, type Snapshot } from '../snapshot.ts';
import { ENGINE_INFO } from '../transaction.ts';
import { describeColumns } from '../values.ts';

export interface TableSpec {
  name: string;
  columns: readonly ColumnDef[];
  partitionBy?: readonly string[];
  description?: string;
}

/**
 * The table's snapshot, creating the table first when the location has none. An existing table must
 * have the declared columns (same names, types, nullability, order) and partition columns.
 */
export async function createTableIfAbsent(store: ObjectStore, spec: TableSpec, now: () => number = Date.now): Promise<Snapshot> {
  try {
    const existing = await loadSnapshot(store);
    assertSameSchema(existing, spec);
    return existing;
  } catch (e) {
    if (!(e instanceof TableNotFoundError)) throw e;
  }
  const partitionBy = [...(spec.partitionBy ?? [])];
  for (const p of partitionBy) {
    if (!spec.columns.some((c) => c.name === p)) throw new SchemaMismatchError(spec.name, `partition column ${p} is not a column`);
  }
  const timestamp = now();
  const actions: Action[] = [
    { commitInfo: { timestamp, operation: 'CREATE TABLE', operationParameters: { partitionBy: JSON.stringify(partitionBy) }, isBlindAppend: true, engineInfo: ENGINE_INFO } },
    { protocol: { minReaderVersion: READER_VERSION, minWriterVersion: WRITER_VERSION } },
    {
      metaData: {
        id: randomUUID(),
        name: spec.name,
        description: spec.description ?? null,
        format: { provider: 'parquet', options: {} },
        schemaString: toSchemaString(spec.columns),
        partitionColumns: partitionBy,
        configuration: {},
        createdTime: timestamp,
      },
    },
  ];
  // Two creators racing: the loser finds the winner's table and checks it matches.
  await store.putIfAbsent(commitKey(0), encodeCommit(actions));
  const snapshot = await loadSnapshot(store);
  assertSameSchema(snapshot, spec);
  return snapshot;
}

function assertSameSchema(snapshot: Snapshot, spec: TableSpec): void {
  const have = describeColumns(snapshot.columns);
  const want = describeColumns(spec.columns);
  if (have !== want) throw new SchemaMismatchError(spec.name, `the table at ${snapshot.location} has columns (${have}), declared (${want})`);
  const parts = JSON.stringify(snapshot.partitionColumns);
  if (parts !== JSON.stringify(spec.partitionBy ?? [])) {
    throw new SchemaMismatchError(spec.name, `the table is partitioned by ${parts}, declared ${JSON.stringify(spec.partitionBy ?? [])}`);
  }
}
