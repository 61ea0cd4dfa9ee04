/**
 * Landing zones no file can fool (issue 17), on local disk through the whole pipeline: a renamed,
 * moved or copied file is not ingested twice; a file replaced in place by other content is ingested
 * again whatever its modification time; hidden files and subfolders are not the source; symbolic links
 * that loop or lead out of the landing zone, FIFOs and files that cannot be read are quarantined once
 * each, naming the path and the reason, and every other file is ingested. No services needed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { gymLoginsBz, heartRate, kafkaMultiplexBz, quarantineRecords, registeredUsersBz, userProfile } from '../../schema/tables.ts';
import { StorageError } from '../../lakehouse/errors.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import type { ObjectStore } from '../../lakehouse/storage/index.ts';
import { landingTuning } from '../../lakehouse/steps/bronze/file-extent.ts';
import { rangeTuning } from '../../lakehouse/steps/bronze/landing-files.ts';
import { makeTestLake, type TestLake } from '../support/pipeline.ts';

const BRONZE = STEPS.filter((s) => s.layer === 'bronze');

/** A Kafka dump of `n` bpm records of one device, offsets from `first`. */
function dump(device: number, first: number, n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const time = 1_678_406_400 + first + i;
    lines.push(JSON.stringify({ key: String(device), value: JSON.stringify({ device_id: device, time, heartrate: 60 + (i % 30) }), topic: 'bpm', partition: 0, offset: first + i, timestamp: time }));
  }
  return lines.join('\n') + '\n';
}

async function lakeWith(t: TestContext, files: Record<string, string>): Promise<TestLake> {
  const lake = await makeTestLake('fitlake-hostile-');
  t.after(() => rm(lake.dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(lake.landingDir, name)), { recursive: true });
    await writeFile(path.join(lake.landingDir, name), text);
  }
  return lake;
}

const bronzeRows = async (lake: TestLake) => (await lake.lake.table(kafkaMultiplexBz)).count();
const quarantined = async (lake: TestLake) => (await (await lake.lake.table(quarantineRecords)).rows({ columns: ['source', 'reason'] })) as { source: string; reason: string }[];

