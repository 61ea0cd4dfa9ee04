/**
 * NumberPairIndex (lakehouse/table/number-pair-index.ts) deduplicates heart-rate readings by (device,
 * time): it must find exactly the keys KeyIndex (Map semantics) finds, through growth and rehashing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyIndex, NumberPairIndex } from '../../lakehouse/table/keys/index.ts';
import { Prng } from '../../simulator/prng.ts';

test('NumberPairIndex finds the rows KeyIndex finds, over readings with repeats, odd numbers and growth', () => {
  const prng = Prng.fromSeed(11);
  const next = () => prng.float();
  const special = [0, -0, NaN, Infinity, -Infinity, 2 ** 53 - 1, -(2 ** 53), 4294967296, 4294967295, -1, 0.5, 1e300, Number.MIN_VALUE];
  const pairs: [number, number][] = [];
  for (let i = 0; i < 60_000; i++) {
    const r = next();
    if (r < 0.3 && pairs.length > 0) pairs.push(pairs[Math.floor(next() * pairs.length)]!); // a repeat
    else if (r < 0.35) pairs.push([special[Math.floor(next() * special.length)]!, special[Math.floor(next() * special.length)]!]);
    else pairs.push([100_000 + Math.floor(next() * 300), 1_678_406_400_000_000 + Math.floor(next() * 5000) * 1_000_000]);
  }
  const index = new NumberPairIndex(4); // small, so that it grows and rehashes many times
  const reference = new KeyIndex(2);
  const columns: number[][] = [[], []];
  let rows = 0;
  for (const [a, b] of pairs) {
    columns[0]!.push(a);
    columns[1]!.push(b);
    const expected = reference.add(columns, columns[0]!.length - 1, rows);
    const got = index.addOrFind(a, b);
    if (expected === undefined) {
      assert.equal(got, -1, `(${a}, ${b}) is new`);
      assert.equal(index.size, ++rows);
      assert.ok(Object.is(index.first[rows - 1], a + 0) || (Number.isNaN(a) && Number.isNaN(index.first[rows - 1]!)));
      assert.ok(Object.is(index.second[rows - 1], b + 0) || (Number.isNaN(b) && Number.isNaN(index.second[rows - 1]!)));
    } else {
      assert.equal(got, expected, `(${a}, ${b}) was row ${expected}`);
    }
  }
  assert.ok(rows > 30_000 && rows < 50_000, `a mix of new keys and repeats (${rows} rows)`);
});

test('0 and -0 are one key, and so are two NaNs, as in a Map', () => {
  const index = new NumberPairIndex();
  assert.equal(index.addOrFind(0, 5), -1);
  assert.equal(index.addOrFind(-0, 5), 0);
  assert.equal(index.addOrFind(NaN, NaN), -1);
  assert.equal(index.addOrFind(0 / 0, Number('x')), 1);
  assert.equal(index.addOrFind(5, 0), -1);
  assert.equal(index.size, 3);
});
