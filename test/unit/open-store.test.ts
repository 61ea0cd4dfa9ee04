import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lakehouse/errors.ts';
import { AzureBlobObjectStore, LocalObjectStore, openObjectStore, parseStoreLocation } from '../../lakehouse/storage/index.ts';

// Azurite's published development account; no request is sent by these tests.
const DEV_CONNECTION_STRING =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';

/** Asserts that `fn` throws a ConfigError whose message contains `fragment`. */
function assertConfigError(fn: () => unknown, fragment: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.ok(error.message.includes(fragment), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(fragment)}`);
    assert.equal(error.retriable, false);
    return true;
  });
}

describe('parseStoreLocation', () => {
  it('reads plain paths as local roots, resolving relative ones', () => {
    assert.deepEqual(parseStoreLocation('/data/lake'), { kind: 'local', root: '/data/lake' });
    assert.deepEqual(parseStoreLocation('lake'), { kind: 'local', root: path.resolve('lake') });
    assert.deepEqual(parseStoreLocation('./.data/lake/'), { kind: 'local', root: path.resolve('.data/lake') });
  });

  it('reads file:// URLs as local roots, decoding them', () => {
    assert.deepEqual(parseStoreLocation('file:///data/lake'), { kind: 'local', root: '/data/lake' });
    assert.deepEqual(parseStoreLocation('file:///data/my%20lake'), { kind: 'local', root: '/data/my lake' });
    assert.deepEqual(parseStoreLocation(pathToFileURL('/tmp/x y').href), { kind: 'local', root: '/tmp/x y' });
  });

  it('reads az://container/prefix', () => {
    assert.deepEqual(parseStoreLocation('az://lake'), { kind: 'azure', container: 'lake', prefix: '' });
    assert.deepEqual(parseStoreLocation('az://lake/'), { kind: 'azure', container: 'lake', prefix: '' });
    assert.deepEqual(parseStoreLocation('az://lake/prod/v1/'), { kind: 'azure', container: 'lake', prefix: 'prod/v1' });
    assert.deepEqual(parseStoreLocation('AZ://lake/a%20b'), { kind: 'azure', container: 'lake', prefix: 'a b' });
  });

  it('reads abfss://container@account.dfs.core.windows.net/prefix and derives the Blob endpoint', () => {
    assert.deepEqual(parseStoreLocation('abfss://lake@fitacct.dfs.core.windows.net/prod'), {
      kind: 'azure',
      container: 'lake',
      prefix: 'prod',
      account: 'fitacct',
      accountUrl: 'https://fitacct.blob.core.windows.net',
    });
    assert.equal(parseStoreLocation('abfss://lake@FitAcct.dfs.core.windows.net').kind, 'azure');
  });

  it('rejects other schemes and malformed URLs with a ConfigError naming the location', () => {
    assertConfigError(() => parseStoreLocation('s3://bucket/lake'), 's3://bucket/lake');
    assertConfigError(() => parseStoreLocation('s3://bucket/lake'), 'unsupported scheme s3:');
    assertConfigError(() => parseStoreLocation('https://acct.blob.core.windows.net/lake'), 'https://acct.blob.core.windows.net/lake');
    assertConfigError(() => parseStoreLocation(''), 'empty');
    assertConfigError(() => parseStoreLocation('az://'), 'az://container/prefix');
    assertConfigError(() => parseStoreLocation('abfss://lake@fitacct.blob.core.windows.net/x'), 'dfs endpoint');
    assertConfigError(() => parseStoreLocation('abfss://fitacct.dfs.core.windows.net/x'), 'abfss://container@account');
    assertConfigError(() => parseStoreLocation('file://otherhost/lake'), 'file://otherhost/lake');
    assertConfigError(() => parseStoreLocation('az://lake/%zz'), 'percent-encoding');
  });

  it('never echoes a query string, which may hold a SAS token', () => {
    assert.throws(
      () => parseStoreLocation('az://lake/prod?sig=SECRET'),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('SECRET') && error.value === 'az://lake/prod?…',
    );
  });
});

describe('openObjectStore', () => {
  it('opens paths and file:// URLs as LocalObjectStore', () => {
    const local = openObjectStore('/data/lake');
    assert.ok(local instanceof LocalObjectStore);
    assert.equal(local.url, 'file:///data/lake');
    const fromUrl = openObjectStore('file:///data/lake');
    assert.ok(fromUrl instanceof LocalObjectStore);
    assert.equal(fromUrl.root, '/data/lake');
  });

  it('opens az:// as AzureBlobObjectStore with the given connection string', () => {
    const store = openObjectStore('az://fitlake/prod/', { azureConnectionString: DEV_CONNECTION_STRING });
    assert.ok(store instanceof AzureBlobObjectStore);
    assert.equal(store.container, 'fitlake');
    assert.equal(store.prefix, 'prod');
    assert.equal(store.url, 'az://fitlake/prod');
  });

  it('opens abfss:// with a connection string for the same account, or with a credential', () => {
    const cs = DEV_CONNECTION_STRING;
    const store = openObjectStore('abfss://fitlake@devstoreaccount1.dfs.core.windows.net/prod', { azureConnectionString: cs });
    assert.ok(store instanceof AzureBlobObjectStore);
    assertConfigError(
      () => openObjectStore('abfss://fitlake@otheraccount.dfs.core.windows.net/prod', { azureConnectionString: cs }),
      'otheraccount',
    );
    // An account URL without a credential or SAS is authorized by the machine's Azure identity
    // (DefaultAzureCredential: managed identity, environment, `az login`); one with a SAS by the SAS alone.
    const credentialOf = (store: unknown) => (store as { client: { credential: object } }).client.credential.constructor.name;
    assert.equal(credentialOf(openObjectStore('abfss://fitlake@acct.dfs.core.windows.net/prod')), 'DefaultAzureCredential');
    assert.equal(credentialOf(openObjectStore('az://fitlake/prod', { azureAccountUrl: 'https://acct.blob.core.windows.net/?sv=2024-01-01&sig=x' })), 'AnonymousCredential');
  });

  it('gives a ConfigError when Azure settings are missing or wrong', () => {
    assertConfigError(() => openObjectStore('az://fitlake/prod'), 'neither a connection string nor an account URL');
    assertConfigError(() => openObjectStore('az://Bad_Name/x', { azureConnectionString: DEV_CONNECTION_STRING }), 'invalid Azure container name');
    assertConfigError(() => openObjectStore('az://fitlake/a/../b', { azureConnectionString: DEV_CONNECTION_STRING }), "'..'");
    assert.throws(
      () => openObjectStore('az://fitlake/x', { azureConnectionString: 'AccountKey=SECRETKEY;nonsense' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('SECRETKEY'),
    );
  });

  it('rejects unsupported schemes with a ConfigError naming the location', () => {
    assertConfigError(() => openObjectStore('gs://bucket/lake'), 'gs://bucket/lake');
  });
});
