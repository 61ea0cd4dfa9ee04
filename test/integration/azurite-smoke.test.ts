import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlobServiceClient, RestError } from '@azure/storage-blob';
import { azureConnectionString, uniqueName } from '../support/stack.ts';

test('a blob created with If-None-Match: * on Azurite refuses a second create', async (t) => {
  const connectionString = azureConnectionString(t);
  if (!connectionString) return;
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(uniqueName('smoke'));
  await container.create();
  try {
    const blob = container.getBlockBlobClient('_delta_log/00000000000000000000.json');
    const first = Buffer.from('{"commitInfo":{"writer":"first"}}');
    await blob.upload(first, first.length, { conditions: { ifNoneMatch: '*' } });

    const second = Buffer.from('{"commitInfo":{"writer":"second"}}');
    await assert.rejects(
      () => blob.upload(second, second.length, { conditions: { ifNoneMatch: '*' } }),
      (e: unknown) => e instanceof RestError && (e.statusCode === 409 || e.statusCode === 412),
    );
    assert.equal((await blob.downloadToBuffer()).toString(), first.toString());
  } finally {
    await container.delete();
  }
});
