/**
 * The byte readers of the hot paths (Kafka dump lines, bpm payloads, dump parts) against the text
 * parsers they stand in for. Their contract: what a byte reader reads, it reads exactly as the text
 * parser does; what it does not read, the text parser decides. So every test checks both halves: that
 * plain input IS read by the bytes (else a reader that gives up on everything would pass), and that
 * anything read agrees with the text parser, on hand-made edge cases and on thousands of mutants.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaMultiplexBz } from '../../schema/tables.ts';
import type { Cell } from '../../schema/types.ts';
import { AsciiLiteral, areFourDigits, fourDigitsValue, plainBytes } from '../../lakehouse/parse/ascii-words.ts';
import { BpmPayloadReader } from '../../lakehouse/parse/bpm-bytes.ts';
import { decimalToDouble } from '../../lakehouse/parse/decimal-double.ts';
import { DumpLineReader } from '../../lakehouse/parse/kafka-dump-bytes.ts';
import { parseKafkaDumpLine } from '../../lakehouse/parse/kafka-dump.ts';
import { PlainNumberReader } from '../../lakehouse/parse/plain-numbers.ts';
import { NO_MATCH } from '../../lakehouse/parse/json-bytes.ts';
import { isKnownTopic, KNOWN_TOPICS, parseBpm } from '../../lakehouse/parse/payloads.ts';
import { kafkaDumpParser, parseDumpPart } from '../../lakehouse/kernels/dump-part.ts';
import { parseLineRange, type RangeInput, type RangeOutput } from '../../lakehouse/kernels/line-range.ts';
import { decodeParquet, Utf8ColumnBuilder } from '../../lakehouse/table/parquet/index.ts';
import { Prng } from '../../simulator/prng.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * What the dump reader read, in parseKafkaDumpLine's shape; undefined when it left the line. The line
 * is read within a larger part, after values already in the columns, and ended by `lineEnd`.
 */
function readDump(line: string, lineEnd = '\n') {
  const columns = kafkaMultiplexBz.columns;
  const key = new Utf8ColumnBuilder(columns.find((c) => c.name === 'key')!);
  const value = new Utf8ColumnBuilder(columns.find((c) => c.name === 'value')!);
  key.appendBytes(utf8('k0'), 0, 2);
  value.appendBytes(utf8('v0'), 0, 2);
  const before = 'x\n';
  const bytes = utf8(`${before}${line}${lineEnd}{"next":1}`);
  const reader = new DumpLineReader();
  if (!reader.read(bytes, before.length, key, value)) {
    assert.equal(key.rows + value.rows, 2, `a line left was kept: ${line}`);
    return undefined;
  }
  assert.equal(reader.next, bytes.length - '{"next":1}'.length, `the next line is not where it starts: ${line}`);
  if (reader.keyIsNull) key.appendNull();
  else key.closeValueAt(reader.keyEnd);
  value.closeValueAt(reader.valueEnd);
  const keys = key.finish().data;
  const values = value.finish().data;
  return recordOf(
    reader,
    reader.keyIsNull ? null : new TextDecoder().decode(keys.values.subarray(keys.valueOffsets[1], keys.valueOffsets[2])),
    new TextDecoder().decode(values.values.subarray(values.valueOffsets[1], values.valueOffsets[2])),
  );
}

/** A line reader's fields with its key and value, in parseKafkaDumpLine's record shape. */
function recordOf(reader: { topic: number; partition: number; offset: number; timestampMicros: number }, key: string | null, value: string) {
  return { key, value, topic: KNOWN_TOPICS[reader.topic], partition: reader.partition, offset: reader.offset, timestampMicros: reader.timestampMicros };
}

/** Asserts the dump reader's contract for one line; returns whether the bytes read it. */
function checkDump(line: string): boolean {
  const read = readDump(line);
  if (read === undefined) return false;
  const parsed = parseKafkaDumpLine(line);
  assert.ok(parsed.ok && isKnownTopic(parsed.record.topic), `bytes read a line the text parser refuses: ${line}`);
  assert.deepEqual(read, parsed.record, line);
  return true;
}

/** The next payload right after the one read, as in an Arrow chunk: a reader must never take its bytes for the payload's. */
const NEXT_PAYLOAD = '{"device_id":1,"time":2,"heartrate":3}';

