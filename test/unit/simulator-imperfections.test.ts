/**
 * The manifest tells the truth: every imperfection count is recounted here from the files alone, with
 * the project's own parsers (lakehouse/parse), and every record the simulator calls malformed is refused
 * by them while every other record is accepted, whether written as a dump line or sent as a message.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCsvHeader, parseCsvLine, parseGymLogin, parseRegisteredUser, type CsvHeader } from '../../lakehouse/parse/csv.ts';
import { parseKafkaDumpLine } from '../../lakehouse/parse/kafka-dump.ts';
import { isKnownTopic, parsePayload } from '../../lakehouse/parse/payloads.ts';
import { CSV_HEADERS, createSimulation, csvLine, dumpLine, IMPERFECTION_KINDS, LandingSink, MALFORMED_KINDS, messageValue, runSimulation, SOURCES, type ImperfectionKind, type SimulationOptions } from '../../simulator/index.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const OPTIONS: SimulationOptions = { users: 5, days: 2, seed: 2024, imperfections: 0.03, wearHours: 3 };

/** The lines of every file under a folder, by key, in key order. */
async function readLanding(root: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const keys = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
  for (const key of keys.sort()) out.set(key, (await readFile(path.join(root, key), 'utf8')).split('\n').filter((l) => l.trim() !== ''));
  return out;
}

/** Every imperfection counted from the landing files, knowing nothing of the simulator but the formats. */
function recount(files: Map<string, string[]>) {
  const counts = Object.fromEntries(IMPERFECTION_KINDS.map((k) => [k, 0])) as Record<ImperfectionKind, number>;
  const lines: Record<string, number> = {};
  const seen = new Set<string>();
  const registeredAt = new Map<number, number>();
  const repeat = (text: string) => (seen.has(text) ? true : (seen.add(text), false));

  for (const [key, all] of files) {
    if (!key.endsWith('.csv')) continue;
    const source = key.split('/')[0]!;
    const header: CsvHeader = parseCsvHeader(all[0]!);
    lines[source] = (lines[source] ?? 0) + all.length - 1;
    for (const line of all.slice(1)) {
      const fields = parseCsvLine(line);
      assert.ok(fields.ok, line);
      const parsed = source === 'registered_users' ? parseRegisteredUser(fields.fields, header) : parseGymLogin(fields.fields, header);
      if (!parsed.ok) {
        counts.csv_missing_field++;
        continue;
      }
      if (repeat(line)) counts.duplicate++;
      if ('registration_timestamp' in parsed.row) registeredAt.set(parsed.row.device_id, parsed.row.registration_timestamp);
    }
  }

  const latest = new Map<number, number>();
  const secondsOf = new Map<string, Set<number>>();
  const addSecond = (device: number, second: number) => {
    const dayKey = `${device}@${Math.floor(second / 86_400)}`;
    const seconds = secondsOf.get(dayKey) ?? new Set<number>();
    seconds.add(second);
    secondsOf.set(dayKey, seconds);
  };
  const dropouts = new Set<string>();
  const early = new Set<string>();
  const starts = new Set<string>();
  for (const [key, all] of files) {
    if (!key.endsWith('.json')) continue;
    const stream = path.basename(key).split('-')[0]!;
    lines[stream] = (lines[stream] ?? 0) + all.length;
    for (const line of all) {
      const dump = parseKafkaDumpLine(line);
      if (!dump.ok) {
        counts.truncated_json++;
        continue;
      }
      const { topic, value } = dump.record;
      if (!isKnownTopic(topic)) {
        counts.unknown_topic++;
        continue;
      }
      const payload = parsePayload(topic, value);
      if (!payload.ok) {
        assert.equal(topic, 'bpm', `${payload.reason}: ${line}`);
        assert.match(payload.reason, /heartrate/);
        counts.non_numeric_heartrate++;
        // The garbled reading still says when it was taken: it is no gap.
        const { device_id, time } = JSON.parse(value) as { device_id: number; time: number };
        addSecond(device_id, time);
        continue;
      }
      if (repeat(`${topic}|${dump.record.key}|${value}`)) {
        counts.duplicate++;
        continue;
      }
      if (payload.topic === 'workout') {
        const session = `${payload.row.user_id}/${payload.row.workout_id}/${payload.row.session_id}`;
        if (payload.row.action === 'start') starts.add(session);
        else if (!starts.has(session)) counts.stop_before_start++;
      } else if (payload.topic === 'bpm') {
        const { device_id, time, heartrate } = payload.row;
        const id = `${device_id}@${time}`;
        if (time < (latest.get(device_id) ?? -Infinity)) counts.late++;
        latest.set(device_id, Math.max(time, latest.get(device_id) ?? -Infinity));
        if (heartrate === 0) dropouts.add(id);
        if (time < registeredAt.get(device_id)!) early.add(id);
        addSecond(device_id, time / 1_000_000);
      }
    }
  }
  counts.dropout = dropouts.size;
  counts.before_registration = early.size;
  // A device-day's worn window is one stretch of seconds but for its gaps.
  for (const seconds of secondsOf.values()) {
    const sorted = [...seconds].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) if (sorted[i]! - sorted[i - 1]! > 1) counts.gap++;
  }
  return { counts, lines };
}

