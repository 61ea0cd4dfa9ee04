/** `fitlake simulate`: generate wearable data (registrations, profiles, workouts, gym visits, 1 Hz heart rates) into the landing zone or Kafka. */
import { loadSettings } from '../../config/settings.ts';
import { parseStoreLocation } from '../../lakehouse/storage/index.ts';
import { createSimulation, KafkaSink, KafkajsProducer, KafkaUnavailableError, LandingSink, plannedReadings, runSimulation, totalRecords, type Sink } from '../../simulator/index.ts';
import { count, formatManifest } from '../text.ts';
import { parseArgs } from '../args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { Command } from '../command.ts';

const usage = `Usage: fitlake simulate [--users 20] [--days 1] [--day N] [--seed 42] [--imperfections 0.01] [--to landing|kafka] [options]

Simulates wearable devices: N users register a device each, publish profile changes, work out (warm-up,
exercise, recovery; mostly in gyms, with door logins and logouts) and send a heart-rate reading every
second while the device is worn. A share of the records is imperfect on purpose (duplicates, late and
out-of-order events, readings from before registration, gaps, sensor dropouts, malformed lines); every
kind is counted, and the printed manifest says what one pipeline run must keep and quarantine.
The same seed always gives the same records, byte for byte. Memory stays flat at any size.

Options:
  --users N              users, one device each (default 20)
  --days N               days simulated (default 1)
  --day N                only the Nth day of those (1 to --days): the same users, sessions and
                         imperfections as the whole period, so days landed one by one add up to it
  --start YYYY-MM-DD     first day, UTC (default 2023-03-10)
  --seed N               seed of every random choice (default 42)
  --imperfections RATE   share of imperfect records, 0 to 1 (default 0.01)
  --wear-hours H         hours a device is worn per day, 2 to 23 (default 14)
  --to landing|kafka     where the user_info, workout and bpm streams go (default landing);
                         the two CSV exports always go to the landing zone
  --landing DIR          landing zone folder (FITLAKE_LANDING, default .data/landing)
  --kafka HOST:PORT[,..] brokers for --to kafka (FITLAKE_KAFKA_BROKERS)
  --json                 print the manifest as JSON
  -h, --help             this text

Examples:
  fitlake simulate --users 20 --days 1 --landing ./landing
  fitlake simulate --users 200 --days 7 --seed 7 --imperfections 0.05 --json
  fitlake simulate --users 20 --days 30 --day 1      then --day 2 ... as the days go by
  fitlake simulate --to kafka --kafka 127.0.0.1:9092`;

/** A whole number from a flag, within bounds. */
function wholeNumber(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim())) throw new CliError(`${flag}: '${text}' is not a whole number`, ExitCode.usage);
  return Number(text);
}

/** The 0-based day of a --day flag (1-based, within the period of `days`). */
function dayOfPeriod(text: string, days: number): number {
  const day = wholeNumber(text, '--day', 1);
  if (day < 1 || day > days) throw new CliError(`--day: ${day} is not a day of the period (1 to ${days}; see --days)`, ExitCode.usage);
  return day - 1;
}

/** A decimal number from a flag. */
function decimal(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^(\d+\.?\d*|\.\d+)$/.test(text.trim())) throw new CliError(`${flag}: '${text}' is not a number`, ExitCode.usage);
  return Number(text);
}

/** A one-line counter rewritten in place on a terminal; silent elsewhere (logs and pipes get the summary only). */
function liveCounter(enabled: boolean): { update(text: string): void; clear(): void } {
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (!enabled || now - last < 200) return;
      last = now;
      shown = true;
      process.stderr.write(`\r\x1b[K${text}`);
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}