/** Asserts the bpm reader's contract for one payload; returns whether the bytes read it. */
function checkBpm(payload: string): boolean {
  const reader = new BpmPayloadReader();
  const bytes = utf8(`#${payload}${NEXT_PAYLOAD}`);
  if (!reader.read(bytes, 1, bytes.length - NEXT_PAYLOAD.length)) return false;
  const parsed = parseBpm(payload);
  assert.ok(parsed.ok, `bytes read a payload the text parser refuses: ${payload}`);
  assert.deepEqual({ device_id: reader.deviceId, time: reader.time, heartrate: reader.heartrate }, parsed.row, payload);
  assert.ok(Object.is(reader.heartrate, parsed.row.heartrate), `${payload}: ${reader.heartrate}, parseBpm gives ${parsed.row.heartrate}`);
  return true;
}

const VALUE = '{"device_id":118440,"time":1678410000,"heartrate":41.21897868284929}';
const dumpLine = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ key: '118440', value: VALUE, topic: 'bpm', partition: 0, offset: 1000000, timestamp: 1678410000, ...fields });

/** Random edits of a line with the characters that matter to JSON. */
function mutants(prng: Prng, base: string, count: number): string[] {
  const alphabet = ['"', '\\', '{', '}', ':', ',', ' ', '0', '9', '.', '-', 'e', 'n', 'u', '\u00e9', '\t', 'x', '1'];
  const out: string[] = [];
  for (let m = 0; m < count; m++) {
    let s = base;
    for (let e = prng.int(1, 3); e > 0; e--) {
      const at = prng.int(0, s.length - 1);
      const c = prng.pick(alphabet);
      const kind = prng.int(0, 2);
      s = kind === 0 ? s.slice(0, at) + s.slice(at + 1) : kind === 1 ? s.slice(0, at) + c + s.slice(at) : s.slice(0, at) + c + s.slice(at + 1);
    }
    out.push(s);
  }
  return out;
}