test('a renamed, moved or copied file is not ingested again; one replaced in place by other content is, whatever its time', async (t) => {
  const lake = await lakeWith(t, { 'kafka/a.json': dump(1, 0, 50), 'kafka/b.json': dump(2, 0, 40) });
  await runPipeline(lake.ctx, BRONZE);
  assert.equal(await bronzeRows(lake), 90);
  const kafka = path.join(lake.landingDir, 'kafka');
  await rename(path.join(kafka, 'a.json'), path.join(kafka, 'a-renamed.json'));
  await mkdir(path.join(kafka, 'processed'));
  await rename(path.join(kafka, 'b.json'), path.join(kafka, 'processed', 'b.json'));
  await writeFile(path.join(kafka, 'a-copy.json'), dump(1, 0, 50));
  await runPipeline(lake.ctx, BRONZE);
  assert.equal(await bronzeRows(lake), 90, 'nothing doubled');

  // Same name, same size, older modification time, other content (device 3 instead of 1): a new file.
  const renamed = path.join(kafka, 'a-renamed.json');
  await writeFile(renamed, dump(3, 0, 50));
  await utimes(renamed, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
  await runPipeline(lake.ctx, BRONZE);
  assert.equal(await bronzeRows(lake), 140, 'the replaced content is in');
  assert.deepEqual(await quarantined(lake), []);
});

test('hidden files and subfolders are not the source', async (t) => {
  const lake = await lakeWith(t, { 'kafka/a.json': dump(1, 0, 5), 'kafka/.partial.json': dump(2, 0, 5), 'kafka/_tmp.json': dump(3, 0, 5), 'kafka/old/x.json': dump(4, 0, 5) });
  await runPipeline(lake.ctx, BRONZE);
  assert.equal(await bronzeRows(lake), 5);
});

test('links that loop or leave the landing zone and FIFOs are quarantined once, never read; the other files go in', async (t) => {
  const outside = path.join(os.tmpdir(), `fitlake-outside-${process.pid}.csv`);
  await writeFile(outside, 'user_id,device_id,mac_address,registration_timestamp\n1,2,02:00:00:00:00:01,1678406400\n');
  t.after(() => rm(outside, { force: true }));
  const lake = await lakeWith(t, { 'kafka/a.json': dump(1, 0, 10), 'registered_users/ok.csv': 'user_id,device_id,mac_address,registration_timestamp\n7,8,02:00:00:00:00:07,1678406400\n' });
  const kafka = path.join(lake.landingDir, 'kafka');
  await symlink('9-loop.json', path.join(kafka, '9-loop.json'));
  await symlink(outside, path.join(lake.landingDir, 'registered_users', 'passwd.csv'));
  // A link inside the landing zone is the file it names (already ingested under its own name).
  await symlink('a.json', path.join(kafka, 'alias.json'));
  execFileSync('mkfifo', [path.join(kafka, 'pipe.json')]);
  await runPipeline(lake.ctx, BRONZE);
  assert.equal(await bronzeRows(lake), 10);
  assert.equal((await (await lake.lake.table(registeredUsersBz)).rows()).length, 1, 'only the real registration');
  const rows = await quarantined(lake);
  const reasonOf = (source: string) => rows.find((r) => r.source === source)?.reason ?? '';
  assert.match(reasonOf('kafka/9-loop.json'), /symbolic link loop/);
  assert.match(reasonOf('registered_users/passwd.csv'), /outside the store/);
  assert.match(reasonOf('kafka/pipe.json'), /FIFO/);
  assert.equal(rows.length, 3);
  await runPipeline(lake.ctx, BRONZE);
  assert.equal((await quarantined(lake)).length, 3, 'each refused once');
});

test('a file that cannot be read is quarantined as a whole and the run goes on; a store outage is retried, not quarantined', async (t) => {
  const lake = await lakeWith(t, { 'kafka/a.json': dump(1, 0, 10), 'kafka/bad.json': dump(2, 0, 10), 'kafka/c.json': dump(3, 0, 10) });
  const disk = lake.ctx.landing!;
  let outage = true;
  const failing = (key: string) => {
    if (key === 'kafka/bad.json') throw new StorageError('read kafka/bad.json: input/output error (EIO on a bad sector)', { key, retriable: false });
    if (outage && key === 'kafka/c.json') throw new StorageError('the store did not answer', { key });
  };
  lake.ctx.landing = Object.assign(Object.create(disk) as ObjectStore, {
    getRange: async (key: string, offset: number, length: number) => {
      failing(key);
      return disk.getRange(key, offset, length);
    },
  });
  await assert.rejects(runPipeline(lake.ctx, BRONZE), /did not answer/);
  outage = false;
  await runPipeline(lake.ctx, BRONZE);
  assert.equal(await bronzeRows(lake), 20);
  const rows = await quarantined(lake);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.source, 'kafka/bad.json');
  assert.match(rows[0]!.reason, /file unreadable: .*EIO/);
  await runPipeline(lake.ctx, BRONZE);
  assert.equal((await quarantined(lake)).length, 1);
});

