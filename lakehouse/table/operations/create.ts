/** Creating a table: version 0 holds the protocol and the metadata (schema, partition columns). */
import { randomUUID } from 'node:crypto';
import type { ColumnDef } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { encodeCommit, type Action } from '../log/actions.ts';
import { toSchemaString } from '../log/delta-schema.ts';
import { CommitConflictError, SchemaMismatchError, TableNotFoundError } from '../log/errors.ts';
import { commitKey } from '../log/log-paths.ts';
import { CHANGE_DATA_FEED, changeDataFeedEnabled, loadSnapshot, READER_VERSION, WRITER_VERSION, type Snapshot } from '../log/snapshot.ts';
import { commit, ENGINE_INFO } from '../log/transaction.ts';
import { describeColumns } from '../columns/values.ts';

export interface TableSpec {
  name: string;
  columns: readonly ColumnDef[];
  partitionBy?: readonly string[];
  description?: string;
  /**
   * Record updates and deletes in the change data feed (change-data.ts), so incremental readers follow
   * them. An existing table without it is upgraded (writer version 4) when opened. @default false
   */
  changeDataFeed?: boolean;
}

/**
 * The table's snapshot, creating the table first when the location has none. An existing table must
 * have the declared columns (same names, types, nullability, order) and partition columns.
 */
export async function createTableIfAbsent(store: ObjectStore, spec: TableSpec, now: () => number = Date.now): Promise<Snapshot> {
  try {
    const existing = await loadSnapshot(store);
    assertSameSchema(existing, spec);
    return spec.changeDataFeed && !changeDataFeedEnabled(existing) ? await enableChangeDataFeed(store, existing, now) : existing;
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
    { protocol: { minReaderVersion: READER_VERSION, minWriterVersion: spec.changeDataFeed ? WRITER_VERSION : 2 } },
    {
      metaData: {
        id: randomUUID(),
        name: spec.name,
        description: spec.description ?? null,
        format: { provider: 'parquet', options: {} },
        schemaString: toSchemaString(spec.columns),
        partitionColumns: partitionBy,
        configuration: spec.changeDataFeed ? { [CHANGE_DATA_FEED]: 'true' } : {},
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

/**
 * Turn the change data feed on for a table made without it (by an older fitlake): one commit raising
 * the writer version and setting the property. Changes before it are read from the files their commits
 * removed (change-data.ts). Two openers racing: the loser finds the feed on.
 */
async function enableChangeDataFeed(store: ObjectStore, snapshot: Snapshot, now: () => number): Promise<Snapshot> {
  const { metadata, protocol } = snapshot;
  try {
    const result = await commit(store, {
      readSnapshot: snapshot,
      actions: [
        { protocol: { minReaderVersion: protocol.minReaderVersion, minWriterVersion: Math.max(protocol.minWriterVersion, WRITER_VERSION) } },
        { metaData: { ...metadata, configuration: { ...metadata.configuration, [CHANGE_DATA_FEED]: 'true' } } },
      ],
      operation: 'SET TBLPROPERTIES',
      operationParameters: { properties: JSON.stringify({ [CHANGE_DATA_FEED]: 'true' }) },
      readSet: { readsAdded: false },
      now,
    });
    return result.snapshot;
  } catch (e) {
    if (!(e instanceof CommitConflictError)) throw e;
    const latest = await loadSnapshot(store);
    if (!changeDataFeedEnabled(latest)) throw e;
    return latest;
  }
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
