/**
 * Pipeline health: every table's layer, name, version, rows and freshness (pipelineStatus); for
 * analysts also the quarantine by reason with a few example records. A user token sees the freshness of
 * the tables its own views read, with versions and rows left out by the server, and no quarantine.
 */
import { h, replaceChildren } from './dom.ts';
import { formatCount, formatSeconds, formatTime } from './format.ts';
import { query } from './graphql-client.ts';
import type { Session } from './session.ts';

interface TableStatus {
  layer: string;
  name: string;
  exists: boolean;
  version: number | null;
  rowCount: string | null;
  lastCommitAt: string | null;
  freshnessSeconds: number | null;
}

interface QuarantineReason {
  targetTable: string;
  step: string;
  reason: string;
  count: number;
  examples: { source: string; raw: string | null; rawTruncated: boolean; loadTime: string }[];
}

const STATUS = `query DashboardStatus { pipelineStatus { layer name exists version rowCount lastCommitAt freshnessSeconds } }`;
const QUARANTINE = `query DashboardQuarantine { quarantine(examplesPerReason: 3) { total reasonCount reasons { targetTable step reason count examples { source raw rawTruncated loadTime } } } }`;

function statusTable(statuses: readonly TableStatus[]): HTMLElement {
  return h(
    'table',
    { class: 'data', testid: 'health-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Layer'), h('th', {}, 'Table'), h('th', { class: 'num' }, 'Version'), h('th', { class: 'num' }, 'Rows'), h('th', {}, 'Last commit'), h('th', { class: 'num' }, 'Freshness'))),
    h(
      'tbody',
      {},
      ...statuses.map((s) =>
        h(
          'tr',
          { testid: 'health-row', 'data-table': `${s.layer}/${s.name}`, class: s.exists ? undefined : 'absent' },
          h('td', {}, s.layer),
          h('td', {}, s.name),
          h('td', { class: 'num' }, s.exists ? (s.version === null ? '—' : String(s.version)) : 'absent'),
          h('td', { class: 'num' }, formatCount(s.rowCount)),
          h('td', {}, formatTime(s.lastCommitAt)),
          h('td', { class: 'num' }, s.exists ? `${formatSeconds(s.freshnessSeconds)} ago` : '—'),
        ),
      ),
    ),
  );
}

function quarantineList(total: number, reasonCount: number, reasons: readonly QuarantineReason[]): HTMLElement {
  if (total === 0) return h('p', { testid: 'quarantine-empty' }, 'Nothing is quarantined.');
  return h(
    'div',
    {},
    h('p', { testid: 'quarantine-total' }, `${formatCount(total)} quarantined record${total === 1 ? '' : 's'} under ${formatCount(reasonCount)} reason${reasonCount === 1 ? '' : 's'}${reasons.length < reasonCount ? ` (the ${reasons.length} largest shown)` : ''}.`),
    h(
      'ul',
      { class: 'reasons' },
      ...reasons.map((r) =>
        h(
          'li',
          { testid: 'quarantine-reason', 'data-count': r.count },
          h('details', {}, h('summary', {}, h('strong', {}, formatCount(r.count)), ` × ${r.reason} `, h('span', { class: 'muted' }, `(${r.targetTable}, ${r.step})`)),
            ...r.examples.map((e) => h('div', { class: 'example', testid: 'quarantine-example' }, h('div', { class: 'muted' }, `${e.source} · ${formatTime(e.loadTime)}`), h('pre', {}, e.raw === null ? '(no payload)' : e.raw + (e.rawTruncated ? ' …' : ''))))),
        ),
      ),
    ),
  );
}

export function healthView(session: Session, onError: (error: unknown) => void): HTMLElement {
  const tables = h('div', {}, h('p', { class: 'hint' }, 'Loading…'));
  const quarantine = h('div', {}, h('p', { class: 'hint' }, 'Loading…'));
  const element = h(
    'section',
    { class: 'health', testid: 'health' },
    h('h2', {}, 'Pipeline health'),
    session.role === 'user' && h('p', { class: 'muted' }, 'How current your data is. Versions and row counts describe everyone’s data and are for analysts.'),
    tables,
    session.role === 'analyst' && h('h3', {}, 'Quarantine'),
    session.role === 'analyst' && h('div', { testid: 'quarantine' }, quarantine),
  );
  void query<{ pipelineStatus: TableStatus[] }>(session, STATUS).then((d) => replaceChildren(tables, statusTable(d.pipelineStatus)), onError);
  if (session.role === 'analyst') {
    void query<{ quarantine: { total: number; reasonCount: number; reasons: QuarantineReason[] } }>(session, QUARANTINE).then(
      (d) => replaceChildren(quarantine, quarantineList(d.quarantine.total, d.quarantine.reasonCount, d.quarantine.reasons)),
      onError,
    );
  }
  return element;
}
