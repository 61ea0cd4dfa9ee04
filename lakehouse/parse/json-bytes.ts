/**
 * Reading JSON tokens straight from UTF-8 bytes, for the two formats that come by the million (Kafka
 * dump lines and bpm payloads): no string per line, no object per record, nothing for the garbage
 * collector. These readers cover only the plain shapes those formats use and say NO_MATCH for anything
 * else (an escape they do not know, a byte beyond ASCII, a duplicate field): the caller
 * then hands the record to the string parser, whose JSON.parse gives the verdict. A reader therefore
 * never decides that input is bad; it only accepts input whose meaning under JSON.parse is certain.
 */

/** What a reader returns when the input is not one of the shapes it covers. */
export const NO_MATCH = -1;

const QUOTE = 34;
const BACKSLASH = 92;

/** The index of the first byte at or after `at` that is not JSON whitespace (space, tab, CR, LF). */
export function skipWhitespace(bytes: Uint8Array, at: number, end: number): number {
  while (at < end) {
    const c = bytes[at]!;
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
    at++;
  }
  return at;
}

/** Per byte inside a string: 0 a plain character, 1 the closing quote, 2 a backslash, 3 not read here. */
export const STRING_BYTE = new Uint8Array(256).fill(3);
for (let c = 32; c <= 126; c++) STRING_BYTE[c] = 0;
STRING_BYTE[QUOTE] = 1;
STRING_BYTE[BACKSLASH] = 2;

/** The byte a one-character escape (`\n`, `\"`, …) stands for, or 255 for `\u` and anything else. */
export const ESCAPED = new Uint8Array(256).fill(255);
ESCAPED[QUOTE] = QUOTE;
ESCAPED[BACKSLASH] = BACKSLASH;
ESCAPED[47] = 47; // '/'
ESCAPED[98] = 8; // 'b'
ESCAPED[102] = 12; // 'f'
ESCAPED[110] = 10; // 'n'
ESCAPED[114] = 13; // 'r'
ESCAPED[116] = 9; // 't'

/**
 * A JSON number token at `at` with its extent and, when it is a plain whole number (no sign, fraction or
 * exponent, at most 15 digits: always a safe integer), its value. `end` is NO_MATCH when no JSON number
 * starts there (grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?).
 */
export interface NumberToken {
  end: number;
  /** The value for a plain whole number of at most 15 digits, else NaN. */
  integer: number;
  /** Index of the `.` of a fraction, or -1. */
  dot: number;
  /** True when the token has a minus sign or an exponent. */
  signOrExponent: boolean;
}

/** Scans the JSON number token at `at` into `token` (see NumberToken); returns token.end. */
export function readNumber(bytes: Uint8Array, at: number, end: number, token: NumberToken): number {
  let i = at;
  token.integer = NaN;
  token.dot = -1;
  token.signOrExponent = false;
  token.end = NO_MATCH;
  if (bytes[i] === 45) {
    token.signOrExponent = true;
    i++;
  }
  const digitsStart = i;
  let value = 0;
  if (bytes[i] === 48) {
    i++;
  } else {
    while (i < end) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
      i++;
    }
  }
  if (i === digitsStart) return NO_MATCH;
  const intDigits = i - digitsStart;
  if (bytes[i] === 46) {
    token.dot = i;
    const fractionStart = ++i;
    while (i < end && bytes[i]! >= 48 && bytes[i]! <= 57) i++;
    if (i === fractionStart) return NO_MATCH;
  }
  if (bytes[i] === 101 || bytes[i] === 69) {
    token.signOrExponent = true;
    i++;
    if (bytes[i] === 43 || bytes[i] === 45) i++;
    const exponentStart = i;
    while (i < end && bytes[i]! >= 48 && bytes[i]! <= 57) i++;
    if (i === exponentStart) return NO_MATCH;
  }
  // A digit right after a leading zero ("01") is not JSON; neither is the token running into a letter.
  if (i < end && ((bytes[i]! >= 48 && bytes[i]! <= 57) || bytes[i] === 46)) return NO_MATCH;
  if (!token.signOrExponent && token.dot < 0 && intDigits <= 15) token.integer = value;
  token.end = i;
  return i;
}

/** A fresh NumberToken to scan into (one per parser, reused for every number). */
export const numberToken = (): NumberToken => ({ end: NO_MATCH, integer: NaN, dot: -1, signOrExponent: false });
