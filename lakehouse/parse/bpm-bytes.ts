/**
 * A bpm payload (see parseBpm in payloads.ts) read from its UTF-8 bytes, for the payloads that make up
 * almost every reading: an object of device_id, time and heartrate, the first two whole numbers, the
 * last any JSON number. Such a payload gives the reading parseBpm gives for its text. Any other payload
 * (another field, a duplicate, null, a string, a fraction of a second) is NOT read here: read() returns
 * false and the caller parses the text, which also words the reason for quarantine.
 */
import { asciiBytes, bytesEqual, NO_MATCH, numberToken, numberValue, readNumber, skipWhitespace } from './json-bytes.ts';
import { MAX_FAST_SECONDS } from './values.ts';

/** Field names with their quotes, so a longer name never matches a shorter one. */
const FIELDS = ['device_id', 'time', 'heartrate'].map((name) => asciiBytes(`"${name}"`));
const [DEVICE_ID, TIME, HEARTRATE] = [0, 1, 2];
const ALL = 0b111;
/** Powers of ten that are exact doubles (10^0 … 10^22). */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Reads bpm payloads into its fields, one at a time (the fields hold the last payload read). */
export class BpmPayloadReader {
  deviceId = 0;
  /** Microseconds since the epoch. */
  time = 0;
  heartrate = 0;
  private readonly number = numberToken();

  /**
   * True when bytes[start, end) is a payload of the plain shape, now read into the fields. `chars`, when
   * given, holds the bytes as characters (latin1), one per byte: numbers that need Number() are then
   * sliced from it instead of being decoded one by one.
   */
  read(bytes: Uint8Array, start: number, end: number, chars?: string): boolean {
    let at = skipWhitespace(bytes, start, end);
    if (bytes[at] !== 123 /* { */) return false;
    let seen = 0;
    at = skipWhitespace(bytes, at + 1, end);
    for (;;) {
      const field = bytes[at + 1] === 100 /* d */ ? DEVICE_ID : bytes[at + 1] === 116 /* t */ ? TIME : HEARTRATE;
      if (!bytesEqual(bytes, at, end, FIELDS[field]!) || (seen & (1 << field)) !== 0) return false;
      seen |= 1 << field;
      at = skipWhitespace(bytes, at + FIELDS[field]!.length, end);
      if (bytes[at] !== 58 /* : */) return false;
      at = skipWhitespace(bytes, at + 1, end);
      const numberStart = at;
      at = readNumber(bytes, at, end, this.number);
      if (at === NO_MATCH) return false;
      const n = this.number.integer;
      if (field === HEARTRATE) {
        this.heartrate = Number.isNaN(n) ? this.decimal(bytes, numberStart, at, chars) : n;
        // 1e400 is JSON for Infinity, which parseBpm refuses (with its reason).
        if (!Number.isFinite(this.heartrate)) return false;
      } else if (Number.isNaN(n)) {
        return false;
      } else if (field === DEVICE_ID) {
        this.deviceId = n;
      } else {
        if (n > MAX_FAST_SECONDS) return false;
        this.time = n * 1_000_000;
      }
      at = skipWhitespace(bytes, at, end);
      if (bytes[at] === 44 /* , */) {
        at = skipWhitespace(bytes, at + 1, end);
        continue;
      }
      if (bytes[at] !== 125 /* } */) return false;
      return seen === ALL && skipWhitespace(bytes, at + 1, end) === end;
    }
  }

  /**
   * The double of the number token bytes[start, end) that readNumber accepted and is not a plain whole
   * number. With at most 15 significant digits and no exponent, digits / 10^fraction is one correctly
   * rounded division of two exact doubles, which is the value JSON.parse gives; otherwise Number() of
   * the text, which rounds as JSON.parse does.
   */
  private decimal(bytes: Uint8Array, start: number, end: number, chars: string | undefined): number {
    const dot = this.number.dot;
    if (this.number.signOrExponent || dot < 0 || end - start - 1 > 15) return chars === undefined ? numberValue(bytes, start, end) : Number(chars.slice(start, end));
    let digits = 0;
    for (let i = start; i < end; i++) if (i !== dot) digits = digits * 10 + (bytes[i]! - 48);
    return digits / EXACT_POWERS[end - dot - 1]!;
  }
}