describe('DumpLineReader', () => {
  it('reads plain lines in any layout exactly as parseKafkaDumpLine does', () => {
    const plain = [
      dumpLine(),
      dumpLine({ key: null }),
      dumpLine({ key: '' }),
      dumpLine({ key: undefined }),
      dumpLine({ value: '' }),
      dumpLine({ key: 'a "quoted" \\ key/', value: 'tab\there "quoted" back\\slash /slash\n\r\b\f' }),
      dumpLine({ topic: 'workout', value: '{"user_id": 1, "action": "start"}' }),
      dumpLine({ topic: 'user_info', partition: 12, offset: 0 }),
      dumpLine({ partition: 2147483647, offset: 999999999999999, timestamp: 0 }),
      dumpLine({ timestamp: 9007199254 }),
      `{"key":"a","value":"escaped \\/ slash","topic":"bpm","partition":0,"offset":1,"timestamp":1}`,
      `{"key":"k","value":"${'v'.repeat(4095)}","topic":"bpm","partition":0,"offset":1,"timestamp":1}`,
      // Other writers' layouts: spacing anywhere between tokens, fields in any order.
      ` ${dumpLine()}`,
      `${dumpLine()} \t`,
      dumpLine().replace(':', ' :'),
      dumpLine().replace(',"topic"', ', "topic"'),
      `{ "timestamp" : 1678410000 ,"offset":7, "partition":1,"topic":"bpm","value":"v","key":"k" }`,
      `{"value":"v","key":"k","topic":"bpm","partition":0,"offset":1,"timestamp":1}`,
      `{"key":"k","value":"v","topic":"bpm","offset":1,"partition":0,"timestamp":1}`,
      `{"offset": 1000001, "timestamp": 1678406400, "key": "100007", "value": "{\\"device_id\\": 100007, \\"time\\": 1678406400, \\"heartrate\\": 7.2e1}", "topic": "bpm", "partition": 0}`,
      `{"key":"a","value":"v","topic":"bpm","partition":0,"offset":1,"timestamp":1}\r`,
    ];
    for (const line of plain) assert.ok(checkDump(line), `expected the bytes to read ${line}`);
    // Every way a line can end in a part.
    for (const end of ['\n', '\r\n', '\r\r\n', ' \n']) assert.ok(readDump(dumpLine(), end), JSON.stringify(end));
  });

  it('leaves every other line to the text parser, keeping nothing of it', () => {
    const other = [
      dumpLine({ value: 'caf\u00e9' }), // beyond ASCII
      dumpLine({ key: 'caf\u00e9' }),
      dumpLine({ value: 'a\u007fb' }), // DEL
      `{"key":"k","value":"\\u0041","topic":"bpm","partition":0,"offset":1,"timestamp":1}`, // \u escape
      `{"key":"k","value":"a\tb","topic":"bpm","partition":0,"offset":1,"timestamp":1}`, // a raw tab
      `{"key":"k","value":"\\x","topic":"bpm","partition":0,"offset":1,"timestamp":1}`,
      `{"key":"k","value":"${'v'.repeat(4096)}","topic":"bpm","partition":0,"offset":1,"timestamp":1}`, // longer than MAX_STRING
      dumpLine({ timestamp: 1678410000.5 }),
      dumpLine({ timestamp: 9007199255 }), // microseconds no longer a safe integer
      dumpLine({ timestamp: -1 }),
      dumpLine({ partition: 2147483648 }),
      dumpLine({ offset: 1000000000000000 }), // 16 digits
      dumpLine({ offset: -1 }),
      dumpLine({ offset: 1e21 }),
      dumpLine().replace('1000000', '01000000'),
      dumpLine().replace('"partition":0', '"partition":00'),
      dumpLine().replace('1000000', '1000000e0'),
      dumpLine({ topic: 'elsewhere' }),
      dumpLine({ topic: 'bpmx' }),
      dumpLine({ topic: 'bp' }),
      dumpLine({ topic: '' }),
      dumpLine({ extra: 1 }),
      dumpLine({ key: 5 }),
      dumpLine({ partition: '0' }),
      dumpLine({ value: undefined }),
      dumpLine({ value: null }),
      dumpLine().replace('"offset":1000000', '"offset":1000000,"offset":1'),
      dumpLine().slice(0, -1),
      dumpLine({ key: null }).replace('null', 'nul'),
      dumpLine({ key: null }).replace('null', 'nulL'),
      `${dumpLine()}}`,
      `${dumpLine()} x`,
      `[${dumpLine()}]`,
      dumpLine().replace(',"topic"', ',,"topic"'),
      '',
      '   ',
    ];
    for (const line of other) assert.equal(readDump(line), undefined, `expected the bytes to leave ${line}`);
    for (const end of ['\r', 'x', ' x']) assert.equal(readDump(dumpLine(), end), undefined, JSON.stringify(end));
  });

  it('agrees with the text parser on thousands of mutated lines', () => {
    const prng = Prng.fromSeed(20261125);
    let read = 0;
    const bases = [
      dumpLine(),
      dumpLine({ key: null, topic: 'workout', value: 'a \\"b\\" c' }),
      dumpLine({ key: 'k\\"1', topic: 'user_info', partition: 7, offset: 0, timestamp: 5 }),
      `{ "key" : "1" , "value" : "x", "topic":"user_info", "partition": 3, "offset": 0, "timestamp": 5 }`,
      `{"offset": 1, "timestamp": 1678406400, "value": "{\\"time\\": 1678406400, \\"heartrate\\": 72.0}", "topic": "bpm", "partition": 0, "key": "9"}`,
    ];
    for (const base of bases) for (const line of mutants(prng, base, 3000)) if (checkDump(line)) read++;
    assert.ok(read > 1000, `only ${read} mutants were read by the bytes: the contract was hardly exercised`);
  });
});

