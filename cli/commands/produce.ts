/** `fitlake produce`: replay the SBIT reference data set into the landing zone or Kafka. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../../config/settings.ts';
import { parseStoreLocation } from '../../lakehouse/storage/index.ts';
import { KafkajsProducer, KafkaUnavailableError, replaySbitToKafka, replaySbitToLanding, sbitSetFiles, type ReplayedFile } from '../../simulator/index.ts';
import { count, table } from '../text.ts';
import { parseArgs } from '../args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { Command } from '../command.ts';

const usage = `Usage: fitlake produce --sbit DIR --set 1|2 [--to landing|kafka] [options]

Replays one set of the SBIT reference data (see its README.md). To the landing zone, the set's files are
copied into registered_users/, gym_logins/ and kafka/ (each appears whole). To Kafka, the records of the
Kafka dumps are published to their topics (user_info, workout, bpm) with their keys and record times;
the CSV exports still go to the landing zone, as they are file exports, not streams.
Set 1: 1-registered_users_1.csv, 5-gym_logins_1.csv, 2-user_info_1.json, 4-workout_1.json, 3-bpm_1.json.
Set 2: the _2 files; there is no heart-rate file for set 2.

Options:
  --sbit DIR             folder of the SBIT files (e.g. ../shared/sbit)
  --set 1|2              which set to replay
  --to landing|kafka     where the Kafka dumps go (default landing)
  --landing DIR          landing zone folder (FITLAKE_LANDING, default .data/landing)
  --kafka HOST:PORT[,..] brokers for --to kafka (FITLAKE_KAFKA_BROKERS)
  --json                 machine-readable output
  -h, --help             this text

Examples:
  fitlake produce --sbit ../shared/sbit --set 1 --landing ./landing
  fitlake produce --sbit ../shared/sbit --set 2 --to kafka --kafka 127.0.0.1:9092`;

export const produceCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        sbit: { type: 'string' },
        set: { type: 'string' },
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
    if (values.sbit === undefined) throw new CliError(`--sbit DIR is required\n\n${usage}`, ExitCode.usage);
    if (values.set !== '1' && values.set !== '2') throw new CliError(`--set: '${values.set ?? ''}' is not 1 or 2`, ExitCode.usage);
    if (values.to !== 'landing' && values.to !== 'kafka') throw new CliError(`--to: '${values.to}' is not landing or kafka`, ExitCode.usage);
    const set = Number(values.set) as 1 | 2;
    const sbit = path.resolve(values.sbit);
    const missing = sbitSetFiles(set).filter((f) => !existsSync(path.join(sbit, f.file)));
    if (missing.length > 0) throw new CliError(`--sbit: ${sbit} has no ${missing.map((f) => f.file).join(', ')}`, ExitCode.usage);
    const settings = loadSettings(process.env, { ...(values.landing !== undefined ? { landing: values.landing } : {}), ...(values.kafka !== undefined ? { kafka: values.kafka } : {}) });
    if (parseStoreLocation(settings.landing).kind !== 'local') throw new CliError(`--landing: produce writes to a local folder, not ${settings.landing}`, ExitCode.usage);

    let replayed: ReplayedFile[];
    if (values.to === 'landing') {
      replayed = await replaySbitToLanding(sbit, set, settings.landing);
    } else {
      if (settings.kafkaBrokers.length === 0) throw new CliError('--to kafka needs brokers: --kafka HOST:PORT or FITLAKE_KAFKA_BROKERS', ExitCode.usage);
      let producer: KafkajsProducer;
      try {
        producer = await KafkajsProducer.connect({ brokers: settings.kafkaBrokers, clientId: 'fitlake-produce' });
      } catch (e) {
        if (e instanceof KafkaUnavailableError) throw new CliError(e.message, ExitCode.unavailable);
        throw e;
      }
      const tty = !values.json && process.stderr.isTTY === true;
      try {
        replayed = await replaySbitToKafka(sbit, set, settings.landing, producer, { onProgress: (sent) => tty && process.stderr.write(`\r\x1b[K  ${count(sent)} records sent`) });
      } finally {
        if (tty) process.stderr.write('\r\x1b[K');
        await producer.close();
      }
    }

    if (values.json) {
      console.log(JSON.stringify({ sbit, set, to: values.to, landing: settings.landing, ...(values.to === 'kafka' ? { kafka: settings.kafkaBrokers } : {}), files: replayed }, null, 2));
      return ExitCode.ok;
    }
    console.log(`SBIT set ${set} from ${sbit}: ${values.to === 'kafka' ? `dumps to Kafka at ${settings.kafkaBrokers.join(',')}, CSV exports to ${settings.landing}` : `to landing zone ${settings.landing}`}`);
    console.log(
      table([
        ['file', 'to', 'records', ''],
        ...replayed.map((f) => [f.file, values.to === 'kafka' && f.to.indexOf('/') === -1 ? `topic ${f.to}` : f.to, count(f.records), f.skipped > 0 ? `${count(f.skipped)} not Kafka records (skipped)` : '']),
      ], 'llrl').join('\n'),
    );
    return ExitCode.ok;
  },
};
