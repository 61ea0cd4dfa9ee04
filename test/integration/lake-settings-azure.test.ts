/**
 * Every entry point opens an Azure lake from the same settings (config/open-lake.ts): here with only
 * AZURE_STORAGE_ACCOUNT_URL, an account URL carrying a SAS token (made with Azurite's account key), and no
 * connection string. A lake is built on Azurite in process, then `fitlake status` and `fitlake serve`, as
 * a user runs them, read it through the SAS URL.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, BlobServiceClient, generateAccountSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { openLake } from '../../config/open-lake.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { generateLanding } from '../../simulator/landing-generator.ts';
import { TEST_JWT, testToken } from '../support/api-helpers.ts';
import { runCli, startServe } from '../support/cli.ts';
import { makeTestLake } from '../support/pipeline.ts';
import { azureConnectionString } from '../support/stack.ts';

/** The account URL with an account SAS for blobs (read, write, list, delete), from a connection string with a key. */
function sasAccountUrl(connectionString: string): string {
  const field = (name: string) => new RegExp(`(?:^|;)${name}=([^;]+)`).exec(connectionString)?.[1];
  const account = field('AccountName')!;
  const key = field('AccountKey')!;
  const endpoint = field('BlobEndpoint')!;
  const sas = generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 3_600_000),
      permissions: AccountSASPermissions.parse('rwdlac'),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      services: AccountSASServices.parse('b').toString(),
    },
    new StorageSharedKeyCredential(account, key),
  ).toString();
  return `${endpoint}?${sas}`;
}

/** A lake on Azurite built by the pipeline in process (bronze to gold on a small generated landing zone). */
async function lakeOnAzurite(t: TestContext): Promise<{ lake: string; connectionString: string } | undefined> {
  const connectionString = azureConnectionString(t);
  if (!connectionString) return undefined;
  const container = `fitlake-settings-${randomBytes(6).toString('hex')}`;
  await BlobServiceClient.fromConnectionString(connectionString).createContainer(container);
  t.after(() => BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).deleteIfExists());
  const local = await makeTestLake('fitlake-azure-settings-');
  t.after(() => rm(local.dir, { recursive: true, force: true }));
  // 14 h of readings per device: sessions start 2 to 12 h apart, so each user completes a few workouts.
  const generated = await generateLanding(local.landingDir, { readings: 100_000, users: 2, seed: 9, linesPerFile: 50_000 });
  assert.ok(generated.workouts.length > 0, 'the landing zone holds completed workouts');
  const lake = `az://${container}/lake`;
  await runPipeline({ lake: openLake({ lake, azureConnectionString: connectionString }), landing: new LocalObjectStore(local.landingDir), now: Date.now }, STEPS);
  return { lake, connectionString };
}

test('status and serve read an Azure lake with only an account URL that carries a SAS token', async (t) => {
  const built = await lakeOnAzurite(t);
  if (!built) return;
  const env = { AZURE_STORAGE_ACCOUNT_URL: sasAccountUrl(built.connectionString), AZURE_STORAGE_CONNECTION_STRING: '' };

  const status = await runCli(['status', '--json', '--temporal-address', '127.0.0.1:1', '--lake', built.lake], env);
  assert.equal(status.code, 0, status.stderr);
  const tables = (JSON.parse(status.stdout) as { tables: { table: string; version: number | null; rows: number }[] }).tables;
  const summary = tables.find((x) => x.table === 'gold/workout_bpm_summary')!;
  assert.ok(summary.version !== null && summary.rows > 0, JSON.stringify(summary));

  const { url } = await startServe(t, ['--lake', built.lake], { ...env, FITLAKE_JWT_SECRET: TEST_JWT.secret, FITLAKE_JWT_ISSUER: TEST_JWT.issuer, FITLAKE_API_MODE: 'production' });
  const token = await testToken({ role: 'analyst' });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ workoutBpmSummaries(first: 1) { totalCount } }' }),
  });
  const body = (await response.json()) as { data?: { workoutBpmSummaries: { totalCount: number } }; errors?: unknown };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  assert.equal(body.data!.workoutBpmSummaries.totalCount, summary.rows);
});
