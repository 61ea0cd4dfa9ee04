import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKnownTopic, KNOWN_TOPICS, parseBpm, parsePayload, parseUserInfo, parseWorkout } from '../../lakehouse/parse/payloads.ts';
import { parseDate } from '../../lakehouse/time.ts';

/** The reason a parse result failed, asserting it did. */
function reasonOf(r: { ok: boolean; reason?: string }): string {
  assert.equal(r.ok, false, 'expected a failure');
  return r.reason ?? '';
}

// The first SBIT user_info record, as its Kafka value.
const userInfo = {
  user_id: 12474,
  update_type: 'new',
  timestamp: 1678451168.0,
  dob: '07/25/1939',
  sex: 'M',
  gender: 'M',
  first_name: 'Matthew',
  last_name: 'Phillips',
  address: { street_address: '02648 Wilkins Cliffs Suite 998', city: 'San Fernando', state: 'CA', zip: 91340 },
};
const userInfoWith = (changes: Record<string, unknown>) => JSON.stringify({ ...userInfo, ...changes });
const addressWith = (changes: Record<string, unknown>) => userInfoWith({ address: { ...userInfo.address, ...changes } });

describe('parseUserInfo', () => {
  it('parses a SBIT record: seconds to microseconds, dob to a day, zip number to its digits', () => {
    const text = '{"user_id": 12474, "update_type": "new", "timestamp": 1678451168.0, "dob": "07/25/1939", "sex": "M", "gender": "M", "first_name": "Matthew", "last_name": "Phillips", "address": {"street_address": "02648 Wilkins Cliffs Suite 998", "city": "San Fernando", "state": "CA", "zip": 91340}}';
    assert.deepEqual(parseUserInfo(text), {
      ok: true,
      row: {
        user_id: 12474,
        update_type: 'new',
        updated: 1678451168_000000,
        dob: parseDate('1939-07-25'),
        sex: 'M',
        gender: 'M',
        first_name: 'Matthew',
        last_name: 'Phillips',
        street_address: '02648 Wilkins Cliffs Suite 998',
        city: 'San Fernando',
        state: 'CA',
        zip: '91340',
      },
    });
  });

  it('accepts update records, string timestamps with fractions, string zips and absent optional fields', () => {
    const r = parseUserInfo(JSON.stringify({ user_id: 1, update_type: 'update', timestamp: '1678451625.5', dob: '02/29/2000', address: { zip: '02134' } }));
    assert.ok(r.ok);
    assert.equal(r.row.update_type, 'update');
    assert.equal(r.row.updated, 1678451625_500000);
    assert.equal(r.row.dob, parseDate('2000-02-29'));
    assert.equal(r.row.zip, '02134');
    assert.equal(r.row.sex, null);
    assert.equal(r.row.city, null);
    const noAddress = parseUserInfo(JSON.stringify({ user_id: 1, update_type: 'new', timestamp: 1, dob: '01/01/2000' }));
    assert.ok(noAddress.ok);
    assert.equal(noAddress.row.street_address, null);
    assert.equal(noAddress.row.zip, null);
  });

  it('gives a reason for each bad field', () => {
    assert.match(reasonOf(parseUserInfo('{"user_id": ')), /^invalid JSON payload: /);
    assert.equal(reasonOf(parseUserInfo('"hello"')), 'payload is not a JSON object: "hello"');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ user_id: undefined }))), 'missing field user_id');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ user_id: '12474' }))), 'field user_id: "12474" is not an integer');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ update_type: 'delete' }))), 'field update_type: "delete" is not new or update');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ update_type: undefined }))), 'missing field update_type');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ timestamp: undefined }))), 'missing field timestamp');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ timestamp: 'soon' }))), 'field timestamp: "soon" is not epoch seconds');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ timestamp: true }))), 'field timestamp: true is not epoch seconds');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ dob: undefined }))), 'missing field dob');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ dob: '1939-07-25' }))), 'field dob: "1939-07-25" is not a date (MM/dd/yyyy)');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ dob: '02/30/1999' }))), 'field dob: "02/30/1999" is not a date (MM/dd/yyyy)');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ dob: '7/25/1939' }))), 'field dob: "7/25/1939" is not a date (MM/dd/yyyy)');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ dob: 19390725 }))), 'field dob: 19390725 is not a date (MM/dd/yyyy)');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ sex: 1 }))), 'field sex: 1 is not a string');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ last_name: ['a'] }))), 'field last_name: ["a"] is not a string');
    assert.equal(reasonOf(parseUserInfo(userInfoWith({ address: 'Main St' }))), 'field address: "Main St" is not an object');
    assert.equal(reasonOf(parseUserInfo(addressWith({ city: false }))), 'field address.city: false is not a string');
    assert.equal(reasonOf(parseUserInfo(addressWith({ zip: 913.4 }))), 'field address.zip: 913.4 is not a zip code');
    assert.equal(reasonOf(parseUserInfo(addressWith({ zip: -1 }))), 'field address.zip: -1 is not a zip code');
  });
});

