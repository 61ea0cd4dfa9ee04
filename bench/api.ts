/**
 * GraphQL API benchmark: a gold workout_bpm_summary table of generated rows (default 1,000,000, written
 * with DeltaTable.append in a temporary lake), the API server in this process on 127.0.0.1, and
 * autocannon in a child process (so the load generator does not share the server's event loop; it
 * does share the machine's cores) asking for pages of 100 rows filtered by gender and city, sorted by
 * avgBpm descending, with totalCount and pageInfo.
 *
 *   npx tsx bench/api.ts [rows] [--duration 10] [--connections 10]
 *
 * Three runs against the same index (one LakeData), each labelled in the output:
 *
 * 1. cached: the 16 gender × city queries repeated, response cache on (after the warm-up, hits);
 * 2. uncached, distinct queries: the response cache on, but every request a different page (a distinct
 *    `after` cursor, so no key ever repeats): the full yoga path plus the cache's bookkeeping;
 * 3. uncached, cache off: the 16 queries repeated against an API built with responseCacheBytes 0.
 *
 * Each prints requests/s, latency p50/p99, errors (non-2xx, transport errors, timeouts) and the cache's
 * hits and misses; then the table build time, the index warm-up, the server's peak RSS, and as a
 * baseline the same load against a bare node:http server that answers every request with one of the
 * API's own responses (the ceiling of the machine and the load generator for that response size), and
 * the load average. Target on a 2-core machine: ≥ 3,000 req/s with p99 < 25 ms.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { workoutBpmSummary } from '../schema/tables.ts';
import { tablePath, type Cell } from '../schema/types.ts';
import { LocalObjectStore, prefixedStore } from '../lakehouse/storage/index.ts';
import type { ColumnBatch } from '../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../lakehouse/table/index.ts';
import { signToken } from '../api/auth/sign-token.ts';
import { encodeCursor } from '../api/query/cursor.ts';
import { LakeData } from '../api/data/lake-data.ts';
import { startApiServer } from '../api/server.ts';
import { createApi } from '../api/yoga.ts';

const CITIES = [
  'Los Angeles', 'Long Beach', 'Santa Monica', 'Pasadena', 'Glendale', 'Burbank', 'Torrance', 'Inglewood', 'Downey', 'Pomona',
  'West Covina', 'Norwalk', 'Compton', 'Carson', 'Whittier', 'Lakewood', 'Alhambra', 'Gardena', 'Arcadia', 'Monrovia',
  'Culver City', 'Beverly Hills', 'Malibu', 'San Fernando', 'Sierra Madre', 'Toluca Lake', 'North Hollywood', 'Pearblossom', 'Lancaster', 'Palmdale',
  'Santa Clarita', 'Calabasas', 'Redondo Beach', 'Hermosa Beach', 'Manhattan Beach', 'El Segundo', 'Hawthorne', 'Bellflower', 'Cerritos', 'La Mirada',
];
const AGE_BINS = ['under 18', '18-25', '25-35', '35-45', '45-55', '55-65', '65-75', '75-85', '85-95', '95+'];
const AGE_WEIGHTS = [2, 12, 22, 20, 16, 12, 8, 5, 2, 1];
const WORKOUTS_PER_USER = 10;
const BATCH_ROWS = 100_000;

/** A deterministic pseudo-random number in [0, 1) for (i, salt). */
function rand(i: number, salt: number): number {
  let x = Math.imul(i ^ Math.imul(salt, 0x9e3779b9), 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4_294_967_296;
}

function pick<T>(values: readonly T[], weights: readonly number[] | undefined, r: number): T {
  if (!weights) return values[Math.floor(r * values.length)]!;
  const total = weights.reduce((a, b) => a + b, 0);
  let at = r * total;
  for (let i = 0; i < values.length; i++) {
    at -= weights[i]!;
    if (at < 0) return values[i]!;
  }
  return values[values.length - 1]!;
}

/**
 * Rows first .. first+count-1: user u = ⌊i / 10⌋ + 100000 with 10 workouts; demographics fixed per user
 * (2% without gender, cities weighted towards the first ones, a few users outside CA); a workout lasts
 * 15 min to 2 h at one reading a second; average 85-155 bpm, minimum 15-40 below, maximum 20-55 above.
 */
export function summaryBatch(first: number, count: number): ColumnBatch {
  const cols = Object.fromEntries(workoutBpmSummary.columns.map((c) => [c.name, new Array<Cell>(count)])) as Record<string, Cell[]>;
  const cityWeights = CITIES.map((_, i) => 1 / (1 + i / 4));
  for (let j = 0; j < count; j++) {
    const i = first + j;
    const u = Math.floor(i / WORKOUTS_PER_USER);
    const g = rand(u, 2);
    const avg = Math.round((85 + 70 * rand(i, 6)) * 1e6) / 1e6;
    cols.workout_id![j] = (i % WORKOUTS_PER_USER) + 1;
    cols.session_id![j] = 1 + Math.floor(rand(i, 9) * 3);
    cols.user_id![j] = 100_000 + u;
    cols.age![j] = pick(AGE_BINS, AGE_WEIGHTS, rand(u, 1));
    cols.gender![j] = g < 0.02 ? null : g < 0.51 ? 'F' : 'M';
    cols.city![j] = pick(CITIES, cityWeights, rand(u, 3));
    cols.state![j] = rand(u, 4) < 0.97 ? 'CA' : 'NV';
    cols.min_bpm![j] = Math.round((avg - 15 - 25 * rand(i, 7)) * 1e6) / 1e6;
    cols.avg_bpm![j] = avg;
    cols.max_bpm![j] = Math.round((avg + 20 + 35 * rand(i, 8)) * 1e6) / 1e6;
    cols.num_recordings![j] = 900 + Math.floor(rand(i, 5) * 6300);
  }
  return { numRows: count, columns: new Map(Object.entries(cols)) };
}

const QUERY = `query Page($filter: WorkoutBpmSummaryFilter, $after: String) {
  workoutBpmSummaries(filter: $filter, sort: { field: AVG_BPM, direction: DESC }, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { userId workoutId sessionId ageBin gender city state minBpm avgBpm maxBpm numRecordings } }
  }
}`;

const FILTERS = ['F', 'M'].flatMap((gender) => CITIES.slice(0, 8).map((city) => ({ gender, city })));

interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  connections: number;
}

