/**
 * Every table of the lake, declared once. Names, layers and meanings follow ../shared/sbit/README.md;
 * the Delta schemaString, the Parquet schema and the TypeScript row types all come from here.
 *
 * Times are exact `timestamp` columns (microseconds, UTC) everywhere: the original pipeline parsed them
 * as 32-bit floats and rounded workout boundaries to 128 s; fitlake does not.
 */
import type { ColumnType, RowOf, TableDef } from './types.ts';

const col = <const N extends string, const T extends ColumnType, const Null extends boolean = false>(name: N, type: T, nullable?: Null): { readonly name: N; readonly type: T; readonly nullable: Null } =>
  ({ name, type, nullable: (nullable ?? false) as Null });

/** Columns every bronze file record carries besides its own. */
const loadColumns = [col('load_time', 'timestamp'), col('source_file', 'string')] as const;

// ───────────────────────────── bronze: every source record as it came ─────────────────────────────

export const registeredUsersBz = {
  name: 'registered_users_bz',
  layer: 'bronze',
  description: 'Device registrations from the registration database CSV exports.',
  columns: [col('user_id', 'long'), col('device_id', 'long'), col('mac_address', 'string'), col('registration_timestamp', 'timestamp'), ...loadColumns],
  primaryKey: [],
  partitionBy: [],
} as const satisfies TableDef;

export const gymLoginsBz = {
  name: 'gym_logins_bz',
  layer: 'bronze',
  description: 'Gym door login/logout records per device MAC address, from CSV exports.',
  columns: [col('mac_address', 'string'), col('gym', 'long'), col('login', 'timestamp'), col('logout', 'timestamp', true), ...loadColumns],
  primaryKey: [],
  partitionBy: [],
} as const satisfies TableDef;

export const kafkaMultiplexBz = {
  name: 'kafka_multiplex_bz',
  layer: 'bronze',
  description: 'Every Kafka record of the user_info, workout and bpm topics, payload untouched.',
  columns: [
    col('key', 'string', true),
    col('value', 'string'),
    col('topic', 'string'),
    col('partition', 'integer'),
    col('offset', 'long'),
    col('timestamp', 'timestamp'),
    col('date', 'date'),
    col('week_part', 'string'),
    ...loadColumns,
  ],
  // Append-only: (topic, partition, offset) is unique on a live broker, but the SBIT dumps repeat
  // workout offsets (16 records on 4 offsets), and bronze keeps every record as it came.
  primaryKey: [],
  partitionBy: ['topic', 'week_part'],
  // bronze_kafka's offsets per partition share the table with the landing step's per-file markers,
  // which may expire (steps/bronze/landing-files.ts): every commit renews the offsets instead.
  properties: { 'fitlake.keepAliveTxnPrefixes': 'bronze_kafka:' },
} as const satisfies TableDef;

// ───────────────────────────── silver: clean, deduplicated, joined ─────────────────────────────

export const users = {
  name: 'users',
  layer: 'silver',
  description: 'One registration per user; the first registration of a user_id wins.',
  columns: [col('user_id', 'long'), col('device_id', 'long'), col('mac_address', 'string'), col('registration_timestamp', 'timestamp')],
  primaryKey: ['user_id'],
  partitionBy: [],
} as const satisfies TableDef;

export const gymLogs = {
  name: 'gym_logs',
  layer: 'silver',
  description: 'Gym visits; a later record for a login only moves its logout later.',
  columns: [col('mac_address', 'string'), col('gym', 'long'), col('login', 'timestamp'), col('logout', 'timestamp', true)],
  primaryKey: ['mac_address', 'gym', 'login'],
  partitionBy: [],
} as const satisfies TableDef;

export const userProfile = {
  name: 'user_profile',
  layer: 'silver',
  description: 'Latest profile per user from the user_info change stream; an older record never overwrites a newer one.',
  columns: [
    col('user_id', 'long'),
    col('dob', 'date'),
    col('sex', 'string', true),
    col('gender', 'string', true),
    col('first_name', 'string', true),
    col('last_name', 'string', true),
    col('street_address', 'string', true),
    col('city', 'string', true),
    col('state', 'string', true),
    col('zip', 'string', true),
    col('updated', 'timestamp'),
  ],
  primaryKey: ['user_id'],
  partitionBy: [],
} as const satisfies TableDef;

export const workouts = {
  name: 'workouts',
  layer: 'silver',
  description: 'Workout start/stop events, one per (user_id, time).',
  columns: [col('user_id', 'long'), col('workout_id', 'long'), col('time', 'timestamp'), col('action', 'string'), col('session_id', 'long')],
  primaryKey: ['user_id', 'time'],
  partitionBy: [],
} as const satisfies TableDef;

export const heartRate = {
  name: 'heart_rate',
  layer: 'silver',
  description: 'Heart-rate readings, one per (device_id, time); valid = 0 < heartrate < 300.',
  columns: [col('device_id', 'long'), col('time', 'timestamp'), col('heartrate', 'double'), col('valid', 'boolean')],
  primaryKey: ['device_id', 'time'],
  partitionBy: [],
} as const satisfies TableDef;

