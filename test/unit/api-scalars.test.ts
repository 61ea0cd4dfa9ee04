import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kind } from 'graphql';
import { DateScalar } from '../../api/scalars/date.ts';
import { DateTimeScalar } from '../../api/scalars/date-time.ts';
import { LongScalar } from '../../api/scalars/long.ts';

describe('Long', () => {
  it('serializes safe integers as decimal strings', () => {
    assert.equal(LongScalar.serialize(12474), '12474');
    assert.equal(LongScalar.serialize(Number.MAX_SAFE_INTEGER), '9007199254740991');
    assert.equal(LongScalar.serialize(-5), '-5');
    assert.throws(() => LongScalar.serialize(1.5));
    assert.throws(() => LongScalar.serialize(2 ** 60));
  });

  it('accepts a string or an integer, refuses fractions, junk and anything beyond 2^53', () => {
    assert.equal(LongScalar.parseValue('12474'), 12474);
    assert.equal(LongScalar.parseValue(12474), 12474);
    assert.equal(LongScalar.parseValue(' -7 '), -7);
    for (const bad of ['12ab', '1.5', 1.5, '', '9007199254740993', 2 ** 60, null, true, {}]) assert.throws(() => LongScalar.parseValue(bad), /Long must be an integer/, String(bad));
    assert.equal(LongScalar.parseLiteral({ kind: Kind.INT, value: '9007199254740991' }), Number.MAX_SAFE_INTEGER);
    assert.equal(LongScalar.parseLiteral({ kind: Kind.STRING, value: '42' }), 42);
    assert.throws(() => LongScalar.parseLiteral({ kind: Kind.FLOAT, value: '4.2' }), /Long must be/);
  });
});

describe('Date and DateTime', () => {
  it('are ISO-8601 in UTC, exact to the microsecond', () => {
    assert.equal(DateScalar.serialize(19427), '2023-03-11');
    assert.equal(DateScalar.parseValue('2023-03-11'), 19427);
    assert.equal(DateTimeScalar.serialize(1678521900000001), '2023-03-11T08:05:00.000001Z');
    assert.equal(DateTimeScalar.parseValue('2023-03-11T08:05:00.000001Z'), 1678521900000001);
    assert.equal(DateTimeScalar.parseValue('2023-03-11T09:05:00+01:00'), 1678521900000000);
    assert.equal(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2023-03-11T08:05:00Z' }), 1678521900000000);
  });

  it('refuse what is not a calendar date or an instant', () => {
    for (const bad of ['2023-02-30', '11/03/2023', '2023-3-1', 19427, '']) assert.throws(() => DateScalar.parseValue(bad), /Date must be an ISO-8601 calendar date/, String(bad));
    for (const bad of ['yesterday', '2023-03-11T08:05:00.0000001Z', 1678521900]) assert.throws(() => DateTimeScalar.parseValue(bad), /DateTime must be ISO-8601/, String(bad));
    assert.throws(() => DateScalar.parseLiteral({ kind: Kind.INT, value: '19427' }), /Date must be/);
  });
});
