import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'graphql';
import { ResponseCache, type CachedResponse } from '../../api/cache/response-cache.ts';
import { isCacheableOperation } from '../../api/cache/use-cache-verdict.ts';

const answer = (bytes: number): CachedResponse => ({ status: 200, headers: [['content-type', 'application/json']], body: Buffer.alloc(bytes, 0x20) });

describe('response cache store', () => {
  it('returns what was stored and counts hits and misses', () => {
    const cache = new ResponseCache({ maxBytes: 10_000 });
    assert.equal(cache.get('a'), undefined);
    const a = answer(100);
    cache.set('a', a);
    assert.equal(cache.get('a'), a);
    assert.deepEqual([cache.hits, cache.misses, cache.size, cache.bytes], [1, 1, 1, 2 + 100]);
  });

  it('evicts the least recently used beyond the byte bound, keys counted', () => {
    const cache = new ResponseCache({ maxBytes: 3 * (2 + 1000) });
    cache.set('a', answer(1000));
    cache.set('b', answer(1000));
    cache.set('c', answer(1000));
    assert.equal(cache.size, 3);
    cache.get('a'); // a is now the most recently used: b goes first
    cache.set('d', answer(1000));
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => cache.get(k) !== undefined), [true, false, true, true]);
    assert.equal(cache.evictions, 1);
    assert.ok(cache.bytes <= cache.maxBytes);
    cache.set('e', answer(2500)); // needs the room of three
    assert.ok(cache.bytes <= cache.maxBytes, `${cache.bytes} > ${cache.maxBytes}`);
    assert.ok(cache.get('e'));
    assert.equal(cache.size, 1);
  });

  it('does not store an answer larger than the whole bound, and replaces a key in place', () => {
    const cache = new ResponseCache({ maxBytes: 500 });
    cache.set('big', answer(600));
    assert.equal(cache.size, 0);
    cache.set('k', answer(100));
    cache.set('k', answer(200));
    assert.deepEqual([cache.size, cache.bytes], [1, 2 + 200]);
    assert.throws(() => new ResponseCache({ maxBytes: -1 }), RangeError);
  });
});

describe('cacheable operations', () => {
  const ok = (q: string, name?: string) => isCacheableOperation(parse(q), name);
  it('are queries of data fields only, fragments expanded', () => {
    assert.equal(ok('{ workoutBpmSummaries { totalCount } gymSummaries { totalCount } __typename }'), true);
    assert.equal(ok('query Q($u: Long!) { user(id: $u) { userId } me { userId } workoutStats(groupBy: [CITY]) { workouts } }'), true);
    assert.equal(ok('fragment F on Query { gymUtilisation(groupBy: [GYM]) { visits } } { ...F ... on Query { workoutBpmSummaries { totalCount } } }'), true);
  });

  it('are not: pipelineStatus (clock-dependent), anywhere at the root, nor mutations', () => {
    assert.equal(ok('{ pipelineStatus { version } }'), false);
    assert.equal(ok('{ workoutBpmSummaries { totalCount } pipelineStatus { version } }'), false);
    assert.equal(ok('fragment F on Query { pipelineStatus { version } } { ...F }'), false);
    assert.equal(ok('{ ... on Query { pipelineStatus { version } } }'), false);
    assert.equal(ok('{ ...Missing }'), false);
    assert.equal(ok('mutation { workoutBpmSummaries { totalCount } }'), false);
    assert.equal(ok('subscription { workoutBpmSummaries { totalCount } }'), false);
  });

  it('follow the operation chosen by name', () => {
    const doc = 'query A { pipelineStatus { version } } query B { gymSummaries { totalCount } }';
    assert.equal(ok(doc, 'A'), false);
    assert.equal(ok(doc, 'B'), true);
    assert.equal(ok(doc), false); // ambiguous: no operation
  });
});
