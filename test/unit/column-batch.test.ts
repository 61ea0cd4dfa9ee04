/**
 * Columns of numbers held as Float64Arrays (numberColumn) go through the batch helpers as arrays do:
 * taken, sliced and concatenated cell for cell, and stay Float64Arrays where every part is one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cell } from '../../schema/types.ts';
import { concatBatches, numberColumn, sliceRows, takeRows, type ColumnBatch } from '../../lakehouse/table/columns/index.ts';

const cells = (batch: ColumnBatch) => Object.fromEntries([...batch.columns].map(([name, values]) => [name, Array.from(values as ArrayLike<Cell>)]));

test('Float64Array columns are taken, sliced and concatenated like arrays, and stay Float64Arrays', () => {
  const a: ColumnBatch = { numRows: 3, columns: new Map<string, readonly Cell[]>([['n', numberColumn(new Float64Array([1, 2, 3, 99]).subarray(0, 3))], ['s', ['a', 'b', 'c']]]) };
  const b: ColumnBatch = { numRows: 2, columns: new Map<string, readonly Cell[]>([['n', numberColumn(new Float64Array([4, -0]))], ['s', ['d', null]]]) };
  const c: ColumnBatch = { numRows: 1, columns: new Map<string, readonly Cell[]>([['n', [7]], ['s', ['e']]]) };

  const ab = concatBatches(['n', 's'], [a, b]);
  assert.deepEqual(cells(ab), { n: [1, 2, 3, 4, -0], s: ['a', 'b', 'c', 'd', null] });
  assert.ok(ab.columns.get('n') instanceof Float64Array, 'numbers stay a Float64Array');
  assert.ok(Object.is(ab.columns.get('n')![4], -0));

  const abc = concatBatches(['n', 's'], [a, b, c]);
  assert.deepEqual(cells(abc), { n: [1, 2, 3, 4, -0, 7], s: ['a', 'b', 'c', 'd', null, 'e'] });
  assert.ok(Array.isArray(abc.columns.get('n')), 'a part that is an array makes an array');
  assert.deepEqual(cells(concatBatches(['n'], [])), { n: [] });

  const taken = takeRows(ab, [4, 0, 2]);
  assert.deepEqual(cells(taken), { n: [-0, 1, 3], s: [null, 'a', 'c'] });
  assert.ok(taken.columns.get('n') instanceof Float64Array);
  assert.deepEqual(cells(sliceRows(ab, 1, 3)), { n: [2, 3], s: ['b', 'c'] });
});
