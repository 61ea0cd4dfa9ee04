/**
 * Start, stop and inspect the local stack: the Temporal dev server (with its web UI), an Apache Kafka
 * broker in KRaft mode and Azurite. Everything binds to 127.0.0.1 and lives under one stack folder:
 * data, logs and `state.json`, which records the process ids this module started. `stop` signals only
 * those processes, and only after checking that the pid still runs a command line pointing into the
 * stack folder (the kernel reuses pids).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile, rename, open } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from './paths.ts';
import { isListening } from './ports.ts';
import { commandLine, isAlive, run, sleep, waitFor } from './process-util.ts';
import type { ToolPaths } from './tools.ts';
import { azuriteHealthy, kafkaHealthy, temporalHealthy, temporalUiHealthy } from './health.ts';

export type ServiceName = 'temporal' | 'kafka' | 'azurite';
export const SERVICE_NAMES: readonly ServiceName[] = ['temporal', 'kafka', 'azurite'];

/** Ports of the stack; the defaults are the usual ones of each product. */
export interface StackPorts {
  /** @default 7233 */ temporal: number;
  /** @default 8233 */ temporalUi: number;
  /** @default 7243 */ temporalHttp: number;
  /** @default 7253 */ temporalMetrics: number;
  /** @default 9092 */ kafka: number;
  /** @default 9093 */ kafkaController: number;
  /** @default 10000 */ azurite: number;
}

export const DEFAULT_PORTS: StackPorts = {
  temporal: 7233,
  temporalUi: 8233,
  temporalHttp: 7243,
  temporalMetrics: 7253,
  kafka: 9092,
  kafkaController: 9093,
  azurite: 10000,
};

/** Where to reach a running stack. */
export interface StackEndpoints {
  temporalAddress: string;
  temporalUiUrl: string;
  kafkaBrokers: string[];
  azureConnectionString: string;
}

interface ServiceRecord {
  pid: number;
  startedAt: string;
  log: string;
  /** Milliseconds from spawn to healthy, for the operator and the closing notes. */
  healthyAfterMs: number;
}

interface StackState {
  ports: StackPorts;
  services: Partial<Record<ServiceName, ServiceRecord>>;
}

/**
 * Azurite's published development account. Not a secret: it is the fixed key every Azurite install
 * accepts, documented by Microsoft; real accounts are configured through the environment.
 */
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Search attributes the pipeline workflows set, registered when the dev server starts. */
const TEMPORAL_SEARCH_ATTRIBUTES = ['FitlakeMode=Keyword', 'FitlakeTrigger=Keyword', 'FitlakeLayers=KeywordList'];

export function endpointsFor(ports: StackPorts): StackEndpoints {
  return {
    temporalAddress: `127.0.0.1:${ports.temporal}`,
    temporalUiUrl: `http://127.0.0.1:${ports.temporalUi}`,
    kafkaBrokers: [`127.0.0.1:${ports.kafka}`],
    azureConnectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=http://127.0.0.1:${ports.azurite}/${AZURITE_ACCOUNT};`,
  };
}

export interface StackStatus {
  dir: string;
  ports?: StackPorts;
  services: Record<ServiceName, { state: 'running' | 'stopped' | 'unhealthy'; pid?: number; log?: string }>;
}

type Log = (line: string) => void;

const statePath = (dir: string) => path.join(dir, 'state.json');

