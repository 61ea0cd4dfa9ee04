import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { signToken } from '../../api/auth/sign-token.ts';
import { bearerToken, createTokenVerifier } from '../../api/auth/verify-token.ts';
import { InvalidClaimsError, parseUserId, scopedUserId, viewerFromClaims } from '../../api/auth/viewer.ts';

const jwt = { secret: 'unit-test-secret-0123456789-0123456789', issuer: 'fitlake', audience: 'fitlake-api' };

describe('claims', () => {
  it('make an analyst or a user with its numeric sub', () => {
    assert.deepEqual(viewerFromClaims({ role: 'analyst', sub: 'ana' }), { role: 'analyst', subject: 'ana' });
    assert.deepEqual(viewerFromClaims({ role: 'user', sub: '12474' }), { role: 'user', userId: 12474 });
  });

  it('refuse unknown roles and users without a positive integer sub', () => {
    for (const claims of [{ role: 'admin' }, {}, { role: 'user' }, { role: 'user', sub: 'bob' }, { role: 'user', sub: '0' }, { role: 'user', sub: '-4' }, { role: 'user', sub: '1e3' }, { role: 'user', sub: '99999999999999999' }, { role: 'user', sub: 12474 }]) {
      assert.throws(() => viewerFromClaims(claims), InvalidClaimsError, JSON.stringify(claims));
    }
    assert.equal(parseUserId('007'), undefined);
  });

  it('scope user ids: analysts ask for anyone, users only for themselves (null: no rows)', () => {
    const analyst = { role: 'analyst', subject: undefined } as const;
    const user = { role: 'user', userId: 12474 } as const;
    assert.equal(scopedUserId(analyst, undefined), undefined);
    assert.equal(scopedUserId(analyst, 11745), 11745);
    assert.equal(scopedUserId(user, undefined), 12474);
    assert.equal(scopedUserId(user, 12474), 12474);
    assert.equal(scopedUserId(user, 11745), null);
  });
});

describe('tokens', () => {
  it('sign and verify: HS256 with role, sub, issuer, audience and expiry', async () => {
    const verify = createTokenVerifier(jwt);
    const token = await signToken(jwt, { role: 'user', userId: 12474, ttlSeconds: 60 });
    assert.deepEqual(await verify(token), { role: 'user', userId: 12474 });
    const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
    assert.equal(payload!.iss, 'fitlake');
    assert.equal(payload!.aud, 'fitlake-api');
    assert.equal((payload!.exp as number) - (payload!.iat as number), 60);
    await assert.rejects(signToken(jwt, { role: 'user' }), RangeError);
  });

  it('refuse a wrong secret, issuer, audience, algorithm, or a missing or past expiry', async () => {
    const verify = createTokenVerifier(jwt);
    const key = new TextEncoder().encode(jwt.secret);
    const bad = [
      await signToken({ ...jwt, secret: 'another-secret-0123456789-0123456789' }, { role: 'analyst' }),
      await signToken(jwt, { role: 'analyst', issuer: 'elsewhere' }),
      await signToken(jwt, { role: 'analyst', audience: 'another-api' }),
      await signToken(jwt, { role: 'analyst', now: Date.now() - 3_600_000, ttlSeconds: 60 }),
      await new SignJWT({ role: 'analyst' }).setProtectedHeader({ alg: 'HS512' }).setIssuer(jwt.issuer).setAudience(jwt.audience).setExpirationTime('1h').sign(new TextEncoder().encode(jwt.secret.repeat(2))),
      await new SignJWT({ role: 'analyst' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(jwt.issuer).setAudience(jwt.audience).sign(key),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ role: 'analyst', iss: jwt.issuer, aud: jwt.audience, exp: 9e9 })).toString('base64url')}.`,
    ];
    for (const token of bad) await assert.rejects(verify(token), Error, token);
  });

  it('remember a verified token only until its expiry', async () => {
    let now = Date.now();
    const verify = createTokenVerifier(jwt, { now: () => now });
    const token = await signToken(jwt, { role: 'analyst', now, ttlSeconds: 10 });
    assert.equal((await verify(token)).role, 'analyst');
    now += 5_000;
    assert.equal((await verify(token)).role, 'analyst');
    now += 6_000;
    await assert.rejects(verify(token));
  });

  it('read only `Authorization: Bearer <jwt>` headers', () => {
    assert.equal(bearerToken('Bearer a.b.c'), 'a.b.c');
    assert.equal(bearerToken('bearer a.b.c'), 'a.b.c');
    for (const header of [null, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer abc', 'Bearer a.b.c d', 'Token a.b.c']) assert.equal(bearerToken(header), undefined, String(header));
  });
});
