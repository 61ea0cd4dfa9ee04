import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../api/http/rate-limiter.ts';

describe('rate limiter', () => {
  const limits = { perSecond: 2, burst: 4 };

  it('admits a burst, then refuses with the seconds until a unit is back, and refills at its rate', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ authenticated: limits, now: () => now });
    const admitted = Array.from({ length: 6 }, () => limiter.admit('user:1', limits).admitted);
    assert.deepEqual(admitted, [true, true, true, true, false, false]);
    assert.deepEqual(limiter.admit('user:1', limits), { admitted: false, retryAfterSeconds: 1 });
    now += 499;
    assert.equal(limiter.admit('user:1', limits).admitted, false);
    now += 1;
    assert.equal(limiter.admit('user:1', limits).admitted, true);
    // A long pause refills to the burst, not beyond.
    now += 60_000;
    assert.deepEqual(Array.from({ length: 5 }, () => limiter.admit('user:1', limits).admitted), [true, true, true, true, false]);
  });

  it('keeps clients apart', () => {
    const limiter = new RateLimiter({ now: () => 0 });
    for (let i = 0; i < 4; i++) limiter.admit('user:1', limits);
    assert.equal(limiter.admit('user:1', limits).admitted, false);
    assert.equal(limiter.admit('user:2', limits).admitted, true);
  });

  it('charges later work below zero, and says how long until the debt is paid', () => {
    let now = 0;
    const limiter = new RateLimiter({ now: () => now });
    assert.equal(limiter.admit('analyst:a', limits).admitted, true);
    limiter.charge('analyst:a', limits, 9); // 4 - 1 - 9 = -6 units
    assert.deepEqual(limiter.admit('analyst:a', limits), { admitted: false, retryAfterSeconds: 4 });
    now += 3_000; // +6 units: 0
    assert.equal(limiter.admit('analyst:a', limits).admitted, false);
    now += 500;
    assert.equal(limiter.admit('analyst:a', limits).admitted, true);
  });

  it('forgets the least recently seen clients beyond its bound: a new key starts with a full bucket', () => {
    const limiter = new RateLimiter({ maxClients: 2, now: () => 0 });
    for (let i = 0; i < 4; i++) limiter.admit('a', limits);
    limiter.admit('b', limits);
    limiter.admit('c', limits);
    assert.equal(limiter.admit('a', limits).admitted, true);
  });

  it('refuses limits that admit nothing', () => {
    assert.throws(() => new RateLimiter({ authenticated: { perSecond: 0, burst: 10 } }), RangeError);
    assert.throws(() => new RateLimiter({ anonymous: { perSecond: 1, burst: 0.5 } }), RangeError);
  });
});