async function readState(dir: string): Promise<StackState | undefined> {
  try {
    return JSON.parse(await readFile(statePath(dir), 'utf8')) as StackState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writeState(dir: string, state: StackState): Promise<void> {
  const tmp = `${statePath(dir)}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, statePath(dir));
}

/** The recorded process is ours and still alive: same pid, command line pointing into the stack dir. */
function ownsLiveProcess(dir: string, record: ServiceRecord | undefined): record is ServiceRecord {
  if (!record || !isAlive(record.pid)) return false;
  return commandLine(record.pid)?.includes(dir) ?? false;
}

/**
 * Exclusive lock on the stack folder for the duration of `work`, so two `services up` at once cannot
 * both start a broker. A lock left by a dead process is taken over.
 */
async function withLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, 'state.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(await readFile(lock, 'utf8').catch(() => '0'));
      if (!owner || !isAlive(owner)) {
        await rm(lock, { force: true });
        continue;
      }
      if (attempt > 600) throw new Error(`the stack in ${dir} is locked by process ${owner}`);
      await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

export interface StartOptions {
  dir: string;
  ports: StackPorts;
  /** The binaries of the services to start (only theirs are needed). */
  tools: Partial<ToolPaths>;
  log?: Log;
  /** Start the Temporal dev server without its web UI (tests). @default false */
  headless?: boolean;
  /** Which services to bring up; the others are left as they are. @default all three */
  services?: readonly ServiceName[];
}

export interface StartResult {
  endpoints: StackEndpoints;
  /** Per service asked for: whether it was started now or was already running, and how long it took to be healthy. */
  services: Partial<Record<ServiceName, { reused: boolean; healthyAfterMs: number; pid: number }>>;
}

/** The path of a tool a service needs, or a clear error when it was not installed first. */
function toolFor(service: ServiceName, tool: string | undefined): string {
  if (tool === undefined) throw new Error(`${service} cannot start: its tool is not installed (devstack/tools.ts)`);
  return tool;
}

/**
 * Bring all three services up and wait until each is healthy. Services of this stack folder that are
 * already running and healthy are reused; a port held by some other process is a clear error.
 */
export async function startStack(options: StartOptions): Promise<StartResult> {
  const { dir, tools, log = () => {} } = options;
  await mkdir(dir, { recursive: true });
  return withLock(dir, async () => {
    const previous = await readState(dir);
    const ports = previous && SERVICE_NAMES.some((s) => ownsLiveProcess(dir, previous.services[s])) ? previous.ports : options.ports;
    if (previous && ports === previous.ports && JSON.stringify(previous.ports) !== JSON.stringify(options.ports)) {
      log(`the stack in ${dir} already runs on its recorded ports; reusing them`);
    }
    const state: StackState = { ports, services: { ...previous?.services } };
    const result: StartResult['services'] = {};
    const starters: Record<ServiceName, () => Promise<ServiceRecord>> = {
      temporal: () => startTemporal(dir, ports, toolFor('temporal', tools.temporal), options.headless ?? false),
      kafka: () => startKafka(dir, ports, toolFor('kafka', tools.kafkaLibs)),
      azurite: () => startAzurite(dir, ports, toolFor('azurite', tools.azuriteBlob)),
    };
    try {
      await Promise.all(
        (options.services ?? SERVICE_NAMES).map(async (name) => {
          const record = state.services[name];
          if (ownsLiveProcess(dir, record)) {
            result[name] = { reused: true, healthyAfterMs: 0, pid: record.pid };
            return;
          }
          delete state.services[name];
          const fresh = await starters[name]();
          state.services[name] = fresh;
          result[name] = { reused: false, healthyAfterMs: fresh.healthyAfterMs, pid: fresh.pid };
          log(`${name} healthy after ${(fresh.healthyAfterMs / 1000).toFixed(1)} s (pid ${fresh.pid})`);
        }),
      );
    } finally {
      // Record whatever did start, even when another service failed, so `stop` can clean up.
      await writeState(dir, state);
    }
    return { endpoints: endpointsFor(ports), services: result };
  });
}

/** Stop the processes this stack folder started (and only those; `only` narrows to some services). Returns the services stopped. */
export async function stopStack(dir: string, log: Log = () => {}, only: readonly ServiceName[] = SERVICE_NAMES): Promise<ServiceName[]> {
  if (!existsSync(dir)) return [];
  return withLock(dir, async () => {
    const state = await readState(dir);
    if (!state) return [];
    const stopped: ServiceName[] = [];
    await Promise.all(
      only.map(async (name) => {
        const record = state.services[name];
        if (ownsLiveProcess(dir, record)) {
          await terminate(record.pid);
          stopped.push(name);
          log(`${name} stopped (pid ${record.pid})`);
        }
        delete state.services[name];
      }),
    );
    await writeState(dir, state);
    return stopped;
  });
}

/** What runs in the stack folder now, checked against the recorded ids and each service's health. */
export async function stackStatus(dir: string): Promise<StackStatus> {
  const state = await readState(dir);
  const services = {} as StackStatus['services'];
  const endpoints = state ? endpointsFor(state.ports) : undefined;
  await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      const record = state?.services[name];
      if (!endpoints || !ownsLiveProcess(dir, record)) {
        services[name] = { state: 'stopped' };
        return;
      }
      const healthy = await healthProbe(name, endpoints)().catch(() => false);
      services[name] = { state: healthy ? 'running' : 'unhealthy', pid: record.pid, log: record.log };
    }),
  );
  return { dir, ...(state ? { ports: state.ports } : {}), services };
}

function healthProbe(name: ServiceName, endpoints: StackEndpoints): () => Promise<boolean> {
  switch (name) {
    case 'temporal':
      return () => temporalHealthy(endpoints.temporalAddress);
    case 'kafka':
      return () => kafkaHealthy(endpoints.kafkaBrokers);
    case 'azurite':
      return () => azuriteHealthy(endpoints.azureConnectionString);
  }
}

/** SIGTERM the process group, then SIGKILL whatever is left after a grace period. */
async function terminate(pid: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) signal('SIGKILL');
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
}

async function refuseTakenPorts(service: ServiceName, ports: Record<string, number>): Promise<void> {
  for (const [what, port] of Object.entries(ports)) {
    if (await isListening(port)) {
      throw new Error(
        `cannot start ${service}: port ${port} (${what}) on 127.0.0.1 is already in use by a process this stack did not start. ` +
          `Stop it, or choose other ports (see \`fitlake services up --help\`).`,
      );
    }
  }
}