describe('ascii-words', () => {
  const isPlain = (c: number) => c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c;

  it('plainBytes counts the plain string characters a word starts with, for every byte in every place', () => {
    const prng = Prng.fromSeed(3);
    const word = new Uint8Array(4);
    const view = new DataView(word.buffer);
    for (let place = 0; place < 4; place++) {
      for (let c = 0; c < 256; c++) {
        for (let trial = 0; trial < 20; trial++) {
          // Plain bytes before `place`, any bytes after it: the count must not depend on what follows.
          for (let k = 0; k < 4; k++) word[k] = k < place ? prng.int(0x20, 0x7e) : prng.int(0, 255);
          word[place] = c;
          let expected = 0;
          while (expected < 4 && isPlain(word[expected]!)) expected++;
          assert.equal(plainBytes(view.getInt32(0, true)), expected, `${[...word]}`);
        }
      }
    }
  });

  it('AsciiLiteral matches its bytes only, within the view', () => {
    const literal = new AsciiLiteral(',"timestamp":');
    const bytes = utf8('xx,"timestamp":1');
    const view = new DataView(bytes.buffer);
    assert.ok(literal.isAt(view, 2));
    for (let at = -1; at < bytes.length; at++) if (at !== 2) assert.ok(!literal.isAt(view, at), `${at}`);
    for (let k = 0; k < literal.length; k++) {
      const changed = bytes.slice();
      changed[2 + k]! ^= 1;
      assert.ok(!literal.isAt(new DataView(changed.buffer), 2), `byte ${k} changed`);
    }
    assert.ok(!literal.isAt(new DataView(bytes.buffer, 0, 14), 2), 'the literal runs past the view');
  });

  it('AsciiLiteral compares every byte of literals of 4 to 23 bytes (words in fields and past them)', () => {
    for (let length = 4; length <= 23; length++) {
      const word = 'abcdefghijklmnopqrstuvw'.slice(0, length);
      const literal = new AsciiLiteral(word);
      const bytes = utf8(`.${word}.`);
      assert.ok(literal.isAt(new DataView(bytes.buffer), 1), word);
      for (let k = 0; k < length; k++) {
        const changed = bytes.slice();
        changed[1 + k]! ^= 1;
        assert.ok(!literal.isAt(new DataView(changed.buffer), 1), `${word}: byte ${k} changed`);
      }
    }
  });

  it('areFourDigits is true for four digits only, for every byte in every place', () => {
    const prng = Prng.fromSeed(4);
    const word = new Uint8Array(4);
    const view = new DataView(word.buffer);
    const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
    for (let place = 0; place < 4; place++) {
      for (let c = 0; c < 256; c++) {
        for (let trial = 0; trial < 20; trial++) {
          for (let k = 0; k < 4; k++) word[k] = trial % 2 === 0 ? prng.int(0x30, 0x39) : prng.int(0, 255);
          word[place] = c;
          assert.equal(areFourDigits(view.getInt32(0, true)), word.every(isDigit), `${[...word]}`);
        }
      }
    }
  });

  it('fourDigitsValue is the number of every four digits', () => {
    for (let n = 0; n < 10_000; n++) {
      const bytes = utf8(String(n).padStart(4, '0'));
      assert.equal(fourDigitsValue(new DataView(bytes.buffer).getInt32(0, true)), n);
    }
  });
});