export const simulateCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        users: { type: 'string' },
        days: { type: 'string' },
        day: { type: 'string' },
        start: { type: 'string' },
        seed: { type: 'string' },
        imperfections: { type: 'string' },
        'wear-hours': { type: 'string' },
        to: { type: 'string', default: 'landing' },
        landing: { type: 'string' },
        kafka: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      return ExitCode.ok;
    }
    if (values.to !== 'landing' && values.to !== 'kafka') throw new CliError(`--to: '${values.to}' is not landing or kafka`, ExitCode.usage);
    const settings = loadSettings(process.env, { ...(values.landing !== undefined ? { landing: values.landing } : {}), ...(values.kafka !== undefined ? { kafka: values.kafka } : {}) });
    if (parseStoreLocation(settings.landing).kind !== 'local') throw new CliError(`--landing: simulate writes to a local folder, not ${settings.landing}`, ExitCode.usage);
    if (values.to === 'kafka' && settings.kafkaBrokers.length === 0) throw new CliError('--to kafka needs brokers: --kafka HOST:PORT or FITLAKE_KAFKA_BROKERS', ExitCode.usage);

    let simulation;
    try {
      const days = wholeNumber(values.days, '--days', 1);
      simulation = createSimulation({
        users: wholeNumber(values.users, '--users', 20),
        days,
        ...(values.day !== undefined ? { onlyDay: dayOfPeriod(values.day, days) } : {}),
        seed: wholeNumber(values.seed, '--seed', 42),
        imperfections: decimal(values.imperfections, '--imperfections', 0.01),
        wearHours: decimal(values['wear-hours'], '--wear-hours', 14),
        ...(values.start !== undefined ? { start: values.start } : {}),
      });
    } catch (e) {
      if (e instanceof RangeError) throw new CliError(e.message, ExitCode.usage);
      throw e;
    }
    const s = simulation.settings;
    // A day's files are named apart from other days' and whole runs', so landing one never replaces another.
    const files = new LandingSink({ root: settings.landing, tag: `sim-s${s.seed}${s.onlyDay !== undefined ? `-d${s.onlyDay + 1}` : ''}` });
    let sink: Sink = files;
    if (values.to === 'kafka') {
      try {
        sink = new KafkaSink({ producer: await KafkajsProducer.connect({ brokers: settings.kafkaBrokers }), files });
      } catch (e) {
        if (e instanceof KafkaUnavailableError) throw new CliError(e.message, ExitCode.unavailable);
        throw e;
      }
    }

    const expected = plannedReadings(simulation.users, s.onlyDay);
    const counter = liveCounter(!values.json && process.stderr.isTTY === true);
    const started = Date.now();
    let outcome;
    try {
      outcome = await runSimulation(simulation, sink, (tally) => {
        const done = tally.sources.bpm.distinct;
        counter.update(`  ${count(totalRecords(tally))} records; readings ${count(done)} of ~${count(expected)} (${Math.min(100, Math.floor((100 * done) / Math.max(1, expected)))}%)`);
      });
    } finally {
      counter.clear();
    }
    const { manifest, report } = outcome;
    if (values.json) {
      console.log(JSON.stringify({ ...manifest, output: { landing: settings.landing, ...(values.to === 'kafka' ? { kafka: settings.kafkaBrokers } : {}), ...report } }, null, 2));
      return ExitCode.ok;
    }
    const seconds = (Date.now() - started) / 1000;
    const days = `${s.days} day${s.days === 1 ? '' : 's'}${s.onlyDay !== undefined ? ` (day ${s.onlyDay + 1} only)` : ''}`;
    console.log(
      `simulated ${count(s.users)} users × ${days} from ${s.start} (seed ${s.seed}, imperfections ${s.imperfections}, worn ${s.wearHours} h/day): ` +
        `${count(manifest.records)} records in ${seconds.toFixed(1)} s (${count(Math.round(manifest.records / Math.max(seconds, 0.001)))}/s)`,
    );
    console.log(values.to === 'kafka' ? `streams to Kafka at ${settings.kafkaBrokers.join(',')}; CSV exports to ${settings.landing}` : `landing zone ${settings.landing}`);
    console.log(formatManifest(manifest, report));
    return ExitCode.ok;
  },
};