/** Spawn a service detached in its own process group, output appended to its log file. */
async function spawnService(
  dir: string,
  name: ServiceName,
  command: string,
  args: string[],
  probe: () => Promise<boolean>,
  timeoutMs: number,
  cwd = dir,
): Promise<ServiceRecord> {
  const logPath = path.join(dir, 'logs', `${name}.log`);
  await mkdir(path.dirname(logPath), { recursive: true });
  const fd = openSync(logPath, 'a');
  const started = Date.now();
  const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exitReason: string | undefined;
  child.on('exit', (code, sig) => (exitReason = `exit code ${code ?? sig}; see ${logPath}`));
  child.on('error', (e) => (exitReason = e.message));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${name}: ${command}`);
  try {
    await waitFor(name, probe, timeoutMs, () => exitReason);
  } catch (e) {
    await terminate(pid);
    const tail = (await readFile(logPath, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    throw new Error(`${(e as Error).message}\n--- last lines of ${logPath} ---\n${tail}`, { cause: e });
  }
  return { pid, startedAt: new Date(started).toISOString(), log: logPath, healthyAfterMs: Date.now() - started };
}

async function startTemporal(dir: string, ports: StackPorts, temporalBin: string, headless: boolean): Promise<ServiceRecord> {
  await refuseTakenPorts('temporal', {
    grpc: ports.temporal,
    http: ports.temporalHttp,
    metrics: ports.temporalMetrics,
    ...(headless ? {} : { ui: ports.temporalUi }),
  });
  const dataDir = path.join(dir, 'temporal');
  await mkdir(dataDir, { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(ports.temporal),
    '--http-port', String(ports.temporalHttp),
    '--metrics-port', String(ports.temporalMetrics),
    // A db file keeps run history across restarts of the dev server.
    '--db-filename', path.join(dataDir, 'temporal.db'),
    '--log-level', 'warn',
    ...TEMPORAL_SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', a]),
    ...(headless ? ['--headless'] : ['--ui-ip', '127.0.0.1', '--ui-port', String(ports.temporalUi)]),
  ];
  const { temporalAddress, temporalUiUrl } = endpointsFor(ports);
  const probe = async () => (await temporalHealthy(temporalAddress)) && (headless || (await temporalUiHealthy(temporalUiUrl)));
  return spawnService(dir, 'temporal', temporalBin, args, probe, 90_000);
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (what `kafka-storage random-uuid` prints).
 * One id in 64 would begin with '-', which kafka-storage's argument parser takes for an option ("argument
 * --cluster-id/-t: expected one argument", a CI failure of npm start); Kafka's own Uuid.randomUuid draws
 * again in that case, and so does this.
 */
export function kafkaClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function startKafka(dir: string, ports: StackPorts, kafkaLibs: string): Promise<ServiceRecord> {
  await refuseTakenPorts('kafka', { broker: ports.kafka, controller: ports.kafkaController });
  const kafkaDir = path.join(dir, 'kafka');
  const dataDir = path.join(kafkaDir, 'data');
  const config = path.join(kafkaDir, 'server.properties');
  await mkdir(kafkaDir, { recursive: true });
  await writeFile(
    config,
    [
      '# Written by fitlake devstack: a single-node KRaft broker+controller on loopback.',
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.bootstrap.servers=127.0.0.1:${ports.kafkaController}`,
      `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${dataDir}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  const java = ['-cp', `${kafkaLibs}/*`, `-Dlog4j2.configurationFile=${path.join(projectRoot, 'devstack', 'kafka', 'log4j2.properties')}`];
  // Storage is formatted once, on first start; the data then survives restarts.
  if (!existsSync(path.join(dataDir, 'meta.properties'))) {
    await run('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', kafkaClusterId(), '-c', config, '--standalone']);
  }
  const brokers = endpointsFor(ports).kafkaBrokers;
  return spawnService(dir, 'kafka', 'java', ['-Xms64m', '-Xmx512m', ...java, 'kafka.Kafka', config], () => kafkaHealthy(brokers), 90_000);
}

async function startAzurite(dir: string, ports: StackPorts, azuriteBlob: string): Promise<ServiceRecord> {
  await refuseTakenPorts('azurite', { blob: ports.azurite });
  const dataDir = path.join(dir, 'azurite');
  await mkdir(dataDir, { recursive: true });
  const args = [
    '--blobHost', '127.0.0.1',
    '--blobPort', String(ports.azurite),
    '--location', dataDir,
    // Without this Azurite tries to send telemetry to an outside host, unreachable here.
    '--disableTelemetry',
    // The SDK may be newer than the emulator; the API surface we use is old and stable.
    '--skipApiVersionCheck',
    '--loose',
  ];
  const cs = endpointsFor(ports).azureConnectionString;
  return spawnService(dir, 'azurite', azuriteBlob, args, () => azuriteHealthy(cs), 60_000);
}
