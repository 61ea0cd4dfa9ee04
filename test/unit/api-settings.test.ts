import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { apiMode, loadApiSettings, loadJwtSettings, loadTokenLifetimes } from '../../config/api-settings.ts';
import { ConfigError } from '../../lakehouse/errors.ts';

const SECRET = 's'.repeat(32);

describe('API settings', () => {
  it('default to loopback port 4000, development, issuer fitlake, audience fitlake-api', () => {
    const s = loadApiSettings({ FITLAKE_JWT_SECRET: SECRET, FITLAKE_LAKE: '/tmp/lake' });
    assert.equal(s.port, 4000);
    assert.equal(s.host, '127.0.0.1');
    assert.equal(s.mode, 'development');
    assert.deepEqual(s.jwt, { secret: SECRET, issuer: 'fitlake', audience: 'fitlake-api' });
    assert.equal(s.lake, '/tmp/lake');
    assert.equal(s.responseCacheMb, 64);
  });

  it('size the response cache from --cache-mb over FITLAKE_API_CACHE_MB over api.cacheMb, 0 = off', () => {
    const env = { FITLAKE_JWT_SECRET: SECRET, FITLAKE_LAKE: '/tmp/lake' };
    assert.equal(loadApiSettings(env, {}, { api: { cacheMb: 16 } }).responseCacheMb, 16);
    assert.equal(loadApiSettings({ ...env, FITLAKE_API_CACHE_MB: '0' }, {}, { api: { cacheMb: 16 } }).responseCacheMb, 0);
    assert.equal(loadApiSettings({ ...env, FITLAKE_API_CACHE_MB: '0' }, { cacheMb: '128' }, { api: { cacheMb: 16 } }).responseCacheMb, 128);
    for (const bad of ['-1', 'lots', '', '1e9']) assert.throws(() => loadApiSettings({ ...env, FITLAKE_API_CACHE_MB: bad }, {}, {}), ConfigError, bad);
  });

  it('bound token lifetimes at 24 h for users and 30 days for analysts unless the environment says otherwise', () => {
    assert.deepEqual(loadTokenLifetimes({}), { user: 86_400, analyst: 30 * 86_400 });
    assert.deepEqual(loadTokenLifetimes({ FITLAKE_TOKEN_MAX_TTL_USER: '12h', FITLAKE_TOKEN_MAX_TTL_ANALYST: '7d' }), { user: 12 * 3600, analyst: 7 * 86_400 });
    assert.equal(loadTokenLifetimes({ FITLAKE_TOKEN_MAX_TTL_USER: '900' }).user, 900);
    for (const bad of ['forever', '30s', '2y', '-1h', '400d']) assert.throws(() => loadTokenLifetimes({ FITLAKE_TOKEN_MAX_TTL_USER: bad }), ConfigError, bad);
  });

  it('set the per-client rate limit from --rate-limit over FITLAKE_API_RATE_LIMIT over api.rateLimit, default 100, 0 = off', () => {
    const env = { FITLAKE_JWT_SECRET: SECRET, FITLAKE_LAKE: '/tmp/lake' };
    assert.equal(loadApiSettings(env, {}, {}).rateLimit, 100);
    assert.equal(loadApiSettings(env, {}, { api: { rateLimit: 20 } }).rateLimit, 20);
    assert.equal(loadApiSettings({ ...env, FITLAKE_API_RATE_LIMIT: '0' }, {}, { api: { rateLimit: 20 } }).rateLimit, 0);
    assert.equal(loadApiSettings({ ...env, FITLAKE_API_RATE_LIMIT: '0' }, { rateLimit: '500' }, {}).rateLimit, 500);
    for (const bad of ['-1', 'fast', '2.5']) assert.throws(() => loadApiSettings({ ...env, FITLAKE_API_RATE_LIMIT: bad }, {}, {}), ConfigError, bad);
  });

  it('take port, host and mode from the config file under the environment and flags', () => {
    const env = { FITLAKE_JWT_SECRET: SECRET, FITLAKE_LAKE: '/tmp/lake' };
    const file = { api: { port: 4100, host: '10.0.0.5', mode: 'production' as const } };
    const fromFile = loadApiSettings(env, {}, file);
    assert.deepEqual([fromFile.port, fromFile.host, fromFile.mode], [4100, '10.0.0.5', 'production']);
    const over = loadApiSettings({ ...env, FITLAKE_API_PORT: '4200', FITLAKE_API_MODE: 'development' }, { host: '127.0.0.1' }, file);
    assert.deepEqual([over.port, over.host, over.mode], [4200, '127.0.0.1', 'development']);
  });

  it('take flags over the environment', () => {
    const s = loadApiSettings({ FITLAKE_JWT_SECRET: SECRET, FITLAKE_API_PORT: '5000', FITLAKE_API_HOST: '0.0.0.0', FITLAKE_JWT_ISSUER: 'me' }, { port: '0', host: '::1', lake: '/tmp/other' });
    assert.equal(s.port, 0);
    assert.equal(s.host, '::1');
    assert.equal(s.jwt.issuer, 'me');
    assert.equal(s.lake, '/tmp/other');
    assert.throws(() => loadApiSettings({ FITLAKE_JWT_SECRET: SECRET }, { port: '70000' }), ConfigError);
    assert.throws(() => loadApiSettings({ FITLAKE_JWT_SECRET: SECRET }, { port: 'http' }), ConfigError);
  });

  it('need a secret of at least 32 characters, with no default, and never print it', () => {
    // A data folder without the local secret of npm start (config/local-secret.ts), whatever this checkout's .data/ holds.
    const none = { FITLAKE_DATA_DIR: path.join(os.tmpdir(), 'fitlake-no-secret-here') };
    assert.throws(() => loadJwtSettings(none), (e: unknown) => e instanceof ConfigError && /FITLAKE_JWT_SECRET is not set/.test(e.message));
    assert.throws(() => loadApiSettings({ ...none, NODE_ENV: 'development' }), /FITLAKE_JWT_SECRET is not set/);
    assert.throws(() => loadJwtSettings({ FITLAKE_JWT_SECRET: 'hunter2-but-short' }), (e: unknown) => e instanceof ConfigError && /17 characters long; it needs at least 32/.test(e.message) && !e.message.includes('hunter2'));
  });

  it('read the mode from FITLAKE_API_MODE, else NODE_ENV', () => {
    assert.equal(apiMode({}), 'development');
    assert.equal(apiMode({ NODE_ENV: 'production' }), 'production');
    assert.equal(apiMode({ NODE_ENV: 'production', FITLAKE_API_MODE: 'development' }), 'development');
    assert.equal(apiMode({ FITLAKE_API_MODE: 'production' }), 'production');
    assert.throws(() => apiMode({ FITLAKE_API_MODE: 'staging' }), ConfigError);
  });
});