test('a file still being written: its half last line waits, and the file is read on from there when it grows', async (t) => {
  const header = 'user_id,device_id,mac_address,registration_timestamp\n';
  const lake = await lakeWith(t, {
    // The exporter is still writing: the last registration's time is cut short (16784 for 1678406400).
    'registered_users/export.csv': header + '7,8,02:00:00:00:00:07,1678406400\n99071,990071,02:00:00:00:00:71,16784',
    'kafka/growing.json': dump(1, 0, 100) + dump(1, 100, 1).slice(0, 40),
  });
  await runPipeline(lake.ctx, BRONZE);
  const registrations = async () => ((await (await lake.lake.table(registeredUsersBz)).rows({ columns: ['user_id', 'registration_timestamp'] })) as { user_id: number; registration_timestamp: number }[]).sort((a, b) => a.user_id - b.user_id);
  assert.deepEqual((await registrations()).map((r) => r.user_id), [7], 'the cut registration is not kept');
  assert.equal(await bronzeRows(lake), 100, 'the half record waits');
  assert.deepEqual(await quarantined(lake), [], 'and is not quarantined');

  // The writers finish their lines and go on.
  await writeFile(path.join(lake.landingDir, 'registered_users', 'export.csv'), header + '7,8,02:00:00:00:00:07,1678406400\n99071,990071,02:00:00:00:00:71,1678406400\n99072,990072,02:00:00:00:00:72,1678406401\n');
  await writeFile(path.join(lake.landingDir, 'kafka', 'growing.json'), dump(1, 0, 100) + dump(1, 100, 50) + '{"broken\n');
  await runPipeline(lake.ctx, BRONZE);
  const seconds = (r: { registration_timestamp: number }) => r.registration_timestamp / 1_000_000;
  assert.deepEqual((await registrations()).map((r) => [r.user_id, seconds(r)]), [[7, 1678406400], [99071, 1678406400], [99072, 1678406401]]);
  assert.equal(await bronzeRows(lake), 150, 'read on from the first 100 records, none twice');
  const rows = await quarantined(lake);
  assert.deepEqual(rows.map((r) => r.source), ['kafka/growing.json:151'], 'lines numbered on across the two reads');

  // Unchanged since: nothing more.
  await runPipeline(lake.ctx, BRONZE);
  assert.equal(await bronzeRows(lake), 150);
  assert.equal((await registrations()).length, 3);
});

test('a last line without a line break is read once the file has not changed for a while', async (t) => {
  const lake = await lakeWith(t, { 'kafka/done.json': dump(1, 0, 10).trimEnd() });
  const old = new Date(Date.now() - 120_000);
  await utimes(path.join(lake.landingDir, 'kafka', 'done.json'), old, old);
  await runPipeline(lake.ctx, BRONZE);
  assert.equal(await bronzeRows(lake), 10);
});

test('a line over the limit is quarantined with its first kilobyte, the rest passed over, on both read paths', async (t) => {
  const tuning = { ...landingTuning };
  const range = { ...rangeTuning };
  t.after(() => {
    Object.assign(landingTuning, tuning);
    Object.assign(rangeTuning, range);
  });
  landingTuning.maxLineBytes = 1024 * 1024;
  const long = `{"key":"1","value":"${'x'.repeat(3 * 1024 * 1024)}"}\n`;
  for (const parts of [false, true]) {
    // Read line by line, or in 64 KiB parts (what files from 8 MiB on get).
    Object.assign(rangeTuning, parts ? { minFileBytes: 0, partBytes: 64 * 1024, minPartBytes: 64 * 1024 } : range);
    const lake = await lakeWith(t, {
      'kafka/long.json': dump(1, 0, 10) + long + dump(1, 10, 10),
      'registered_users/long.csv': `user_id,device_id,mac_address,registration_timestamp\n7,8,02:00:00:00:00:07,1678406400\n${'9'.repeat(2 * 1024 * 1024)}\n8,9,02:00:00:00:00:08,1678406400\n`,
    });
    await runPipeline(lake.ctx, BRONZE);
    const where = parts ? 'in parts' : 'line by line';
    assert.equal(await bronzeRows(lake), 20, where);
    assert.equal((await (await lake.lake.table(registeredUsersBz)).rows()).length, 2, where);
    const rows = (await (await lake.lake.table(quarantineRecords)).rows({ columns: ['source', 'raw', 'reason'] })) as { source: string; raw: string; reason: string }[];
    assert.deepEqual(rows.map((r) => r.source).sort(), ['kafka/long.json:11', 'registered_users/long.csv:3'], where);
    for (const r of rows) {
      assert.ok(r.raw.length <= 1024, `${where}: raw of ${r.raw.length}`);
      assert.match(r.reason, /over the limit of 1048576/);
    }
    // Nothing of the long line reached the log: its statistics are a prefix.
    const quarantine = await lake.lake.table(quarantineRecords);
    for (const add of quarantine.snapshot.files.values()) assert.ok((add.stats ?? '').length < 2_000, `${where}: stats of ${add.stats?.length}`);
  }
});

