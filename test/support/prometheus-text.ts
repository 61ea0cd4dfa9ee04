/**
 * Reading the Prometheus text exposition format (version 0.0.4) back into samples, for tests that
 * scrape /metrics: `# HELP`/`# TYPE` lines and blank lines skipped, label values unescaped, values as
 * numbers (+Inf, -Inf and NaN included, in any case). Strict: a line it cannot read is an error, not a
 * sample lost.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

/** A sample value; the special ones in any case, as Prometheus reads them (prom-client writes NaN as `Nan`). */
function numberOf(text: string, line: string): number {
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  const n = Number(text);
  if (Number.isNaN(n)) throw new SyntaxError(`not a sample value: ${line}`);
  return n;
}

function labelsOf(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (!m || LABEL.lastIndex === start) throw new SyntaxError(`unreadable labels: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** Every sample of a scrape, in the order given. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const m = SAMPLE_LINE.exec(line);
    if (!m) throw new SyntaxError(`not a sample line: ${line}`);
    samples.push({ name: m[1]!, labels: m[2] === undefined ? {} : labelsOf(m[2], line), value: numberOf(m[3]!, line) });
  }
  return samples;
}

/** The samples of a metric whose labels include `labels`. */
export function samplesOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The sum of those samples' values (0 when there are none): a counter over the labels left open. */
export function sumOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samplesOf(samples, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** The value of the one sample of a metric with exactly these labels; undefined when there is none. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const keys = Object.keys(labels);
  return samples.find((s) => s.name === name && Object.keys(s.labels).length === keys.length && keys.every((k) => s.labels[k] === labels[k]))?.value;
}

/** GET a /metrics URL: the samples, with the content type it answered with. */
export async function scrape(url: string): Promise<{ contentType: string | null; samples: Sample[]; text: string }> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  const text = await response.text();
  return { contentType: response.headers.get('content-type'), samples: parsePrometheusText(text), text };
}
