/**
 * The write verbs on local disk: merge (upsert), partition overwrite (static and dynamic), compaction
 * and vacuum, checked by what is read back, what the log says and what is left on disk.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heartRate, kafkaMultiplexBz } from '../../schema/tables.ts';
import type { TableDef } from '../../schema/types.ts';
import { numberColumn, uriPathToKey } from '../../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { LOG_DIR, SchemaMismatchError } from '../../lakehouse/table/log/index.ts';
import { writeDataFiles } from '../../lakehouse/table/files/index.ts';
import { batch, commitActions, CountingStore, dataFileKeys, heartRows, logVersions, MICROS_PER_SECOND, scratchStore, sleep, sortRows, StoreWrapper, T0, type Row } from '../support/delta-helpers.ts';

const HR_KEY = ['device_id', 'time'];
const hr = (rows: readonly Row[]) => batch(heartRate.columns, rows);
const liveKeys = (table: DeltaTable) => [...table.snapshot.files.keys()].map(uriPathToKey).sort();

function kafkaRows(topic: string, week: string, offsets: readonly number[]): Row[] {
  return offsets.map((offset) => ({
    key: null,
    value: `${topic}-${offset}`,
    topic,
    partition: 0,
    offset,
    timestamp: T0 + offset * MICROS_PER_SECOND,
    date: 19_632,
    week_part: week,
    load_time: T0,
    source_file: 'f.json',
  }));
}
const kafka = (rows: readonly Row[]) => batch(kafkaMultiplexBz.columns, rows);
const KAFKA_KEY = ['topic', 'week_part', 'offset'];

describe('merge', () => {
  test('inserts new keys, updates matched rows when whenMatched returns one, keeps them when it returns undefined', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    const existing = heartRows(1, 4); // times T0 .. T0+3s
    await table.append(hr(existing));

    const source: Row[] = [
      { ...existing[0]!, heartrate: 120 }, // higher: replaces
      { ...existing[1]!, heartrate: 10 }, // lower: kept as is
      { device_id: 1, time: T0 + 10 * MICROS_PER_SECOND, heartrate: 90, valid: true }, // new
      { device_id: 2, time: T0, heartrate: 91, valid: true }, // new
    ];
    const result = await table.merge(hr(source), {
      key: HR_KEY,
      whenMatched: (target, src) => ((src['heartrate'] as number) > (target['heartrate'] as number) ? src : undefined),
    });
    assert.equal(result.committed, true);
    assert.equal(result.version, 2);
    // Two files added: the rewrite of the matched file and one file of inserts.
    assert.deepEqual(result.metrics, { sourceRows: 4, inserted: 2, updated: 1, unchanged: 1, filesRead: 1, filesRemoved: 1, filesAdded: 2 });
    const expected = [{ ...existing[0]!, heartrate: 120 }, existing[1]!, existing[2]!, existing[3]!, source[2]!, source[3]!];
    assert.deepEqual(sortRows(await table.rows(), HR_KEY), sortRows(expected, HR_KEY));
    const actions = await commitActions(store, 2);
    // The update is recorded in the change data feed too (cdc), which change-data.test.ts checks row by row.
    assert.deepEqual(actions.map((a) => Object.keys(a)[0]), ['commitInfo', 'remove', 'add', 'add', 'cdc']);

    // Nothing to change (all matched, all kept): no commit at all.
    const idle = await table.merge(hr(existing.slice(1)), { key: HR_KEY, whenMatched: () => undefined });
    assert.deepEqual([idle.committed, idle.version, idle.metrics.unchanged, idle.metrics.filesRemoved], [false, 2, 3, 0]);
    // whenMatched defaults to keeping the target.
    const kept = await table.merge(hr([{ ...existing[2]!, heartrate: 200 }]), { key: HR_KEY });
    assert.equal(kept.committed, false);
    assert.deepEqual(await logVersions(store), [0, 1, 2]);
  });

  test("whenNotMatched 'ignore' only updates", async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    const existing = heartRows(1, 3);
    await table.append(hr(existing));
    const result = await table.merge(hr([{ ...existing[2]!, heartrate: 101 }, ...heartRows(7, 5)]), {
      key: HR_KEY,
      whenMatched: (_t, s) => s,
      whenNotMatched: 'ignore',
    });
    assert.deepEqual([result.metrics.inserted, result.metrics.updated], [0, 1]);
    assert.deepEqual(sortRows(await table.rows(), HR_KEY), [existing[0]!, existing[1]!, { ...existing[2]!, heartrate: 101 }]);

    const none = await table.merge(hr(heartRows(8, 2)), { key: HR_KEY, whenNotMatched: 'ignore' });
    assert.equal(none.committed, false);
  });

  test('a source holding a key twice is refused and nothing is written', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    await table.append(hr(heartRows(1, 3)));
    const files = await dataFileKeys(store);
    const twice = [...heartRows(5, 2), { ...heartRows(5, 1)[0]!, heartrate: 99 }];
    await assert.rejects(table.merge(hr(twice), { key: HR_KEY, whenMatched: (_t, s) => s }), /more than once/);
    await assert.rejects(table.merge(hr(twice), { key: ['device_id'] }), /more than once/);
    assert.deepEqual(await logVersions(store), [0, 1]);
    assert.deepEqual(await dataFileKeys(store), files);
  });

  test('a two-number key with a null cell partway through still finds a key twice and matches stored rows', async (t) => {
    const { store } = await scratchStore(t);
    const pairs: TableDef = {
      name: 'pairs',
      layer: 'silver',
      columns: [
        { name: 'a', type: 'long', nullable: true },
        { name: 'b', type: 'long', nullable: false },
        { name: 'v', type: 'string', nullable: false },
      ],
      primaryKey: ['a', 'b'],
      partitionBy: [],
      description: 'two-number keys, the first nullable',
    };
    const rows = (cells: [number | null, number, string][]) => batch(pairs.columns, cells.map(([a, b, v]) => ({ a, b, v })));
    const table = await DeltaTable.createIfAbsent(store, pairs);
    // Numbers first, then a null: the repeat of (1, 1) comes after the index changed kind.
    await assert.rejects(table.merge(rows([[1, 1, 'x'], [1, 2, 'x'], [null, 3, 'x'], [1, 1, 'y']]), { key: ['a', 'b'] }), /more than once/);
    await table.merge(rows([[1, 1, 'x'], [null, 3, 'x']]), { key: ['a', 'b'] });
    const result = await table.merge(rows([[1, 1, 'new'], [2, 2, 'new'], [null, 3, 'new']]), { key: ['a', 'b'], whenMatched: (_t, s) => s });
    assert.deepEqual([result.metrics.updated, result.metrics.inserted], [2, 1]);
    assert.deepEqual((await table.rows()).map((r) => `${r['a']}/${r['b']}=${r['v']}`).sort(), ['1/1=new', '2/2=new', 'null/3=new']);
  });

  test('string keys are ranged in code point order, the order of the statistics they are checked against', async (t) => {
    const { store } = await scratchStore(t);
    const columns = [
      { name: 'k', type: 'string', nullable: false },
      { name: 'v', type: 'long', nullable: false },
    ] as const;
    const table = await DeltaTable.createIfAbsent(store, { name: 'keyed', columns });
    await table.append(batch(columns, [{ k: '😀', v: 1 }]));
    // In UTF-16 order the source range would be ['😀', '！'], which in statistics order holds nothing.
    const result = await table.merge(batch(columns, [{ k: '😀', v: 2 }, { k: '！', v: 3 }]), { key: ['k'], whenMatched: (_t, s) => s });
    assert.deepEqual([result.metrics.filesRead, result.metrics.updated, result.metrics.inserted], [1, 1, 1]);
    assert.deepEqual(sortRows(await table.rows(), ['v']), [{ k: '😀', v: 2 }, { k: '！', v: 3 }]);
  });

  test('only files whose statistics overlap the source key range are read', async (t) => {
    const { store } = await scratchStore(t);
    const counting = new CountingStore(store);
    const table = await DeltaTable.createIfAbsent(counting, heartRate);
    // Four files: devices 1-10, 11-20, 21-30, 31-40, all at the same times.
    for (let f = 0; f < 4; f++) {
      const rows: Row[] = [];
      for (let d = f * 10 + 1; d <= f * 10 + 10; d++) rows.push(...heartRows(d, 5));
      await table.append(hr(rows));
    }
    counting.dataReads.length = 0;
    const update = { ...heartRows(12, 1)[0]!, heartrate: 180 };
    const insert = heartRows(15, 1, T0 + 3600 * MICROS_PER_SECOND)[0]!;
    const result = await table.merge(hr([update, insert]), { key: HR_KEY, whenMatched: (_t, s) => s });
    assert.equal(result.metrics.filesRead, 1, 'devices 12..15 only overlap the second file');
    assert.equal(counting.dataReads.length, 1);
    assert.deepEqual([result.metrics.updated, result.metrics.inserted, result.metrics.filesRemoved], [1, 1, 1]);

    // A range spanning two files reads both, but rewrites only the one holding a match.
    const wide = await table.merge(hr([{ ...heartRows(9, 1)[0]!, heartrate: 1 }, heartRows(22, 1, T0 + 99 * MICROS_PER_SECOND)[0]!]), {
      key: HR_KEY,
      whenMatched: (_t, s) => s,
    });
    assert.equal(wide.metrics.filesRead, 3, 'devices 9..22 overlap the first, second (rewritten) and third files');
    assert.equal(wide.metrics.filesRemoved, 1);
    assert.equal(await table.count(), 200 + 2);
    const device12 = await table.rows({ predicates: [{ column: 'device_id', op: '=', value: 12 }, { column: 'time', op: '=', value: T0 }] });
    assert.deepEqual(device12, [update]);
  });

  test('source rows flagged absent are inserted without a lookup; the others are looked up as before', async (t) => {
    const { store } = await scratchStore(t);
    const counting = new CountingStore(store);
    const table = await DeltaTable.createIfAbsent(counting, heartRate);
    for (let f = 0; f < 3; f++) await table.append(hr(heartRows(f + 1, 5)));
    counting.dataReads.length = 0;
    // New readings of devices 1..3 (inside every file's bounds): flagged absent, no file is read.
    const fresh = [1, 2, 3].map((d) => heartRows(d, 1, T0 + 3600 * MICROS_PER_SECOND)[0]!);
    const inserted = await table.merge(hr(fresh), { key: HR_KEY, whenMatched: (_t, s) => s, absentRows: Uint8Array.of(1, 1, 1) });
    assert.deepEqual([inserted.metrics.inserted, inserted.metrics.filesRead, counting.dataReads.length], [3, 0, 0]);
    // Mixed: the unflagged update is looked up (one file), the flagged row inserted.
    const update = { ...heartRows(2, 1)[0]!, heartrate: 180 };
    const another = heartRows(2, 1, T0 + 7200 * MICROS_PER_SECOND)[0]!;
    const mixed = await table.merge(hr([another, update]), { key: HR_KEY, whenMatched: (_t, s) => s, absentRows: Uint8Array.of(1, 0) });
    assert.deepEqual([mixed.metrics.inserted, mixed.metrics.updated, mixed.metrics.filesRead], [1, 1, 1]);
    assert.equal(await table.count(), 15 + 3 + 1);
    assert.deepEqual(await table.rows({ predicates: [{ column: 'device_id', op: '=', value: 2 }, { column: 'time', op: '=', value: T0 }] }), [update]);
    await assert.rejects(table.merge(hr([update]), { key: HR_KEY, absentRows: Uint8Array.of(1, 1) }), /absentRows has 2 flags for 1 source rows/);
  });

  test('a source of unique keys reads only the candidates whose bounds hold one of its keys, with the same outcome', async (t) => {
    const run = async (uniqueSource: boolean) => {
      const { store } = await scratchStore(t);
      const counting = new CountingStore(store);
      const table = await DeltaTable.createIfAbsent(counting, heartRate);
      const file = (first: number, start: number) => {
        const rows: Row[] = [];
        for (let d = first; d < first + 10; d++) rows.push(...heartRows(d, 5, start));
        return rows;
      };
      await table.append(hr(file(1, T0))); // devices 1-10, T0 .. T0+4s
      await table.append(hr(file(11, T0))); // devices 11-20, T0 .. T0+4s
      await table.append(hr(file(1, T0 + 100 * MICROS_PER_SECOND))); // devices 1-10, later
      counting.dataReads.length = 0;
      // Together the keys span devices 5..15 and T0+2s..T0+50s, which the first two files overlap; only
      // the first file's bounds hold a key (device 15 at T0+50s is outside the second file's times).
      const source = [{ ...heartRows(5, 3)[2]!, heartrate: 1 }, heartRows(15, 1, T0 + 50 * MICROS_PER_SECOND)[0]!];
      const result = await table.merge(hr(source), { key: HR_KEY, whenMatched: (_t, s) => s, uniqueSource });
      return { result, reads: counting.dataReads.length, rows: sortRows(await table.rows(), HR_KEY) };
    };
    const plain = await run(false);
    const unique = await run(true);
    assert.equal(plain.result.metrics.filesRead, 2);
    assert.equal(unique.result.metrics.filesRead, 1, 'the second file holds none of the source keys');
    assert.equal(unique.reads, 1);
    assert.deepEqual([unique.result.metrics.updated, unique.result.metrics.inserted], [1, 1]);
    assert.deepEqual(unique.rows, plain.rows);
  });

  test('a file the caller wrote (written, passed back as knownFiles) is probed from its rows, not read, with the same outcome', async (t) => {
    const { store } = await scratchStore(t);
    const counting = new CountingStore(store);
    const table = await DeltaTable.createIfAbsent(counting, heartRate);
    const first = await table.merge(hr(heartRows(1, 10)), { key: HR_KEY, uniqueSource: true });
    assert.ok(first.written, 'one file of inserts');
    assert.equal(first.written.rows.numRows, 10);
    assert.deepEqual([...table.snapshot.files.keys()], [first.written.path]);
    counting.dataReads.length = 0;
    // Overlapping the first file: one row lower (replaces), one higher (kept), one new.
    const rows = heartRows(1, 10);
    const source = [{ ...rows[3]!, heartrate: 1 }, { ...rows[4]!, heartrate: 500 }, heartRows(1, 1, T0 + 60 * MICROS_PER_SECOND)[0]!];
    const lower = (target: Row, s: Row) => ((s['heartrate'] as number) < (target['heartrate'] as number) ? s : undefined);
    const second = await table.merge(hr(source), { key: HR_KEY, whenMatched: lower, uniqueSource: true, knownFiles: new Map([[first.written.path, first.written.rows]]) });
    assert.equal(counting.dataReads.length, 0, 'the known file is not read');
    assert.deepEqual([second.metrics.filesRead, second.metrics.updated, second.metrics.unchanged, second.metrics.inserted, second.metrics.filesRemoved], [1, 1, 1, 1, 1]);
    const expected = [...rows.map((r, i) => (i === 3 ? { ...r, heartrate: 1 } : r)), source[2]!];
    assert.deepEqual(sortRows(await table.rows(), HR_KEY), sortRows(expected, HR_KEY));
  });

  test('number keys in Float64Arrays (numberColumn, as heart_rate builds them) merge as the same keys in plain arrays do', async (t) => {
    // The heart-rate shape: numbers as Float64Arrays, valid as cells.
    const typed = (rows: readonly Row[]) => {
      const plain = hr(rows);
      const columns = new Map(plain.columns);
      for (const name of ['device_id', 'time', 'heartrate']) columns.set(name, numberColumn(Float64Array.from(plain.columns.get(name) as number[])));
      return { numRows: plain.numRows, columns };
    };
    const lower = (target: Row, s: Row) => ((s['heartrate'] as number) < (target['heartrate'] as number) ? s : undefined);
    const run = async (make: typeof hr) => {
      const { store } = await scratchStore(t);
      const table = await DeltaTable.createIfAbsent(store, heartRate);
      await table.append(hr([...heartRows(1, 5), ...heartRows(2, 5)])); // read from disk: plain arrays
      const first = await table.merge(make([...heartRows(3, 10), ...heartRows(0, 2, T0 + 2 * MICROS_PER_SECOND)]), { key: HR_KEY, uniqueSource: true, whenMatched: lower });
      assert.ok(first.written);
      // Overlapping both files (devices 1..3): lower heart rates replace, higher ones do not, others insert.
      const source = [
        { ...heartRows(1, 5)[2]!, heartrate: 1 },
        { ...heartRows(3, 10)[4]!, heartrate: 10 },
        { ...heartRows(3, 10)[5]!, heartrate: 500 },
        heartRows(2, 1, T0 + 30 * MICROS_PER_SECOND)[0]!,
        heartRows(3, 1, T0 + 30 * MICROS_PER_SECOND)[0]!,
      ];
      const second = await table.merge(make(source), { key: HR_KEY, uniqueSource: true, whenMatched: lower, knownFiles: new Map([[first.written.path, first.written.rows]]) });
      return { metrics: [first.metrics, second.metrics], rows: sortRows(await table.rows(), HR_KEY) };
    };
    const plain = await run(hr);
    const numbers = await run(typed);
    assert.deepEqual(numbers, plain);
    assert.deepEqual([plain.metrics[1]!.updated, plain.metrics[1]!.unchanged, plain.metrics[1]!.inserted], [2, 1, 2]);
  });

  test('a two-column key that is not two numbers (topic, offset) matches as any key does', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, kafkaMultiplexBz);
    await table.append(kafka([...kafkaRows('bpm', '2023-10', [1, 2, 3]), ...kafkaRows('workout', '2023-10', [1, 2])]));
    const changed = kafkaRows('workout', '2023-10', [2, 9]).map((r) => ({ ...r, value: `changed-${r.offset}` }));
    for (const uniqueSource of [false, true]) {
      const result = await table.merge(kafka(changed), { key: ['topic', 'offset'], whenMatched: (target, s) => (target['value'] === s['value'] ? undefined : s), uniqueSource });
      assert.deepEqual([result.metrics.updated, result.metrics.inserted, result.metrics.unchanged], uniqueSource ? [0, 0, 2] : [1, 1, 0]);
    }
    const values = (await table.rows()).map((r) => `${r['topic']}/${r['offset']}=${r['value']}`).sort();
    assert.deepEqual(values, ['bpm/1=bpm-1', 'bpm/2=bpm-2', 'bpm/3=bpm-3', 'workout/1=workout-1', 'workout/2=changed-2', 'workout/9=changed-9']);
  });
});

describe('deleteRows', () => {
  test('rewrites only the files holding a matching row, keeps their other rows, commits once, and is a no-op when nothing matches', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    await table.append(hr(heartRows(1, 10)));
    await table.append(hr(heartRows(2, 10)));
    const before = table.version;
    const filesBefore = liveKeys(table);

    // Device 1's readings from T0+5s on; the statistics keep device 2's file out of it.
    const cut = T0 + 5 * MICROS_PER_SECOND;
    const result = await table.deleteRows({
      where: [{ column: 'device_id', op: '=', value: 1 }],
      matches: (b, i) => b.columns.get('device_id')![i] === 1 && (b.columns.get('time')![i] as number) >= cut,
    });
    assert.deepEqual([result.committed, result.deleted, result.filesRemoved, result.filesAdded], [true, 5, 1, 1]);
    assert.equal(table.version, before + 1);
    assert.equal(liveKeys(table).filter((k) => filesBefore.includes(k)).length, 1, "device 2's file is untouched");
    const info = (await commitActions(store, table.version)).find((a) => 'commitInfo' in a);
    assert.ok(info && 'commitInfo' in info && info.commitInfo.operation === 'DELETE');
    const rows = await table.rows();
    assert.deepEqual(
      sortRows(rows, HR_KEY).map((r) => `${r.device_id}@${((r.time as number) - T0) / MICROS_PER_SECOND}`),
      [...[0, 1, 2, 3, 4].map((s) => `1@${s}`), ...Array.from({ length: 10 }, (_, s) => `2@${s}`)],
    );

    const again = await table.deleteRows({ where: [{ column: 'device_id', op: '=', value: 1 }], matches: (b, i) => (b.columns.get('time')![i] as number) >= cut });
    assert.deepEqual([again.committed, again.deleted], [false, 0]);
    assert.equal(table.version, before + 1, 'nothing to delete: no commit');

    // Every row of a file: the file goes, nothing is written in its place.
    const all = await table.deleteRows({ where: [{ column: 'device_id', op: '=', value: 2 }], matches: () => true });
    assert.deepEqual([all.deleted, all.filesRemoved, all.filesAdded], [10, 1, 0]);
    assert.equal((await table.rows()).length, 5);
  });
});

describe('overwrite', () => {
  test('overwriting one partition (where) leaves the others untouched', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, kafkaMultiplexBz);
    const bpm10 = kafkaRows('bpm', '2023-10', [1, 2, 3]);
    const bpm11 = kafkaRows('bpm', '2023-11', [4, 5]);
    const workout10 = kafkaRows('workout', '2023-10', [6, 7]);
    await table.append(kafka([...bpm10, ...bpm11, ...workout10]));
    const workoutFile = liveKeys(table).filter((k) => k.startsWith('topic=workout/'));

    const replacement = kafkaRows('bpm', '2023-10', [100]);
    const result = await table.overwrite(kafka(replacement), { where: [{ column: 'topic', op: '=', value: 'bpm' }] });
    assert.equal(result.committed, true);
    assert.deepEqual(sortRows(await table.rows(), KAFKA_KEY), sortRows([...replacement, ...workout10], KAFKA_KEY), 'both bpm weeks replaced, workout kept');
    assert.deepEqual(liveKeys(table).filter((k) => k.startsWith('topic=workout/')), workoutFile, 'the untouched partition keeps its very file');
    const actions = await commitActions(store, 2);
    assert.equal(actions.filter((a) => 'remove' in a).length, 2);
    const info = actions.find((a) => 'commitInfo' in a);
    assert.ok(info && 'commitInfo' in info);
    assert.deepEqual(info.commitInfo.operationParameters, { mode: 'Overwrite', partitionOverwriteMode: 'STATIC' });

    await assert.rejects(table.overwrite(kafka(replacement), { where: [{ column: 'offset', op: '=', value: 1 }] }), SchemaMismatchError);
  });

  test('dynamic overwrite replaces exactly the partitions present in the batch', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, kafkaMultiplexBz);
    const bpm10 = kafkaRows('bpm', '2023-10', [1, 2]);
    const bpm11 = kafkaRows('bpm', '2023-11', [3, 4]);
    const workout11 = kafkaRows('workout', '2023-11', [5]);
    await table.append(kafka([...bpm10, ...bpm11, ...workout11]));
    await table.append(kafka(kafkaRows('bpm', '2023-10', [9]))); // a second file in the same partition

    const fresh = [...kafkaRows('bpm', '2023-10', [20]), ...kafkaRows('user_info', '2023-12', [21])];
    await table.overwrite(kafka(fresh));
    assert.deepEqual(sortRows(await table.rows(), KAFKA_KEY), sortRows([...bpm11, ...workout11, ...fresh], KAFKA_KEY));
    const removed = (await commitActions(store, 3)).filter((a) => 'remove' in a);
    assert.equal(removed.length, 2, 'both files of bpm/2023-10, nothing else');

    // An unpartitioned table is replaced whole.
    const { store: plainStore } = await scratchStore(t, 'plain');
    const plain = await DeltaTable.createIfAbsent(plainStore, heartRate);
    await plain.append(hr(heartRows(1, 3)));
    await plain.append(hr(heartRows(2, 3)));
    await plain.overwrite(hr(heartRows(3, 1)));
    assert.deepEqual(await plain.rows(), heartRows(3, 1));
    assert.deepEqual(sortRows(await plain.rows({ snapshot: await plain.snapshotAt(2) }), HR_KEY), sortRows([...heartRows(1, 3), ...heartRows(2, 3)], HR_KEY));
  });
});

/** Records the order of data file reads and writes (not the log's). */
class OrderingStore extends StoreWrapper {
  readonly events: string[] = [];
  override get(key: string): Promise<Uint8Array> {
    if (!key.startsWith(`${LOG_DIR}/`)) this.events.push(`read ${key}`);
    return this.inner.get(key);
  }
  override getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (!key.startsWith(`${LOG_DIR}/`) && !this.events.includes(`read ${key}`)) this.events.push(`read ${key}`);
    return this.inner.getRange(key, offset, length);
  }
  override put(key: string, data: Uint8Array): Promise<void> {
    if (!key.startsWith(`${LOG_DIR}/`)) this.events.push(`write ${key}`);
    return this.inner.put(key, data);
  }
  override putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    if (!key.startsWith(`${LOG_DIR}/`)) this.events.push(`write ${key}`);
    return this.inner.putIfAbsent(key, data);
  }
}

