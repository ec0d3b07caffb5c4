import type { Role } from '../../platform/auth';
import { ukDay, ukClock } from '../../platform/format';

/** Pure rules of staff sign-in: where a sign-in may send the browser, and how sessions read on a page. */

export type SignInMethod = 'link' | 'oidc' | 'setup';

/** Where a signed-in officer lands when nothing else was asked for. */
export const CONSOLE_HOME = '/procurements';

/** Where a user lands after signing in when nothing else was asked for: an evaluator's work is on the panels they sit on, not the procurement list. */
export const homeOf = (role: Role): string => (role === 'evaluator' ? '/evaluations' : CONSOLE_HOME);

/**
 * A `returnTo` is followed only when it is a path on this service: one leading `/`, not `//` and no
 * `\` (browsers read `//` and `/\` as another host), printable ASCII without spaces, of a sensible
 * length. Anything else is ignored, never an error.
 */
export function safeReturnTo(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return null;
  if (value.startsWith('//') || value.includes('\\')) return null;
  // Printable ASCII only (a redirect's Location header carries it as it is): no control characters or white space.
  return /^\/[\x21-\x7e]*$/.test(value) ? value : null;
}

export const ROLE_NAMES: Record<Role, string> = { admin: 'Admin', officer: 'Officer', evaluator: 'Evaluator', viewer: 'Viewer' };

export const METHOD_NAMES: Record<SignInMethod, string> = { link: 'Emailed link', oidc: 'Single sign-on', setup: 'First-run setup' };

/** "14:05 on 27 November 2026", as GOV.UK writes a time and a day. */
export const ukWhen = (at: Date): string => `${ukClock(at)} on ${ukDay(at)}`;
