/**
 * `npm start`: fitlake end to end on the embedded default. Brings up the local services (reusing any
 * already running), generates a demo data set on the first start, runs the pipeline once through
 * Temporal with a worker in this process, starts the GraphQL API, prints where to look (GraphiQL with a
 * ready token, the Temporal UI, an example query and its real answer), then keeps a continuous run going
 * while a new day of simulated data lands every little while, showing gold grow. Ctrl-C stops what this
 * command started and leaves what it found running.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApi, GRAPHQL_ENDPOINT, LakeData, signToken, startApiServer } from '../api/index.ts';
import { loadApiSettings } from '../config/api-settings.ts';
import { loadSettings } from '../config/settings.ts';
import { defaultStackDir } from '../devstack/paths.ts';
import { DEFAULT_PORTS, startStack, stopStack, type ServiceName } from '../devstack/services.ts';
import { ensureTools } from '../devstack/tools.ts';
import { ensureLocalJwtSecret, localDataDir } from '../config/local-secret.ts';
import { openStore } from '../config/open-lake.ts';
import { createSimulation, LandingSink, runSimulation } from '../simulator/index.ts';
import { createPipelineWorker } from '../workers/pipeline-worker.ts';
import type { PipelineInput } from '../activities/types.ts';
import { connectClient } from '../cli/temporal-client.ts';
import { followRun, summaryTable } from '../cli/follow.ts';
import { startPipeline } from '../cli/start-pipeline.ts';

const dataDir = localDataDir(process.env);
const say = (line = '') => console.log(line);
const MS_BETWEEN_NEW_DAYS = 20_000;
const DEMO_START = '2023-03-10';
const DEMO_DAYS = 365;

const daysFile = path.join(dataDir, 'demo-days');

/** Days of demo data landed by earlier starts. */
async function daysLanded(): Promise<number> {
  return existsSync(daysFile) ? Number((await readFile(daysFile, 'utf8')).trim()) || 0 : 0;
}

/**
 * Land one day of the demo: 10 users over a year, planned once, landed a day at a time, so each day
 * brings new workouts (session ids go on from day to day) rather than the first day's again.
 */
async function landDay(landing: string, day: number): Promise<void> {
  const simulation = createSimulation({ users: 10, days: DEMO_DAYS, onlyDay: day, start: DEMO_START, seed: 42, imperfections: 0.01, wearHours: 3 });
  await runSimulation(simulation, new LandingSink({ root: landing, tag: `demo-day-${String(day).padStart(3, '0')}` }));
  await writeFile(daysFile, String(day + 1));
}

/** Row counts of the tables people watch, as the API reports them. */
async function lakeCounts(url: string, token: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ pipelineStatus { path version rowCount } }' }),
  });
  const body = (await response.json()) as { data?: { pipelineStatus: { path: string; version: number | null; rowCount: number | null }[] } };
  const watched = ['silver/heart_rate', 'gold/workout_bpm_summary', 'gold/gym_summary', 'quarantine/records'];
  return (body.data?.pipelineStatus ?? [])
    .filter((t) => watched.includes(t.path))
    .map((t) => `${t.path} ${t.rowCount ?? 0} rows (v${t.version ?? '-'})`)
    .join(', ');
}

