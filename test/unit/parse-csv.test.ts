import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CsvHeaderError,
  parseCsvHeader,
  parseCsvLine,
  parseGymLogin,
  parseRegisteredUser,
  requireColumns,
  REGISTERED_USER_COLUMNS,
} from '../../lakehouse/parse/csv.ts';
import { FitlakeError } from '../../lakehouse/errors.ts';

/** The fields of a line that must be valid CSV. */
function fieldsOf(line: string): string[] {
  const r = parseCsvLine(line);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.fields;
}

/** The reason a parse result failed, asserting it did. */
function reasonOf(r: { ok: true } | { ok: false; reason: string }): string {
  assert.equal(r.ok, false, 'expected a failure');
  return (r as { reason: string }).reason;
}

describe('parseCsvLine', () => {
  it('splits plain fields, keeping empty ones and spaces', () => {
    assert.deepEqual(fieldsOf('a,b,c'), ['a', 'b', 'c']);
    assert.deepEqual(fieldsOf(',x,'), ['', 'x', '']);
    assert.deepEqual(fieldsOf(''), ['']);
    assert.deepEqual(fieldsOf(' a , b'), [' a ', ' b']);
  });

  it('reads quoted fields with commas and doubled quotes', () => {
    assert.deepEqual(fieldsOf('"a,b","say ""hi""",""'), ['a,b', 'say "hi"', '']);
    assert.deepEqual(fieldsOf('1,"""",2'), ['1', '"', '2']);
    assert.deepEqual(fieldsOf('"x"'), ['x']);
  });

  it('keeps a quote inside an unquoted field as data', () => {
    assert.deepEqual(fieldsOf('5"9,b'), ['5"9', 'b']);
  });

  it('refuses an unterminated quote', () => {
    assert.equal(reasonOf(parseCsvLine('a,"b,c')), 'unterminated quote in field 2');
    assert.equal(reasonOf(parseCsvLine('"""')), 'unterminated quote in field 1');
  });

  it('refuses text after a closing quote', () => {
    assert.equal(reasonOf(parseCsvLine('"a"b,c')), 'unexpected text after the closing quote of field 1');
  });
});

describe('parseCsvHeader / requireColumns', () => {
  it('matches names case-insensitively and in any order', () => {
    const header = parseCsvHeader('MAC_Address, registration_timestamp,user_id,device_id,extra');
    assert.deepEqual(requireColumns(header, REGISTERED_USER_COLUMNS), [2, 3, 0, 1]);
    assert.equal(header.columns[1], 'registration_timestamp');
  });

  it('drops a byte-order mark before the first name', () => {
    assert.deepEqual(requireColumns(parseCsvHeader('\ufeffuser_id,x'), ['user_id']), [0]);
  });

  it('throws CsvHeaderError naming a missing column', () => {
    const header = parseCsvHeader('user_id,device_id,registration_timestamp');
    assert.throws(() => requireColumns(header, REGISTERED_USER_COLUMNS), (e: unknown) => {
      assert.ok(e instanceof CsvHeaderError && e instanceof FitlakeError);
      assert.equal(e.name, 'CsvHeaderError');
      assert.equal(e.retriable, false);
      assert.match(e.message, /no column "mac_address"/);
      return true;
    });
    assert.throws(() => parseRegisteredUser(['1', '2', '3'], header), CsvHeaderError);
  });

  it('throws on repeated names and bad syntax', () => {
    assert.throws(() => parseCsvHeader('a,b,A'), /names column "A" twice/);
    assert.throws(() => parseCsvHeader('a,"b'), CsvHeaderError);
  });
});

