/**
 * KRaft cluster ids as devstack formats Kafka's storage with: kafka-storage's argument parser takes an id
 * that begins with '-' for an option and refuses to format (a CI failure of npm start, 1 start in 64).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { kafkaClusterId } from '../../devstack/services.ts';

describe('kafkaClusterId', () => {
  it('draws again when the id would begin with a dash', () => {
    // 0xf8 as the first byte is base64url '-' (62) in the first six bits.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x11)];
    const id = kafkaClusterId(() => draws.shift()!);
    assert.equal(id, Buffer.alloc(16, 0x11).toString('base64url'));
    assert.equal(draws.length, 0);
  });

  it('never begins with a dash over many random draws, and is 22 base64url characters (16 bytes)', () => {
    // Of 10,000 plain draws about 156 would begin with '-'.
    for (let i = 0; i < 10_000; i++) {
      const id = kafkaClusterId();
      assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      assert.equal(Buffer.from(id, 'base64url').length, 16);
    }
    assert.equal(kafkaClusterId(randomBytes).length, 22);
  });
});