describe('BpmPayloadReader', () => {
  it('reads plain payloads exactly as parseBpm does, numbers rounded as JSON.parse rounds them', () => {
    const plain = [
      VALUE,
      '{"device_id": 1, "time": 1678410000, "heartrate": 83}',
      '{"heartrate": 0.1, "time": 0, "device_id": 999999999999999}',
      '{"device_id":1,"time":2,"heartrate":-0}',
      '{"device_id":1,"time":2,"heartrate":-12.5}',
      '{"device_id":1,"time":2,"heartrate":1e2}',
      '{"device_id":1,"time":2,"heartrate":1.7976931348623157e308}',
      '{"device_id":1,"time":2,"heartrate":123456789012345.6}',
      '{"device_id":1,"time":2,"heartrate":0.30000000000000004}',
      ' {"device_id":1,"time":2,"heartrate":99.99} ',
      // Other writers' numbers for the same heart rate, and a payload's fields in another order with spaces.
      '{"device_id":1,"time":2,"heartrate":72.0}',
      '{"device_id":1,"time":2,"heartrate":7.2e1}',
      '{"device_id":1,"time":2,"heartrate":720E-1}',
      '{"device_id":1,"time":2,"heartrate":0.0072e+4}',
      '{"device_id":1,"time":2,"heartrate":-1.5e-3}',
      '{"device_id":1,"time":2,"heartrate":-0e0}',
      '{"device_id":1,"time":2,"heartrate":123456789012345e22}',
      '{"device_id":1,"time":2,"heartrate":1234567890123456e22}', // 16 digits: through Number()
      '{"device_id":1,"time":2,"heartrate":1e23}', // beyond 10^22: through Number()
      '{"device_id":1,"time":2,"heartrate":1.1809324289089123e2}', // 17 digits, as Python's repr writes them
      '{"device_id":1,"time":2,"heartrate":-5.3817457758835744E+1}',
      '{"device_id":1,"time":2,"heartrate":4.9406564584124654e-324}', // the least subnormal: through Number()
      '{"device_id":1,"time":2,"heartrate":1e-400}',
      '{"heartrate": 7.2e1, "device_id": 100007, "time": 1678406400}',
      '{ "time" : 1678406400 ,\t"heartrate":72 , "device_id":100007 }',
      '{"device_id":100007,\n"time":1678406400,\r\n"heartrate":72}',
    ];
    for (const payload of plain) assert.ok(checkBpm(payload), `expected the bytes to read ${payload}`);
  });

  it('leaves every other payload to the text parser', () => {
    const other = [
      '{"device_id":1,"time":2,"heartrate":1e400}', // Infinity: refused by parseBpm
      '{"device_id":1,"time":2.5,"heartrate":80}',
      '{"device_id":1.0,"time":2,"heartrate":80}',
      '{"device_id":"1","time":2,"heartrate":80}',
      '{"device_id":1,"time":2,"heartrate":null}',
      '{"device_id":1,"time":2}',
      '{"device_id":1,"time":2,"heartrate":80,"extra":1}',
      '{"device_id":1,"time":2,"heartrate":80,"heartrate":81}',
      '{"device_id":1,"time":2,"heartrate":80}]',
      '{"device_id":1,"time":2,"heartrate":080}',
      '{"device_id":1,"time":2,"heartrate":.5}',
    ];
    for (const payload of other) assert.equal(checkBpm(payload), false, `expected the bytes to leave ${payload}`);
  });

  it('agrees with JSON.parse on random decimals and with parseBpm on mutated payloads', () => {
    const prng = Prng.fromSeed(7);
    for (let i = 0; i < 20_000; i++) {
      const digits = String(prng.int(0, 999_999_999)) + String(prng.int(0, 999_999));
      const dot = prng.int(1, digits.length);
      const number = `${digits.slice(0, dot)}.${digits.slice(dot) || '0'}`.replace(/^0+(?=\d)/, '');
      assert.ok(checkBpm(`{"device_id":1,"time":2,"heartrate":${number}}`), number);
    }
    // With exponents (Clinger's fast path and the Number() way around it), signs and leading zeros.
    for (let i = 0; i < 20_000; i++) {
      const digits = String(prng.int(0, 999_999_999)).padStart(prng.int(1, 9), '0') + (prng.int(0, 1) ? String(prng.int(0, 99_999_999)) : '');
      const dot = prng.int(1, digits.length);
      // JSON allows no leading zero before another digit of the whole part.
      const mantissa = (dot === digits.length ? digits : `${digits.slice(0, dot)}.${digits.slice(dot)}`).replace(/^0+(?=\d)/, '');
      const number = `${prng.int(0, 3) === 0 ? '-' : ''}${mantissa}${prng.pick(['e', 'E'])}${prng.pick(['', '+', '-'])}${prng.int(0, 40)}`;
      assert.ok(checkBpm(`{"device_id":1,"time":2,"heartrate":${number}}`) || !Number.isFinite(JSON.parse(number)), number);
    }
    let read = 0;
    for (const payload of mutants(prng, VALUE, 5000)) if (checkBpm(payload)) read++;
    assert.ok(read > 250, `only ${read} mutants were read by the bytes`);
  });
});

/** decimalToDouble of a digit string over 10^scale, split as its contract asks (the last up to 8 digits apart). */
function viaDecimalToDouble(digits: string, scale: number): number {
  const t = Math.max(0, digits.length - 9);
  return decimalToDouble(Number(digits.slice(0, digits.length - t) || '0'), t ? Number(digits.slice(-t)) : 0, t, scale);
}

