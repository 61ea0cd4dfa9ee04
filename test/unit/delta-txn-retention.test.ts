/**
 * Txn expiry (delta.setTransactionRetentionDuration) and fitlake's keep-alive renewals
 * (fitlake.keepAliveTxnPrefixes): per-file markers leave the txn set once older than the retention, by
 * the log's clock, at load, at rebase and in checkpoints; an application's progress under a keep-alive
 * prefix never does, however long the table sat idle, and renewing it never conflicts with its owner.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heartRate } from '../../schema/tables.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { commit, KEEP_ALIVE_TXNS, loadSnapshot, readCheckpoint, SET_TRANSACTION_RETENTION, type Snapshot } from '../../lakehouse/table/log/index.ts';
import { scratchStore } from '../support/delta-helpers.ts';
import type { LocalObjectStore } from '../../lakehouse/storage/index.ts';

const START = 1_700_000_000_000;
const SECOND = 1000;

/** A txn-only commit at `at` (ms) on the latest snapshot. */
async function mark(store: LocalObjectStore, at: number, appIds: string[], version = 1, read?: Snapshot): Promise<Snapshot> {
  const readSnapshot = read ?? (await loadSnapshot(store));
  const result = await commit(store, { readSnapshot, actions: [], operation: 'STREAMING UPDATE', txn: appIds.map((appId) => ({ appId, version })), readSet: { readsAdded: false }, now: () => at });
  assert.ok(result.committed);
  return result.snapshot;
}

async function tableWith(t: Parameters<typeof scratchStore>[0], properties: Record<string, string>) {
  const { store } = await scratchStore(t);
  const table = await DeltaTable.createIfAbsent(store, { ...heartRate, properties });
  return { store, table };
}

describe('txn retention', () => {
  test('a txn older than the retention by the last commit time leaves a loaded snapshot; younger ones and tables without the property keep theirs', async (t) => {
    const { store } = await tableWith(t, { [SET_TRANSACTION_RETENTION]: 'interval 10 seconds' });
    await mark(store, START, ['file:a']);
    await mark(store, START + 5 * SECOND, ['file:b']);
    // Nothing has expired yet: the last commit is 5 s after a.
    assert.deepEqual([...(await loadSnapshot(store)).txns.keys()].sort(), ['file:a', 'file:b']);
    await mark(store, START + 10 * SECOND, ['file:c']);
    // a was last updated exactly the retention before the newest commit: expired (at or before the cutoff).
    assert.deepEqual([...(await loadSnapshot(store)).txns.keys()].sort(), ['file:b', 'file:c']);
    // Time travel: the version before still holds a.
    assert.ok((await loadSnapshot(store, 2)).txns.has('file:a'));

    const { store: plain } = await tableWith(t, {});
    await mark(plain, START, ['file:a']);
    await mark(plain, START + 1000 * SECOND, ['file:b']);
    assert.ok((await loadSnapshot(plain)).txns.has('file:a'), 'without the property no txn expires');
  });

  test('a checkpoint leaves expired txns out, judged by its version’s commit time, not by when it is written', async (t) => {
    const { store, table } = await tableWith(t, { [SET_TRANSACTION_RETENTION]: 'interval 10 seconds' });
    await mark(store, START, ['file:a']);
    await mark(store, START + 20 * SECOND, ['file:b']);
    // Written (by the wall clock) long after both commits: b is still young at its version.
    const written = await table.checkpoint();
    const content = await readCheckpoint(store, store.url, written.version);
    assert.deepEqual(content.txns.map((x) => x.appId), ['file:b']);
    const loaded = await loadSnapshot(store);
    assert.equal(loaded.checkpointVersion, written.version);
    assert.deepEqual([...loaded.txns.keys()], ['file:b']);
  });

  test('keep-alive txns are renewed by any commit past half the retention, so they survive a long idle time and every version holds them', async (t) => {
    const { store } = await tableWith(t, { [SET_TRANSACTION_RETENTION]: 'interval 10 seconds', [KEEP_ALIVE_TXNS]: 'kafka:' });
    await mark(store, START, ['kafka:p0', 'file:a'], 41);
    // Another writer's commit 6 s later (past half the retention) renews kafka:p0 at its version.
    const renewed = await mark(store, START + 6 * SECOND, ['file:b']);
    assert.equal(renewed.txns.get('kafka:p0'), 41);
    assert.equal(renewed.txnUpdated?.get('kafka:p0'), START + 6 * SECOND);
    // A commit 2 s later does not renew again (not yet due): one renewal per half retention.
    const early = await mark(store, START + 8 * SECOND, ['file:c']);
    assert.equal(early.txnUpdated?.get('kafka:p0'), START + 6 * SECOND);
    // A year of nothing, then one commit: it renews kafka:p0 in the same commit, so no version loses it.
    const late = await mark(store, START + 365 * 86_400 * SECOND, ['file:d']);
    const loaded = await loadSnapshot(store);
    assert.equal(loaded.txns.get('kafka:p0'), 41, 'the keep-alive txn at its version');
    assert.deepEqual([...loaded.txns.keys()].sort(), ['file:d', 'kafka:p0'], 'the per-file markers expired');
    for (let v = 1; v <= late.version; v++) assert.equal((await loadSnapshot(store, v)).txns.get('kafka:p0'), 41, `version ${v}`);
  });

  test('a renewal committed while the owner advances its txn does not conflict with it, and never moves it back', async (t) => {
    const { store } = await tableWith(t, { [SET_TRANSACTION_RETENTION]: 'interval 10 seconds', [KEEP_ALIVE_TXNS]: 'kafka:' });
    await mark(store, START, ['kafka:p0'], 41);
    // The owner reads, then another writer commits first and renews kafka:p0 at 41.
    const ownerRead = await loadSnapshot(store);
    const other = await mark(store, START + 7 * SECOND, ['file:a']);
    assert.equal(other.txnUpdated?.get('kafka:p0'), START + 7 * SECOND);
    // The owner's commit of 42 lands after it: no conflict.
    const owner = await mark(store, START + 7 * SECOND + 1, ['kafka:p0'], 42, ownerRead);
    assert.equal(owner.txns.get('kafka:p0'), 42);
    // A writer that read before the owner's commit and renews after it renews 42, not 41.
    const renewer = await mark(store, START + 14 * SECOND, ['file:b'], 1, other);
    assert.equal(renewer.txns.get('kafka:p0'), 42);
    assert.equal((await loadSnapshot(store)).txns.get('kafka:p0'), 42);
  });

  test('a table made without its declared properties gets them when opened, keeping values already set', async (t) => {
    const { store } = await scratchStore(t);
    await DeltaTable.createIfAbsent(store, { ...heartRate, properties: { [SET_TRANSACTION_RETENTION]: 'interval 3 days' } });
    const table = await DeltaTable.createIfAbsent(store, { ...heartRate, properties: { [SET_TRANSACTION_RETENTION]: 'interval 30 days', [KEEP_ALIVE_TXNS]: 'kafka:' } });
    const { configuration } = table.snapshot.metadata;
    assert.equal(configuration[SET_TRANSACTION_RETENTION], 'interval 3 days', 'a value already set is kept');
    assert.equal(configuration[KEEP_ALIVE_TXNS], 'kafka:', 'a missing one is added');
    const version = table.version;
    assert.equal((await DeltaTable.createIfAbsent(store, { ...heartRate, properties: { [KEEP_ALIVE_TXNS]: 'kafka:' } })).version, version, 'no commit when nothing is missing');
  });
});
