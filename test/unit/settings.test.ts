import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigFile } from '../../config/config-file.ts';
import { loadSettings } from '../../config/settings.ts';
import { ConfigError } from '../../lakehouse/errors.ts';
import { configureIngestion } from '../../lakehouse/steps/configure-ingestion.ts';
import { plausibility, readingProblem } from '../../lakehouse/rules/plausible.ts';

test('flags override the environment, which overrides the config file and the defaults', () => {
  const file = parseConfigFile(JSON.stringify({ lake: '/from/file', taskQueue: 'file-queue', kafka: ['k1:9092', 'k2:9092'] }), 'fitlake.config');
  const s = loadSettings({ FITLAKE_TASK_QUEUE: 'env-queue' }, { lake: '/from/flag' }, file);
  assert.equal(s.lake, '/from/flag');
  assert.equal(s.temporal.taskQueue, 'env-queue');
  assert.deepEqual(s.kafkaBrokers, ['k1:9092', 'k2:9092']);
  assert.equal(s.temporal.address, '127.0.0.1:7233');
  assert.equal(loadSettings({}, {}, {}).kafkaBrokers.length, 0);
});

test('an az:// lake stays a URI; a relative path becomes absolute', () => {
  assert.equal(loadSettings({ FITLAKE_LAKE: 'az://lake/prod' }, {}, {}).lake, 'az://lake/prod');
  assert.ok(loadSettings({ FITLAKE_LAKE: 'rel/lake' }, {}, {}).lake.startsWith('/'));
});

test('bad values are ConfigErrors naming the setting', () => {
  const named = (setting: string) => (e: unknown) => e instanceof ConfigError && e.setting === setting;
  assert.throws(() => loadSettings({ FITLAKE_TEMPORAL_ADDRESS: 'no-port' }, {}, {}), named('FITLAKE_TEMPORAL_ADDRESS'));
  assert.throws(() => loadSettings({ FITLAKE_KAFKA_BROKERS: 'a:1,bad' }, {}, {}), named('FITLAKE_KAFKA_BROKERS'));
  assert.throws(() => loadSettings({ FITLAKE_LAKE: 'ftp://x/y' }, {}, {}), named('FITLAKE_LAKE'));
  assert.throws(() => loadSettings({ FITLAKE_TEMPORAL_TLS_CERT: '/c.pem' }, {}, {}), named('FITLAKE_TEMPORAL_TLS_CERT'));
});

test('the config file refuses unknown keys, wrong types and bad JSON, naming the key', () => {
  const named = (setting: string) => (e: unknown) => e instanceof ConfigError && e.setting === setting && e.message.includes(setting);
  assert.throws(() => parseConfigFile('{"lakee": "/x"}', 'fitlake.config'), named('lakee'));
  assert.throws(() => parseConfigFile('{"lake": 3}', 'fitlake.config'), named('lake'));
  assert.throws(() => parseConfigFile('{"api": {"prot": 1}}', 'fitlake.config'), named('api.prot'));
  assert.throws(() => parseConfigFile('{"api": {"mode": "prod"}}', 'fitlake.config'), named('api.mode'));
  assert.throws(() => parseConfigFile('{"kafka": 9092}', 'fitlake.config'), named('kafka'));
  assert.throws(() => parseConfigFile('{lake', 'fitlake.config'), (e: unknown) => e instanceof ConfigError && /not valid JSON/.test(e.message));
  assert.deepEqual(parseConfigFile('{"api": {"port": 4001, "mode": "production"}}', 'f').api, { port: 4001, mode: 'production' });
});

test('worker threads: flag over FITLAKE_THREADS over the file; absent means the default; not a whole number 0-64 is refused', () => {
  const file = parseConfigFile(JSON.stringify({ threads: 1 }), 'fitlake.config');
  assert.equal(loadSettings({}, {}, file).threads, 1);
  assert.equal(loadSettings({ FITLAKE_THREADS: '0' }, {}, file).threads, 0);
  assert.equal(loadSettings({ FITLAKE_THREADS: '0' }, { threads: '2' }, file).threads, 2);
  assert.equal(loadSettings({}, {}, {}).threads, undefined);
  const named = (e: unknown) => e instanceof ConfigError && e.setting === 'FITLAKE_THREADS';
  for (const bad of ['two', '-1', '1.5', '65']) assert.throws(() => loadSettings({ FITLAKE_THREADS: bad }, {}, {}), named, bad);
  assert.throws(() => parseConfigFile('{"threads": "2"}', 'fitlake.config'), (e: unknown) => e instanceof ConfigError && e.setting === 'threads');
});

test('ingestion settings: defaults, each setting read, bad values refused naming the setting; applied, they move the rules', () => {
  const defaults = loadSettings({}, {}, {}).ingestion;
  assert.deepEqual(defaults, { earliestEventMicros: Date.UTC(2000, 0, 1) * 1000, futureEventsMs: 86_400_000, maxLineBytes: 16 * 1024 * 1024, holdFinalLineMs: 10_000 });
  const set = loadSettings({ FITLAKE_EARLIEST_EVENT: '2024-01-01', FITLAKE_FUTURE_EVENTS: '2h', FITLAKE_MAX_LINE_BYTES: '4096', FITLAKE_HOLD_FINAL_LINE: '0s' }, {}, {}).ingestion;
  assert.deepEqual(set, { earliestEventMicros: Date.UTC(2024, 0, 1) * 1000, futureEventsMs: 7_200_000, maxLineBytes: 4096, holdFinalLineMs: 0 });
  for (const [name, value] of [['FITLAKE_EARLIEST_EVENT', '01/01/2024'], ['FITLAKE_FUTURE_EVENTS', 'soon'], ['FITLAKE_MAX_LINE_BYTES', '10'], ['FITLAKE_HOLD_FINAL_LINE', '-1s']] as const) {
    assert.throws(() => loadSettings({ [name]: value }, {}, {}), (e: unknown) => e instanceof ConfigError && e.message.includes(name), name);
  }
  const saved = { ...plausibility };
  try {
    configureIngestion(set);
    assert.match(readingProblem(1, Date.UTC(2023, 2, 10) * 1000) ?? '', /before 2024-01-01/);
    assert.equal(readingProblem(1, Date.UTC(2024, 2, 10) * 1000), undefined);
  } finally {
    configureIngestion({ ...defaults, earliestEventMicros: saved.earliestMicros, futureEventsMs: saved.futureMs });
  }
});
