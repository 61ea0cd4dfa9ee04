/**
 * Kafka value payloads (JSON text) of the three SBIT topics to typed silver rows. All times in the
 * payloads are epoch seconds, JSON numbers (`1678451168`, `1678451168.0`) or decimal strings, converted
 * exactly to microseconds. Ids must be JSON numbers that are safe integers; nothing is rounded.
 *
 * A heart rate outside (0, 300) is still a reading: silver keeps it with valid = false, so only a
 * value that is not a finite number is refused here.
 */
import type { HeartRateRow, UserProfileRow, WorkoutRow } from '../../schema/tables.ts';
import { parseDate } from '../time.ts';
import { fail, type ParseFailure, type RowResult } from './result.ts';
import { epochMicrosOf, safeIntegerOf, show } from './values.ts';

/** The topics fitlake reads, in the order of the SBIT files. */
export const KNOWN_TOPICS = ['user_info', 'workout', 'bpm'] as const;

/** One of KNOWN_TOPICS. */
export type KnownTopic = (typeof KNOWN_TOPICS)[number];

/** True when `topic` is one fitlake has a payload parser for. */
export function isKnownTopic(topic: string): topic is KnownTopic {
  return (KNOWN_TOPICS as readonly string[]).includes(topic);
}

/** A user_info change record: a user_profile row and whether it announced a new user or an update. */
export type UserInfoRow = UserProfileRow & { update_type: 'new' | 'update' };

/** A workout event: a workouts row whose action is known to be start or stop. */
export type WorkoutEventRow = Omit<WorkoutRow, 'action'> & { action: 'start' | 'stop' };

/** A heart-rate reading before silver judges it (no `valid` yet). */
export type BpmReading = Omit<HeartRateRow, 'valid'>;

/** A payload parsed by the parser of its topic, tagged with the topic; or why it could not be. */
export type PayloadResult =
  | { readonly ok: true; readonly topic: 'user_info'; readonly row: UserInfoRow }
  | { readonly ok: true; readonly topic: 'workout'; readonly row: WorkoutEventRow }
  | { readonly ok: true; readonly topic: 'bpm'; readonly row: BpmReading }
  | ParseFailure;

type JsonObject = Record<string, unknown>;

/** The JSON object of a payload, or the reason (a string) there is none. */
function payloadObject(value: string): JsonObject | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return `invalid JSON payload: ${(error as Error).message}`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `payload is not a JSON object: ${show(parsed)}`;
  return parsed as JsonObject;
}

/** A required id field, or the reason it is missing or not a safe integer. */
function idField(o: JsonObject, name: string): number | string {
  const v = o[name];
  return v === undefined || v === null ? `missing field ${name}` : safeIntegerOf(v, `field ${name}`);
}

/** A required epoch-seconds field in microseconds, or the reason there is none. */
function timeField(o: JsonObject, name: string): number | string {
  const v = o[name];
  return v === undefined || v === null ? `missing field ${name}` : epochMicrosOf(v, `field ${name}`);
}

/** An optional text field (absent or null → null), or a failure when it holds something else. */
function textField(o: JsonObject, name: string, label: string): string | null | ParseFailure {
  const v = o[name];
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : fail(`field ${label}: ${show(v)} is not a string`);
}

/**
 * A zip code as text: strings are kept as written, whole non-negative JSON numbers (the source writes
 * `91340`) become their digits. A number cannot carry leading zeros, so none are invented.
 */
function zipField(o: JsonObject): string | null | ParseFailure {
  const v = o.zip;
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return fail(`field address.zip: ${show(v)} is not a zip code`);
}

/** Day number of a `MM/dd/yyyy` date (exactly two, two and four digits), or null when it is not one. */
function usDateDays(text: string): number | null {
  if (text.length !== 10 || text.charCodeAt(2) !== 47 || text.charCodeAt(5) !== 47) return null;
  try {
    // parseDate checks the digits and that the day exists (no 02/30).
    return parseDate(`${text.slice(6)}-${text.slice(0, 2)}-${text.slice(3, 5)}`);
  } catch {
    return null;
  }
}

const isFailure = (v: unknown): v is ParseFailure => typeof v === 'object' && v !== null;