describe('simulator imperfections', () => {
  it('counts in the manifest what the files hold, kind by kind and source by source', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'fitlake-sim-'));
    dirs.push(root);
    const { manifest } = await runSimulation(createSimulation(OPTIONS), new LandingSink({ root, tag: 't' }));
    const { counts, lines } = recount(await readLanding(root));
    assert.deepEqual(counts, manifest.imperfections);
    for (const kind of IMPERFECTION_KINDS) assert.ok(manifest.imperfections[kind] > 0, `no ${kind} at all`);
    assert.equal(lines.registered_users, manifest.sources.registered_users.records);
    assert.equal(lines.gym_logins, manifest.sources.gym_logins.records);
    assert.equal(lines.user_info, manifest.sources.user_info.records);
    assert.equal(lines.workout, manifest.sources.workout.records);
    // Records of the unknown topic travel in the bpm stream's files.
    assert.equal(lines.bpm, manifest.sources.bpm.records + manifest.sources.other_topics.records);
    assert.equal(manifest.records, SOURCES.reduce((n, s) => n + manifest.sources[s].records, 0));
    assert.equal(manifest.malformed, MALFORMED_KINDS.reduce((n, k) => n + manifest.imperfections[k], 0));
    assert.equal(manifest.quarantined, manifest.malformed);
  });

  it('has the parsers refuse exactly the records it calls malformed, as dump lines and as messages', async () => {
    const simulation = createSimulation(OPTIONS);
    const headers = {
      registered_users: parseCsvHeader(CSV_HEADERS.registered_users),
      gym_logins: parseCsvHeader(CSV_HEADERS.gym_logins),
    };
    const malformed = new Set<string>(MALFORMED_KINDS);
    const seen: Record<string, number> = {};
    for await (const r of simulation.records()) {
      const bad = r.fault !== null && malformed.has(r.fault);
      seen[String(r.fault)] = (seen[String(r.fault)] ?? 0) + 1;
      if (r.kind === 'csv') {
        const fields = parseCsvLine(csvLine(r));
        const parsed = fields.ok && (r.source === 'registered_users' ? parseRegisteredUser(fields.fields, headers.registered_users) : parseGymLogin(fields.fields, headers.gym_logins));
        assert.equal(!(parsed && parsed.ok), bad, `${r.fault}: ${csvLine(r)}`);
        continue;
      }
      // As a landing-zone dump line: refused by the dump parser, the topic check or the payload parser.
      const line = dumpLine(r, 7);
      const dump = parseKafkaDumpLine(line);
      const accepted = dump.ok && isKnownTopic(dump.record.topic) && parsePayload(dump.record.topic, dump.record.value).ok;
      assert.equal(!accepted, bad, `${r.fault}: ${line}`);
      // As a Kafka message: the topic is known or not, and the raw value parses or not.
      const viaKafka = isKnownTopic(r.topic) && parsePayload(r.topic, messageValue(r)).ok;
      assert.equal(!viaKafka, bad, `${r.fault}: ${r.topic} ${messageValue(r)}`);
    }
    for (const kind of MALFORMED_KINDS) assert.ok((seen[kind] ?? 0) > 0, `no ${kind} record`);
    assert.ok((seen.null ?? 0) > 10_000);
  });

  it('makes no imperfection at all at rate 0', async () => {
    const simulation = createSimulation({ ...OPTIONS, imperfections: 0 });
    for await (const r of simulation.records()) assert.equal(r.fault, null);
    assert.deepEqual(Object.values(simulation.tally.imperfections), IMPERFECTION_KINDS.map(() => 0));
  });

  it('scales the imperfections with the rate', async () => {
    const count = async (imperfections: number) => {
      const simulation = createSimulation({ ...OPTIONS, imperfections });
      for await (const _ of simulation.batches()) {
        // Only the tally is wanted.
      }
      return simulation.tally;
    };
    const low = await count(0.005);
    const high = await count(0.05);
    assert.ok(high.imperfections.duplicate > 5 * low.imperfections.duplicate, `${low.imperfections.duplicate} → ${high.imperfections.duplicate}`);
    // About one reading in a hundred at 1%: the share of readings that start an imperfection follows the rate.
    const share = (t: typeof low) => (t.sources.bpm.duplicates + t.imperfections.late + t.sources.bpm.truncated + t.sources.bpm.nonNumeric + t.sources.other_topics.records) / t.sources.bpm.distinct;
    assert.ok(Math.abs(share(high) / 0.05 - 8 / 11) < 0.1, `share ${share(high)}`);
  });
});
