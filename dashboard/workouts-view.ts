/**
 * The workouts table: a page of heart-rate summaries with filters (user for analysts, start day range)
 * and sorting by the columns the API sorts on, 50 rows at a time with "Show more". Analysts read
 * workoutBpmSummaries; a user token reads its own view (me.workouts), so the page never even asks for
 * anyone else's rows. Choosing a row opens its curve (through the location hash).
 */
import { h, replaceChildren } from './dom.ts';
import { durationSeconds, formatBpm, formatCount, formatSeconds, formatTime } from './format.ts';
import { query } from './graphql-client.ts';
import type { Session } from './session.ts';

export interface WorkoutSummary {
  userId: string;
  workoutId: string;
  sessionId: string;
  minBpm: number;
  avgBpm: number;
  maxBpm: number;
  numRecordings: number;
  startTime: string | null;
  endTime: string | null;
}

/** A workout's key as it appears in the location hash: workout=<user>-<workout>-<session>. */
export const workoutKey = (w: Pick<WorkoutSummary, 'userId' | 'workoutId' | 'sessionId'>) => `${w.userId}-${w.workoutId}-${w.sessionId}`;

export const WORKOUT_FIELDS = 'userId workoutId sessionId minBpm avgBpm maxBpm numRecordings startTime endTime';

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: WorkoutSummary }[];
}

const PAGE = `totalCount pageInfo { hasNextPage endCursor } edges { node { ${WORKOUT_FIELDS} } }`;
const ALL_WORKOUTS = `query DashboardWorkouts($filter: WorkoutBpmSummaryFilter, $sort: WorkoutBpmSummarySort, $after: String) {
  workoutBpmSummaries(filter: $filter, sort: $sort, first: 50, after: $after) { ${PAGE} }
}`;
const OWN_WORKOUTS = `query DashboardOwnWorkouts($filter: WorkoutBpmSummaryFilter, $sort: WorkoutBpmSummarySort, $after: String) {
  me { workouts(filter: $filter, sort: $sort, first: 50, after: $after) { ${PAGE} } }
}`;

type SortField = 'KEY' | 'MIN_BPM' | 'AVG_BPM' | 'MAX_BPM' | 'NUM_RECORDINGS';

/** Columns: heading, cell, and the API's sort field when the column can be sorted on. */
const COLUMNS: { heading: string; sort?: SortField; cell: (w: WorkoutSummary) => string; numeric?: boolean }[] = [
  { heading: 'User', sort: 'KEY', cell: (w) => w.userId },
  { heading: 'Workout', cell: (w) => `${w.workoutId} / ${w.sessionId}` },
  { heading: 'Start', cell: (w) => formatTime(w.startTime) },
  { heading: 'Duration', cell: (w) => formatSeconds(durationSeconds(w.startTime, w.endTime)), numeric: true },
  { heading: 'Min bpm', sort: 'MIN_BPM', cell: (w) => formatBpm(w.minBpm), numeric: true },
  { heading: 'Avg bpm', sort: 'AVG_BPM', cell: (w) => formatBpm(w.avgBpm), numeric: true },
  { heading: 'Max bpm', sort: 'MAX_BPM', cell: (w) => formatBpm(w.maxBpm), numeric: true },
  { heading: 'Readings', sort: 'NUM_RECORDINGS', cell: (w) => formatCount(w.numRecordings), numeric: true },
];

export interface WorkoutsView {
  readonly element: HTMLElement;
  /** Mark the row of the workout shown in the curve view. */
  highlight(key: string | undefined): void;
}

