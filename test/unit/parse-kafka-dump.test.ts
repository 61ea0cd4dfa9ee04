import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKafkaDumpLine } from '../../lakehouse/parse/kafka-dump.ts';

const good = {
  key: '118440',
  value: '{"device_id":118440,"time":1678410000,"heartrate":41.21897868284929}',
  topic: 'bpm',
  partition: 0,
  offset: 1000000,
  timestamp: 1678410000,
};

/** A dump line like the SBIT ones, with some fields replaced (undefined removes a field). */
function line(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...good, ...changes });
}

/** The reason a line is refused, asserting it is. */
function reasonOf(text: string): string {
  const r = parseKafkaDumpLine(text);
  assert.equal(r.ok, false, `expected ${text} to be refused`);
  return (r as { reason: string }).reason;
}

describe('parseKafkaDumpLine', () => {
  it('parses a SBIT dump line, the timestamp as epoch seconds to microseconds', () => {
    assert.deepEqual(parseKafkaDumpLine(line({})), {
      ok: true,
      record: { key: '118440', value: good.value, topic: 'bpm', partition: 0, offset: 1000000, timestampMicros: 1678410000_000000 },
    });
  });

  it('keeps the value payload untouched, even when it is not valid JSON', () => {
    const r = parseKafkaDumpLine(line({ value: '{"broken": ' }));
    assert.ok(r.ok);
    assert.equal(r.record.value, '{"broken": ');
  });

  it('takes a missing or null key as null', () => {
    const absent = parseKafkaDumpLine(line({ key: undefined }));
    const nulled = parseKafkaDumpLine(line({ key: null }));
    assert.ok(absent.ok && nulled.ok);
    assert.equal(absent.record.key, null);
    assert.equal(nulled.record.key, null);
  });

  it('reads fractional seconds exactly and never takes the timestamp for milliseconds', () => {
    const fraction = parseKafkaDumpLine('{"value":"x","topic":"t","partition":0,"offset":1,"timestamp":1678451168.25}');
    assert.ok(fraction.ok);
    assert.equal(fraction.record.timestampMicros, 1678451168_250000);
    const dotZero = parseKafkaDumpLine('{"value":"x","topic":"t","partition":0,"offset":1,"timestamp":1678451168.0}');
    assert.ok(dotZero.ok);
    assert.equal(dotZero.record.timestampMicros, 1678451168_000000);
    // Read as seconds, milliseconds are beyond any safe microsecond count: refused, not reinterpreted.
    assert.equal(reasonOf(line({ timestamp: 1678410000000 })), 'field timestamp: 1678410000000 is not epoch seconds');
  });

  it('gives a reason for invalid JSON and for a non-object', () => {
    assert.match(reasonOf('{"key": "1", '), /^invalid JSON: /);
    assert.match(reasonOf(''), /^invalid JSON: /);
    assert.equal(reasonOf('[1,2]'), 'not a JSON object: [1,2]');
    assert.equal(reasonOf('42'), 'not a JSON object: 42');
    assert.equal(reasonOf('null'), 'not a JSON object: null');
  });

  it('gives a reason for a missing or ill-typed topic, value, key, partition and offset', () => {
    assert.equal(reasonOf(line({ topic: undefined })), 'missing field topic');
    assert.equal(reasonOf(line({ topic: '' })), 'field topic: "" is not a topic name');
    assert.equal(reasonOf(line({ topic: 7 })), 'field topic: 7 is not a topic name');
    assert.equal(reasonOf(line({ value: undefined })), 'missing field value');
    assert.equal(reasonOf(line({ value: { device_id: 1 } })), 'field value: {"device_id":1} is not a string');
    assert.equal(reasonOf(line({ key: 118440 })), 'field key: 118440 is not a string or null');
    assert.equal(reasonOf(line({ partition: undefined })), 'missing field partition');
    assert.equal(reasonOf(line({ partition: '0' })), 'field partition: "0" is not an integer');
    assert.equal(reasonOf(line({ partition: -1 })), 'field partition: -1 is not a partition number');
    assert.equal(reasonOf(line({ partition: 2 ** 31 })), 'field partition: 2147483648 is not a partition number');
    assert.equal(reasonOf(line({ offset: undefined })), 'missing field offset');
    assert.equal(reasonOf(line({ offset: 1.5 })), 'field offset: 1.5 is not an integer');
    assert.equal(reasonOf(line({ offset: -3 })), 'field offset: -3 is negative');
    assert.equal(reasonOf(line({}).replace('"offset":1000000', '"offset":9007199254740993')), 'field offset: 9007199254740992 is not a safe integer');
  });

  it('gives a reason for a missing or non-numeric timestamp', () => {
    assert.equal(reasonOf(line({ timestamp: undefined })), 'missing field timestamp');
    assert.equal(reasonOf(line({ timestamp: '1678410000' })), 'field timestamp: "1678410000" is not a number (epoch seconds)');
    assert.equal(reasonOf(line({ timestamp: null })), 'field timestamp: null is not a number (epoch seconds)');
    assert.equal(reasonOf(line({}).replace('"timestamp":1678410000', '"timestamp":1e400')), 'field timestamp: Infinity is not epoch seconds');
    assert.equal(reasonOf(line({ timestamp: 1.0000001 })), 'field timestamp: 1.0000001 is not epoch seconds');
  });
});
