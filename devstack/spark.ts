/**
 * Apache Spark with Delta Lake for the test that Spark reads the tables fitlake writes
 * (test/integration/delta-spark.test.ts): PySpark and delta-spark from PyPI in a venv at
 * `.tools/py-spark`, and the Delta jars from Maven Central, fetched once here so that a test run needs
 * no network. PySpark's package carries Spark itself (its jars and launch scripts); Java comes from the
 * machine (17 works with Spark 3.5). A second call finds the `.complete` marker and returns at once.
 *
 * The install happens in `.tools/py-spark.part` and is renamed into place when complete: an interrupted
 * install never leaves a half environment that a later call would take for a finished one. The venv
 * works after the rename because everything here runs its `bin/python` (Python finds its prefix from the
 * pyvenv.cfg beside it), never the console scripts pip wrote with the old path in their shebang lines.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { toolsDir } from './paths.ts';
import { run } from './process-util.ts';
import { timed } from './tools.ts';

type Log = Parameters<typeof timed>[0];

/**
 * delta-spark 3.3.2 is built for Spark 3.5.3 and accepts PySpark >=3.5.3,<3.6; 3.5.7 is a later patch of
 * that line. (Spark 4 needs delta-spark 4, a 434 MB download instead of 317 MB, with nothing gained here.)
 * Their dependencies are pinned too (py4j is the one PySpark 3.5 pins itself; importlib-metadata, which
 * delta-spark asks for unbounded, would otherwise be whatever PyPI has newest on the day of the install).
 */
export const SPARK_PACKAGES = ['pyspark==3.5.7', 'delta-spark==3.3.2', 'py4j==0.10.9.7', 'importlib-metadata==8.7.0', 'zipp==3.23.0'];
/** delta-spark's jar for the version above: its dependencies (delta-storage, antlr4-runtime) come along. */
export const DELTA_SPARK_COORDINATES = 'io.delta:delta-spark_2.12:3.3.2';

const sparkDir = () => path.join(toolsDir, 'py-spark');
/** The venv's Python, whose `delta-jars/` and `conf/` DELTA_SESSION_PY finds beside it. */
export const sparkPython = () => path.join(sparkDir(), 'bin', 'python');
/** What the marker holds: a change of any pin installs again. */
const PINNED = [...SPARK_PACKAGES, DELTA_SPARK_COORDINATES].join(' ');

/**
 * Maven Central alone: Spark's default resolver chain also asks ~/.m2 (whose half-filled entries, a pom
 * without its jar, make ivy fail) and repos.spark-packages.org (not reachable from CI).
 */
const IVY_SETTINGS = `<ivysettings>
  <settings defaultResolver="central"/>
  <resolvers>
    <ibiblio name="central" m2compatible="true" root="https://repo1.maven.org/maven2/"/>
  </resolvers>
</ivysettings>
`;

/**
 * Spark's log on stderr, warnings and errors only (its default prints INFO lines by the hundred).
 * Hadoop's warning that it has no native library is expected with PySpark's jars and says nothing.
 */
const LOG4J2_PROPERTIES = `rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex
logger.nativecode.name = org.apache.hadoop.util.NativeCodeLoader
logger.nativecode.level = error
`;

/**
 * Python source defining `delta_session(app, jars_conf=None)`: a local Spark session with Delta's SQL
 * extension and catalog, one core, bound to 127.0.0.1 only, no web UI, UTC, quiet. Without `jars_conf` it
 * takes the Delta jars resolved at install time (`delta-jars/` of the venv) and needs no network. Run it
 * with this venv's Python (sparkPython()); scripts append their own code after it.
 */