async function main(): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const settings = loadSettings(process.env);
  say('fitlake: starting the local services (the first start installs them; the Temporal CLI build takes a few minutes once)');
  const tools = await ensureTools((line) => say(`  ${line}`));
  const stack = await startStack({ dir: defaultStackDir, ports: DEFAULT_PORTS, tools, log: (line) => say(`  ${line}`) });
  const startedHere = Object.entries(stack.services).filter(([, s]) => !s.reused).map(([name]) => name);
  say(`  services ready (${startedHere.length > 0 ? `started ${startedHere.join(', ')}` : 'all already running'})`);

  const landing = settings.landing;
  let day = await daysLanded();
  if (day === 0) {
    say('\nGenerating a demo data set: 10 users with devices, profiles, workouts, gym visits, 1 Hz heart rate, 1% imperfections ...');
    await landDay(landing, day++);
  } else {
    say(`\nReusing the lake at ${settings.lake} (${day} day(s) of demo data landed before)`);
  }

  // This command handles Ctrl-C itself (stop the continuous run first, then the worker): the SDK must
  // not shut the worker down on the signal behind its back.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const { client, close } = await connectClient(settings);
  const { worker, connection } = await createPipelineWorker(settings);
  const workerDone = worker.run();
  const locations = { lake: settings.lake, landing };

  say('\nRunning the pipeline once (bronze → silver → gold) through Temporal:');
  const once = await startPipeline(client, settings, { ...locations, mode: 'once', trigger: 'manual' });
  const result = await followRun(once, (line) => say(line));
  say(`\n${summaryTable(result)}`);

  // The local secret is made here when there is none: `fitlake serve` and `fitlake token` find it too.
  if (!process.env.FITLAKE_JWT_SECRET) ensureLocalJwtSecret(process.env);
  const jwt = { ...loadApiSettings(process.env).jwt };
  const data = new LakeData(openStore(settings, settings.lake));
  const api = await startApiServer(createApi({ data, jwt, mode: 'development', logging: false }), { host: '127.0.0.1', port: Number(process.env.FITLAKE_API_PORT ?? 4000) });
  const token = await signToken(jwt, { role: 'analyst', ttlSeconds: 12 * 3600 });
  const url = `${api.origin}${GRAPHQL_ENDPOINT}`;
  const query = '{ workoutBpmSummaries(first: 3, sort: { field: AVG_BPM, direction: DESC }) { totalCount edges { node { userId workoutId sessionId ageBin city avgBpm maxBpm numRecordings } } } }';
  const answer = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) })).json();

  say('\nfitlake is up.');
  say(`  GraphQL + GraphiQL  ${url}`);
  say(`  token (analyst, 12 h; paste into GraphiQL's headers as {"Authorization": "Bearer …"}):\n    ${token}`);
  say(`  Temporal UI         ${stack.endpoints.temporalUiUrl}  (runs fitlake-once-…, fitlake-continuous-…)`);
  say(`  lake                ${settings.lake}`);
  say(`\nExample query:\n  ${query}\nAnswer:\n${JSON.stringify(answer, null, 2).split('\n').map((l) => `  ${l}`).join('\n')}`);
  say(`\nTry it from a shell:\n  TOKEN=${token}\n  curl -s ${url} -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN" -d '{"query":"{ pipelineStatus { path version rowCount freshnessSeconds } }"}'`);

  const continuous: PipelineInput = { ...locations, mode: 'continuous', everySeconds: 5, trigger: 'manual' };
  const live = await startPipeline(client, settings, continuous);
  say(`\nContinuous run ${live.workflowId}: a new day of data lands every ${MS_BETWEEN_NEW_DAYS / 1000} s and flows to gold. Ctrl-C to stop.`);

  let stopping = false;
  const trickle = (async () => {
    while (!stopping) {
      await new Promise((r) => setTimeout(r, MS_BETWEEN_NEW_DAYS));
      if (stopping) break;
      if (day >= DEMO_DAYS) {
        say(`  all ${DEMO_DAYS} days of demo data have landed; the continuous run goes on with nothing new`);
        break;
      }
      try {
        await landDay(landing, day);
        day++;
        // Give the continuous run a few cycles, then show what reached silver and gold, through the API.
        await new Promise((r) => setTimeout(r, 10_000));
        say(`  landed day ${day} of demo data; now ${await lakeCounts(url, token)}`);
      } catch (e) {
        say(`  could not land new demo data: ${(e as Error).message}`);
      }
    }
  })();
  // Ctrl-C, or a supervisor's SIGTERM: either way the services this command started are stopped.
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  say('\nStopping: the continuous run ends after its current cycle ...');
  stopping = true;
  await live.signal('stop').catch(() => {});
  await Promise.race([live.result().catch(() => undefined), new Promise((r) => setTimeout(r, 30_000))]);
  await trickle.catch(() => {});
  await api.close();
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await workerDone.catch(() => {});
  await connection.close();
  await close();
  if (startedHere.length > 0) {
    say(`stopping the services this command started (${startedHere.join(', ')}); the lake stays in ${settings.lake}`);
    await stopStack(defaultStackDir, () => {}, startedHere as ServiceName[]);
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`npm start: ${e.message}`);
    process.exit(1);
  },
);
