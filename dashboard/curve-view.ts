/**
 * One workout: its heart-rate curve over time (uPlot on a canvas) and its summary (min / avg / max bpm
 * from gold, duration, points drawn). The workout is looked up through the same scoped query as the
 * table, so a workout the token may not see reads as "not found", exactly like one that does not exist.
 * The chart element carries the number of points it was given (data-points) for tests and people alike.
 */
import uPlot from 'uplot';
import { h, replaceChildren } from './dom.ts';
import { durationSeconds, formatBpm, formatCount, formatSeconds, formatTime } from './format.ts';
import { query } from './graphql-client.ts';
import type { Session } from './session.ts';
import { WORKOUT_FIELDS, type WorkoutSummary } from './workouts-view.ts';

interface WorkoutWithCurve extends WorkoutSummary {
  heartRate: { time: string; bpm: number }[];
}

const CURVE = `query DashboardCurve($filter: WorkoutBpmSummaryFilter) {
  workoutBpmSummaries(filter: $filter, first: 1) { edges { node { ${WORKOUT_FIELDS} heartRate { time bpm } } } }
}`;

/** Seconds since the epoch as HH:MM (or HH:MM:SS) in UTC. */
const utcClock = (seconds: number, withSeconds: boolean) => new Date(seconds * 1000).toISOString().slice(11, withSeconds ? 19 : 16);

export interface CurveView {
  readonly element: HTMLElement;
  /** Show the workout of a hash key (user-workout-session), or nothing. */
  show(key: string | undefined): Promise<void>;
}

export function curveView(session: Session, onError: (error: unknown) => void): CurveView {
  const element = h('section', { class: 'curve', testid: 'curve-view' }, h('h2', {}, 'Workout'), h('p', { class: 'hint' }, 'Choose a workout to see its heart rate over time.'));
  let plot: uPlot | undefined;
  let shown = 0;

  const close = () => {
    plot?.destroy();
    plot = undefined;
  };

  const draw = (w: WorkoutWithCurve) => {
    close();
    // Seconds since the epoch on x (uPlot's time axis), bpm on y.
    const xs = Float64Array.from(w.heartRate, (p) => Date.parse(p.time) / 1000);
    const ys = Float64Array.from(w.heartRate, (p) => p.bpm);
    const chart = h('div', { class: 'chart', testid: 'curve', 'data-points': xs.length, 'aria-label': `heart rate of workout ${w.workoutId}: ${xs.length} readings`, role: 'img' });
    const summary = h(
      'dl',
      { class: 'summary', testid: 'curve-summary' },
      ...([
        ['User', w.userId, 'summary-user'],
        ['Workout / session', `${w.workoutId} / ${w.sessionId}`, 'summary-workout'],
        ['Started', formatTime(w.startTime), 'summary-start'],
        ['Duration', formatSeconds(durationSeconds(w.startTime, w.endTime)), 'summary-duration'],
        ['Min / avg / max', `${formatBpm(w.minBpm)} / ${formatBpm(w.avgBpm)} / ${formatBpm(w.maxBpm)} bpm`, 'summary-bpm'],
        ['Points drawn', `${formatCount(xs.length)} of ${formatCount(w.numRecordings)} readings`, 'summary-points'],
      ] as const).flatMap(([term, value, testid]) => [h('dt', {}, term), h('dd', { testid }, value)]),
    );
    replaceChildren(element, h('h2', {}, `Workout ${w.workoutId} of user ${w.userId}`), summary, chart);
    if (xs.length === 0) {
      chart.append(h('p', { class: 'empty' }, 'No readings are stored for this workout.'));
      return;
    }
    plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth - 8),
        height: 300,
        scales: { x: { time: true }, y: { auto: true } },
        // Times in UTC and 24-hour, as in the table: the lake's calendar is UTC.
        series: [
          { label: 'time', value: (_, v) => (v === null ? '—' : utcClock(v, true)) },
          { label: 'heart rate', stroke: '#c0392b', width: 1.5, value: (_, v) => (v === null ? '—' : `${v} bpm`), points: { show: false } },
        ],
        axes: [{ label: 'time (UTC)', values: (_, splits) => splits.map((v) => utcClock(v, false)) }, { label: 'bpm' }],
        legend: { live: true },
      },
      [xs, ys],
      chart,
    );
    chart.dataset.points = String(plot.data[0].length);
  };

  return {
    element,
    async show(key) {
      const request = ++shown;
      if (!key) {
        close();
        replaceChildren(element, h('h2', {}, 'Workout'), h('p', { class: 'hint' }, 'Choose a workout to see its heart rate over time.'));
        return;
      }
      const match = /^([1-9][0-9]{0,15})-([0-9]{1,16})-([0-9]{1,16})$/.exec(key);
      const notFound = () => {
        close();
        replaceChildren(element, h('h2', {}, 'Workout'), h('p', { class: 'error', testid: 'curve-not-found', role: 'alert' }, 'No such workout among those this token may see.'));
      };
      if (!match) return notFound();
      replaceChildren(element, h('h2', {}, 'Workout'), h('p', { class: 'hint', testid: 'curve-loading' }, 'Loading the heart-rate curve…'));
      try {
        const filter = { userId: match[1], workoutId: match[2], sessionId: match[3] };
        // A user token's own id is enforced by the server whatever the filter says; asking with it
        // makes a foreign id in the hash come back empty instead of as someone else's workout.
        const data = await query<{ workoutBpmSummaries: { edges: { node: WorkoutWithCurve }[] } }>(session, CURVE, { filter });
        if (request !== shown) return;
        const node = data.workoutBpmSummaries.edges[0]?.node;
        if (!node) return notFound();
        draw(node);
      } catch (e) {
        if (request === shown) notFound();
        onError(e);
      }
    },
  };
}
