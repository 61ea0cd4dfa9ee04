import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGE_BINS, ageBin, ageOn } from '../../lakehouse/rules/age-bin.ts';
import { parseDate } from '../../lakehouse/time.ts';

const age = (dob: string, on: string) => ageOn(parseDate(dob), parseDate(on));

describe('ageOn', () => {
  it('counts completed years, going up on the birthday itself', () => {
    assert.equal(age('1939-07-25', '2023-03-11'), 83);
    assert.equal(age('1939-07-25', '2023-07-24'), 83);
    assert.equal(age('1939-07-25', '2023-07-25'), 84);
    assert.equal(age('2000-01-01', '2000-01-01'), 0);
    assert.equal(age('2000-12-31', '2001-12-30'), 0);
    assert.equal(age('1960-05-01', '1970-05-01'), 10); // birth before the epoch
  });

  it('makes someone born on 29 February a year older on 1 March of common years', () => {
    assert.equal(age('2000-02-29', '2001-02-28'), 0);
    assert.equal(age('2000-02-29', '2001-03-01'), 1);
    assert.equal(age('2000-02-29', '2004-02-28'), 3);
    assert.equal(age('2000-02-29', '2004-02-29'), 4);
  });

  it('is negative when the day is before the birth', () => {
    assert.equal(age('2000-06-01', '2000-01-01'), -1);
  });

  it('refuses a day number that is not a whole day', () => {
    assert.throws(() => ageOn(0.5, 0), RangeError);
    assert.throws(() => ageOn(0, Number.NaN), RangeError);
  });
});

describe('ageBin', () => {
  it('puts user 12474 (born 1939-07-25) in 75-85 on 2023-03-11, as published', () => {
    assert.equal(ageBin(age('1939-07-25', '2023-03-11')), '75-85');
  });

  it('includes each lower bound in its bin', () => {
    const expected: [number, string][] = [
      [0, 'under 18'], [17, 'under 18'], [18, '18-25'], [24, '18-25'], [25, '25-35'], [34, '25-35'], [35, '35-45'],
      [45, '45-55'], [55, '55-65'], [65, '65-75'], [74, '65-75'], [75, '75-85'], [84, '75-85'], [85, '85-95'],
      [94, '85-95'], [95, '95+'], [130, '95+'], [-1, 'under 18'],
    ];
    for (const [years, bin] of expected) assert.equal(ageBin(years), bin, `age ${years}`);
  });

  it('has the published labels, youngest first, and refuses NaN', () => {
    assert.deepEqual(AGE_BINS, ['under 18', '18-25', '25-35', '35-45', '45-55', '55-65', '65-75', '75-85', '85-95', '95+']);
    assert.throws(() => ageBin(Number.NaN), RangeError);
  });
});
