/**
 * The fast path for Kafka dump lines: a line laid out exactly as dumps write it,
 *
 *   {"key":"100007","value":"{\"device_id\":100007,…}","topic":"bpm","partition":0,"offset":1000001,"timestamp":1678406400}
 *
 * (these six fields in this order, no whitespace, the key null or a string), read with its key and
 * value unescaped straight into the buffers of the columns they go to: no sink in between, no second
 * copy, and no search for the line's end first (the line feed is expected right after the `}`).
 *
 * It takes a subset of the lines KafkaDumpLineReader takes and reads them as it does: strings of
 * printable ASCII with the one-character escapes, a known topic written plainly, partition, offset and
 * timestamp as plain whole numbers of at most 15 digits within that reader's limits. On any other line
 * read() returns false having kept nothing, and the caller gives the line to that reader: key and value
 * are written past the columns' last values and only count once the caller closes them.
 */
import { AsciiLiteral, plainBytes } from './ascii-words.ts';
import { ESCAPED, NO_MATCH, STRING_BYTE } from './json-bytes.ts';
import { MAX_PARTITION } from './kafka-dump.ts';
import { KNOWN_TOPICS } from './payloads.ts';
import { PlainNumberReader } from './plain-numbers.ts';
import { MAX_FAST_SECONDS } from './values.ts';

/** A string column whose next value can be written in place (Utf8ColumnBuilder is one). */
export interface InPlaceValues {
  /** Makes room for a value of up to maxBytes bytes; returns the buffer that will hold it from valueStart on. */
  reserveValue(maxBytes: number): Uint8Array;
  readonly valueStart: number;
}

/** The longest key or value (as written, escapes included) read here; a longer one goes the general way. */
const MAX_STRING = 4096;

const KEY_OPEN = new AsciiLiteral('{"key":');
const NULL = new AsciiLiteral('null');
const VALUE_OPEN = new AsciiLiteral(',"value":"');
const TOPIC_OPEN = new AsciiLiteral(',"topic":"');
/** Per topic (index in KNOWN_TOPICS): its name and what follows it up to the partition's digits. */
const TOPIC_TO_PARTITION = KNOWN_TOPICS.map((topic) => new AsciiLiteral(`${topic}","partition":`));
const TOPIC_FIRST_BYTES = KNOWN_TOPICS.map((topic) => topic.charCodeAt(0));
const OFFSET_OPEN = new AsciiLiteral(',"offset":');
const TIMESTAMP_OPEN = new AsciiLiteral(',"timestamp":');

const LF = 10;
const CR = 13;
const QUOTE = 34;
const CLOSE_BRACE = 125;

