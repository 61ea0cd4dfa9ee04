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
import { BpmPayloadReader } from '../../lakehouse/parse/bpm-bytes.ts';
import { KafkaDumpLineReader } from '../../lakehouse/parse/kafka-dump-bytes.ts';
import { parseKafkaDumpLine } from '../../lakehouse/parse/kafka-dump.ts';
import { isKnownTopic, KNOWN_TOPICS, parseBpm } from '../../lakehouse/parse/payloads.ts';
import { kafkaDumpParser, parseDumpPart } from '../../lakehouse/steps/bronze/kafka-dump-part.ts';
import { parseLineRange, type RangeInput, type RangeOutput } from '../../lakehouse/steps/bronze/landing-files.ts';
import { decodeParquet } from '../../lakehouse/table/parquet-read.ts';
import { Prng } from '../../simulator/prng.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array, length: number) => new TextDecoder().decode(bytes.subarray(0, length));

/** What the dump reader read, in parseKafkaDumpLine's shape; undefined when it did not read the line. */
function readDump(line: string) {
  const reader = new KafkaDumpLineReader();
  const bytes = utf8(`  ${line}  `); // read within a larger buffer, as in a part
  if (!reader.read(bytes, 2, bytes.length - 2)) return undefined;
  return {
    key: reader.keyIsNull ? null : text(reader.key.bytes, reader.key.length),
    value: text(reader.value.bytes, reader.value.length),
    topic: KNOWN_TOPICS[reader.topic],
    partition: reader.partition,
    offset: reader.offset,
    timestampMicros: reader.timestampMicros,
  };
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

/** Asserts the bpm reader's contract for one payload; returns whether the bytes read it. */
function checkBpm(payload: string): boolean {
  const reader = new BpmPayloadReader();
  const bytes = utf8(`#${payload}#`);
  if (!reader.read(bytes, 1, bytes.length - 1)) return false;
  // The same with the bytes as characters given (the path of whole Arrow chunks).
  const withChars = new BpmPayloadReader();
  assert.ok(withChars.read(bytes, 1, bytes.length - 1, Buffer.from(bytes).toString('latin1')), payload);
  assert.ok(Object.is(withChars.heartrate, reader.heartrate) && withChars.time === reader.time && withChars.deviceId === reader.deviceId, payload);
  const parsed = parseBpm(payload);
  assert.ok(parsed.ok, `bytes read a payload the text parser refuses: ${payload}`);
  assert.deepEqual({ device_id: reader.deviceId, time: reader.time, heartrate: reader.heartrate }, parsed.row, payload);
  assert.ok(!Object.is(reader.heartrate, -0) || Object.is(parsed.row.heartrate, -0), payload);
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

describe('KafkaDumpLineReader', () => {
  it('reads the plain lines of dumps exactly as parseKafkaDumpLine does', () => {
    const plain = [
      dumpLine(),
      dumpLine({ key: null }),
      dumpLine({ key: '' }),
      dumpLine({ key: undefined }),
      dumpLine({ topic: 'workout', value: '{"user_id": 1, "action": "start"}' }),
      dumpLine({ topic: 'user_info', value: 'tab\there "quoted" back\\slash /slash\n\r\b\f' }),
      dumpLine({ partition: 2147483647, offset: 999999999999999, timestamp: 0 }),
      `{ "timestamp" : 1678410000 ,"offset":7, "partition":1,"topic":"bpm","value":"v","key":"k" }`,
      `{"key":"a","value":"escaped \\/ slash","topic":"bpm","partition":0,"offset":1,"timestamp":1}\r`,
    ];
    for (const line of plain) assert.ok(checkDump(line), `expected the bytes to read ${line}`);
  });

  it('leaves every other line to the text parser', () => {
    const other = [
      dumpLine({ value: 'caf\u00e9' }), // beyond ASCII
      `{"key":"k","value":"\\u0041","topic":"bpm","partition":0,"offset":1,"timestamp":1}`, // \u escape
      dumpLine({ timestamp: 1678410000.5 }),
      dumpLine({ timestamp: -1 }),
      dumpLine({ partition: 2147483648 }),
      dumpLine({ offset: 1e21 }),
      dumpLine({ topic: 'elsewhere' }),
      dumpLine({ topic: '' }),
      dumpLine({ extra: 1 }),
      dumpLine({ key: 5 }),
      dumpLine({ partition: '0' }),
      dumpLine({ value: undefined }),
      dumpLine().replace('"offset":1000000', '"offset":1000000,"offset":1'),
      dumpLine().replace('1000000', '01000000'),
      dumpLine().replace('1000000', '1000000e0'),
      dumpLine().slice(0, -1),
      `${dumpLine()} x`,
      `[${dumpLine()}]`,
      '',
    ];
    for (const line of other) assert.equal(readDump(line), undefined, `expected the bytes to leave ${line}`);
  });

  it('agrees with the text parser on thousands of mutated lines', () => {
    const prng = Prng.fromSeed(20261125);
    let read = 0;
    const bases = [dumpLine(), dumpLine({ key: null, topic: 'workout', value: 'a \\"b\\" c' }), `{ "key" : "1" , "value" : "x", "topic":"user_info", "partition": 3, "offset": 0, "timestamp": 5 }`];
    for (const base of bases) for (const line of mutants(prng, base, 3000)) if (checkDump(line)) read++;
    assert.ok(read > 500, `only ${read} mutants were read by the bytes: the contract was hardly exercised`);
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
    ];
    for (const payload of plain) assert.ok(checkBpm(payload), `expected the bytes to read ${payload}`);
  });

  it('leaves every other payload to the text parser', () => {
    const reader = new BpmPayloadReader();
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
    for (const payload of other) {
      const bytes = utf8(payload);
      assert.equal(reader.read(bytes, 0, bytes.length), false, `expected the bytes to leave ${payload}`);
    }
  });

  it('agrees with JSON.parse on random decimals and with parseBpm on mutated payloads', () => {
    const prng = Prng.fromSeed(7);
    for (let i = 0; i < 20_000; i++) {
      const digits = String(prng.int(0, 999_999_999)) + String(prng.int(0, 999_999));
      const dot = prng.int(1, digits.length);
      const number = `${digits.slice(0, dot)}.${digits.slice(dot) || '0'}`.replace(/^0+(?=\d)/, '');
      assert.ok(checkBpm(`{"device_id":1,"time":2,"heartrate":${number}}`), number);
    }
    let read = 0;
    for (const payload of mutants(prng, VALUE, 5000)) if (checkBpm(payload)) read++;
    assert.ok(read > 250, `only ${read} mutants were read by the bytes`);
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
      dumpLine(),
      '',
      '   \t ',
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
        bytes.files.map((f) => f.partitionValues.topic),
        ['bpm', 'workout'],
      );
      assert.equal(bytes.quarantine.length, atFileStart ? 2 : 3); // a BOM not at the file start breaks the first line
    }
  });
});