/** repeat: the 16 filter queries over and over; distinct: every request another page (a cursor never sent before). */
type LoadMode = 'repeat' | 'distinct';

/**
 * The `after` cursor of the n-th distinct request: a position in the avgBpm-descending order between
 * 155 and 95 bpm (every page full), 10⁻⁵ bpm apart, so no two requests of a run are the same.
 */
const distinctCursor = (n: number) => encodeCursor({ connection: 'w', sort: 'AVG_BPM', descending: true, keyLength: 3 }, { value: 155 - (n % 6_000_000) * 1e-5, key: [0, 0, 0] });

/** Child process: run autocannon against the URL and print its summary as JSON. */
async function loadChild(url: string, token: string, seconds: number, connections: number, mode: LoadMode): Promise<void> {
  const { default: autocannon } = await import('autocannon');
  let sent = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests:
      mode === 'repeat'
        ? FILTERS.map((filter) => ({ method: 'POST', body: JSON.stringify({ query: QUERY, variables: { filter } }) }))
        : [
            {
              method: 'POST',
              setupRequest: (request) => {
                const n = sent++;
                return { ...request, body: JSON.stringify({ query: QUERY, variables: { filter: FILTERS[n % FILTERS.length], after: distinctCursor(n) } }) };
              },
            },
          ],
  });
  const out: LoadResult = {
    requests: { average: result.requests.average, total: result.requests.total },
    latency: { p50: result.latency.p50, p99: result.latency.p99, average: result.latency.average, max: result.latency.max },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    duration: result.duration,
    connections,
  };
  process.stdout.write(JSON.stringify(out));
}

