/**
 * Replaying the SBIT reference set (../shared/sbit/README.md): set 1 or 2 to a landing zone (the files
 * copied into their folders), or its Kafka dumps published to their topics with their keys and record
 * times (epoch seconds × 1000) while the CSV exports still land as files, as they would in production.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parseKafkaDumpLine } from '../lakehouse/parse/kafka-dump.ts';
import { readLineBatches } from '../lakehouse/parse/lines.ts';
import { copyFileAtomically } from './atomic-file.ts';
import type { OutgoingMessage, RecordProducer } from './kafka-producer.ts';

/** A file of a set and the landing folder it belongs in. */
export interface SbitFile {
  file: string;
  folder: 'registered_users' | 'gym_logins' | 'kafka';
}

/** The files of one set (set 2 has no heart-rate file: the original is lost). */
export function sbitSetFiles(set: 1 | 2): SbitFile[] {
  const files: SbitFile[] = [
    { file: `1-registered_users_${set}.csv`, folder: 'registered_users' },
    { file: `5-gym_logins_${set}.csv`, folder: 'gym_logins' },
    { file: `2-user_info_${set}.json`, folder: 'kafka' },
    { file: `4-workout_${set}.json`, folder: 'kafka' },
  ];
  if (set === 1) files.push({ file: '3-bpm_1.json', folder: 'kafka' });
  return files;
}

/** What happened to one file: where it went and how many records it held. */
export interface ReplayedFile {
  file: string;
  /** A landing key (`kafka/3-bpm_1.json`) or the topics its records were sent to. */
  to: string;
  records: number;
  /** Dump lines that are not Kafka records (not sent). */
  skipped: number;
}

/** Non-blank lines of a file, less a CSV header. */
async function countRecords(file: string): Promise<number> {
  let n = 0;
  for await (const batch of readLineBatches(createReadStream(file))) n += batch.length;
  return file.endsWith('.csv') ? Math.max(0, n - 1) : n;
}

/** Copy one file into the landing zone, appearing atomically. */
async function land(sbitDir: string, landingRoot: string, { file, folder }: SbitFile): Promise<ReplayedFile> {
  const from = path.join(sbitDir, file);
  await copyFileAtomically(from, path.join(landingRoot, folder, file));
  return { file, to: `${folder}/${file}`, records: await countRecords(from), skipped: 0 };
}

/** Copy every file of the set into the landing zone. */
export async function replaySbitToLanding(sbitDir: string, set: 1 | 2, landingRoot: string): Promise<ReplayedFile[]> {
  const out: ReplayedFile[] = [];
  for (const f of sbitSetFiles(set)) out.push(await land(sbitDir, landingRoot, f));
  return out;
}

export interface KafkaReplayOptions {
  /** Put before every topic name (tests). @default '' */
  topicPrefix?: string;
  /** Messages per send. @default 10_000 */
  batchSize?: number;
  /** Called after each send with the records sent so far. */
  onProgress?: (sent: number) => void;
}

/** Publish the set's dumps to Kafka and land its CSV exports. */
export async function replaySbitToKafka(sbitDir: string, set: 1 | 2, landingRoot: string, producer: RecordProducer, options: KafkaReplayOptions = {}): Promise<ReplayedFile[]> {
  const { topicPrefix = '', batchSize = 10_000, onProgress } = options;
  const out: ReplayedFile[] = [];
  const ensured = new Set<string>();
  let sent = 0;
  for (const f of sbitSetFiles(set)) {
    if (f.folder !== 'kafka') {
      out.push(await land(sbitDir, landingRoot, f));
      continue;
    }
    const topics = new Set<string>();
    let records = 0;
    let skipped = 0;
    let pending = new Map<string, OutgoingMessage[]>();
    let count = 0;
    const flush = async () => {
      const fresh = [...pending.keys()].filter((t) => !ensured.has(t));
      if (fresh.length > 0) {
        await producer.ensureTopics(fresh);
        for (const t of fresh) ensured.add(t);
      }
      await producer.send([...pending].map(([topic, messages]) => ({ topic, messages })));
      sent += count;
      pending = new Map();
      count = 0;
      onProgress?.(sent);
    };
    for await (const lines of readLineBatches(createReadStream(path.join(sbitDir, f.file)))) {
      for (const { line } of lines) {
        const parsed = parseKafkaDumpLine(line);
        if (!parsed.ok) {
          skipped++;
          continue;
        }
        const r = parsed.record;
        const topic = topicPrefix + r.topic;
        topics.add(topic);
        let list = pending.get(topic);
        if (!list) pending.set(topic, (list = []));
        // The dump's timestamp is epoch seconds; Kafka's record time is milliseconds.
        list.push({ key: r.key, value: r.value, timestampMs: Math.round(r.timestampMicros / 1000) });
        records++;
        if (++count >= batchSize) await flush();
      }
    }
    if (count > 0) await flush();
    out.push({ file: f.file, to: [...topics].join(','), records, skipped });
  }
  return out;
}
