/**
 * The fast path for bpm payloads: a payload laid out exactly as the devices write it,
 *
 *   {"device_id":100007,"time":1678406400,"heartrate":156.64520460567036}
 *
 * (these three fields in this order, no whitespace), matched with word compares (ascii-words.ts) and its
 * heart rate converted exactly without Number() (plain-numbers.ts, decimal-double.ts).
 *
 * It takes a subset of the payloads BpmPayloadReader takes and reads them as it does: device_id and
 * time plain whole numbers of at most 15 digits, time within MAX_FAST_SECONDS, the heart rate a number
 * without exponent of at most 17 significant digits, with or without a minus (devices send -1 for no
 * reading: without it here, every batch with one such payload went to the general reader's slower
 * setup). On any other payload read() returns false and the caller gives it to that reader.
 */
import { AsciiLiteral } from './ascii-words.ts';
import { NO_MATCH } from './json-bytes.ts';
import { PlainNumberReader } from './plain-numbers.ts';
import { MAX_FAST_SECONDS } from './values.ts';

const DEVICE_ID_OPEN = new AsciiLiteral('{"device_id":');
const TIME_OPEN = new AsciiLiteral(',"time":');
const HEARTRATE_OPEN = new AsciiLiteral(',"heartrate":');
const CLOSE_BRACE = 125;
const MINUS = 45;

/** Reads canonical bpm payloads into its fields, one at a time (the fields hold the last payload read). */
export class CanonicalBpmPayloadReader {
  deviceId = 0;
  /** Microseconds since the epoch. */
  time = 0;
  heartrate = 0;
  private readonly digits = new PlainNumberReader();
  /** A view of the input, made again when the input changes (once per Arrow chunk). */
  private input: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.input.buffer);

  /** True when bytes[start, end) is a payload of the canonical layout (see the module comment), now read into the fields. */
  read(bytes: Uint8Array, start: number, end: number): boolean {
    if (bytes !== this.input) {
      this.input = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const view = this.view;
    const digits = this.digits;
    // Reads may run past `end` into the next payload; the last check (the `}` at end - 1) refuses any that did.
    if (!DEVICE_ID_OPEN.isAt(view, start)) return false;
    let at = digits.whole(bytes, start + DEVICE_ID_OPEN.length);
    if (at === NO_MATCH || !TIME_OPEN.isAt(view, at)) return false;
    const deviceId = digits.value;
    at = digits.whole(bytes, at + TIME_OPEN.length);
    if (at === NO_MATCH || digits.value > MAX_FAST_SECONDS || !HEARTRATE_OPEN.isAt(view, at)) return false;
    const seconds = digits.value;
    at += HEARTRATE_OPEN.length;
    const negative = bytes[at] === MINUS;
    at = digits.decimal(bytes, negative ? at + 1 : at);
    if (at === NO_MATCH || at !== end - 1 || bytes[at] !== CLOSE_BRACE) return false;
    this.deviceId = deviceId;
    this.time = seconds * 1_000_000;
    // Rounding to nearest is symmetric: the double of -x is minus the double of x (and -0 for "-0", as JSON.parse gives).
    this.heartrate = negative ? -digits.value : digits.value;
    return true;
  }
}