describe('parseWorkout', () => {
  const text = '{"user_id": 12474, "workout_id": 1, "timestamp": 1678521900.0, "action": "start", "session_id": 1}';
  const withField = (changes: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(text), ...changes });

  it('parses a SBIT record', () => {
    assert.deepEqual(parseWorkout(text), {
      ok: true,
      row: { user_id: 12474, workout_id: 1, time: 1678521900_000000, action: 'start', session_id: 1 },
    });
    const stop = parseWorkout(withField({ action: 'stop' }));
    assert.ok(stop.ok && stop.row.action === 'stop');
  });

  it('gives a reason for each bad field', () => {
    assert.match(reasonOf(parseWorkout('nope')), /^invalid JSON payload: /);
    assert.equal(reasonOf(parseWorkout('[]')), 'payload is not a JSON object: []');
    assert.equal(reasonOf(parseWorkout(withField({ user_id: null }))), 'missing field user_id');
    assert.equal(reasonOf(parseWorkout(withField({ workout_id: 1.5 }))), 'field workout_id: 1.5 is not an integer');
    assert.equal(reasonOf(parseWorkout(withField({ timestamp: undefined }))), 'missing field timestamp');
    assert.equal(reasonOf(parseWorkout(withField({ action: 'pause' }))), 'field action: "pause" is not start or stop');
    assert.equal(reasonOf(parseWorkout(withField({ action: undefined }))), 'missing field action');
    assert.equal(reasonOf(parseWorkout(withField({ session_id: undefined }))), 'missing field session_id');
    assert.equal(reasonOf(parseWorkout(text.replace('"session_id": 1', '"session_id": 9007199254740993'))), 'field session_id: 9007199254740992 is not a safe integer');
  });
});

describe('parseBpm', () => {
  const text = '{"device_id":118440,"time":1678410000,"heartrate":41.21897868284929}';

  it('parses a SBIT record', () => {
    assert.deepEqual(parseBpm(text), { ok: true, row: { device_id: 118440, time: 1678410000_000000, heartrate: 41.21897868284929 } });
  });

  it('keeps heart rates outside (0, 300): silver marks them invalid', () => {
    for (const heartrate of [0, -5, 300, 1000]) {
      const r = parseBpm(JSON.stringify({ device_id: 1, time: 1, heartrate }));
      assert.ok(r.ok);
      assert.equal(r.row.heartrate, heartrate);
    }
  });

  it('gives a reason for each bad field', () => {
    assert.match(reasonOf(parseBpm('{')), /^invalid JSON payload: /);
    assert.equal(reasonOf(parseBpm('null')), 'payload is not a JSON object: null');
    assert.equal(reasonOf(parseBpm('{"time":1,"heartrate":60}')), 'missing field device_id');
    assert.equal(reasonOf(parseBpm('{"device_id":"x","time":1,"heartrate":60}')), 'field device_id: "x" is not an integer');
    assert.equal(reasonOf(parseBpm('{"device_id":1,"heartrate":60}')), 'missing field time');
    assert.equal(reasonOf(parseBpm('{"device_id":1,"time":[],"heartrate":60}')), 'field time: [] is not epoch seconds');
    assert.equal(reasonOf(parseBpm('{"device_id":1,"time":1}')), 'missing field heartrate');
    assert.equal(reasonOf(parseBpm('{"device_id":1,"time":1,"heartrate":"60"}')), 'field heartrate: "60" is not a number');
    assert.equal(reasonOf(parseBpm('{"device_id":1,"time":1,"heartrate":1e999}')), 'field heartrate: Infinity is not a number');
  });
});

describe('parsePayload', () => {
  it('dispatches on the topic and tags the row with it', () => {
    const r = parsePayload('bpm', '{"device_id":1,"time":2,"heartrate":60}');
    assert.deepEqual(r, { ok: true, topic: 'bpm', row: { device_id: 1, time: 2_000_000, heartrate: 60 } });
    const w = parsePayload('workout', '{"user_id":1,"workout_id":2,"timestamp":3,"action":"stop","session_id":4}');
    assert.ok(w.ok && w.topic === 'workout' && w.row.action === 'stop');
    const u = parsePayload('user_info', JSON.stringify(userInfo));
    assert.ok(u.ok && u.topic === 'user_info' && u.row.city === 'San Fernando');
  });

  it('passes the topic parser’s reason through', () => {
    assert.equal(reasonOf(parsePayload('bpm', '{"device_id":1,"time":1}')), 'missing field heartrate');
  });

  it('refuses an unknown topic', () => {
    assert.equal(reasonOf(parsePayload('steps', '{}')), 'unknown topic "steps"');
    assert.deepEqual(KNOWN_TOPICS, ['user_info', 'workout', 'bpm']);
    assert.equal(isKnownTopic('bpm'), true);
    assert.equal(isKnownTopic('BPM'), false);
  });
});