/** Reads canonical dump lines into its fields, one line at a time (the fields hold the last line read). */
export class CanonicalDumpLineReader {
  keyIsNull = true;
  /** Unless keyIsNull: the end, in the key column's buffer, of the key written there from its valueStart. */
  keyEnd = 0;
  /** The end, in the value column's buffer, of the value (the payload, unescaped) written from its valueStart. */
  valueEnd = 0;
  /** Index of the topic in KNOWN_TOPICS. */
  topic = -1;
  partition = 0;
  offset = 0;
  timestampMicros = 0;
  /** Where the next line starts: past this line's line feed, or the end of the buffer. */
  next = 0;
  /** The output end of the last string read. */
  private written = 0;
  private readonly digits = new PlainNumberReader();
  /** Views of the input and of the key's and the value's buffers, made again when a buffer changes. */
  private input: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.input.buffer);
  private readonly outputs: Uint8Array[] = [this.input, this.input];
  private readonly outputViews: DataView[] = [this.view, this.view];

  /**
   * True when the line starting at bytes[start] has the canonical layout (see the module comment): its
   * fields are then read, key and value written, unclosed, into `key` and `value`. False, with nothing
   * closed, for any other line.
   */
  read(bytes: Uint8Array, start: number, key: InPlaceValues, value: InPlaceValues): boolean {
    if (bytes !== this.input) {
      this.input = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const view = this.view;
    if (!KEY_OPEN.isAt(view, start)) return false;
    let at = start + KEY_OPEN.length;
    let keyIsNull = false;
    if (bytes[at] === QUOTE) {
      at = this.string(bytes, at + 1, key, 0);
      if (at === NO_MATCH) return false;
      this.keyEnd = this.written;
    } else if (NULL.isAt(view, at)) {
      keyIsNull = true;
      at += NULL.length;
    } else {
      return false;
    }
    if (!VALUE_OPEN.isAt(view, at)) return false;
    at = this.string(bytes, at + VALUE_OPEN.length, value, 1);
    if (at === NO_MATCH) return false;
    this.valueEnd = this.written;

    if (!TOPIC_OPEN.isAt(view, at)) return false;
    at += TOPIC_OPEN.length;
    const topic = TOPIC_FIRST_BYTES.indexOf(bytes[at]!);
    if (topic < 0 || !TOPIC_TO_PARTITION[topic]!.isAt(view, at)) return false;
    at = this.digits.whole(bytes, at + TOPIC_TO_PARTITION[topic]!.length);
    if (at === NO_MATCH || this.digits.value > MAX_PARTITION) return false;
    const partition = this.digits.value;
    if (!OFFSET_OPEN.isAt(view, at)) return false;
    at = this.digits.whole(bytes, at + OFFSET_OPEN.length);
    if (at === NO_MATCH) return false;
    const offset = this.digits.value;
    if (!TIMESTAMP_OPEN.isAt(view, at)) return false;
    // Whole seconds only, as KafkaDumpLineReader: a fraction goes the exact decimal route.
    at = this.digits.whole(bytes, at + TIMESTAMP_OPEN.length);
    if (at === NO_MATCH || this.digits.value > MAX_FAST_SECONDS || bytes[at] !== CLOSE_BRACE) return false;
    const next = lineEnd(bytes, at + 1);
    if (next === NO_MATCH) return false;

    this.keyIsNull = keyIsNull;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestampMicros = this.digits.value * 1_000_000;
    this.next = next;
    return true;
  }

  /**
   * Unescapes the string whose characters start at `at` (past its opening quote) into `out` from its
   * valueStart; the index after the closing quote, the output end in `written`, or NO_MATCH (see the
   * module comment for what is read). `slot` names the output's cached view (0 key, 1 value).
   */
  private string(bytes: Uint8Array, at: number, out: InPlaceValues, slot: number): number {
    // Unescaping never lengthens: at most MAX_STRING bytes of input write at most that many.
    const data = out.reserveValue(MAX_STRING);
    if (data !== this.outputs[slot]) {
      this.outputs[slot] = data;
      this.outputViews[slot] = new DataView(data.buffer, data.byteOffset, data.byteLength);
    }
    const view = this.view;
    const outView = this.outputViews[slot]!;
    let n = out.valueStart;
    const limit = Math.min(bytes.length, at + MAX_STRING);
    for (;;) {
      if (at + 4 <= limit) {
        // Plain characters four at a time: the word is stored whole, and the bytes past the plain ones
        // are written over next (they are within the room reserved).
        const word = view.getInt32(at, true);
        outView.setInt32(n, word, true);
        const plain = plainBytes(word);
        at += plain;
        n += plain;
        if (plain === 4) continue;
      } else if (at >= limit) {
        return NO_MATCH;
      }
      // A quote, a backslash, a byte not read here, or one of the last three bytes before the limit.
      const c = bytes[at++]!;
      const kind = STRING_BYTE[c]!;
      if (kind === 0) {
        data[n++] = c;
      } else if (kind === 1) {
        this.written = n;
        return at;
      } else if (kind === 2 && at < limit) {
        const e = ESCAPED[bytes[at++]!]!;
        if (e === 255) return NO_MATCH;
        data[n++] = e;
      } else {
        return NO_MATCH;
      }
    }
  }

}

/**
 * Where the next line starts when the line ends at `at` (an LF, a CR LF, or the end of the buffer, with
 * or without a CR: what the part's line splitting cuts off), or NO_MATCH when more follows on the line.
 */
function lineEnd(bytes: Uint8Array, at: number): number {
  const length = bytes.length;
  if (at === length) return at;
  if (bytes[at] === LF) return at + 1;
  if (bytes[at] === CR) {
    if (at + 1 === length) return length;
    if (bytes[at + 1] === LF) return at + 2;
  }
  return NO_MATCH;
}
