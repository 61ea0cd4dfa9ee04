/**
 * `npm start`: fitlake end to end on the embedded default. Brings up the local services (reusing any
 * already running), generates a demo data set on the first start, runs the pipeline once through
 * Temporal with a worker in this process, starts the GraphQL API, prints where to look (GraphiQL with a
 * ready token, the Temporal UI, an example query and its real answer), then keeps a continuous run going
 * while a new day of simulated data lands every little while, showing gold grow. Ctrl-C, SIGTERM, a
 * closed terminal or a closed output stops what this command started, at any moment, and leaves what it
 * found running (start-stop.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApi, DASHBOARD_PATH, GRAPHQL_ENDPOINT, LakeData, signToken, startApiServer } from '../api/index.ts';
import { loadApiSettings } from '../config/api-settings.ts';
import { loadSettings } from '../config/settings.ts';
import { SERVICE_NAMES, stackStatus, startStack, stopStack, type ServiceName } from '../devstack/services.ts';
import { ensureStartTools } from '../devstack/tools.ts';
import { ensureLocalJwtSecret, localDataDir } from '../config/local-secret.ts';
import { stackLocation } from '../config/stack-location.ts';
import { openStore } from '../config/open-lake.ts';
import { createSimulation, LandingSink, runSimulation } from '../simulator/index.ts';
import { createPipelineWorker } from '../workers/pipeline-worker.ts';
import type { PipelineInput } from '../activities/types.ts';
import { connectClient } from '../cli/temporal-client.ts';
import { followRun, summaryTable } from '../cli/follow.ts';
import { startPipeline } from '../cli/start-pipeline.ts';
import { StartStop } from './start-stop.ts';

const dataDir = localDataDir(process.env);
const stop = new StartStop();
const say = (line = '') => stop.say(line);
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
  const location = stackLocation(process.env);
  say('fitlake: starting the local services (the first start installs them)');
  const log = (line: string) => say(`  ${line}`);
  const tools = ensureStartTools(log);
  // The services of this stack, wherever FITLAKE_STACK_DIR and FITLAKE_*_PORT put them.
  const loaded = loadSettings(process.env);
  // What runs before this command: those it leaves running when it stops, even if it fails half-way.
  const before = await stackStatus(location.dir);
  const notRunningBefore = SERVICE_NAMES.filter((name) => before.services[name].state === 'stopped');
  const toolOf = { temporal: 'temporal', kafka: 'kafkaLibs', azurite: 'azuriteBlob' } as const;
  /**
   * Bring one service up once its tool is installed, tracked so that a stop takes it down if this
   * command started it. Not once a stop is under way: a stop during an install skips the start.
   */
  const bringUp = (name: ServiceName) => {
    const start = tools[toolOf[name]].then((tool) => {
      if (stop.stopping) throw new Error('stopping');
      return startStack({ dir: location.dir, ports: location.ports, tools: { [toolOf[name]]: tool }, services: [name], log });
    });
    return stop.track(
      name,
      start,
      async (started) => {
        if (started.services[name]?.reused !== false) return;
        say(`stopping the services this command started (${name}); the lake stays in ${dataDir}`);
        await stopStack(location.dir, () => {}, [name]);
      },
      // A start that failed half-way: stop whatever of it did start.
      () => stopStack(location.dir, () => {}, notRunningBefore.includes(name) ? [name] : []),
    );
  };
  // The first run needs Temporal, and Kafka only when it reads brokers (the demo lands files). The
  // others come up beside it: Kafka for `fitlake produce` and `simulate`, Azurite for lakes on Azure.
  const first: ServiceName[] = loaded.kafkaBrokers.length > 0 ? ['temporal', 'kafka'] : ['temporal'];
  const starts = new Map(SERVICE_NAMES.map((name) => [name, bringUp(name)] as const));
  for (const [name, start] of starts) {
    if (first.includes(name)) continue;
    start.catch((e: unknown) => {
      if (!stop.stopping) say(`  ${name} did not start (${(e as Error).message.split('\n')[0]}); the demo does not need it`);
    });
  }
  const firstStarted = await Promise.all(first.map((name) => starts.get(name)!));
  const stack = firstStarted[0]!;
  const startedHere = first.filter((name, i) => firstStarted[i]!.services[name]?.reused === false);
  const later = SERVICE_NAMES.filter((name) => !first.includes(name));
  say(`  services ready (${startedHere.length > 0 ? `started ${startedHere.join(', ')}` : `${first.join(', ')} already running`}; ${later.join(' and ')} follow)`);
  const settings = { ...loaded, temporal: { ...loaded.temporal, address: stack.endpoints.temporalAddress } };

  const landing = settings.landing;
  let day = await daysLanded();
  if (day === 0) {
    say('\nGenerating a demo data set: 10 users with devices, profiles, workouts, gym visits, 1 Hz heart rate, 1% imperfections ...');
    await landDay(landing, day++);
  } else {
    say(`\nReusing the lake at ${settings.lake} (${day} day(s) of demo data landed before)`);
  }

  // This command handles its signals itself (stop the continuous run first, then the worker): the SDK
  // must not shut the worker down on them behind its back.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  // The client's connection is not closed on stop, only left to the exit: a call in flight (the follow
  // below, a run's result) that fails as the services go retries on a timer, and grpc-js throws from
  // that timer, uncaught, when the channel is closed by then (CI saw npm start exit 1 that way).
  const { client } = await connectClient(settings);
  const { worker } = await stop.track('the worker', createPipelineWorker(settings), (w) => w.close());
  const workerDone = worker.run();
  // Undone before the worker is closed: its running steps get their grace time.
  await stop.track('the worker run', Promise.resolve(), async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerDone.catch(() => {});
  });
  const locations = { lake: settings.lake, landing };

  say('\nRunning the pipeline once (bronze → silver → gold) through Temporal:');
  const once = await startPipeline(client, settings, { ...locations, mode: 'once', trigger: 'manual' });
  const result = await followRun(once, (line) => say(line));
  say(`\n${summaryTable(result)}`);

  // The local secret is made here when there is none: `fitlake serve` and `fitlake token` find it too.
  if (!process.env.FITLAKE_JWT_SECRET) ensureLocalJwtSecret(process.env);
  const jwt = { ...loadApiSettings(process.env).jwt };
  const data = new LakeData(openStore(settings, settings.lake));
  const api = await stop.track(
    'the GraphQL API',
    startApiServer(createApi({ data, jwt, mode: 'development', logging: false }), { host: '127.0.0.1', port: Number(process.env.FITLAKE_API_PORT ?? 4000) }),
    (a) => a.close(),
  );
  const token = await signToken(jwt, { role: 'analyst', ttlSeconds: 12 * 3600 });
  const url = `${api.origin}${GRAPHQL_ENDPOINT}`;
  const query = '{ workoutBpmSummaries(first: 3, sort: { field: AVG_BPM, direction: DESC }) { totalCount edges { node { userId workoutId sessionId ageBin city avgBpm maxBpm numRecordings } } } }';
  const answer = await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) })).json();

  say('\nfitlake is up.');
  say(`  GraphQL + GraphiQL  ${url}`);
  say(`  dashboard           ${api.origin}${DASHBOARD_PATH}  (sign in with the token below)`);
  say(`  token (analyst, 12 h; paste into GraphiQL's headers as {"Authorization": "Bearer …"}):\n    ${token}`);
  say(`  Temporal UI         ${stack.endpoints.temporalUiUrl}  (runs fitlake-once-…, fitlake-continuous-…)`);
  say(`  lake                ${settings.lake}`);
  say(`\nExample query:\n  ${query}\nAnswer:\n${JSON.stringify(answer, null, 2).split('\n').map((l) => `  ${l}`).join('\n')}`);
  say(`\nTry it from a shell:\n  TOKEN=${token}\n  curl -s ${url} -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN" -d '{"query":"{ pipelineStatus { path version rowCount freshnessSeconds } }"}'`);

  const continuous: PipelineInput = { ...locations, mode: 'continuous', everySeconds: 5, trigger: 'manual' };
  const live = await stop.track('the continuous run', startPipeline(client, settings, continuous), async (run) => {
    say('the continuous run ends after its current cycle ...');
    await run.signal('stop').catch(() => {});
    await Promise.race([run.result().catch(() => undefined), new Promise((r) => setTimeout(r, 30_000))]);
  });
  say(`\nContinuous run ${live.workflowId}: a new day of data lands every ${MS_BETWEEN_NEW_DAYS / 1000} s and flows to gold. Ctrl-C to stop.`);

  while (!stop.stopping) {
    await Promise.race([new Promise((r) => setTimeout(r, MS_BETWEEN_NEW_DAYS)), stop.reason]);
    if (stop.stopping) break;
    if (day >= DEMO_DAYS) {
      say(`  all ${DEMO_DAYS} days of demo data have landed; the continuous run goes on with nothing new`);
      await stop.reason;
      break;
    }
    try {
      await landDay(landing, day);
      day++;
      // Give the continuous run a few cycles, then show what reached silver and gold, through the API.
      await Promise.race([new Promise((r) => setTimeout(r, 10_000)), stop.reason]);
      if (!stop.stopping) say(`  landed day ${day} of demo data; now ${await lakeCounts(url, token)}`);
    } catch (e) {
      if (!stop.stopping) say(`  could not land new demo data: ${(e as Error).message}`);
    }
  }
}

// Stopped at any moment (see start-stop.ts): undo what was started, newest first, then exit.
void stop.reason.then(async (why) => {
  say(`\nStopping (${why}) ...`);
  await stop.undoAll((line) => say(line));
  process.exit(0);
});

main().then(
  // The demo runs until it is stopped; the stop handler above exits.
  () => stop.reason,
  async (e: Error) => {
    // Once stopping, what fails is what the stop took away under the start-up path.
    if (stop.stopping) return;
    console.error(`npm start: ${e.message}`);
    await stop.undoAll((line) => console.error(line));
    process.exit(1);
  },
);