test('CSV as RFC 4180: a quoted field with line breaks is one record, not a refused one and a phantom', async (t) => {
  const lake = await lakeWith(t, {
    'gym_logins/visits.csv': [
      'mac_address,gym,login,logout,note',
      '02:00:00:00:00:01,1,1678406400,1678410000,"came with a friend,',
      '02:00:00:00:00:99,2,1678406400,1678410000,who said ""hi"""',
      '02:00:00:00:00:02,1,1678406400,1678410000,plain',
      '02:00:00:00:00:03,1,1678406400,1678410000,"never closed',
      '02:00:00:00:00:04,1,1678406400,1678410000,x',
    ].join('\n') + '\n',
  });
  await runPipeline(lake.ctx, BRONZE);
  const macs = ((await (await lake.lake.table(gymLoginsBz)).rows({ columns: ['mac_address'] })) as { mac_address: string }[]).map((r) => r.mac_address).sort();
  assert.deepEqual(macs, ['02:00:00:00:00:01', '02:00:00:00:00:02'], 'the two real visits; no visit of ...:99');
  const rows = await (await lake.lake.table(quarantineRecords)).rows({ columns: ['source', 'raw', 'reason'] });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!['source'], 'gym_logins/visits.csv:5', 'named by its first line');
  assert.match(String(rows[0]!['reason']), /unterminated quote/);
  assert.match(String(rows[0]!['raw']), /never closed\n02:00:00:00:00:04/, 'with every line it took');
});

test('implausible values are refused with their reasons (silver rows naming the file their record came in): a profile from 2255, a logout before its login, ids below 1, readings from 1990', async (t) => {
  const record = (topic: string, offset: number, value: object) => JSON.stringify({ key: '1', value: JSON.stringify(value), topic, partition: 0, offset, timestamp: 1_678_406_400 });
  const profile = (timestamp: number, city: string) => ({ user_id: 5, update_type: 'update', timestamp, dob: '07/25/1961', sex: 'F', gender: 'F', first_name: 'A', last_name: 'B', address: { street_address: '1 St', city, state: 'CA', zip: 90001 } });
  const lake = await lakeWith(t, {
    'registered_users/r.csv': 'user_id,device_id,mac_address,registration_timestamp\n5,50,02:00:00:00:00:05,1678406400\n6,-5,02:00:00:00:00:06,1678406400\n',
    'gym_logins/g.csv': 'mac_address,gym,login,logout\n02:00:00:00:00:05,1,1678406400,1678410000\n02:00:00:00:00:05,2,1678410000,1678406400\n02:00:00:00:00:05,-1,1678406400,1678410000\n',
    'kafka/k.json': [
      record('user_info', 1, profile(9_000_000_000, 'Pinned Forever')), // 2255
      record('user_info', 2, profile(1_678_406_400, 'Real City')),
      record('bpm', 3, { device_id: 50, time: 1_678_406_400, heartrate: 70 }),
      record('bpm', 4, { device_id: -5, time: 1_678_406_401, heartrate: 70 }),
      record('bpm', 5, { device_id: 50, time: 631_152_000, heartrate: 70 }), // 1990
      record('workout', 6, { user_id: 5, workout_id: 0, timestamp: 1_678_406_400, action: 'start', session_id: 1 }),
    ].join('\n') + '\n',
  });
  await runPipeline(lake.ctx);
  const reasons = ((await (await lake.lake.table(quarantineRecords)).rows({ columns: ['source', 'reason'] })) as { source: string; reason: string }[]).map((r) => `${r.source} ${r.reason}`).sort();
  const expect = [/^gym_logins\/g\.csv:3 column logout: before the login/, /^gym_logins\/g\.csv:4 column gym: -1 is not a positive id/, /^kafka:bpm\/0@4 in kafka\/k\.json field device_id: -5/, /^kafka:bpm\/0@5 in kafka\/k\.json field time: 1990-01-01T00:00:00\.000000Z is before 2000/, /^kafka:user_info\/0@1 in kafka\/k\.json field timestamp: 2255-.* is in the future/, /^kafka:workout\/0@6 in kafka\/k\.json field workout_id: 0 is not a positive id/, /^registered_users\/r\.csv:3 column device_id: -5 is not a positive id/];
  assert.equal(reasons.length, expect.length, reasons.join('\n'));
  for (const re of expect) assert.ok(reasons.some((r) => re.test(r)), `${re} in\n${reasons.join('\n')}`);
  assert.deepEqual((await (await lake.lake.table(userProfile)).rows({ columns: ['city'] })).map((r) => r['city']), ['Real City']);
  assert.equal(await (await lake.lake.table(heartRate)).count(), 1);
});

