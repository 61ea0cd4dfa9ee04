/**
 * The fitlake dashboard: sign in with a token, then pipeline health, workouts and one workout's
 * heart-rate curve. Everything it shows comes from this server's GraphQL API with the token signed in,
 * so what a token may see is decided in one place, the API; this page only chooses what to ask.
 */
import './styles.css';
import { curveView } from './curve-view.ts';
import { h, replaceChildren } from './dom.ts';
import { QueryFailed, SignedOut } from './graphql-client.ts';
import { healthView } from './health-view.ts';
import { forgetSession, savedSession, saveSession, sessionOf, TokenProblem, type Session } from './session.ts';
import { workoutsView } from './workouts-view.ts';

const app = document.getElementById('app')!;

/** The workout key in the location hash (#workout=<user>-<workout>-<session>), if any. */
const hashWorkout = () => /^#workout=(.+)$/.exec(location.hash)?.[1];

function signInPage(message?: string): void {
  const token = h('textarea', { name: 'token', rows: 4, cols: 60, required: true, autocomplete: 'off', spellcheck: 'false', placeholder: 'eyJhbGciOiJIUzI1NiJ9…', testid: 'token-input' });
  const error = h('p', { class: 'error', role: 'alert', testid: 'sign-in-error', hidden: message === undefined }, message ?? '');
  const form = h(
    'form',
    { class: 'sign-in', testid: 'sign-in' },
    h('h1', {}, 'fitlake'),
    h('p', {}, 'Sign in with a token from ', h('code', {}, 'fitlake token --role analyst'), ' or ', h('code', {}, 'fitlake token --role user --user-id <id>'), '. It is kept in this tab only, until you sign out or close it.'),
    h('label', {}, 'Token', token),
    error,
    h('button', { type: 'submit', testid: 'sign-in-button' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    try {
      const session = sessionOf(token.value);
      saveSession(session);
      dashboardPage(session);
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof TokenProblem ? e.message : 'This token cannot be read.';
    }
  });
  replaceChildren(app, form);
  token.focus();
}

function dashboardPage(session: Session): void {
  const banner = h('p', { class: 'error banner', role: 'alert', testid: 'error', hidden: true });
  const onError = (e: unknown) => {
    if (e instanceof SignedOut) {
      forgetSession();
      return signInPage(e.message);
    }
    banner.hidden = false;
    banner.textContent = e instanceof QueryFailed || e instanceof Error ? e.message : 'Something went wrong.';
  };
  const signOut = h('button', { type: 'button', testid: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    forgetSession();
    history.replaceState(null, '', location.pathname);
    signInPage();
  });
  const who = session.role === 'analyst' ? `Analyst${session.subject && session.subject !== 'analyst' ? ` ${session.subject}` : ''}: all users` : `User ${session.userId}: your own data`;
  const workouts = workoutsView(session, onError);
  const curve = curveView(session, onError);
  const health = healthView(session, onError);
  replaceChildren(
    app,
    h('header', {}, h('h1', {}, 'fitlake'), h('span', { class: 'who', testid: 'who', 'data-role': session.role }, who), signOut),
    banner,
    h('div', { class: 'columns' }, workouts.element, curve.element),
    health,
  );
  const follow = () => {
    const key = hashWorkout();
    workouts.highlight(key);
    void curve.show(key);
  };
  window.onhashchange = follow;
  follow();
}

const saved = savedSession();
if (saved) dashboardPage(saved);
else signInPage();