describe('compact', () => {
  test('many small files become one; every row stays; the commit says dataChange=false', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    const all: Row[] = [];
    for (let i = 0; i < 12; i++) {
      const rows = heartRows(i, 25);
      all.push(...rows);
      await table.append(hr(rows));
    }
    assert.equal(table.snapshot.files.size, 12);
    const before = table.version;

    const result = await table.compact();
    assert.deepEqual([result.filesRemoved, result.filesAdded], [12, 1]);
    assert.equal(result.commit?.version, before + 1);
    assert.equal(table.snapshot.files.size, 1);
    assert.deepEqual(sortRows(await table.rows(), HR_KEY), sortRows(all, HR_KEY));
    assert.equal(await table.count(), 300);

    const [latest] = await table.history(1);
    assert.equal(latest!.operation, 'OPTIMIZE');
    assert.equal(latest!.dataChange, false);
    const actions = await commitActions(store, before + 1);
    assert.ok(actions.every((a) => !('add' in a) || a.add.dataChange === false));
    assert.ok(actions.every((a) => !('remove' in a) || a.remove.dataChange === false));
    assert.equal((await table.compact()).commit, undefined, 'nothing left to compact');
  });

  test('a partition is compacted in bins of at most targetFileRows rows, each written before the next is read', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    const all: Row[] = [];
    for (let i = 0; i < 7; i++) {
      const rows = heartRows(i, 4);
      all.push(...rows);
      await table.append(hr(rows));
    }
    const order = new OrderingStore(store);
    const result = await (await DeltaTable.open(order)).compact({ targetFileRows: 10, smallFileRows: 10 });
    // A third file of 4 rows would take a bin past 10: three bins of two files, one new file each; the
    // seventh file alone stays as it is.
    assert.deepEqual([result.filesRemoved, result.filesAdded], [6, 3]);
    const firstWrite = order.events.findIndex((e) => e.startsWith('write'));
    const reads = order.events.filter((e) => e.startsWith('read'));
    assert.equal(reads.length, 6);
    assert.ok(firstWrite > 0 && firstWrite < order.events.lastIndexOf(reads.at(-1)!), `the first bin is written before the second is read: ${order.events.join(', ')}`);
    await table.refresh();
    assert.equal(table.snapshot.files.size, 4);
    assert.deepEqual(sortRows(await table.rows(), HR_KEY), sortRows(all, HR_KEY));
  });

  test('compaction works per partition and never mixes partitions', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, kafkaMultiplexBz);
    for (let i = 0; i < 3; i++) await table.append(kafka([...kafkaRows('bpm', '2023-10', [i]), ...kafkaRows('workout', '2023-10', [10 + i])]));
    await table.append(kafka(kafkaRows('user_info', '2023-10', [50])));
    const rows = await table.rows();
    const result = await table.compact();
    assert.deepEqual([result.filesRemoved, result.filesAdded], [6, 2], 'the lone user_info file is left alone');
    assert.equal(table.snapshot.files.size, 3);
    for (const add of table.snapshot.files.values()) assert.ok(uriPathToKey(add.path).startsWith(`topic=${add.partitionValues['topic']}/`));
    assert.deepEqual(sortRows(await table.rows(), KAFKA_KEY), sortRows(rows, KAFKA_KEY));
  });
});