describe('parseRegisteredUser', () => {
  const header = parseCsvHeader('user_id,device_id,mac_address,registration_timestamp');
  const parse = (line: string) => parseRegisteredUser(fieldsOf(line), header);

  it('parses a SBIT record exactly', () => {
    assert.deepEqual(parse('12474,118440,4c:c5:9f:cb:13:bd,1678451168'), {
      ok: true,
      row: { user_id: 12474, device_id: 118440, mac_address: '4c:c5:9f:cb:13:bd', registration_timestamp: 1678451168_000000 },
    });
  });

  it('reads columns by name, trims and lower-cases the MAC, and takes fractional seconds exactly', () => {
    const reordered = parseCsvHeader('Registration_Timestamp,MAC_ADDRESS,Device_Id,User_Id');
    const r = parseRegisteredUser(fieldsOf('1678451168.000001, 4C:C5:9F:CB:13:BD ,118440,12474'), reordered);
    assert.deepEqual(r, {
      ok: true,
      row: { user_id: 12474, device_id: 118440, mac_address: '4c:c5:9f:cb:13:bd', registration_timestamp: 1678451168_000001 },
    });
    const dotZero = parse('1,2,4c:c5:9f:cb:13:bd,1678451168.0');
    assert.ok(dotZero.ok && dotZero.row.registration_timestamp === 1678451168_000000);
  });

  it('gives a reason for each bad field', () => {
    assert.equal(reasonOf(parse('12474,118440,4c:c5:9f:cb:13:bd')), 'expected 4 fields, got 3');
    assert.equal(reasonOf(parse('abc,118440,4c:c5:9f:cb:13:bd,1678451168')), 'column user_id: "abc" is not an integer');
    assert.equal(reasonOf(parse('1.5,118440,4c:c5:9f:cb:13:bd,1678451168')), 'column user_id: "1.5" is not an integer');
    assert.equal(reasonOf(parse('9007199254740993,118440,4c:c5:9f:cb:13:bd,1678451168')), 'column user_id: "9007199254740993" is not a safe integer');
    assert.equal(reasonOf(parse('1,,4c:c5:9f:cb:13:bd,1678451168')), 'missing value for device_id');
    assert.equal(reasonOf(parse('1,2, ,1678451168')), 'missing value for mac_address');
    assert.equal(reasonOf(parse('1,2,4c-c5-9f-cb-13-bd,1678451168')), `column mac_address: "4c-c5-9f-cb-13-bd" is not a MAC address (six hex pairs separated by ':')`);
    assert.equal(reasonOf(parse('1,2,4c:c5:9f:cb:13:bg,1678451168')).startsWith('column mac_address:'), true);
    assert.equal(reasonOf(parse('1,2,4c:c5:9f:cb:13:bd,')), 'missing value for registration_timestamp');
    assert.equal(reasonOf(parse('1,2,4c:c5:9f:cb:13:bd,yesterday')), 'column registration_timestamp: "yesterday" is not epoch seconds');
    assert.equal(reasonOf(parse('1,2,4c:c5:9f:cb:13:bd,1.0000001')), 'column registration_timestamp: "1.0000001" is not epoch seconds');
  });
});

describe('parseGymLogin', () => {
  const header = parseCsvHeader('mac_address,gym,login,logout');
  const parse = (line: string) => parseGymLogin(fieldsOf(line), header);

  it('parses a SBIT record exactly', () => {
    assert.deepEqual(parse('4c:c5:9f:cb:13:bd,5,1678521600,1678526100'), {
      ok: true,
      row: { mac_address: '4c:c5:9f:cb:13:bd', gym: 5, login: 1678521600_000000, logout: 1678526100_000000 },
    });
  });

  it('takes an empty logout as null (a visit still going on)', () => {
    const r = parse('4c:c5:9f:cb:13:bd,5,1678521600,');
    assert.ok(r.ok);
    assert.equal(r.row.logout, null);
  });

  it('gives a reason for each bad field', () => {
    assert.equal(reasonOf(parse('4c:c5:9f:cb:13:bd,5,1678521600,1,2')), 'expected 4 fields, got 5');
    assert.equal(reasonOf(parse(',5,1678521600,')), 'missing value for mac_address');
    assert.equal(reasonOf(parse('4c:c5:9f:cb:13:bd,five,1678521600,')), 'column gym: "five" is not an integer');
    assert.equal(reasonOf(parse('4c:c5:9f:cb:13:bd,,1678521600,')), 'missing value for gym');
    assert.equal(reasonOf(parse('4c:c5:9f:cb:13:bd,5,,')), 'missing value for login');
    assert.equal(reasonOf(parse('4c:c5:9f:cb:13:bd,5,1678521600,soon')), 'column logout: "soon" is not epoch seconds');
  });
});
