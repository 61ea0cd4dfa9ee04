/**
 * Worker threads start from a bundle of their tasks (lakehouse/threads/worker-script.ts), not through
 * tsx: the bundle must exist where packages resolve, be plain JavaScript, and run the tasks.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { kafkaMultiplexBz } from '../../schema/tables.ts';
import { WorkerPool } from '../../lakehouse/threads/pool.ts';
import { workerScript } from '../../lakehouse/threads/worker-script.ts';

test('the worker script is a JavaScript bundle in node_modules/.cache/fitlake that runs the tasks', async () => {
  const url = workerScript();
  assert.equal(url.protocol, 'file:', `expected a bundled file, got ${url.href.slice(0, 60)}`);
  const file = fileURLToPath(url);
  assert.match(file, /node_modules\/\.cache\/fitlake\/tasks-[0-9a-f]{16}\.mjs$/);
  assert.ok(existsSync(file));
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /tsx/, 'the bundle must not go through tsx');
  assert.doesNotMatch(text, /from "apache-arrow"/, 'apache-arrow is bundled (resolving its modules slowed every worker start)');
  assert.match(text, /from "parquet-wasm"/, 'parquet-wasm stays an import by name, to find its .wasm file');
  assert.equal(workerScript().href, url.href, 'made once per process');

  const pool = new WorkerPool(1);
  const line = JSON.stringify({ key: '1', value: '{"device_id":1,"time":2,"heartrate":3}', topic: 'bpm', partition: 0, offset: 7, timestamp: 1678410000 });
  const columns = [...kafkaMultiplexBz.columns];
  const output = await pool.run('parseDumpPart', {
    bytes: new TextEncoder().encode(`${line}\n`),
    fileKey: 'kafka/x.json',
    atFileStart: true,
    loadTime: 0,
    table: kafkaMultiplexBz.name,
    declared: columns.map((c) => c.name),
    columns,
    partitionColumns: [...kafkaMultiplexBz.partitionBy],
  });
  assert.deepEqual([output.rows, output.recordsIn, output.files.length, output.files[0]!.partitionValues], [1, 1, 1, { topic: 'bpm', week_part: '2023-10' }]);
});
