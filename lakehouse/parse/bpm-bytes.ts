/**
 * The fast path for bpm payloads (see parseBpm in payloads.ts), read from their UTF-8 bytes: an object
 * of device_id, time and heartrate in any order and with any spacing between its tokens, as devices and
 * other JSON writers write them,
 *
 *   {"device_id":100007,"time":1678406400,"heartrate":156.64520460567036}
 *   {"heartrate": 7.2e1, "device_id": 100007, "time": 1678406400}
 *
 * Field names are matched with word compares (ascii-words.ts), whole numbers and decimals read with
 * plain-numbers.ts and converted exactly without Number(). Such a payload gives the reading parseBpm
 * gives for its text.
 *
 * What it reads: each field once, device_id and time plain whole numbers of at most 15 digits (time
 * within MAX_FAST_SECONDS), the heart rate any finite JSON number (one with an exponent or more than 17
 * significant digits through Number(), which rounds as JSON.parse does). Any other payload (another
 * field, a duplicate, null, a string, a fraction of a second, an escape in a name) is NOT read: read()
 * returns false and the caller parses the text, which also words the reason for quarantine.
 */
import { AsciiLiteral } from './ascii-words.ts';
import { decimalToDouble, MAX_EXACT_SCALE, MAX_TRAILING_DIGITS, POWERS_OF_TEN } from './decimal-double.ts';
import { NO_MATCH, numberToken, readNumber, skipWhitespace } from './json-bytes.ts';
import { PlainNumberReader } from './plain-numbers.ts';
import { MAX_FAST_SECONDS } from './values.ts';

const DEVICE_ID = 0;
const TIME = 1;
const HEARTRATE = 2;
/** The fields' names with their quotes, so a longer name never matches a shorter one. */
const NAMES = ['device_id', 'time', 'heartrate'].map((name) => new AsciiLiteral(`"${name}"`));
const ALL = 0b111;

