/**
 * Batches cross to worker threads in wire form (lakehouse/threads/batch-wire.ts): what arrives must be
 * the batch that was sent, cell for cell, whatever its columns hold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cell } from '../../schema/types.ts';
import { numberColumn, type ColumnBatch } from '../../lakehouse/table/columns/index.ts';
import { fromWire, toWire } from '../../lakehouse/table/columns/index.ts';

const cells = (batch: ColumnBatch) => new Map([...batch.columns].map(([name, values]) => [name, Array.from(values as ArrayLike<Cell>)]));

test('a batch in wire form comes back cell for cell, and only buffers made for it are handed over', () => {
  const given = new Float64Array([1.5, -0, 3]);
  const batch: ColumnBatch = {
    numRows: 3,
    columns: new Map<string, readonly Cell[]>([
      ['numbers', [1, 2.5, -7]],
      ['given', numberColumn(given)],
      ['flags', [true, false, true]],
      ['numbersWithNull', [1, null, 3]],
      ['flagsWithNull', [false, null, true]],
      ['text', ['a', 'b', null]],
      ['mixed', [1, 'x', true]],
    ]),
  };
  const { wire, made } = toWire(batch);
  // What a worker receives: a structured clone.
  const back = fromWire(structuredClone(wire));
  assert.equal(back.numRows, 3);
  assert.deepEqual(cells(back), cells(batch));
  assert.ok(Object.is(back.columns.get('given')![1], -0), '-0 stays -0');
  const kinds = Object.fromEntries(wire.columns.map(([name, c]) => [name, c.kind]));
  assert.deepEqual(kinds, { numbers: 'numbers', given: 'numbers', flags: 'booleans', numbersWithNull: 'cells', flagsWithNull: 'cells', text: 'cells', mixed: 'cells' });
  assert.equal(made.length, 2, 'the numbers and flags columns were made for the message');
  assert.ok(!made.includes(given.buffer as ArrayBuffer), "the caller's own Float64Array is not handed over");
});
