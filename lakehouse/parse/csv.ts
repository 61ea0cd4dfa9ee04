/**
 * CSV exports (registered users, gym logins) to typed bronze records. Fields follow RFC 4180: a field
 * is quoted when it starts with `"`, a quote inside quotes is written `""`, and commas inside quotes are
 * data. parseCsvLine reads one record's text; a quoted field that runs onto the next line shows up here
 * as an unterminated quote, and the file's parser (steps/bronze/csv-parser.ts) joins the lines until it
 * closes. A quote inside an unquoted field is kept as data, as most CSV writers that do not quote would
 * have meant it.
 *
 * Headers are matched by name, case-insensitively and in any order; extra columns are ignored.
 */
import { FitlakeError } from '../errors.ts';
import type { GymLoginBzRow, RegisteredUserBzRow } from '../../schema/tables.ts';
import { fail, type ParseFailure, type RowResult } from './result.ts';
import { eventTimeProblem, idProblem } from '../rules/plausible.ts';
import { epochMicrosOf, normalizeMacAddress, safeIntegerOfText, show } from './values.ts';

/** A CSV header the whole file cannot be read with (a required column missing, a duplicate, bad syntax). */
export class CsvHeaderError extends FitlakeError {
  constructor(message: string) {
    super(message, false);
  }
}

