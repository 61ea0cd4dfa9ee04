// Runs the parsers over the real SBIT reference files (../shared/sbit, see its README): every record must
// parse, and the record counts must be the published ones. Skips when the data set is absent.
import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { projectRoot } from '../../devstack/paths.ts';
import { parseCsvHeader, parseCsvLine, parseGymLogin, parseRegisteredUser, requireColumns, GYM_LOGIN_COLUMNS, REGISTERED_USER_COLUMNS } from '../../lakehouse/parse/csv.ts';
import { parseKafkaDumpLine, type KafkaDumpRecord } from '../../lakehouse/parse/kafka-dump.ts';
import { readLineBatches, splitLines } from '../../lakehouse/parse/lines.ts';
import { parseBpm, parsePayload } from '../../lakehouse/parse/payloads.ts';

const sbit = path.resolve(projectRoot, '../shared/sbit');
const present = existsSync(sbit);
const absent = `SBIT reference data not found at ${sbit}`;

/** The non-blank lines of one SBIT file. */
async function linesOf(file: string) {
  return splitLines(await readFile(path.join(sbit, file), 'utf8'));
}

/** Every Kafka record of a dump file, failing the test on the first line that does not parse. */
async function dumpRecords(file: string): Promise<KafkaDumpRecord[]> {
  return (await linesOf(file)).map(({ line, lineNumber }) => {
    const r = parseKafkaDumpLine(line);
    assert.ok(r.ok, `${file}:${lineNumber}: ${r.ok ? '' : r.reason}`);
    return r.record;
  });
}

/** Every row of a CSV export through the given record parser, failing on the first bad line. */
async function csvRows<T>(file: string, columns: readonly string[], parse: (fields: string[], header: ReturnType<typeof parseCsvHeader>) => { ok: true; row: T } | { ok: false; reason: string }): Promise<T[]> {
  const [head, ...records] = await linesOf(file);
  assert.ok(head, `${file} has a header`);
  const header = parseCsvHeader(head.line);
  requireColumns(header, columns);
  return records.map(({ line, lineNumber }) => {
    const fields = parseCsvLine(line);
    assert.ok(fields.ok, `${file}:${lineNumber}: ${fields.ok ? '' : fields.reason}`);
    const r = parse(fields.fields, header);
    assert.ok(r.ok, `${file}:${lineNumber}: ${r.ok ? '' : r.reason}`);
    return r.row;
  });
}

/** Skips the test when the data set is missing; true when it may run. */
function needSbit(t: TestContext): boolean {
  if (!present) t.skip(absent);
  return present;
}

describe('SBIT reference files', () => {
  it('registered users: 5 + 5 records', async (t) => {
    if (!needSbit(t)) return;
    const first = await csvRows('1-registered_users_1.csv', REGISTERED_USER_COLUMNS, parseRegisteredUser);
    const second = await csvRows('1-registered_users_2.csv', REGISTERED_USER_COLUMNS, parseRegisteredUser);
    assert.equal(first.length, 5);
    assert.equal(second.length, 5);
    assert.deepEqual(first[0], { user_id: 12474, device_id: 118440, mac_address: '4c:c5:9f:cb:13:bd', registration_timestamp: 1678451168_000000 });
  });

  it('gym logins: 8 + 8 records', async (t) => {
    if (!needSbit(t)) return;
    const first = await csvRows('5-gym_logins_1.csv', GYM_LOGIN_COLUMNS, parseGymLogin);
    const second = await csvRows('5-gym_logins_2.csv', GYM_LOGIN_COLUMNS, parseGymLogin);
    assert.equal(first.length, 8);
    assert.equal(second.length, 8);
    // The last line of each file has no line break; it is a record all the same.
    assert.deepEqual(first[7], { mac_address: '57:24:ac:8c:75:ea', gym: 5, login: 1678562880_000000, logout: 1678567200_000000 });
  });

  it('user_info: 7 + 6 records, every payload a profile change', async (t) => {
    if (!needSbit(t)) return;
    for (const [file, count] of [['2-user_info_1.json', 7], ['2-user_info_2.json', 6]] as const) {
      const records = await dumpRecords(file);
      assert.equal(records.length, count, file);
      for (const record of records) {
        assert.equal(record.topic, 'user_info');
        const p = parsePayload(record.topic, record.value);
        assert.ok(p.ok && p.topic === 'user_info', p.ok ? file : p.reason);
        assert.equal(String(p.row.user_id), record.key);
        assert.equal(p.row.updated, record.timestampMicros, 'payload and record times agree');
      }
    }
  });

  it('workout: 16 + 16 records, every payload a start or stop', async (t) => {
    if (!needSbit(t)) return;
    for (const file of ['4-workout_1.json', '4-workout_2.json']) {
      const records = await dumpRecords(file);
      assert.equal(records.length, 16, file);
      for (const record of records) {
        const p = parsePayload(record.topic, record.value);
        assert.ok(p.ok && p.topic === 'workout', p.ok ? file : p.reason);
        assert.equal(p.row.time, record.timestampMicros);
      }
    }
  });

  it('bpm: 253,801 records through lines, dump and payload (timed, streamed)', async (t) => {
    if (!needSbit(t)) return;
    const started = performance.now();
    let count = 0;
    let valid = 0;
    const devices = new Set<number>();
    for await (const batch of readLineBatches(createReadStream(path.join(sbit, '3-bpm_1.json')))) {
      for (const { line, lineNumber } of batch) {
        const r = parseKafkaDumpLine(line);
        if (!r.ok) assert.fail(`3-bpm_1.json:${lineNumber}: ${r.reason}`);
        const p = parseBpm(r.record.value);
        if (!p.ok) assert.fail(`3-bpm_1.json:${lineNumber}: ${p.reason}`);
        count++;
        if (p.row.heartrate > 0 && p.row.heartrate < 300) valid++;
        devices.add(p.row.device_id);
      }
    }
    const ms = performance.now() - started;
    t.diagnostic(`3-bpm_1.json: ${count} records in ${ms.toFixed(0)} ms (${((ms * 1000) / count).toFixed(2)} µs/record)`);
    assert.equal(count, 253_801);
    assert.equal(valid, count, 'no reading of this set is near either bound');
    assert.deepEqual([...devices].sort(), [118440, 175406]);
  });
});