describe('vacuum', () => {
  test('retention 0 deletes orphaned and removed files, never live files or the log', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    for (let i = 0; i < 3; i++) await table.append(hr(heartRows(i, 10)));
    const removedByCompaction = liveKeys(table);
    await table.compact();
    await table.append(hr(heartRows(7, 10)));
    // Files of a writer that died before its commit: on disk, referenced by no version.
    const orphans = (await writeDataFiles(store, 'heart_rate', heartRate.columns, [], hr(heartRows(99, 10)), { targetFileRows: 4 })).map((a) => uriPathToKey(a.path));
    assert.equal(orphans.length, 3);
    const live = liveKeys(table);
    const log = await logVersions(store);
    const rows = sortRows(await table.rows(), HR_KEY);
    await sleep(5); // retention 0 means "older than now": let the clock move past the last write

    const dry = await table.vacuum({ retentionHours: 0, dryRun: true });
    assert.deepEqual(dry.deleted.sort(), [...removedByCompaction, ...orphans].sort());
    assert.deepEqual((await dataFileKeys(store)).sort(), [...live, ...removedByCompaction, ...orphans].sort(), 'a dry run deletes nothing');

    const result = await table.vacuum({ retentionHours: 0 });
    assert.deepEqual(result.deleted.sort(), [...removedByCompaction, ...orphans].sort());
    assert.ok(result.bytes > 0);
    assert.deepEqual((await dataFileKeys(store)).sort(), live);
    assert.deepEqual(await logVersions(store), log);
    assert.deepEqual(sortRows(await (await DeltaTable.open(store)).rows(), HR_KEY), rows);
    assert.deepEqual((await table.vacuum({ retentionHours: 0 })).deleted, []);
  });

  test('a long retention deletes nothing, and time travel to before a compaction still works after a default vacuum', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    for (let i = 0; i < 4; i++) await table.append(hr(heartRows(i, 5)));
    const beforeCompaction = table.version;
    const oldRows = sortRows(await table.rows(), HR_KEY);
    await table.compact();
    await writeDataFiles(store, 'heart_rate', heartRate.columns, [], hr(heartRows(99, 3)));
    const files = (await dataFileKeys(store)).sort();
    await sleep(5);

    assert.deepEqual((await table.vacuum({ retentionHours: 10_000 })).deleted, []);
    assert.deepEqual((await table.vacuum()).deleted, [], 'default retention (a week) keeps recent tombstones and orphans');
    assert.deepEqual((await dataFileKeys(store)).sort(), files);
    const old = await table.snapshotAt(beforeCompaction);
    assert.deepEqual(sortRows(await table.rows({ snapshot: old }), HR_KEY), oldRows);
    assert.deepEqual(sortRows(await (await DeltaTable.open(store, beforeCompaction)).rows(), HR_KEY), oldRows);

    // The same vacuum a week and a bit later removes the compacted-away files.
    const later = Date.now() + 169 * 3_600_000;
    const result = await table.vacuum({ now: () => later });
    assert.equal(result.deleted.length, 4 + 1);
    assert.deepEqual(sortRows(await table.rows(), HR_KEY), oldRows);
  });
});