/** The columns of a CSV file: names as written (trimmed), and the position of each lower-cased name. */
export interface CsvHeader {
  readonly columns: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

/** The fields of one CSV line, or why the line is not valid CSV. */
export type CsvFieldsResult = { readonly ok: true; readonly fields: string[] } | ParseFailure;

const QUOTE = 34;
const COMMA = 44;

/** The fields of one CSV line (RFC 4180 quoting), or the reason it is malformed. */
export function parseCsvLine(line: string): CsvFieldsResult {
  const fields: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === QUOTE) {
      // Quoted field: runs to the quote that is not doubled; text is gathered in pieces between `""`.
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q === -1) return fail(`unterminated quote in field ${fields.length + 1}`);
        if (line.charCodeAt(q + 1) === QUOTE) {
          value += line.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += line.slice(from, q);
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return { ok: true, fields };
      if (line.charCodeAt(i) !== COMMA) return fail(`unexpected text after the closing quote of field ${fields.length}`);
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c === -1) {
        fields.push(line.slice(i));
        return { ok: true, fields };
      }
      fields.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

/** The header of a CSV file; throws CsvHeaderError on bad syntax or a repeated column name. */
export function parseCsvHeader(line: string): CsvHeader {
  const parsed = parseCsvLine(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
  if (!parsed.ok) throw new CsvHeaderError(`CSV header is malformed: ${parsed.reason}`);
  const columns = parsed.fields.map((name) => name.trim());
  const index = new Map<string, number>();
  columns.forEach((name, i) => {
    const key = name.toLowerCase();
    if (index.has(key)) throw new CsvHeaderError(`CSV header names column ${JSON.stringify(name)} twice`);
    index.set(key, i);
  });
  return { columns, index };
}

/** Columns a registered-users export must have (the SBIT header, in its order). */
export const REGISTERED_USER_COLUMNS = ['user_id', 'device_id', 'mac_address', 'registration_timestamp'] as const;

/** Columns a gym-logins export must have (the SBIT header, in its order). */
export const GYM_LOGIN_COLUMNS = ['mac_address', 'gym', 'login', 'logout'] as const;

/**
 * Position of each required column in the header, in the order asked; throws CsvHeaderError naming the
 * first missing column. Steps call it once per file so a bad header fails before any record is read.
 */
export function requireColumns(header: CsvHeader, required: readonly string[]): number[] {
  return required.map((name) => {
    const i = header.index.get(name.toLowerCase());
    if (i === undefined) throw new CsvHeaderError(`CSV header has no column ${JSON.stringify(name)} (columns: ${header.columns.join(', ')})`);
    return i;
  });
}

/** A registered_users_bz record without its load columns. */
export type RegisteredUserRecord = Omit<RegisteredUserBzRow, 'load_time' | 'source_file'>;

/** A gym_logins_bz record without its load columns. */
export type GymLoginRecord = Omit<GymLoginBzRow, 'load_time' | 'source_file'>;

/** The reason a field count does not match the header, or null when it does. */
function fieldCountProblem(fields: readonly string[], header: CsvHeader): string | null {
  return fields.length === header.columns.length ? null : `expected ${header.columns.length} fields, got ${fields.length}`;
}

/** True for an empty or whitespace-only field: a missing value. */
const isEmpty = (text: string) => text.trim() === '';

/** A required integer column's value, or the reason there is none. */
function integerColumn(text: string, column: string): number | string {
  return isEmpty(text) ? `missing value for ${column}` : safeIntegerOfText(text, `column ${column}`);
}

/** A required epoch-seconds column in microseconds, or the reason there is none. */
function timestampColumn(text: string, column: string): number | string {
  return isEmpty(text) ? `missing value for ${column}` : epochMicrosOf(text, `column ${column}`);
}

/** A required MAC address column, normalised, or a ParseFailure. */
function macColumn(text: string, column: string): string | ParseFailure {
  if (isEmpty(text)) return fail(`missing value for ${column}`);
  return normalizeMacAddress(text) ?? fail(`column ${column}: ${show(text)} is not a MAC address (six hex pairs separated by ':')`);
}

/** One registered-users record from its fields; throws CsvHeaderError when the header lacks a column. */
export function parseRegisteredUser(fields: readonly string[], header: CsvHeader): RowResult<RegisteredUserRecord> {
  const [userCol, deviceCol, macCol, regCol] = requireColumns(header, REGISTERED_USER_COLUMNS) as [number, number, number, number];
  const countProblem = fieldCountProblem(fields, header);
  if (countProblem !== null) return fail(countProblem);
  const user_id = integerColumn(fields[userCol] ?? '', 'user_id');
  if (typeof user_id === 'string') return fail(user_id);
  const device_id = integerColumn(fields[deviceCol] ?? '', 'device_id');
  if (typeof device_id === 'string') return fail(device_id);
  const mac_address = macColumn(fields[macCol] ?? '', 'mac_address');
  if (typeof mac_address !== 'string') return mac_address;
  const registration_timestamp = timestampColumn(fields[regCol] ?? '', 'registration_timestamp');
  if (typeof registration_timestamp === 'string') return fail(registration_timestamp);
  const implausible = idProblem(user_id, 'column user_id') ?? idProblem(device_id, 'column device_id') ?? eventTimeProblem(registration_timestamp, 'column registration_timestamp');
  if (implausible) return fail(implausible);
  return { ok: true, row: { user_id, device_id, mac_address, registration_timestamp } };
}

/** One gym-logins record from its fields (empty logout → null); throws CsvHeaderError when the header lacks a column. */
export function parseGymLogin(fields: readonly string[], header: CsvHeader): RowResult<GymLoginRecord> {
  const [macCol, gymCol, loginCol, logoutCol] = requireColumns(header, GYM_LOGIN_COLUMNS) as [number, number, number, number];
  const countProblem = fieldCountProblem(fields, header);
  if (countProblem !== null) return fail(countProblem);
  const mac_address = macColumn(fields[macCol] ?? '', 'mac_address');
  if (typeof mac_address !== 'string') return mac_address;
  const gym = integerColumn(fields[gymCol] ?? '', 'gym');
  if (typeof gym === 'string') return fail(gym);
  const login = timestampColumn(fields[loginCol] ?? '', 'login');
  if (typeof login === 'string') return fail(login);
  const logoutText = fields[logoutCol] ?? '';
  // A visit still in progress has no logout yet.
  const logout = isEmpty(logoutText) ? null : epochMicrosOf(logoutText, 'column logout');
  if (typeof logout === 'string') return fail(logout);
  const implausible =
    idProblem(gym, 'column gym') ??
    eventTimeProblem(login, 'column login') ??
    (logout === null ? undefined : (eventTimeProblem(logout, 'column logout') ?? (logout < login ? 'column logout: before the login' : undefined)));
  if (implausible) return fail(implausible);
  return { ok: true, row: { mac_address, gym, login, logout } };
}