export function workoutsView(session: Session, onError: (error: unknown) => void): WorkoutsView {
  let sort: { field: SortField; direction: 'ASC' | 'DESC' } = { field: 'KEY', direction: 'ASC' };
  let filter: Record<string, unknown> = {};
  let selected: string | undefined;
  const rows: WorkoutSummary[] = [];
  let next: string | null = null;

  const userInput = h('input', { name: 'userId', inputmode: 'numeric', pattern: '[0-9]*', placeholder: 'any', testid: 'filter-user', size: 10 });
  const fromInput = h('input', { name: 'dateFrom', type: 'date', testid: 'filter-from' });
  const toInput = h('input', { name: 'dateTo', type: 'date', testid: 'filter-to' });
  const filters = h(
    'form',
    { class: 'filters', testid: 'workout-filters' },
    session.role === 'analyst' && h('label', {}, 'User ', userInput),
    h('label', {}, 'Started from ', fromInput),
    h('label', {}, 'to ', toInput),
    h('button', { type: 'submit', testid: 'filter-apply' }, 'Apply'),
    h('button', { type: 'reset', testid: 'filter-clear' }, 'Clear'),
  );
  const count = h('p', { class: 'count', testid: 'workout-count', role: 'status' });
  const head = h('tr');
  const body = h('tbody', { testid: 'workout-rows' });
  const more = h('button', { type: 'button', testid: 'workout-more', hidden: true }, 'Show more');
  const element = h('section', { class: 'workouts', testid: 'workouts' }, h('h2', {}, session.role === 'analyst' ? 'Workouts' : 'Your workouts'), filters, count, h('table', { class: 'data' }, h('thead', {}, head), body), more);

  const drawHead = () => {
    replaceChildren(
      head,
      ...COLUMNS.map((c) => {
        if (!c.sort) return h('th', { class: c.numeric ? 'num' : undefined }, c.heading);
        const active = sort.field === c.sort;
        const button = h('button', { type: 'button', class: 'sort', testid: `sort-${c.sort}` }, c.heading, active ? (sort.direction === 'ASC' ? ' ▲' : ' ▼') : '');
        button.addEventListener('click', () => {
          sort = { field: c.sort!, direction: active && sort.direction === 'ASC' ? 'DESC' : active ? 'ASC' : c.sort === 'KEY' ? 'ASC' : 'DESC' };
          void load(false);
        });
        return h('th', { class: c.numeric ? 'num' : undefined, 'aria-sort': active ? (sort.direction === 'ASC' ? 'ascending' : 'descending') : 'none' }, button);
      }),
    );
  };

  const drawRows = (total: number) => {
    count.textContent = `${formatCount(total)} workout${total === 1 ? '' : 's'}${rows.length < total ? `, ${formatCount(rows.length)} shown` : ''}`;
    replaceChildren(
      body,
      ...rows.map((w) => {
        const key = workoutKey(w);
        const link = h('a', { href: `#workout=${key}` }, w.userId);
        const row = h(
          'tr',
          { testid: 'workout-row', 'data-user-id': w.userId, 'data-workout-id': w.workoutId, 'data-session-id': w.sessionId, class: key === selected ? 'selected' : undefined },
          ...COLUMNS.map((c, i) => h('td', { class: c.numeric ? 'num' : undefined }, i === 0 ? link : c.cell(w))),
        );
        row.addEventListener('click', () => (location.hash = `workout=${key}`));
        return row;
      }),
    );
    if (rows.length === 0) body.append(h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'empty' }, 'No workouts match.')));
    more.hidden = next === null;
  };

  const load = async (append: boolean) => {
    drawHead();
    const variables = { filter, sort, after: append ? next : null };
    try {
      const page =
        session.role === 'analyst'
          ? (await query<{ workoutBpmSummaries: Page }>(session, ALL_WORKOUTS, variables)).workoutBpmSummaries
          : (await query<{ me: { workouts: Page } | null }>(session, OWN_WORKOUTS, variables)).me?.workouts;
      if (!page) throw new Error('no view of this user');
      if (!append) rows.length = 0;
      for (const edge of page.edges) rows.push(edge.node);
      next = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      drawRows(page.totalCount);
    } catch (e) {
      onError(e);
    }
  };

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const userId = userInput.value.trim();
    if (userId !== '' && !/^[1-9][0-9]{0,15}$/.test(userId)) return onError(new Error('A user id is a positive whole number.'));
    filter = {
      ...(userId !== '' && session.role === 'analyst' ? { userId } : {}),
      ...(fromInput.value ? { dateFrom: fromInput.value } : {}),
      ...(toInput.value ? { dateTo: toInput.value } : {}),
    };
    void load(false);
  });
  filters.addEventListener('reset', () => {
    filter = {};
    // The form clears its inputs after this event.
    setTimeout(() => void load(false));
  });
  more.addEventListener('click', () => void load(true));
  void load(false);

  return {
    element,
    highlight(key) {
      selected = key;
      for (const row of body.querySelectorAll<HTMLTableRowElement>('tr[data-testid="workout-row"]')) {
        row.classList.toggle('selected', workoutKey({ userId: row.dataset.userId!, workoutId: row.dataset.workoutId!, sessionId: row.dataset.sessionId! }) === key);
      }
    },
  };
}
