/** Creating a table: version 0 holds the protocol and the metadata (schema, partition columns). */
import { randomUUID } from 'node:crypto';
import type { ColumnDef } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { encodeCommit, type Action, type ProtocolAction } from '../log/actions.ts';
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
  /**
   * Table properties (metaData.configuration) the table must have: set at creation, and added to an
   * existing table that lacks one (a value already there, another engine's or a user's, is kept).
   */
  properties?: Readonly<Record<string, string>>;
}

/**
 * The table's snapshot, creating the table first when the location has none. An existing table must
 * have the declared columns (same names, types, nullability, order) and partition columns.
 */
export async function createTableIfAbsent(store: ObjectStore, spec: TableSpec, now: () => number = Date.now): Promise<Snapshot> {
  try {
    const existing = await loadSnapshot(store);
    assertSameSchema(existing, spec);
    return await upgrade(store, existing, spec, now);
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
        configuration: { ...spec.properties, ...(spec.changeDataFeed ? { [CHANGE_DATA_FEED]: 'true' } : {}) },
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
 * Bring a table made by an older fitlake (or another engine) up to its declaration in one commit: the
 * change data feed turned on (writer version 4; changes before it are read from the files their commits
 * removed, change-data.ts) and the declared properties it lacks. Two openers racing: the loser finds
 * the winner's commit.
 */
async function upgrade(store: ObjectStore, snapshot: Snapshot, spec: TableSpec, now: () => number): Promise<Snapshot> {
  const missing = missingProperties(snapshot, spec.properties);
  const feed = spec.changeDataFeed === true && !changeDataFeedEnabled(snapshot);
  if (!feed && Object.keys(missing).length === 0) return snapshot;
  const properties = { ...missing, ...(feed ? { [CHANGE_DATA_FEED]: 'true' } : {}) };
  const protocol = { minReaderVersion: snapshot.protocol.minReaderVersion, minWriterVersion: Math.max(snapshot.protocol.minWriterVersion, feed ? WRITER_VERSION : 0) };
  try {
    return await setTableProperties(store, snapshot, properties, { protocol, now });
  } catch (e) {
    if (!(e instanceof CommitConflictError)) throw e;
    const latest = await loadSnapshot(store);
    if (spec.changeDataFeed && !changeDataFeedEnabled(latest)) throw e;
    if (Object.keys(missingProperties(latest, spec.properties)).length > 0) throw e;
    return latest;
  }
}

/** The declared properties the table does not have at all. */
function missingProperties(snapshot: Snapshot, properties: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(properties ?? {}).filter(([key]) => snapshot.metadata.configuration[key] === undefined));
}

/**
 * One SET TBLPROPERTIES commit (with a new protocol, when given). It conflicts with any concurrent
 * commit of metadata, as every metadata change does (transaction.ts).
 */
export async function setTableProperties(
  store: ObjectStore,
  snapshot: Snapshot,
  properties: Readonly<Record<string, string>>,
  options: { protocol?: ProtocolAction; now?: () => number } = {},
): Promise<Snapshot> {
  const { metadata } = snapshot;
  const actions: Action[] = [{ metaData: { ...metadata, configuration: { ...metadata.configuration, ...properties } } }];
  const { protocol } = options;
  if (protocol && (protocol.minWriterVersion !== snapshot.protocol.minWriterVersion || protocol.minReaderVersion !== snapshot.protocol.minReaderVersion)) actions.unshift({ protocol });
  const result = await commit(store, {
    readSnapshot: snapshot,
    actions,
    operation: 'SET TBLPROPERTIES',
    operationParameters: { properties: JSON.stringify(properties) },
    readSet: { readsAdded: false },
    ...(options.now ? { now: options.now } : {}),
  });
  return result.snapshot;
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