/** The decimal text of digits over 10^scale, as Number() and JSON.parse read it. */
function decimalText(digits: string, scale: number): string {
  if (scale === 0) return digits;
  const padded = digits.padStart(scale + 1, '0');
  return `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** Asserts that decimalToDouble gives Number()'s double or NaN; returns whether it gave one. */
function checkDecimal(digits: string, scale: number): boolean {
  const got = viaDecimalToDouble(digits, scale);
  if (Number.isNaN(got)) return false;
  const text = decimalText(digits, scale);
  assert.ok(Object.is(got, Number(text)), `${text}: ${got}, Number() gives ${Number(text)}`);
  return true;
}

describe('decimalToDouble', () => {
  it('gives the double Number() gives for random decimals of 1 to 17 digits and any scale', () => {
    const prng = Prng.fromSeed(11);
    let decided = 0;
    for (let i = 0; i < 200_000; i++) {
      let digits = String(prng.int(1, 9));
      for (let n = prng.int(1, 17); digits.length < n; ) digits += String(prng.int(0, 9));
      if (checkDecimal(digits, prng.int(0, 22))) decided++;
    }
    assert.ok(decided > 199_000, `only ${decided} decided`);
  });

  it('decides the shortest text of every double it is given, and its neighbours, as Number() does', () => {
    const prng = Prng.fromSeed(12);
    for (let i = 0; i < 60_000; i++) {
      const x = [40 + prng.float() * 150, prng.float() * 10 ** prng.int(0, 16), prng.float()][i % 3]!;
      const text = String(x);
      if (text.includes('e')) continue;
      const dot = text.indexOf('.');
      const scale = dot < 0 ? 0 : text.length - dot - 1;
      const digits = text.replace('.', '').replace(/^0+(?=\d)/, '');
      if (digits.length >= 16 && scale <= 22) assert.ok(checkDecimal(digits, scale), `${text} left undecided`);
      const m = BigInt(digits);
      for (const d of [-1n, 1n, -5n, 5n]) if (m + d > 0n && String(m + d).length <= 17) checkDecimal(String(m + d), scale);
    }
  });

  it('leaves exact halfway cases undecided and gets their neighbours right', () => {
    const prng = Prng.fromSeed(13);
    let ties = 0;
    for (let i = 0; i < 20_000; i++) {
      // (2N + 1)·5^k·2^j with N of 53 bits is halfway between two doubles; with 17 digits k is 0 or 1.
      const n = 2n ** 52n + BigInt(prng.int(0, 2 ** 30)) * 2n ** 22n + BigInt(prng.int(0, 2 ** 22 - 1));
      const k = prng.int(0, 1);
      const m = (2n * n + 1n) * 5n ** BigInt(k) * 2n ** BigInt(prng.int(0, 3));
      if (String(m).length > 17) continue;
      ties++;
      assert.ok(!checkDecimal(String(m), k), `tie ${m}/10^${k} decided`);
      for (const d of [1n, -1n, 2n, -2n]) checkDecimal(String(m + d), k);
      for (let scale = 2; scale <= 22; scale += 4) checkDecimal(String(m), scale);
    }
    assert.ok(ties > 5000, `only ${ties} ties`);
  });

  it('gets 16 to 18 digit texts of doubles near powers of two right', () => {
    const bits = new DataView(new ArrayBuffer(8));
    for (let e = -60; e <= 56; e++) {
      for (const steps of [-3, -2, -1, 0, 1, 2, 3]) {
        bits.setFloat64(0, 2 ** e);
        bits.setBigUint64(0, bits.getBigUint64(0) + BigInt(steps));
        for (const precision of [16, 17, 18]) {
          const text = bits.getFloat64(0).toPrecision(precision);
          if (text.includes('e')) continue;
          const dot = text.indexOf('.');
          const digits = BigInt(text.replace('.', ''));
          for (let d = -30n; d <= 30n; d++) if (digits + d > 0n && String(digits + d).length <= 17) checkDecimal(String(digits + d), dot < 0 ? 0 : text.length - dot - 1);
        }
      }
    }
  });
});

describe('PlainNumberReader.decimal', () => {
  it('reads a plain unsigned number up to the byte after it, and no other token', () => {
    const reader = new PlainNumberReader();
    const read = (token: string) => {
      const bytes = utf8(`${token},`);
      const end = reader.decimal(bytes, 0);
      return end === NO_MATCH ? undefined : { end, value: reader.value };
    };
    for (const token of ['0', '7', '83', '0.5', '0.05', '156.64520460567036', '53.817457758835744', '0.30000000000000004', '1234567']) {
      assert.deepEqual(read(token), { end: token.length, value: Number(token) }, token);
    }
    for (const token of ['', '-1', '+1', '.5', '5.', '01', '00.5', '1e2', '1E2', '1.5e2', '1.5E-2', '0e0', 'x', '156.645204605670361', '12345678901234567']) {
      assert.equal(read(token), undefined, token);
    }
  });
});

const bpmPayload = (heartrate: string, deviceId = '100007', time = '1678406400') => `{"device_id":${deviceId},"time":${time},"heartrate":${heartrate}}`;

describe('BpmPayloadReader on the devices\' layout', () => {
  it('reads payloads laid out as devices write them, as parseBpm does', () => {
    const canonical = [
      VALUE,
      bpmPayload('156.64520460567036'),
      bpmPayload('53.817457758835744'),
      bpmPayload('83'),
      bpmPayload('0'),
      bpmPayload('0.5'),
      bpmPayload('0.5123456789012345'),
      bpmPayload('0.05123456789012345'), // 17 significant digits
      bpmPayload('0.0000000000000000000001'), // 22 after the point
      bpmPayload('0.30000000000000004'),
      bpmPayload('12345678.123456789'), // 17 digits, 9 after the point
      bpmPayload('999999999999999'),
      bpmPayload('90071992.547409935'), // 17 digits, beyond 2^53 as a whole number
      bpmPayload('70.00000000000000'),
      bpmPayload('60', '0', '0'),
      bpmPayload('60', '999999999999999', String(9007199254)),
      bpmPayload('-1'), // no reading
      bpmPayload('-12.5'),
      bpmPayload('-0'), // -0, as JSON.parse gives
      bpmPayload('-156.64520460567036'),
      bpmPayload('-0.30000000000000004'),
    ];
    for (const payload of canonical) assert.ok(checkBpm(payload), `expected the bytes to read ${payload}`);
  });

  it('leaves every other payload to the text parser', () => {
    const other = [
      bpmPayload('--1'),
      bpmPayload('-'),
      bpmPayload('+1'),
      bpmPayload('-01'),
      bpmPayload('- 1'),
      bpmPayload('1e400'),
      bpmPayload('080'),
      bpmPayload('00.5'),
      bpmPayload('.5'),
      bpmPayload('5.'),
      bpmPayload('"80"'),
      bpmPayload('null'),
      bpmPayload('80', '01'),
      bpmPayload('80', '-1'),
      bpmPayload('80', '1.0'),
      bpmPayload('80', '1000000000000000'), // 16 digits
      bpmPayload('80', '1', '9007199255'), // microseconds beyond a safe integer
      bpmPayload('80', '1', '1678406400.5'),
      bpmPayload('80', '1', '-1'),
      '{"device_id":100007,"time":1678406400,"heartrate":80,"extra":1}',
      '{"device_id":100007,"time":1678406400,"heartrate":80,"heartrate":81}',
      '{"device_id":100007,"time":1678406400,"heartrate":80,"time":1}',
      '{"device_\\u0069d":100007,"time":1678406400,"heartrate":80}', // an escape in a name
      '{"device_id":100007,"time":1678406400,"heart\u00e9rate":80}', // beyond ASCII
      '{"device_id":100007,"tim\u00e9":1678406400,"heartrate":80}',
      '{"device_id":100007,"time":1678406400,"heartrate":80]',
      bpmPayload('80').slice(0, -1),
      bpmPayload('156.64520460567036').slice(0, -5),
      '{"device_id":100007,"time":1678406400,"heartrate":}',
      '{"device_id":100007,"time":1678406400}',
      '',
    ];
    for (const payload of other) assert.equal(checkBpm(payload), false, `expected the bytes to leave ${JSON.stringify(payload)}`);
  });

  it('agrees with parseBpm on random heart rates and on thousands of mutated payloads', () => {
    const prng = Prng.fromSeed(20261127);
    let read = 0;
    for (let i = 0; i < 20_000; i++) if (checkBpm(bpmPayload(String((i % 10 === 0 ? -1 : 1) * prng.float() * 300), String(prng.int(0, 999_999)), String(prng.int(0, 2_000_000_000))))) read++;
    assert.ok(read === 20_000, `only ${read} of 20000 plain payloads read by the bytes`);
    read = 0;
    const bases = [VALUE, bpmPayload('53.817457758835744'), bpmPayload('83', '7', '0'), bpmPayload('0.5')];
    for (const base of bases) for (const payload of mutants(prng, base, 4000)) if (checkBpm(payload)) read++;
    assert.ok(read > 500, `only ${read} mutants were read by the bytes: the contract was hardly exercised`);
  });
});

describe('parseDumpPart', () => {
  const columns = [...kafkaMultiplexBz.columns];
  const input = (part: string, atFileStart: boolean): RangeInput => ({
    bytes: utf8(part),
    fileKey: 'kafka/dump.json',
    atFileStart,
    loadTime: 1_700_000_000_000_000,
    table: kafkaMultiplexBz.name,
    declared: columns.map((c) => c.name),
    columns,
    partitionColumns: [...kafkaMultiplexBz.partitionBy],
  });

  /** Rows per partition (decoded) and everything else of an output, for comparison. */
  async function contents(output: RangeOutput) {
    const dataColumns = columns.filter((c) => !kafkaMultiplexBz.partitionBy.includes(c.name as never));
    const files: { partitionValues: Record<string, string | null>; stats: unknown; rows: Cell[][] }[] = [];
    for (const f of output.files) {
      const batch = await decodeParquet(f.bytes, dataColumns);
      const rows = Array.from({ length: batch.numRows }, (_, i) => dataColumns.map((c) => batch.columns.get(c.name)![i]!));
      files.push({ partitionValues: f.partitionValues, stats: JSON.parse(f.stats), rows });
    }
    return { files, quarantine: output.quarantine, recordsIn: output.recordsIn, rows: output.rows, lines: output.lines };
  }

  it('gives the rows, files, quarantine and line numbers of parsing the part as text', async () => {
    const lines = [
      // First (its key and value are written before its partition is known) a line in another writer's layout.
      `{"offset": 7, "timestamp": 1678410000, "key": "k", "value": "{\\"heartrate\\": 7.2e1}", "topic": "workout", "partition": 0} `,
      dumpLine(),
      '',
      '   \t ',
      `{"value": "v", "topic": "bpm", "partition": 0, "offset": 8, "timestamp": 1678410000}`,
      dumpLine({ key: null, offset: 1000001 }),
      dumpLine({ value: 'caf\u00e9 \u2603', offset: 1000002 }),
      'not json at all',
      dumpLine({ topic: 'elsewhere' }),
      dumpLine({ topic: 'workout', timestamp: 1678410000 + 8 * 86400, value: '{"x": "\\u00e9"}' }),
      `{"key":"k","value":"\\u0041","topic":"bpm","partition":0,"offset":9,"timestamp":1678410000}`,
      '\u00a0',
      dumpLine({ timestamp: 1678410000.25 }),
      dumpLine({ offset: 1000003 }),
    ];
    const part = `\ufeff${lines.join('\r\n')}\n${dumpLine({ offset: 5 })}`;
    for (const atFileStart of [true, false]) {
      const bytes = await contents(parseDumpPart(input(part, atFileStart)).output);
      const asText = await contents(parseLineRange(input(part, atFileStart), kafkaDumpParser('kafka/dump.json')).output);
      assert.deepEqual(bytes, asText);
      assert.equal(bytes.lines, lines.length + 1);
      assert.deepEqual(
        bytes.files.map((f) => [f.partitionValues.topic, f.partitionValues.week_part]),
        // The first line, a workout of week 10, is read only where its BOM is at the file start.
        [...(atFileStart ? [['workout', '2023-10']] : []), ['bpm', '2023-10'], ['workout', '2023-11']],
      );
      assert.equal(bytes.quarantine.length, atFileStart ? 2 : 3); // a BOM not at the file start breaks the first line
    }
  });

  it('gives the output of parsing as text for canonical lines of many partitions, mixed with other lines', async () => {
    const prng = Prng.fromSeed(42);
    const day = 86_400;
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      // Runs of one partition, as dumps have them, broken now and then by another topic or week.
      const run = Math.floor(i / 50);
      const topic = prng.int(0, 9) === 0 ? prng.pick([...KNOWN_TOPICS]) : KNOWN_TOPICS[run % 3]!;
      const timestamp = 1678410000 + (run % 4) * 5 * day + prng.int(0, day);
      const key = prng.int(0, 9) === 0 ? null : String(prng.int(0, 999_999)).repeat(prng.int(0, 3));
      const value = prng.int(0, 19) === 0 ? `"quoted" \\ ${prng.int(0, 9)}\t` : `{"device_id":${prng.int(100_000, 100_199)},"time":${timestamp},"heartrate":${prng.int(40, 190) + prng.int(0, 999) / 1000}}`;
      const line = JSON.stringify({ key, value, topic, partition: prng.int(0, 3), offset: i, timestamp });
      const other = prng.int(0, 29);
      // Now and then a line the fast path leaves: spaced out, escaped, or broken.
      lines.push(other === 0 ? line.replace(',', ', ') : other === 1 ? line.replace('"value":"', '"value":"\\u00e9') : other === 2 ? line.slice(0, -2) : line);
    }
    for (const lineEnd of ['\n', '\r\n']) {
      for (const last of ['', lineEnd, '\r']) {
        const part = lines.join(lineEnd) + last;
        const bytes = await contents(parseDumpPart(input(part, true)).output);
        const asText = await contents(parseLineRange(input(part, true), kafkaDumpParser('kafka/dump.json')).output);
        assert.deepEqual(bytes, asText);
        assert.ok(bytes.files.length >= 9 && bytes.rows > 2800, `${bytes.files.length} files, ${bytes.rows} rows`);
      }
    }
  });
});
