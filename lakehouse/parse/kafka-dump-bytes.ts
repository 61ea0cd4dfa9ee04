/**
 * A Kafka dump line (see kafka-dump.ts) read from its UTF-8 bytes, for the lines that make up almost
 * every dump: an object of the six fields with a null or string key, a string value, a known topic,
 * whole-number partition and offset and whole epoch seconds. Such a line gives the same record
 * parseKafkaDumpLine gives for its text. Any other line (another field, a duplicate, an escape beyond
 * the plain ones, a fraction of a second, a byte beyond ASCII, broken JSON) is NOT read here: read()
 * returns false and the caller parses the line's text, which also words the reason for quarantine.
 */
import { asciiBytes, ByteSink, bytesEqual, NO_MATCH, numberToken, readNumber, readString, skipWhitespace } from './json-bytes.ts';
import { MAX_PARTITION } from './kafka-dump.ts';
import { KNOWN_TOPICS } from './payloads.ts';
import { MAX_FAST_SECONDS } from './values.ts';

/** Field names with their quotes, so a longer name never matches a shorter one. */
const FIELDS = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp'].map((name) => asciiBytes(`"${name}"`));
const [KEY, VALUE, TOPIC, PARTITION, OFFSET, TIMESTAMP] = [0, 1, 2, 3, 4, 5];
/** Every field but the key is required. */
const REQUIRED = 0b111110;
const QUOTED_TOPICS = KNOWN_TOPICS.map((topic) => asciiBytes(`"${topic}"`));
const NULL = asciiBytes('null');

/** Reads dump lines into its fields, one line at a time (the fields hold the last line read). */
export class KafkaDumpLineReader {
  /** The key's characters, unless keyIsNull. */
  readonly key = new ByteSink(64);
  keyIsNull = true;
  /** The value's characters (the payload, unescaped). */
  readonly value = new ByteSink(4096);
  /** Index of the topic in KNOWN_TOPICS. */
  topic = -1;
  partition = 0;
  offset = 0;
  timestampMicros = 0;
  private readonly number = numberToken();

  /** True when bytes[start, end) is a line of the plain shape, now read into the fields; see the module comment. */
  read(bytes: Uint8Array, start: number, end: number): boolean {
    let at = skipWhitespace(bytes, start, end);
    if (bytes[at] !== 123 /* { */) return false;
    let seen = 0;
    this.key.length = 0;
    this.value.length = 0;
    this.keyIsNull = true;
    at = skipWhitespace(bytes, at + 1, end);
    for (;;) {
      const field = fieldAt(bytes, at, end);
      if (field < 0 || (seen & (1 << field)) !== 0) return false;
      seen |= 1 << field;
      at = skipWhitespace(bytes, at + FIELDS[field]!.length, end);
      if (bytes[at] !== 58 /* : */) return false;
      at = skipWhitespace(bytes, at + 1, end);
      at = this.readField(field, bytes, at, end);
      if (at === NO_MATCH) return false;
      at = skipWhitespace(bytes, at, end);
      if (bytes[at] === 44 /* , */) {
        at = skipWhitespace(bytes, at + 1, end);
        continue;
      }
      if (bytes[at] !== 125 /* } */) return false;
      return (seen & REQUIRED) === REQUIRED && skipWhitespace(bytes, at + 1, end) === end;
    }
  }

  /** Reads the value of `field` at `at`; the index after it, or NO_MATCH. */
  private readField(field: number, bytes: Uint8Array, at: number, end: number): number {
    switch (field) {
      case KEY:
        if (bytesEqual(bytes, at, end, NULL)) return at + NULL.length;
        this.keyIsNull = false;
        return readString(bytes, at, end, this.key);
      case VALUE:
        return readString(bytes, at, end, this.value);
      case TOPIC:
        // A known topic written plainly, quotes included; one spelled with escapes goes to the text parser.
        for (let t = 0; t < QUOTED_TOPICS.length; t++) {
          if (bytesEqual(bytes, at, end, QUOTED_TOPICS[t]!)) {
            this.topic = t;
            return at + QUOTED_TOPICS[t]!.length;
          }
        }
        return NO_MATCH;
      default: {
        const next = readNumber(bytes, at, end, this.number);
        const n = this.number.integer;
        if (next === NO_MATCH || Number.isNaN(n)) return NO_MATCH;
        if (field === PARTITION) {
          if (n > MAX_PARTITION) return NO_MATCH;
          this.partition = n;
        } else if (field === OFFSET) {
          this.offset = n;
        } else {
          // The timestamp (the last field): whole seconds only; a fraction goes the exact decimal route.
          if (n > MAX_FAST_SECONDS) return NO_MATCH;
          this.timestampMicros = n * 1_000_000;
        }
        return next;
      }
    }
  }
}

/** Index in FIELDS of the quoted field name at `at`, or -1. */
function fieldAt(bytes: Uint8Array, at: number, end: number): number {
  // The first letter tells the names apart, but for topic and timestamp, which the second does.
  let f: number;
  switch (bytes[at + 1]) {
    case 107: // k
      f = KEY;
      break;
    case 118: // v
      f = VALUE;
      break;
    case 112: // p
      f = PARTITION;
      break;
    case 111: // o
      f = OFFSET;
      break;
    case 116: // t
      f = bytes[at + 2] === 111 ? TOPIC : TIMESTAMP;
      break;
    default:
      return -1;
  }
  return bytesEqual(bytes, at, end, FIELDS[f]!) ? f : -1;
}