const MINUS = 45;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** Reads bpm payloads into its fields, one at a time (the fields hold the last payload read). */
export class BpmPayloadReader {
  deviceId = 0;
  /** Microseconds since the epoch. */
  time = 0;
  heartrate = 0;
  private readonly digits = new PlainNumberReader();
  private readonly token = numberToken();
  /** A view of the input, made again when the input changes (once per Arrow chunk). */
  private input: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.input.buffer);
  /** The input's bytes as characters (latin1), made when a number first needs Number(). */
  private chars: string | undefined;

  /** True when bytes[start, end) is a payload this reader reads (see the module comment), now read into the fields. */
  read(bytes: Uint8Array, start: number, end: number): boolean {
    if (bytes !== this.input) {
      this.input = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.chars = undefined;
    }
    const view = this.view;
    const digits = this.digits;
    // Reads may run past `end` into the next payload: `at` only grows, and the last check (nothing but
    // whitespace from the `}` to `end`) refuses any payload whose reading did.
    let at = skipWhitespace(bytes, start, end);
    if (bytes[at] !== OPEN_BRACE) return false;
    at = skipWhitespace(bytes, at + 1, end);
    let seen = 0;
    let deviceId = 0;
    let seconds = 0;
    let heartrate = 0;
    for (;;) {
      const second = bytes[at + 1];
      const field = second === 100 /* d */ ? DEVICE_ID : second === 116 /* t */ ? TIME : HEARTRATE;
      if (!NAMES[field]!.isAt(view, at) || (seen & (1 << field)) !== 0) return false;
      seen |= 1 << field;
      at = skipWhitespace(bytes, at + NAMES[field]!.length, end);
      if (bytes[at] !== COLON) return false;
      at = skipWhitespace(bytes, at + 1, end);
      if (field === HEARTRATE) {
        at = this.number(bytes, at, end);
        if (at === NO_MATCH) return false;
        heartrate = this.heartrate;
      } else {
        at = digits.whole(bytes, at);
        if (at === NO_MATCH) return false;
        if (field === DEVICE_ID) deviceId = digits.value;
        else if (digits.value > MAX_FAST_SECONDS) return false;
        else seconds = digits.value;
      }
      at = skipWhitespace(bytes, at, end);
      if (bytes[at] === COMMA) {
        at = skipWhitespace(bytes, at + 1, end);
        continue;
      }
      if (bytes[at] !== CLOSE_BRACE || seen !== ALL || skipWhitespace(bytes, at + 1, end) !== end) return false;
      break;
    }
    this.deviceId = deviceId;
    this.time = seconds * 1_000_000;
    this.heartrate = heartrate;
    return true;
  }

  /**
   * The finite JSON number at `at` into `heartrate`; the index after it, or NO_MATCH. Unsigned decimals
   * without exponent of up to 17 significant digits are converted exactly by PlainNumberReader (a minus
   * negates: rounding to nearest is symmetric, and "-0" gives -0 as JSON.parse does); others are
   * scanned as JSON number tokens and converted by exactDouble.
   */
  private number(bytes: Uint8Array, at: number, end: number): number {
    const negative = bytes[at] === MINUS;
    const next = this.digits.decimal(bytes, negative ? at + 1 : at);
    if (next !== NO_MATCH) {
      this.heartrate = negative ? -this.digits.value : this.digits.value;
      return next;
    }
    const tokenEnd = readNumber(bytes, at, end, this.token);
    if (tokenEnd === NO_MATCH) return NO_MATCH;
    const value = this.exactDouble(bytes, at, tokenEnd);
    // 1e400 is JSON for Infinity, which parseBpm refuses (with its reason).
    if (!Number.isFinite(value)) return NO_MATCH;
    this.heartrate = value;
    return tokenEnd;
  }

  /**
   * The double JSON.parse gives for the number token bytes[start, end) that readNumber accepted: the
   * digits M over 10^scale, scale the digits after the point less the exponent. With M exact (at most 15
   * digits) and |scale| ≤ 22, M / 10^scale or M · 10^-scale is one correctly rounded operation on two
   * exact doubles (Clinger's fast path: 7.2e1, 72.0e0, 1.5E-3); 16 or 17 digits over 10^scale go to
   * decimalToDouble (1.1809324289089123e2, as Python's repr writes heart rates); otherwise, or when that
   * leaves the case undecided, Number() of the text, which rounds as JSON.parse does.
   */
  private exactDouble(bytes: Uint8Array, start: number, end: number): number {
    const negative = bytes[start] === MINUS;
    let at = negative ? start + 1 : start;
    const digitsStart = at;
    let digits = 0;
    let count = 0;
    let fraction = 0;
    let inFraction = false;
    for (; at < end; at++) {
      const c = bytes[at]!;
      if (c === 46 /* . */) {
        inFraction = true;
      } else if (c >= 48 && c <= 57) {
        digits = digits * 10 + (c - 48);
        count++;
        if (inFraction) fraction++;
      } else {
        break; // the exponent's e or E
      }
    }
    const digitsEnd = at;
    let exponent = 0;
    if (at < end) {
      let sign = 1;
      at++;
      if (bytes[at] === 45 /* - */ || bytes[at] === 43 /* + */) sign = bytes[at++] === 45 ? -1 : 1;
      for (; at < end && exponent < 1000; at++) exponent = exponent * 10 + (bytes[at]! - 48);
      exponent *= sign;
    }
    const scale = fraction - exponent;
    let magnitude = NaN;
    if (count <= 15 && scale >= -MAX_EXACT_SCALE && scale <= MAX_EXACT_SCALE) {
      magnitude = scale >= 0 ? digits / POWERS_OF_TEN[scale]! : digits * POWERS_OF_TEN[-scale]!;
    } else if (count <= 17 && scale >= 0 && scale <= MAX_EXACT_SCALE) {
      // The last MAX_TRAILING_DIGITS digits apart from the others (at most 9), as decimalToDouble takes them.
      let leading = 0;
      let trailing = 0;
      let seen = 0;
      for (let i = digitsStart; i < digitsEnd; i++) {
        const d = bytes[i]! - 48;
        if (d < 0 || d > 9) continue; // the point
        if (seen++ < count - MAX_TRAILING_DIGITS) leading = leading * 10 + d;
        else trailing = trailing * 10 + d;
      }
      magnitude = decimalToDouble(leading, trailing, MAX_TRAILING_DIGITS, scale);
    }
    if (!Number.isNaN(magnitude)) return negative ? -magnitude : magnitude;
    this.chars ??= Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    return Number(this.chars.slice(start, end));
  }
}
