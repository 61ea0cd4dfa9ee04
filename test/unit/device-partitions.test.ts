/** Splitting a range of readings by device before merging (lakehouse/steps/silver/device-partitions.ts). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { deviceBoundaries, DevicePartitions, pieceOf } from '../../lakehouse/steps/silver/device-partitions.ts';

test('boundaries split a sample into pieces of about equal size; every device has exactly one piece, in order', () => {
  const sample = Float64Array.from({ length: 1000 }, (_, i) => 500 + ((i * 7919) % 1000));
  const b = deviceBoundaries(sample, 4);
  assert.equal(b.length, 3);
  assert.deepEqual([...b], [750, 1000, 1250]);
  assert.deepEqual([0, 750, 751, 1000, 1001, 1250, 1251, 10_000].map((d) => pieceOf(b, d)), [0, 0, 1, 1, 2, 2, 3, 3]);
  // A sample of few devices gives fewer pieces, never an empty boundary list that loses one.
  assert.deepEqual([...deviceBoundaries(Float64Array.of(5, 5, 5, 5), 8)], [5]);
});

test('readings come back piece by piece, each piece in the order added, every reading once, and the spill folder goes', async () => {
  const parts = await DevicePartitions.create(Float64Array.of(10, 20));
  const added: [number, number, number][] = [];
  for (let i = 0; i < 50_000; i++) {
    const reading: [number, number, number] = [(i * 13) % 30, 1_678_406_400_000_000 + i, 60 + (i % 7) + 0.25];
    added.push(reading);
    parts.add(...reading);
  }
  const pieces: [number, number, number][][] = [];
  for await (const p of parts.readings()) pieces.push(Array.from(p.device, (d, i) => [d, p.time[i]!, p.heartrate[i]!]));
  await parts.close();
  assert.equal(pieces.length, 3);
  const expected = [0, 1, 2].map((k) => added.filter(([d]) => pieceOf(Float64Array.of(10, 20), d) === k));
  assert.deepEqual(pieces, expected);
  assert.equal(existsSync((parts as unknown as { dir: string }).dir), false);
});