test('a CSV whose header cannot be read: the header is refused once, each later line for it, none tried as a header', async (t) => {
  const lake = await lakeWith(t, { 'registered_users/bad.csv': 'user_id,device,mac_address,registration_timestamp\n7,8,02:00:00:00:00:07,1678406400\nuser_id,device_id,mac_address,registration_timestamp\n9,10,02:00:00:00:00:09,1678406400\n' });
  await runPipeline(lake.ctx, BRONZE);
  assert.equal((await (await lake.lake.table(registeredUsersBz)).rows()).length, 0, 'a line that looks like a header later on is no header');
  const rows = await quarantined(lake);
  assert.deepEqual(rows.map((r) => r.source).sort(), [1, 2, 3, 4].map((n) => `registered_users/bad.csv:${n}`));
  for (const r of rows.filter((q) => !q.source.endsWith(':1'))) assert.match(r.reason, /the file's header cannot be read: .*device_id/);
});

test('a line that is not valid UTF-8 is quarantined with its original bytes (base64), never kept with U+FFFD, on both read paths', async (t) => {
  const range = { ...rangeTuning };
  t.after(() => Object.assign(rangeTuning, range));
  const good = dump(1, 0, 5);
  const bad = Buffer.concat([Buffer.from('{"key":"'), Buffer.from([0xff, 0xfe]), Buffer.from('1","value":"{\\"device_id\\":1,\\"time\\":1678406500,\\"heartrate\\":70}","topic":"bpm","partition":0,"offset":99,"timestamp":1678406500}\n')]);
  for (const parts of [false, true]) {
    Object.assign(rangeTuning, parts ? { minFileBytes: 0, partBytes: 64 * 1024, minPartBytes: 64 * 1024 } : range);
    const lake = await lakeWith(t, {});
    await mkdir(path.join(lake.landingDir, 'kafka'), { recursive: true });
    await writeFile(path.join(lake.landingDir, 'kafka', 'mixed.json'), Buffer.concat([Buffer.from(good), bad, Buffer.from(dump(1, 5, 5))]));
    await runPipeline(lake.ctx, BRONZE);
    const where = parts ? 'in parts' : 'line by line';
    assert.equal(await bronzeRows(lake), 10, where);
    const keys = ((await (await lake.lake.table(kafkaMultiplexBz)).rows({ columns: ['key'] })) as { key: string }[]).map((r) => r.key);
    assert.ok(!keys.some((k) => k.includes('\uFFFD')), `${where}: no replacement character kept`);
    const rows = (await (await lake.lake.table(quarantineRecords)).rows({ columns: ['source', 'raw', 'reason'] })) as { source: string; raw: string; reason: string }[];
    assert.equal(rows.length, 1, where);
    assert.equal(rows[0]!.source, 'kafka/mixed.json:6', where);
    assert.match(rows[0]!.reason, /not valid UTF-8/);
    assert.deepEqual(Buffer.from(rows[0]!.raw, 'base64'), bad.subarray(0, bad.length - 1), `${where}: the original bytes`);
  }
});
