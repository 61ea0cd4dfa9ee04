/**
 * One line of a Kafka record dump (the SBIT `*.json` files):
 * `{"key": "...", "value": "<JSON string>", "topic": "...", "partition": 0, "offset": N, "timestamp": <epoch seconds>}`.
 *
 * The record timestamp is epoch SECONDS, as the dump writes it (`1678451168`, possibly with a fraction);
 * it is never guessed to be milliseconds from its size, since a guess would silently misdate records.
 * The value payload is not looked into: bronze keeps it exactly as it came (payloads.ts reads it later).
 */
import { fail, type ParseFailure } from './result.ts';
import { epochMicrosOf, safeIntegerOf, show } from './values.ts';

/** A Kafka record as the dump holds it, its timestamp converted to microseconds. */
export interface KafkaDumpRecord {
  readonly key: string | null;
  readonly value: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestampMicros: number;
}

/** A parsed dump line, or why it is not a Kafka record. */
export type KafkaDumpResult = { readonly ok: true; readonly record: KafkaDumpRecord } | ParseFailure;

/** Largest Kafka partition number (a 32-bit signed int). */
export const MAX_PARTITION = 2 ** 31 - 1;

/** The record on one dump line, or the reason it is not one. */
export function parseKafkaDumpLine(line: string): KafkaDumpResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return fail(`invalid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail(`not a JSON object: ${show(parsed)}`);
  const o = parsed as Record<string, unknown>;

  const { topic, value, key } = o;
  if (typeof topic !== 'string' || topic === '') return fail(topic === undefined ? 'missing field topic' : `field topic: ${show(topic)} is not a topic name`);
  if (typeof value !== 'string') return fail(value === undefined ? 'missing field value' : `field value: ${show(value)} is not a string`);
  if (key !== undefined && key !== null && typeof key !== 'string') return fail(`field key: ${show(key)} is not a string or null`);

  if (o.partition === undefined) return fail('missing field partition');
  const partition = safeIntegerOf(o.partition, 'field partition');
  if (typeof partition === 'string') return fail(partition);
  if (partition < 0 || partition > MAX_PARTITION) return fail(`field partition: ${partition} is not a partition number`);

  if (o.offset === undefined) return fail('missing field offset');
  const offset = safeIntegerOf(o.offset, 'field offset');
  if (typeof offset === 'string') return fail(offset);
  if (offset < 0) return fail(`field offset: ${offset} is negative`);

  if (o.timestamp === undefined) return fail('missing field timestamp');
  if (typeof o.timestamp !== 'number') return fail(`field timestamp: ${show(o.timestamp)} is not a number (epoch seconds)`);
  const timestampMicros = epochMicrosOf(o.timestamp, 'field timestamp');
  if (typeof timestampMicros === 'string') return fail(timestampMicros);

  return { ok: true, record: { key: key ?? null, value, topic, partition, offset, timestampMicros } };
}