export const userBins = {
  name: 'user_bins',
  layer: 'silver',
  description: 'Demographics per user, kept current (SCD type 1); age is the bin at the profile update, dob lets gold bin at any date.',
  columns: [col('user_id', 'long'), col('age', 'string'), col('gender', 'string', true), col('city', 'string', true), col('state', 'string', true), col('dob', 'date')],
  primaryKey: ['user_id'],
  partitionBy: [],
} as const satisfies TableDef;

export const completedWorkouts = {
  name: 'completed_workouts',
  layer: 'silver',
  description: 'A start and a stop of the same (user_id, workout_id, session_id), the stop less than 3 hours after the start.',
  columns: [col('user_id', 'long'), col('workout_id', 'long'), col('session_id', 'long'), col('start_time', 'timestamp'), col('end_time', 'timestamp')],
  primaryKey: ['user_id', 'workout_id', 'session_id'],
  partitionBy: [],
} as const satisfies TableDef;

export const workoutBpm = {
  name: 'workout_bpm',
  layer: 'silver',
  description: "Every valid reading of the user's registered device with start_time < time <= end_time of a completed workout.",
  columns: [
    col('user_id', 'long'),
    col('workout_id', 'long'),
    col('session_id', 'long'),
    col('start_time', 'timestamp'),
    col('end_time', 'timestamp'),
    col('time', 'timestamp'),
    col('heartrate', 'double'),
  ],
  primaryKey: ['user_id', 'workout_id', 'session_id', 'time'],
  partitionBy: [],
} as const satisfies TableDef;

// ───────────────────────────── gold: what people query ─────────────────────────────

export const workoutBpmSummary = {
  name: 'workout_bpm_summary',
  layer: 'gold',
  description: "Heart-rate summary per completed workout with the user's demographics; age bin on the workout's start date.",
  columns: [
    col('workout_id', 'long'),
    col('session_id', 'long'),
    col('user_id', 'long'),
    col('age', 'string'),
    col('gender', 'string', true),
    col('city', 'string', true),
    col('state', 'string', true),
    col('min_bpm', 'double'),
    col('avg_bpm', 'double'),
    col('max_bpm', 'double'),
    col('num_recordings', 'long'),
  ],
  primaryKey: ['user_id', 'workout_id', 'session_id'],
  partitionBy: [],
} as const satisfies TableDef;

export const gymSummary = {
  name: 'gym_summary',
  layer: 'gold',
  description: 'Minutes in the gym and minutes exercising per completed workout that started during a gym visit.',
  columns: [
    col('date', 'date'),
    col('gym', 'long'),
    col('mac_address', 'string'),
    col('workout_id', 'long'),
    col('session_id', 'long'),
    col('minutes_in_gym', 'double'),
    col('minutes_exercising', 'double'),
  ],
  primaryKey: ['date', 'gym', 'mac_address', 'workout_id', 'session_id'],
  partitionBy: [],
} as const satisfies TableDef;

// ───────────────────────────── quarantine: what could not be kept ─────────────────────────────

export const quarantineRecords = {
  name: 'records',
  layer: 'quarantine',
  description: 'Records that could not be parsed or broke their schema: raw payload, where it came from and why it was refused.',
  columns: [
    col('step', 'string'),
    col('target_table', 'string'),
    col('source', 'string'),
    col('raw', 'string', true),
    col('reason', 'string'),
    col('load_time', 'timestamp'),
  ],
  primaryKey: ['source'],
  partitionBy: ['target_table'],
} as const satisfies TableDef;

export const allTables = [
  registeredUsersBz,
  gymLoginsBz,
  kafkaMultiplexBz,
  users,
  gymLogs,
  userProfile,
  workouts,
  heartRate,
  userBins,
  completedWorkouts,
  workoutBpm,
  workoutBpmSummary,
  gymSummary,
  quarantineRecords,
] as const satisfies readonly TableDef[];

export type RegisteredUserBzRow = RowOf<typeof registeredUsersBz>;
export type GymLoginBzRow = RowOf<typeof gymLoginsBz>;
export type KafkaMultiplexBzRow = RowOf<typeof kafkaMultiplexBz>;
export type UserRow = RowOf<typeof users>;
export type GymLogRow = RowOf<typeof gymLogs>;
export type UserProfileRow = RowOf<typeof userProfile>;
export type WorkoutRow = RowOf<typeof workouts>;
export type HeartRateRow = RowOf<typeof heartRate>;
export type UserBinRow = RowOf<typeof userBins>;
export type CompletedWorkoutRow = RowOf<typeof completedWorkouts>;
export type WorkoutBpmRow = RowOf<typeof workoutBpm>;
export type WorkoutBpmSummaryRow = RowOf<typeof workoutBpmSummary>;
export type GymSummaryRow = RowOf<typeof gymSummary>;
export type QuarantineRow = RowOf<typeof quarantineRecords>;
