/**
 * Utf8ColumnBuilder against encodeColumn, which it stands in for: the same Arrow values and the same
 * statistics for the same strings, however they were appended (copied, written in place, moved from
 * another builder, or given up on and overwritten). Min and max are kept with shortcuts (see
 * updateMinMax), so the values are made to share long prefixes, be prefixes of each other and tie.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnDef } from '../../schema/types.ts';
import { encodeColumn, Utf8ColumnBuilder } from '../../lakehouse/table/parquet/index.ts';
import { Prng } from '../../simulator/prng.ts';

const column: ColumnDef = { name: 'value', type: 'string', nullable: true };
const utf8 = (text: string) => new TextEncoder().encode(text);

/** Strings over a small alphabet with a few shared stems, so that many compares run long. */
function randomValues(prng: Prng, count: number): (string | null)[] {
  const stems = ['', '{"device_id":1000', '{"device_id":10001', 'aaaaaaaaaaaa', '\u00e9\u2603'];
  const alphabet = ['a', 'b', '0', '9', '{', '"', '\u00e9', '\u2603', '\u{1f600}', '\u007f', '~'];
  return Array.from({ length: count }, () => {
    if (prng.int(0, 19) === 0) return null;
    let s = prng.pick(stems);
    for (let n = prng.int(0, 9); n > 0; n--) s += prng.pick(alphabet);
    return s;
  });
}

/** The builder's output as plain values. */
function contents(built: ReturnType<Utf8ColumnBuilder['finish']>) {
  return { values: [...built.data.values.subarray(0, built.data.valueOffsets[built.data.length])], offsets: [...built.data.valueOffsets], nullCount: built.data.nullCount, summary: built.summary };
}

describe('Utf8ColumnBuilder', () => {
  it('gives the values and statistics of encodeColumn, appended in every way', () => {
    const prng = Prng.fromSeed(11);
    for (let round = 0; round < 300; round++) {
      const values = randomValues(prng, prng.int(0, 60));
      const builder = new Utf8ColumnBuilder(column, 2, 8); // small, so that the buffers grow on the way
      const other = new Utf8ColumnBuilder(column, 2, 8);
      for (const value of values) {
        if (value === null) {
          builder.appendNull();
          continue;
        }
        const bytes = utf8(value);
        switch (prng.int(0, 3)) {
          case 0:
            builder.appendCell(value);
            break;
          case 1:
            builder.appendBytes(bytes, 0, bytes.length);
            break;
          case 2: {
            // In place, after a value given up on.
            const junk = builder.reserveValue(bytes.length + 3);
            junk.fill(0x7a, builder.valueStart, builder.valueStart + 3);
            const data = builder.reserveValue(bytes.length);
            data.set(bytes, builder.valueStart);
            builder.closeValueAt(builder.valueStart + bytes.length);
            break;
          }
          default: {
            // Written in place into another builder, then moved.
            const data = other.reserveValue(bytes.length);
            data.set(bytes, other.valueStart);
            builder.appendOpenValueOf(other, other.valueStart + bytes.length);
          }
        }
      }
      const expected = encodeColumn(column, values, values.length);
      const built = builder.finish();
      assert.deepEqual(built.summary, expected.summary, JSON.stringify(values));
      assert.deepEqual(contents(built), contents({ ...expected, dictionary: true }), JSON.stringify(values));
      assert.equal(other.rows, 0);
    }
  });

  it('keeps min and max exact when values arrive rising, falling, tied and as prefixes of one another', () => {
    const orders = [
      ['b', 'ba', 'bab', 'babb', 'babba', 'a', 'c', 'bb'],
      ['{"device_id":100007', '{"device_id":100000', '{"device_id":100199', '{"device_id":100010', '{"device_id":1001995', '{"device_id":10000'],
      ['x', 'x', 'x', 'xx', 'x', ''],
      ['abcdefgh', 'abcdefgg', 'abcdefgi', 'abcdefg', 'abcdefghi', 'abcd', 'abce'],
    ];
    for (const values of orders) {
      for (const ordered of [values, [...values].reverse()]) {
        const builder = new Utf8ColumnBuilder(column);
        for (const value of ordered) builder.appendCell(value);
        assert.deepEqual(builder.finish().summary, encodeColumn(column, ordered, ordered.length).summary, JSON.stringify(ordered));
      }
    }
  });
});
