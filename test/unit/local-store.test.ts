import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, StorageError } from '../../lakehouse/errors.ts';
import { LocalObjectStore, prefixedStore } from '../../lakehouse/storage/index.ts';
import { objectStoreContract } from '../support/object-store-contract.ts';

const scratch = await mkdtemp(path.join(tmpdir(), 'fitlake-local-store-'));
after(() => rm(scratch, { recursive: true, force: true }));

let stores = 0;
/** A fresh directory under the scratch dir; not created yet, as a store's root may not be. */
function freshRoot(): string {
  return path.join(scratch, `store-${++stores}`);
}

const text = (value: string) => new TextEncoder().encode(value);

objectStoreContract('LocalObjectStore', async () => new LocalObjectStore(freshRoot()));
objectStoreContract('prefixedStore over LocalObjectStore', async () =>
  prefixedStore(new LocalObjectStore(freshRoot()), 'lake/bronze/heart_rate'),
);

describe('LocalObjectStore', () => {
  it('maps keys to files under the root and reports a file:// url', async () => {
    const root = freshRoot();
    const store = new LocalObjectStore(root);
    await store.put('a/b/c.json', text('{}'));
    assert.equal((await stat(path.join(root, 'a', 'b', 'c.json'))).size, 2);
    assert.equal(store.url, `file://${root}`);
  });

  it('refuses keys that would leave the root, and writes nothing outside it', async () => {
    const root = freshRoot();
    const store = new LocalObjectStore(path.join(root, 'inner'));
    for (const key of ['../outside', 'x/../../outside', '/etc/passwd', '..']) {
      await assert.rejects(store.put(key, text('x')), ConfigError, key);
      await assert.rejects(store.putIfAbsent(key, text('x')), ConfigError, key);
      await assert.rejects(store.delete(key), ConfigError, key);
      await assert.rejects(store.head(key), ConfigError, key);
    }
    await assert.rejects(stat(path.join(root, 'outside')), { code: 'ENOENT' });
  });

  it('does not list temp files, refuses keys shaped like them, and leaves none behind', async () => {
    const root = freshRoot();
    const store = new LocalObjectStore(root);
    await store.put('_delta_log/00000000000000000000.json', text('{}'));
    // What a writer that crashed between writing and linking leaves behind.
    await writeFile(path.join(root, '_delta_log', '.00000000000000000001.json.0123456789abcdef.fitlake-tmp'), 'partial');
    await writeFile(path.join(root, '.top.fedcba9876543210.fitlake-tmp'), 'partial');
    assert.deepEqual((await store.list('')).map((info) => info.key), ['_delta_log/00000000000000000000.json']);
    await assert.rejects(store.put('_delta_log/.x.0123456789abcdef.fitlake-tmp', text('x')), ConfigError);

    const key = '_delta_log/00000000000000000002.json';
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIfAbsent(key, text(`writer ${i}`))));
    assert.equal(results.filter(Boolean).length, 1);
    const leftovers = (await readdir(path.join(root, '_delta_log'))).filter((name) => name.endsWith('.fitlake-tmp'));
    assert.deepEqual(leftovers, ['.00000000000000000001.json.0123456789abcdef.fitlake-tmp'], 'only the planted temp file remains');
  });

  it('lists nothing, and finds nothing, under a root that does not exist yet', async () => {
    const store = new LocalObjectStore(freshRoot());
    assert.deepEqual(await store.list(''), []);
    assert.equal(await store.head('a'), undefined);
  });

  it('removes directories that a delete leaves empty, up to the root', async () => {
    const root = freshRoot();
    const store = new LocalObjectStore(root);
    await store.put('t/p=1/f.parquet', text('1'));
    await store.put('t/keep.json', text('2'));
    await store.delete('t/p=1/f.parquet');
    assert.deepEqual(await readdir(path.join(root, 't')), ['keep.json']);
    await store.delete('t/keep.json');
    assert.deepEqual(await readdir(root), []);
  });

  it('treats a directory as no object, and a key colliding with one as a non-retriable StorageError', async () => {
    const root = freshRoot();
    const store = new LocalObjectStore(root);
    await store.put('dir/child', text('x'));
    assert.equal(await store.head('dir'), undefined);
    await store.delete('dir');
    assert.notEqual(await store.head('dir/child'), undefined, 'deleting a directory-named key deletes nothing');
    const nonRetriable = (error: unknown) => error instanceof StorageError && !error.retriable;
    await assert.rejects(store.put('dir', text('y')), nonRetriable);
    await assert.rejects(store.putIfAbsent('dir', text('y')), nonRetriable);
    await assert.rejects(store.put('dir/child/grandchild', text('z')), StorageError);
  });

  it('survives deletes and writes racing in the same directory', async () => {
    const root = freshRoot();
    const store = new LocalObjectStore(root);
    // Deletes prune the directory that concurrent writes are about to use; no write may fail.
    for (let round = 0; round < 20; round++) {
      await store.put(`race/${round}/a`, text('a'));
      await Promise.all([store.delete(`race/${round}/a`), store.put(`race/${round}/b`, text('b')), store.putIfAbsent(`race/${round}/c`, text('c'))]);
      assert.deepEqual((await store.list(`race/${round}/`)).map((info) => info.key), [`race/${round}/b`, `race/${round}/c`]);
    }
  });

  it('getRange reads from an open handle without reading the whole file', async () => {
    const root = freshRoot();
    await mkdir(root, { recursive: true });
    const store = new LocalObjectStore(root);
    const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i & 0xff);
    await store.put('big', data);
    const tail = await store.getRange('big', data.length - 8, 8);
    assert.deepEqual([...tail], [...data.subarray(data.length - 8)]);
  });
});

describe('prefixedStore', () => {
  it('keeps keys under its prefix and strips it from listings and errors', async () => {
    const base = new LocalObjectStore(freshRoot());
    const table = prefixedStore(base, 'silver/heart_rate/');
    await table.put('_delta_log/00000000000000000000.json', text('{}'));
    await base.put('silver/heart_rate_daily/x', text('other table'));
    assert.deepEqual((await base.list('silver/heart_rate/')).map((info) => info.key), ['silver/heart_rate/_delta_log/00000000000000000000.json']);
    assert.deepEqual((await table.list('')).map((info) => info.key), ['_delta_log/00000000000000000000.json']);
    assert.equal((await table.head('_delta_log/00000000000000000000.json'))?.key, '_delta_log/00000000000000000000.json');
    await assert.rejects(table.get('absent'), { name: 'NotFoundError', key: 'absent' });
    assert.equal(table.url, `${base.url}/silver/heart_rate`);
    const nested = prefixedStore(prefixedStore(base, 'silver'), 'heart_rate');
    assert.deepEqual((await nested.list('_delta_log/')).map((info) => info.key), ['_delta_log/00000000000000000000.json']);
    assert.equal(prefixedStore(base, ''), base);
    assert.throws(() => prefixedStore(base, '../up'), ConfigError);
  });
});