/** A user_info payload as a profile change; dob, update_type, user_id and timestamp are required. */
export function parseUserInfo(value: string): RowResult<UserInfoRow> {
  const o = payloadObject(value);
  if (typeof o === 'string') return fail(o);
  const user_id = idField(o, 'user_id');
  if (typeof user_id === 'string') return fail(user_id);
  const update_type = o.update_type;
  if (update_type !== 'new' && update_type !== 'update') {
    return fail(update_type === undefined ? 'missing field update_type' : `field update_type: ${show(update_type)} is not new or update`);
  }
  const updated = timeField(o, 'timestamp');
  if (typeof updated === 'string') return fail(updated);
  if (typeof o.dob !== 'string') return fail(o.dob === undefined || o.dob === null ? 'missing field dob' : `field dob: ${show(o.dob)} is not a date (MM/dd/yyyy)`);
  const dob = usDateDays(o.dob);
  if (dob === null) return fail(`field dob: ${show(o.dob)} is not a date (MM/dd/yyyy)`);

  const sex = textField(o, 'sex', 'sex');
  if (isFailure(sex)) return sex;
  const gender = textField(o, 'gender', 'gender');
  if (isFailure(gender)) return gender;
  const first_name = textField(o, 'first_name', 'first_name');
  if (isFailure(first_name)) return first_name;
  const last_name = textField(o, 'last_name', 'last_name');
  if (isFailure(last_name)) return last_name;

  // A profile without an address is still a profile; an address that is not an object is a broken record.
  const address = o.address ?? {};
  if (typeof address !== 'object' || Array.isArray(address)) return fail(`field address: ${show(address)} is not an object`);
  const a = address as JsonObject;
  const street_address = textField(a, 'street_address', 'address.street_address');
  if (isFailure(street_address)) return street_address;
  const city = textField(a, 'city', 'address.city');
  if (isFailure(city)) return city;
  const state = textField(a, 'state', 'address.state');
  if (isFailure(state)) return state;
  const zip = zipField(a);
  if (isFailure(zip)) return zip;

  return {
    ok: true,
    row: { user_id, update_type, updated, dob, sex, gender, first_name, last_name, street_address, city, state, zip },
  };
}

/** A workout payload as a start or stop event; every field is required. */
export function parseWorkout(value: string): RowResult<WorkoutEventRow> {
  const o = payloadObject(value);
  if (typeof o === 'string') return fail(o);
  const user_id = idField(o, 'user_id');
  if (typeof user_id === 'string') return fail(user_id);
  const workout_id = idField(o, 'workout_id');
  if (typeof workout_id === 'string') return fail(workout_id);
  const time = timeField(o, 'timestamp');
  if (typeof time === 'string') return fail(time);
  const action = o.action;
  if (action !== 'start' && action !== 'stop') return fail(action === undefined ? 'missing field action' : `field action: ${show(action)} is not start or stop`);
  const session_id = idField(o, 'session_id');
  if (typeof session_id === 'string') return fail(session_id);
  return { ok: true, row: { user_id, workout_id, time, action, session_id } };
}

/** A bpm payload as a heart-rate reading; any finite heart rate is kept (silver judges validity). */
export function parseBpm(value: string): RowResult<BpmReading> {
  const o = payloadObject(value);
  if (typeof o === 'string') return fail(o);
  const device_id = idField(o, 'device_id');
  if (typeof device_id === 'string') return fail(device_id);
  const time = timeField(o, 'time');
  if (typeof time === 'string') return fail(time);
  const heartrate = o.heartrate;
  if (typeof heartrate !== 'number' || !Number.isFinite(heartrate)) {
    return fail(heartrate === undefined || heartrate === null ? 'missing field heartrate' : `field heartrate: ${show(heartrate)} is not a number`);
  }
  return { ok: true, row: { device_id, time, heartrate } };
}

/** The payload of a record of `topic` parsed by that topic's parser; `unknown topic "x"` for any other topic. */
export function parsePayload(topic: string, value: string): PayloadResult {
  switch (topic) {
    case 'user_info': {
      const r = parseUserInfo(value);
      return r.ok ? { ok: true, topic, row: r.row } : r;
    }
    case 'workout': {
      const r = parseWorkout(value);
      return r.ok ? { ok: true, topic, row: r.row } : r;
    }
    case 'bpm': {
      const r = parseBpm(value);
      return r.ok ? { ok: true, topic, row: r.row } : r;
    }
    default:
      return fail(`unknown topic ${JSON.stringify(topic)}`);
  }
}
