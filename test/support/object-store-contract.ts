/**
 * The behaviour every ObjectStore must have, as node:test tests. Each test gets a fresh, empty
 * store from `makeStore`, so implementations run the same suite in isolation.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, NotFoundError } from '../../lakehouse/errors.ts';
import type { ObjectStore } from '../../lakehouse/storage/index.ts';

/** Registers the ObjectStore contract tests for one implementation under `name`. */
export function objectStoreContract(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    it('round-trips binary data, including every byte value and an empty object', async () => {
      const store = await makeStore();
      const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const big = new Uint8Array(randomBytes(300_000));
      await store.put('bin/all-bytes', allBytes);
      await store.put('bin/big.parquet', big);
      await store.put('bin/empty', new Uint8Array(0));
      assertBytes(await store.get('bin/all-bytes'), allBytes);
      assertBytes(await store.get('bin/big.parquet'), big);
      assertBytes(await store.get('bin/empty'), new Uint8Array(0));
    });

    it('put replaces an existing object', async () => {
      const store = await makeStore();
      await store.put('replace/me', text('first version, longer'));
      await store.put('replace/me', text('second'));
      assert.equal(decode(await store.get('replace/me')), 'second');
    });

    it('getRange returns the requested bytes, clipped at the end of the object', async () => {
      const store = await makeStore();
      const data = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
      await store.put('range/data', data);
      assertBytes(await store.getRange('range/data', 0, 10), data.subarray(0, 10));
      assertBytes(await store.getRange('range/data', 500, 250), data.subarray(500, 750));
      assertBytes(await store.getRange('range/data', 990, 50), data.subarray(990));
      assertBytes(await store.getRange('range/data', 1000, 10), new Uint8Array(0));
      assertBytes(await store.getRange('range/data', 10, 0), new Uint8Array(0));
      await assert.rejects(store.getRange('range/absent', 0, 10), NotFoundError);
      await assert.rejects(store.getRange('range/absent', 0, 0), NotFoundError);
    });

    it('head gives size and modification time, and undefined for an absent key', async () => {
      const store = await makeStore();
      const before = Date.now();
      await store.put('head/obj', new Uint8Array(1234));
      const info = await store.head('head/obj');
      assert.ok(info !== undefined);
      assert.equal(info.key, 'head/obj');
      assert.equal(info.size, 1234);
      // Some services keep whole seconds, and service and test clocks may differ slightly.
      assert.ok(Math.abs(info.modified - before) < 60_000, `modified ${info.modified} is far from ${before}`);
      assert.equal(await store.head('head/absent'), undefined);
      assert.equal(await store.head('head'), undefined, 'a key prefix is not an object');
    });

    it('move puts an object under another key, replacing what is there, and leaves nothing at the old one', async () => {
      const store = await makeStore();
      const big = new Uint8Array(randomBytes(200_000));
      await store.put('move/in/a.bin', big);
      await store.put('move/out/a.bin', text('older'));
      await store.put('move/in/b.txt', text('stays'));
      await store.move('move/in/a.bin', 'move/out/a.bin');
      assertBytes(await store.get('move/out/a.bin'), big);
      assert.equal(await store.head('move/in/a.bin'), undefined);
      assert.deepEqual((await store.list('move/')).map((i) => i.key), ['move/in/b.txt', 'move/out/a.bin']);
      await store.move('move/in/b.txt', 'move/deeper/still/b.txt');
      assert.deepEqual((await store.list('move/')).map((i) => i.key), ['move/deeper/still/b.txt', 'move/out/a.bin']);
      const absent = await store.move('move/in/none', 'move/out/none').then(() => undefined, (e: unknown) => e);
      assert.ok(absent instanceof NotFoundError, `moving an absent object: ${String(absent)}`);
      assert.match(absent.message, /move\/in\/none/);
    });

    it('get of an absent key throws NotFoundError naming the key', async () => {
      const store = await makeStore();
      await assert.rejects(store.get('absent/key.json'), (error: unknown) => {
        assert.ok(error instanceof NotFoundError);
        assert.equal(error.key, 'absent/key.json');
        assert.equal(error.retriable, false);
        assert.equal(error.name, 'NotFoundError');
        return true;
      });
    });

    it('putIfAbsent creates once and keeps the first content', async () => {
      const store = await makeStore();
      assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', text('first')), true);
      assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', text('second')), false);
      assert.equal(decode(await store.get('_delta_log/00000000000000000000.json')), 'first');
    });

    it('of 20 concurrent putIfAbsent calls on one key exactly one wins, and its content is stored whole', async () => {
      const store = await makeStore();
      const key = '_delta_log/00000000000000000001.json';
      // Big enough that a non-atomic write would be observable half done.
      const contents = Array.from({ length: 20 }, (_, i) => {
        const body = new Uint8Array(200_000).fill(65 + i);
        body.set(text(`writer ${i};`));
        return body;
      });
      const results = await Promise.all(contents.map((body) => store.putIfAbsent(key, body)));
      const winners = results.flatMap((won, i) => (won ? [i] : []));
      assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
      assertBytes(await store.get(key), contents[winners[0]!]!);
    });

    it('list returns the keys under a prefix, sorted, and nothing from other prefixes', async () => {
      const store = await makeStore();
      const keys = ['a/2', 'a/1', 'a/b/3', 'ab/4', 'a-x', 'b/5', 'a/b/c/6'];
      for (const key of keys) await store.put(key, text(key));
      const keysOf = async (prefix: string) => (await store.list(prefix)).map((info) => info.key);
      assert.deepEqual(await keysOf('a/'), ['a/1', 'a/2', 'a/b/3', 'a/b/c/6']);
      assert.deepEqual(await keysOf('a'), ['a-x', 'a/1', 'a/2', 'a/b/3', 'a/b/c/6', 'ab/4']);
      assert.deepEqual(await keysOf('a/b'), ['a/b/3', 'a/b/c/6']);
      assert.deepEqual(await keysOf(''), [...keys].sort());
      assert.deepEqual(await keysOf('zzz'), []);
      assert.deepEqual(await keysOf('a/1/'), []);
      const [first] = await store.list('a/1');
      assert.equal(first?.size, 3);
      assert.ok(first.modified > 0);
    });

    it('delete removes an object, leaves its siblings, and ignores an absent key', async () => {
      const store = await makeStore();
      await store.put('del/x/1', text('1'));
      await store.put('del/x/2', text('2'));
      await store.delete('del/x/1');
      assert.equal(await store.head('del/x/1'), undefined);
      await assert.rejects(store.get('del/x/1'), NotFoundError);
      assert.deepEqual((await store.list('del/')).map((info) => info.key), ['del/x/2']);
      await store.delete('del/x/1');
      await store.delete('never/existed');
      await store.delete('del/x/2');
      assert.deepEqual(await store.list('del/'), []);
      // The key space is flat: writing under a prefix whose objects are all gone still works.
      await store.put('del/x/3', text('3'));
      assert.equal(decode(await store.get('del/x/3')), '3');
    });

    it('handles keys in nested folders', async () => {
      const store = await makeStore();
      const key = 'bronze/heart_rate/date=2024-01-01/part-00000-abc.snappy.parquet';
      await store.put(key, text('parquet'));
      assert.equal(await store.putIfAbsent('bronze/heart_rate/_delta_log/00000000000000000000.json', text('{}')), true);
      assert.equal(decode(await store.get(key)), 'parquet');
      assert.deepEqual(
        (await store.list('bronze/heart_rate/')).map((info) => info.key),
        ['bronze/heart_rate/_delta_log/00000000000000000000.json', key],
      );
    });

    it('rejects malformed keys with ConfigError', async () => {
      const store = await makeStore();
      for (const key of ['', '/abs', '../escape', 'a/../b', 'a//b', 'a/./b', 'trailing/', 'back\\slash']) {
        await assert.rejects(store.put(key, text('x')), ConfigError, `put ${JSON.stringify(key)}`);
        await assert.rejects(store.get(key), ConfigError, `get ${JSON.stringify(key)}`);
      }
      await assert.rejects(store.list('../'), ConfigError);
      await assert.rejects(store.list('/a'), ConfigError);
    });
  });
}

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Byte equality with a short message (deepEqual on large arrays prints them whole). */
function assertBytes(actual: Uint8Array, expected: Uint8Array): void {
  assert.equal(actual.byteLength, expected.byteLength, 'length differs');
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected), 'content differs');
}
