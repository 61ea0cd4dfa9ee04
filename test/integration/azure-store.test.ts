/**
 * AzureBlobObjectStore against a real Blob endpoint (Azurite when run through `npm test`, which
 * starts it and sets FITLAKE_TEST_AZURE_CONNECTION_STRING). One fresh container per run of this
 * file, deleted at the end; each contract test works under its own prefix in it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, test } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { ConfigError, StorageError } from '../../lakehouse/errors.ts';
import { AzureBlobObjectStore, type AzureRetryOptions, prefixedStore } from '../../lakehouse/storage/index.ts';
import { objectStoreContract } from '../support/object-store-contract.ts';

const connectionString = process.env['FITLAKE_TEST_AZURE_CONNECTION_STRING'];
const FAST_RETRY: AzureRetryOptions = { maxTries: 3, retryDelayMs: 10, maxRetryDelayMs: 50 };
const text = (value: string) => new TextEncoder().encode(value);

// Needs no service: a refused connection must end as a retriable StorageError naming the blob.
test('an unreachable endpoint gives a retriable StorageError naming the blob', async () => {
  const port = await closedPort();
  const store = new AzureBlobObjectStore({
    container: 'fitlake',
    prefix: 'lake',
    connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
    retry: FAST_RETRY,
  });
  await assert.rejects(store.get('_delta_log/00000000000000000000.json'), (error: unknown) => {
    assert.ok(error instanceof StorageError, String(error));
    assert.equal(error.retriable, true);
    assert.equal(error.name, 'StorageError');
    assert.match(error.message, /lake\/_delta_log\/00000000000000000000\.json/);
    return true;
  });
});

if (connectionString === undefined || connectionString === '') {
  test('AzureBlobObjectStore on Azurite', {
    skip: 'FITLAKE_TEST_AZURE_CONNECTION_STRING is not set; run the integration tests through `npm test`, which starts Azurite and sets it',
  });
} else {
  azureTests(connectionString);
}

function azureTests(cs: string): void {
  const container = `fitlake-test-${randomBytes(6).toString('hex')}`;
  let prefixes = 0;
  const storeAt = (prefix: string, options: { connectionString?: string; retry?: AzureRetryOptions } = {}) =>
    new AzureBlobObjectStore({ container, prefix, connectionString: options.connectionString ?? cs, retry: options.retry ?? FAST_RETRY });

  before(async () => {
    assert.equal(await storeAt('').ensureContainer(), true);
  });
  after(async () => {
    await BlobServiceClient.fromConnectionString(cs).getContainerClient(container).deleteIfExists();
  });

  objectStoreContract('AzureBlobObjectStore (Azurite)', async () => storeAt(`contract-${++prefixes}`));

  describe('AzureBlobObjectStore (Azurite)', () => {
    it('ensureContainer is idempotent', async () => {
      assert.equal(await storeAt('').ensureContainer(), false);
    });

    it('reports a missing container as a ConfigError saying how to create it, without creating it', async () => {
      const missing = `fitlake-missing-${randomBytes(6).toString('hex')}`;
      const store = new AzureBlobObjectStore({ container: missing, connectionString: cs, retry: FAST_RETRY });
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['get', () => store.get('k')],
        ['getRange', () => store.getRange('k', 0, 1)],
        ['head', () => store.head('k')],
        ['put', () => store.put('k', text('x'))],
        ['putIfAbsent', () => store.putIfAbsent('k', text('x'))],
        ['list', () => store.list('')],
        ['delete', () => store.delete('k')],
      ];
      for (const [operation, attempt] of attempts) {
        await assert.rejects(attempt(), (error: unknown) => {
          assert.ok(error instanceof ConfigError, `${operation}: ${String(error)}`);
          assert.equal(error.setting, 'container');
          assert.ok(error.message.includes(missing) && error.message.includes('ensureContainer'), error.message);
          return true;
        });
      }
      const exists = await BlobServiceClient.fromConnectionString(cs).getContainerClient(missing).exists();
      assert.equal(exists, false);
    });

    it('keeps a prefixed store’s keys under its prefix', async () => {
      const root = storeAt('');
      const a = storeAt('tenants/a/');
      const ab = storeAt('tenants/ab');
      assert.equal(a.url, `az://${container}/tenants/a`);
      await a.put('_delta_log/00000000000000000000.json', text('a'));
      await ab.put('_delta_log/00000000000000000000.json', text('ab'));
      assert.deepEqual((await root.list('tenants/')).map((info) => info.key), [
        'tenants/a/_delta_log/00000000000000000000.json',
        'tenants/ab/_delta_log/00000000000000000000.json',
      ]);
      assert.deepEqual((await a.list('')).map((info) => info.key), ['_delta_log/00000000000000000000.json']);
      assert.equal(new TextDecoder().decode(await root.get('tenants/ab/_delta_log/00000000000000000000.json')), 'ab');
      const view = prefixedStore(root, 'tenants/a');
      assert.deepEqual(await view.list(''), await a.list(''));
    });

    it('putIfAbsent reports true when its winning response was lost and the retry met its own blob', async () => {
      const key = 'lost-response/_delta_log/00000000000000000000.json';
      const proxy = await faultProxy(cs, (req, seen) =>
        req.method === 'PUT' && req.url?.includes('lost-response') && seen === 0 ? 'drop-response' : 'forward',
      );
      try {
        const store = storeAt('', { connectionString: proxy.connectionString });
        assert.equal(await store.putIfAbsent(key, text('mine')), true);
        assert.equal(proxy.count('PUT'), 2, 'the SDK retried the dropped request');
        assert.equal(await store.putIfAbsent(key, text('theirs')), false);
        assert.equal(new TextDecoder().decode(await store.get(key)), 'mine');
      } finally {
        await proxy.close();
      }
    });

    it('retries 429 and 502, which the SDK itself does not, and then succeeds', async () => {
      const key = 'throttled/data';
      await storeAt('').put(key, text('payload'));
      const proxy = await faultProxy(cs, (req, seen) => {
        if (req.method !== 'GET' || !req.url?.includes('throttled')) return 'forward';
        return seen === 0 ? 429 : seen === 1 ? 502 : 'forward';
      });
      try {
        const store = storeAt('', { connectionString: proxy.connectionString });
        assert.equal(new TextDecoder().decode(await store.get(key)), 'payload');
        assert.equal(proxy.count('GET'), 3);
      } finally {
        await proxy.close();
      }
    });

    it('gives up on a persistent 503 with a retriable StorageError naming the blob', async () => {
      const proxy = await faultProxy(cs, (req) => (req.url?.includes('busy') ? 503 : 'forward'));
      try {
        const store = storeAt('busy', { connectionString: proxy.connectionString });
        await assert.rejects(store.put('x/y.parquet', text('data')), (error: unknown) => {
          assert.ok(error instanceof StorageError, String(error));
          assert.equal(error.retriable, true);
          assert.equal(error.key, 'x/y.parquet');
          assert.match(error.message, /busy\/x\/y\.parquet.*503/);
          return true;
        });
        assert.equal(proxy.count('PUT'), FAST_RETRY.maxTries, 'the SDK retried 503 and the outer loop did not multiply it');
      } finally {
        await proxy.close();
      }
    });
  });
}

type Fault = 'forward' | 'drop-response' | number;

/**
 * An HTTP proxy in front of the Blob endpoint of `cs` that injects faults: `decide` sees each
 * request and how many earlier requests had the same method, and answers with a status, drops
 * the response after the service has processed the request, or forwards it untouched.
 */
async function faultProxy(cs: string, decide: (req: IncomingMessage, seen: number) => Fault) {
  const endpoint = /BlobEndpoint=([^;]+)/i.exec(cs)?.[1];
  if (endpoint === undefined) throw new Error('the test connection string has no BlobEndpoint');
  const target = new URL(endpoint);
  const seenByMethod = new Map<string, number>();
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const seen = seenByMethod.get(method) ?? 0;
    const fault = decide(req, seen);
    seenByMethod.set(method, seen + 1);
    if (typeof fault === 'number') {
      req.resume();
      res.writeHead(fault, { 'x-ms-error-code': fault === 429 || fault === 503 ? 'ServerBusy' : 'InternalError' }).end();
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, method, path: req.url, headers: req.headers }, (response) => {
      if (fault === 'drop-response') {
        // The service has done the work; the client never hears about it.
        response.resume();
        response.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxied = new URL(target.href);
  proxied.host = `127.0.0.1:${port}`;
  return {
    connectionString: cs.replace(/BlobEndpoint=[^;]+/i, `BlobEndpoint=${proxied.href.replace(/\/$/, '')}`),
    count: (method: string) => seenByMethod.get(method) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
