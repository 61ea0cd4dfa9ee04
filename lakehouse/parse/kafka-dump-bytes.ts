/**
 * The fast path for Kafka dump lines (see kafka-dump.ts): a line that is an object of the six fields, in
 * any order and with any spacing between its tokens, as dumps and other JSON writers write them,
 *
 *   {"key":"100007","value":"{\"device_id\":100007,…}","topic":"bpm","partition":0,"offset":1000001,"timestamp":1678406400}
 *   {"offset": 1000001, "timestamp": 1678406400, "key": "100007", "value": "{\"device_id\": 100007, …}", "topic": "bpm", "partition": 0}
 *
 * read with its key and value unescaped straight into the buffers of the columns they go to: no sink in
 * between, no second copy, and no search for the line's end first. Such a line gives the record
 * parseKafkaDumpLine gives for its text.
 *
 * What it reads: each field at most once, the key null, a string or absent (null), the value a string,
 * strings of printable ASCII with the one-character escapes and at most MAX_STRING bytes as written, a
 * known topic written plainly, partition, offset and timestamp plain whole numbers of at most 15 digits
 * (the timestamp whole seconds within MAX_FAST_SECONDS), the line ending right after the object and any
 * spaces, tabs or CRs. On any other line (another field, a `\u` escape, a byte beyond ASCII, a fraction
 * of a second, broken JSON) read() returns false having closed nothing, and the caller gives the line
 * to the text parser, which keeps or quarantines it with its reason. Key and value of a line read are
 * written past the columns' last values and only count once the caller closes them.
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

/** The longest key or value (as written, escapes included) read here; a longer one goes the text way. */
const MAX_STRING = 4096;

/** The fields, by bit in `seen`; the names with their quotes, so a longer name never matches a shorter one. */
const KEY = 0;
const VALUE = 1;
const TOPIC = 2;
const PARTITION = 3;
const OFFSET = 4;
const TIMESTAMP = 5;
const NAMES = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp'].map((name) => new AsciiLiteral(`"${name}"`));
/** Every field but the key is required (a dump line without a key is a record with a null key). */
const REQUIRED = 0b111110;
/** Per topic (index in KNOWN_TOPICS): its name and closing quote, matched after the opening quote. */
const TOPIC_NAMES = KNOWN_TOPICS.map((topic) => new AsciiLiteral(`${topic}"`));
const TOPIC_FIRST_BYTES = KNOWN_TOPICS.map((topic) => topic.charCodeAt(0));
const NULL = new AsciiLiteral('null');

const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** Reads dump lines into its fields, one line at a time (the fields hold the last line read). */
export class DumpLineReader {
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
   * True when the line starting at bytes[start] is one this reader reads (see the module comment): its
   * fields are then read, key and value written, unclosed, into `key` and `value`. False, with nothing
   * closed, for any other line.
   */
  read(bytes: Uint8Array, start: number, key: InPlaceValues, value: InPlaceValues): boolean {
    if (bytes !== this.input) {
      this.input = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const view = this.view;
    const digits = this.digits;
    let at = skipSpace(bytes, start);
    if (bytes[at] !== OPEN_BRACE) return false;
    at = skipSpace(bytes, at + 1);
    let seen = 0;
    let keyIsNull = true;
    let topic = -1;
    let partition = 0;
    let offset = 0;
    let seconds = 0;
    for (;;) {
      const field = fieldAt(view, bytes, at);
      if (field < 0 || (seen & (1 << field)) !== 0) return false;
      seen |= 1 << field;
      at = skipSpace(bytes, at + NAMES[field]!.length);
      if (bytes[at] !== COLON) return false;
      at = skipSpace(bytes, at + 1);
      switch (field) {
        case KEY:
          if (bytes[at] === QUOTE) {
            at = this.string(bytes, at + 1, key, 0);
            if (at === NO_MATCH) return false;
            this.keyEnd = this.written;
            keyIsNull = false;
          } else if (NULL.isAt(view, at)) {
            at += NULL.length;
          } else {
            return false;
          }
          break;
        case VALUE:
          if (bytes[at] !== QUOTE) return false;
          at = this.string(bytes, at + 1, value, 1);
          if (at === NO_MATCH) return false;
          this.valueEnd = this.written;
          break;
        case TOPIC:
          // A known topic written plainly, quotes included; one spelled with escapes goes to the text parser.
          if (bytes[at] !== QUOTE) return false;
          topic = TOPIC_FIRST_BYTES.indexOf(bytes[at + 1]!);
          if (topic < 0 || !TOPIC_NAMES[topic]!.isAt(view, at + 1)) return false;
          at += 1 + TOPIC_NAMES[topic]!.length;
          break;
        default:
          at = digits.whole(bytes, at);
          if (at === NO_MATCH) return false;
          if (field === PARTITION) {
            if (digits.value > MAX_PARTITION) return false;
            partition = digits.value;
          } else if (field === OFFSET) {
            offset = digits.value;
          } else {
            // Whole seconds only: a fraction goes the exact decimal route of the text parser.
            if (digits.value > MAX_FAST_SECONDS) return false;
            seconds = digits.value;
          }
      }
      at = skipSpace(bytes, at);
      if (bytes[at] === COMMA) {
        at = skipSpace(bytes, at + 1);
        continue;
      }
      if (bytes[at] !== CLOSE_BRACE || (seen & REQUIRED) !== REQUIRED) return false;
      break;
    }
    // The line ends after the object: spaces, tabs and CRs (JSON whitespace), then a line feed or the
    // end of the buffer (the part's line splitting cuts off a last line's end).
    at = skipSpace(bytes, at + 1);
    if (at < bytes.length && bytes[at++] !== LF) return false;

    this.keyIsNull = keyIsNull;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.timestampMicros = seconds * 1_000_000;
    this.next = at;
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

/** The index of the first byte at or after `at` that is not a space, tab or CR (JSON whitespace within a line). */
function skipSpace(bytes: Uint8Array, at: number): number {
  for (let c = bytes[at]; c === SPACE || c === TAB || c === CR; c = bytes[++at]);
  return at;
}

/** The field whose quoted name is at `at`, or -1. The second byte tells the names apart, but for topic and timestamp, which the third does. */
function fieldAt(view: DataView, bytes: Uint8Array, at: number): number {
  let field: number;
  switch (bytes[at + 1]) {
    case 107: // k
      field = KEY;
      break;
    case 118: // v
      field = VALUE;
      break;
    case 112: // p
      field = PARTITION;
      break;
    case 111: // o
      field = OFFSET;
      break;
    case 116: // t
      field = bytes[at + 2] === 111 ? TOPIC : TIMESTAMP;
      break;
    default:
      return -1;
  }
  return NAMES[field]!.isAt(view, at) ? field : -1;
}