function runLoad(url: string, token: string, seconds: number, connections: number, mode: LoadMode = 'repeat'): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--load', url, token, String(seconds), String(connections), mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited with ${code}`))));
  });
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function main(): Promise<void> {
  if (process.argv[2] === '--load') {
    const [url, token, seconds, connections, mode] = process.argv.slice(3);
    await loadChild(url!, token!, Number(seconds), Number(connections), mode as LoadMode);
    return;
  }
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' } } });
  const rows = Number(positionals[0] ?? 1_000_000);
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  const dir = await mkdtemp(path.join(tmpdir(), 'fitlake-bench-api-'));
  console.log(`API benchmark: ${rows.toLocaleString('en')} workout_bpm_summary rows, ${cpus().length} cores, node ${process.version}; lake ${dir}`);
  try {
    const root = new LocalObjectStore(dir);
    let started = performance.now();
    const table = await DeltaTable.createIfAbsent(prefixedStore(root, tablePath(workoutBpmSummary)), workoutBpmSummary);
    for (let first = 0; first < rows; first += BATCH_ROWS) await table.append(summaryBatch(first, Math.min(BATCH_ROWS, rows - first)));
    console.log(`  table written           ${((performance.now() - started) / 1000).toFixed(1)} s (${table.snapshot.files.size} files, version ${table.version})`);

    const secret = process.env.FITLAKE_JWT_SECRET ?? `bench-${Math.random().toString(36).slice(2)}-${'x'.repeat(32)}`;
    const jwt = { secret, issuer: 'fitlake', audience: 'fitlake-api' };
    const data = new LakeData(root);
    // Two APIs over the one index: with the response cache (the default) and without (yoga alone). One
    // load generator is one client: its budget is raised out of reach (the limiter still keeps its books),
    // since the point is the server's capacity, not the per-client limit.
    const rateLimit = { authenticated: { perSecond: 1e9, burst: 1e9 } };
    const cachedApi = createApi({ data, jwt, mode: 'production', logging: false, rateLimit });
    const plainApi = createApi({ data, jwt, mode: 'production', logging: false, responseCacheBytes: 0, rateLimit });
    const cached = await startApiServer(cachedApi, { host: '127.0.0.1', port: 0 });
    const plain = await startApiServer(plainApi, { host: '127.0.0.1', port: 0 });
    const token = await signToken(jwt, { role: 'analyst', ttlSeconds: 3600 });
    try {
      // Warm-up: loads the index and the avgBpm order, compiles the query; checks the answers.
      started = performance.now();
      const ask = async (origin: string, variables: Record<string, unknown>) => {
        const response = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: QUERY, variables }) });
        return (await response.json()) as { data?: { workoutBpmSummaries: { totalCount: number; edges: unknown[] } }; errors?: unknown[] };
      };
      const check = (answer: Awaited<ReturnType<typeof ask>>, what: unknown) => {
        if (answer.errors || answer.data!.workoutBpmSummaries.edges.length !== 100) throw new Error(`unexpected answer for ${JSON.stringify(what)}: ${JSON.stringify(answer).slice(0, 300)}`);
        return answer.data!.workoutBpmSummaries.totalCount;
      };
      check(await ask(cached.origin, { filter: FILTERS[0] }), FILTERS[0]);
      console.log(`  index + order warm-up   ${((performance.now() - started) / 1000).toFixed(1)} s (first query; RSS ${mb(process.memoryUsage().rss)})`);
      let matched = 0;
      for (const filter of FILTERS) matched += check(await ask(cached.origin, { filter }), filter);
      for (let n = 0; n < 1000; n += 97) check(await ask(cached.origin, { filter: FILTERS[n % FILTERS.length], after: distinctCursor(n + 5_000_000) }), n);
      console.log(`  each query: 100 of ~${Math.round(matched / FILTERS.length).toLocaleString('en')} matching rows (gender + city), sorted by avgBpm desc, totalCount, pageInfo`);
      for (let i = 0; i < 200; i++) for (const origin of [cached.origin, plain.origin]) await ask(origin, { filter: FILTERS[i % FILTERS.length] });

      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
      const runs: { label: string; origin: string; mode: LoadMode; api: typeof cachedApi }[] = [
        { label: '1. cached (16 repeated queries, response cache on)', origin: cached.origin, mode: 'repeat', api: cachedApi },
        { label: '2. uncached: every request a distinct page (cache on, no key repeats)', origin: cached.origin, mode: 'distinct', api: cachedApi },
        { label: '3. uncached: cache off (16 repeated queries, yoga alone)', origin: plain.origin, mode: 'repeat', api: plainApi },
      ];
      let allMet = true;
      for (const run of runs) {
        const cache = run.api.cache;
        const [hits, misses] = [cache?.hits ?? 0, cache?.misses ?? 0];
        const result = await runLoad(`${run.origin}/graphql`, token, seconds, connections, run.mode);
        const ok = result.requests.average >= 3000 && result.latency.p99 < 25 && result.errors + result.non2xx === 0;
        allMet &&= ok;
        console.log(`  ${run.label}`);
        console.log(`     requests/s           ${Math.round(result.requests.average).toLocaleString('en')} (${result.requests.total.toLocaleString('en')} requests, ${result.connections} connections, ${result.duration.toFixed(1)} s)`);
        console.log(`     latency              p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms (mean ${result.latency.average} ms, max ${result.latency.max} ms)`);
        console.log(`     errors               ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
        console.log(
          `     response cache       ${cache ? `${(cache.hits - hits).toLocaleString('en')} hits, ${(cache.misses - misses).toLocaleString('en')} misses; ${cache.size.toLocaleString('en')} answers, ${mb(cache.bytes)} held` : 'off'}`,
        );
        console.log(`     target ≥ 3,000 req/s, p99 < 25 ms: ${ok ? 'met' : 'NOT met'}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
      }
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
      console.log(`  server peak RSS         ${mb(peakRss)}`);
      console.log(`  target met in every run: ${allMet ? 'yes' : 'no'}`);

      // The ceiling of this machine and load generator for responses of this size: a bare node:http
      // server answering every request with one of the API's own responses, loaded the same way.
      const sample = JSON.stringify(await ask(cached.origin, { filter: FILTERS[0] }));
      const bare = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(sample));
      });
      await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
      try {
        const ceiling = await runLoad(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/`, token, seconds, connections);
        console.log(
          `  baseline (bare node:http, same ${(sample.length / 1024).toFixed(1)} KB answer, same load): ${Math.round(ceiling.requests.average).toLocaleString('en')} req/s, p50 ${ceiling.latency.p50} ms, p99 ${ceiling.latency.p99} ms`,
        );
      } finally {
        bare.close();
      }
      console.log(`  load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (1/5/15 min)`);
    } finally {
      await cached.close();
      await plain.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Run only as a script (the generator is importable, e.g. for profiling).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
