import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../devstack/paths.ts';
import { dayOfWeek, weekOfYear, weekPart } from '../../lakehouse/calendar.ts';
import { parseDate } from '../../lakehouse/time.ts';

const lookup = path.resolve(projectRoot, '../shared/sbit/6-date-lookup.json');

interface LookupRow {
  date: string;
  week: string;
  dayofweek: string;
  year: string;
  week_part: string;
}

describe('calendar', () => {
  it('agrees with every day of 6-date-lookup.json (2023)', (t) => {
    if (!existsSync(lookup)) {
      t.skip(`SBIT date lookup not found at ${lookup}`);
      return;
    }
    const rows = readFileSync(lookup, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LookupRow);
    assert.equal(rows.length, 365);
    for (const row of rows) {
      const days = parseDate(row.date);
      assert.equal(weekPart(days), row.week_part, row.date);
      assert.equal(String(weekOfYear(days)), row.week, row.date);
      assert.equal(String(dayOfWeek(days)), row.dayofweek, row.date);
    }
  });

  it('numbers weeks from the one holding 1 January, Sunday to Saturday, in any year', () => {
    const cases: [string, string][] = [
      ['1970-01-01', '1970-1'], // Thursday: week 1 is Thu..Sat
      ['1970-01-04', '1970-2'], // the first Sunday opens week 2
      ['2022-01-01', '2022-1'], // a Saturday: week 1 is one day long
      ['2022-01-02', '2022-2'],
      ['2022-12-31', '2022-53'], // Saturday closing week 53
      ['2023-01-01', '2023-1'], // Sunday: the new year starts its own week 1, no carry-over
      ['2023-12-31', '2023-53'],
      ['2024-01-01', '2024-1'], // Monday
      ['2024-01-07', '2024-2'], // Sunday
      ['2024-12-31', '2024-53'],
      ['2000-12-31', '2000-54'], // leap year starting on Saturday: 54 weeks
      ['2028-01-01', '2028-1'], // Saturday
      ['2028-01-02', '2028-2'],
      ['2028-12-31', '2028-54'],
      ['1969-12-31', '1969-53'], // before the epoch (negative day numbers)
    ];
    for (const [date, expected] of cases) assert.equal(weekPart(parseDate(date)), expected, date);
  });

  it('gives Spark day-of-week numbers, 1 = Sunday', () => {
    assert.equal(dayOfWeek(parseDate('1970-01-01')), 5); // Thursday
    assert.equal(dayOfWeek(parseDate('1969-12-28')), 1); // Sunday, negative day number
    assert.equal(dayOfWeek(parseDate('2023-03-11')), 7); // Saturday
  });

  it('answers repeated and alternating days consistently', () => {
    const a = parseDate('2023-03-11');
    const b = parseDate('2023-03-12');
    assert.deepEqual([weekPart(a), weekPart(a), weekPart(b), weekPart(a)], ['2023-10', '2023-10', '2023-11', '2023-10']);
  });

  it('refuses a day number that is not a whole day', () => {
    assert.throws(() => weekPart(1.5), RangeError);
    assert.throws(() => weekPart(Number.NaN), RangeError);
    assert.throws(() => weekOfYear(1e12), RangeError);
  });
});