export const DELTA_SESSION_PY = String.raw`
import glob, os, sys
from pyspark.sql import SparkSession

def delta_session(app, jars_conf=None):
    # The JVM PySpark starts inherits this environment: PySpark's own Spark (not one SPARK_HOME names),
    # the log settings of conf/ (SPARK_CONF_DIR is on the driver's classpath), loopback only.
    for name in ('SPARK_HOME', 'PYSPARK_SUBMIT_ARGS'):
        os.environ.pop(name, None)
    os.environ['SPARK_CONF_DIR'] = os.path.join(sys.prefix, 'conf')
    os.environ['SPARK_LOCAL_IP'] = '127.0.0.1'
    os.environ['PYSPARK_PYTHON'] = sys.executable
    if jars_conf is None:
        jars = sorted(glob.glob(os.path.join(sys.prefix, 'delta-jars', '*.jar')))
        if not jars:
            raise SystemExit('no Delta jars in ' + os.path.join(sys.prefix, 'delta-jars') + ': install again (delete it, then npm test)')
        jars_conf = {'spark.jars': ','.join(jars)}
    builder = (SparkSession.builder.master('local[1]').appName(app)
        .config('spark.driver.bindAddress', '127.0.0.1')
        .config('spark.driver.host', '127.0.0.1')
        .config('spark.ui.enabled', 'false')
        .config('spark.sql.extensions', 'io.delta.sql.DeltaSparkSessionExtension')
        .config('spark.sql.catalog.spark_catalog', 'org.apache.spark.sql.delta.catalog.DeltaCatalog')
        .config('spark.sql.session.timeZone', 'UTC')
        .config('spark.ui.showConsoleProgress', 'false')
        # A JVM that lives for seconds: the quick compiler only and one GC thread halve its run time.
        .config('spark.driver.extraJavaOptions', '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC')
        # One core reads tiny tables: Delta's 50 partitions for rebuilding a snapshot from the log
        # (and Spark's 200 for a shuffle) would be 50 tasks in a row for a few dozen actions.
        .config('spark.databricks.delta.snapshotPartitions', '1')
        .config('spark.sql.shuffle.partitions', '1')
        # Plans of wide tables are truncated in their text form either way: without the warning.
        .config('spark.sql.debug.maxToStringFields', '1000'))
    for key, value in jars_conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel('WARN')
    return spark
`;

/** Resolves the Delta jars (Spark's ivy, at JVM start) and proves Delta works: write a table, read it back. */
const INSTALL_CHECK_PY = String.raw`
ivy, scratch = sys.argv[1], sys.argv[2]
spark = delta_session('fitlake-spark-install', {
    'spark.jars.packages': '${DELTA_SPARK_COORDINATES}',
    'spark.jars.ivy': ivy,
    'spark.jars.ivySettings': os.path.join(ivy, 'ivysettings.xml'),
})
table = os.path.join(scratch, 'check')
spark.range(3).write.format('delta').save(table)
ids = sorted(r.id for r in spark.read.format('delta').load(table).collect())
spark.stop()
if ids != [0, 1, 2]:
    raise SystemExit('Delta read back ' + repr(ids))
`;

/** The venv's Python with PySpark, delta-spark and the Delta jars, installed when missing. */
export async function ensureSpark(log: Log = () => {}): Promise<string> {
  const marker = path.join(sparkDir(), '.complete');
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === PINNED) return sparkPython();
  return timed(log, `Spark (${SPARK_PACKAGES.join(', ')} from PyPI, in a venv) and ${DELTA_SPARK_COORDINATES} (Maven Central)`, async () => {
    const part = `${sparkDir()}.part`;
    await rm(part, { recursive: true, force: true });
    await mkdir(toolsDir, { recursive: true });
    await run('python3', ['-m', 'venv', part]);
    const python = path.join(part, 'bin', 'python');
    // PyPI has PySpark 3.5 as a source archive only: pip builds it into a wheel (kept in pip's cache).
    await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...SPARK_PACKAGES]);
    await mkdir(path.join(part, 'conf'));
    await writeFile(path.join(part, 'conf', 'log4j2.properties'), LOG4J2_PROPERTIES);
    const ivy = path.join(part, 'ivy');
    await mkdir(ivy);
    await writeFile(path.join(ivy, 'ivysettings.xml'), IVY_SETTINGS);
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'fitlake-spark-install-'));
    try {
      await run(python, ['-c', DELTA_SESSION_PY + INSTALL_CHECK_PY, ivy, scratch], { cwd: scratch });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    // Spark copied the resolved jars to <ivy>/jars: they are all a run needs, the ivy cache goes.
    const jars = path.join(part, 'delta-jars');
    await mkdir(jars);
    const resolved = (await readdir(path.join(ivy, 'jars'))).filter((f) => f.endsWith('.jar'));
    if (!resolved.some((f) => f.startsWith('io.delta_delta-spark_2.12-'))) throw new Error(`ivy resolved no delta-spark jar (got ${resolved.join(', ') || 'nothing'})`);
    for (const f of resolved) await rename(path.join(ivy, 'jars', f), path.join(jars, f));
    await rm(ivy, { recursive: true, force: true });
    await writeFile(path.join(part, '.complete'), PINNED);
    await rm(sparkDir(), { recursive: true, force: true });
    await rename(part, sparkDir());
    return sparkPython();
  });
}
