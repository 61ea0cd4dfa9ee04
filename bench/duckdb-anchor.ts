/**
 * The DuckDB anchor (../shared/anchors/duckdb_anchor.py: the same medallion job in DuckDB SQL), for
 * whole-process.ts: its Python lives in a venv in the user's cache, outside the repository and shared
 * by every checkout on the machine, made on first use with `python3 -m venv` and `pip install duckdb`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the venv lives: $XDG_CACHE_HOME/fitlake/duckdb-venv (default ~/.cache). */
export const duckdbVenv = (): string => path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'fitlake', 'duckdb-venv');

/** The DuckDB version a Python imports, or undefined when it cannot import duckdb. */
function duckdbVersion(python: string): string | undefined {
  const probe = spawnSync(python, ['-c', 'import duckdb; print(duckdb.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/**
 * A Python that imports duckdb, installing it into the venv when absent; or the reason it cannot be had
 * (no python3, no venv module, pip could not install), so the caller can skip the anchor and say why.
 */
export function duckdbPython(log: (line: string) => void): { python: string; version: string } | { skipped: string } {
  const venv = duckdbVenv();
  const python = path.join(venv, 'bin', 'python');
  const have = existsSync(python) ? duckdbVersion(python) : undefined;
  if (have) return { python, version: have };
  log(`installing duckdb (PyPI) into ${venv} ...`);
  if (!existsSync(python)) {
    const made = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
    if (made.status !== 0) return { skipped: `python3 -m venv ${venv} failed: ${(made.stderr || String(made.error ?? '')).trim().split('\n').pop()}` };
  }
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', 'duckdb'], { encoding: 'utf8' });
  if (pip.status !== 0) return { skipped: `pip install duckdb failed: ${(pip.stderr || pip.stdout).trim().split('\n').pop()}` };
  const version = duckdbVersion(python);
  return version ? { python, version } : { skipped: `duckdb installed into ${venv} but does not import` };
}

/** The seconds the anchor reports for its own work ('duckdb total: S s'), which leave out Python's startup. */
export function anchorReportedSeconds(stdout: string): number | undefined {
  const m = /duckdb total:\s*([\d.]+)\s*s/.exec(stdout);
  return m ? Number(m[1]) : undefined;
}
