import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../platform/crypto';
import type { AppDeps } from '../../platform/http/deps';
import { page } from '../../platform/web';
import { homeOf, ROLE_NAMES, safeReturnTo, type SignInMethod } from './staff.models';
import { endStaffSession, resolveStaffSession, startStaffSession, type StaffSession } from './staff-sessions.usecases';

/**
 * What every page of the officer console shares: the staff session cookie, the guard that sends a
 * visitor without a live session to sign in, the CSRF check, the "page not found" and "page has
 * expired" pages, the variables the console layout reads, and signing in itself. Pages of every
 * module get these as `deps.staff` (`ConsoleDeps`); the console plugin in app.ts builds them once.
 */

export const STAFF_COOKIE = 'aidd_staff';
/** Before sign-in there is no session to hold a CSRF token: the sign-in and setup forms post back this cookie's value. */
export const SIGN_IN_CSRF_COOKIE = 'aidd_csrf';

export type ConsoleArea = 'procurements' | 'evaluations' | 'questionnaires' | 'admin' | 'account';

export type NavigationItem = { href: string; text: string; active?: boolean; current?: boolean };

/** The variables every console template reads. */
export type ConsoleCommon = {
  serviceName: string;
  council: string;
  user: { name: string; role: string; roleName: string };
  csrfToken: string;
  navigation: NavigationItem[];
};

export type StaffWeb = {
  /** An onRequest hook of the console plugin: resolves the session early, so rate limits count a signed-in user's requests against the user. */
  identify: (request: FastifyRequest) => Promise<void>;
  /** A preHandler: without a live session, GET goes to `/sign-in?returnTo=…` and other methods to `/sign-in` (303). */
  requireStaff: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The live session of a request that passed `requireStaff` (or whose `sessionOf` found one). */
  staffOf: (request: FastifyRequest) => StaffSession;
  /** The live session the request's cookie stands for, or null (resolved once per request). */
  sessionOf: (request: FastifyRequest) => Promise<StaffSession | null>;
  /** The form's `_csrf` against the session's token, in constant time. */
  csrfOk: (request: FastifyRequest, given: unknown) => boolean;
  /** 403: "This page has expired". Nothing has been changed. */
  csrfRefused: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
  /** 404: the console's "Page not found" (also for another organisation's ids). */
  notFound: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
  common: (request: FastifyRequest, current?: ConsoleArea) => ConsoleCommon;
  /** Starts a session, sets the cookie, records the sign-in, and sends the browser to `returnTo` (a path here) or the user's home (`homeOf`: an evaluator's evaluations, anyone else's procurements). */
  signIn: (request: FastifyRequest, reply: FastifyReply, input: { userId: string; organisationId: string; method: SignInMethod; returnTo?: string | null | undefined }) => Promise<FastifyReply>;
  /** Ends the browser's session (if any) and clears the cookie. */
  signOut: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The token a sign-in or setup form (before any session) carries; sets its cookie when there is none yet. */
  signInCsrf: (request: FastifyRequest, reply: FastifyReply) => string;
  /** A sign-in or setup form's `_csrf` against its cookie, in constant time. */
  signInCsrfOk: (request: FastifyRequest, given: unknown) => boolean;
  /**
   * A sign-in failed: counts against the client address's failed authentications (which lock it out
   * of every sign-in for the rest of the minute), and against the email address when one is known.
   */
  signInFailed: (request: FastifyRequest, reply: FastifyReply, email?: string) => Promise<void>;
};

const SERVICE_NAME = 'AI supplier due diligence';
const sessions = new WeakMap<FastifyRequest, Promise<StaffSession | null>>();

function tokensMatch(expected: string | undefined, given: unknown): boolean {
  return typeof expected === 'string' && expected.length > 0 && typeof given === 'string' && given.length === expected.length && constantTimeEqual(expected, given);
}

/** Where the browser is sent to sign in from this request: back here after, for a GET. */
export function signInAddress(request: FastifyRequest): string {
  if (request.method !== 'GET' && request.method !== 'HEAD') return '/sign-in';
  const back = safeReturnTo(request.url);
  return back && back !== '/' ? `/sign-in?returnTo=${encodeURIComponent(back)}` : '/sign-in';
}

export function staffWebHelpers(deps: AppDeps): StaffWeb {
  const { database, config, now, rateLimits } = deps;
  const db = database.db;
  const cookieOptions = { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'lax' as const };

  const resolved = new WeakMap<FastifyRequest, StaffSession>();

  const sessionOf = (request: FastifyRequest): Promise<StaffSession | null> => {
    let found = sessions.get(request);
    if (!found) {
      const cookie = request.cookies[STAFF_COOKIE];
      found = (cookie ? resolveStaffSession({ db, now: now(), config, secret: cookie }) : Promise.resolve(null)).then((session) => {
        if (session) resolved.set(request, session);
        return session;
      });
      sessions.set(request, found);
    }
    return found;
  };

  const staffOf = (request: FastifyRequest): StaffSession => {
    const held = resolved.get(request);
    if (!held) throw new Error('staffOf called on a route without requireStaff');
    return held;
  };

  const identify = async (request: FastifyRequest): Promise<void> => {
    if (!request.cookies[STAFF_COOKIE]) return;
    const session = await sessionOf(request);
    // Rate limits then count the signed-in user's requests against the user, not the address many council staff share.
    if (session) request.principal = session.principal;
  };

  const requireStaff = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const session = await sessionOf(request);
    if (session) return;
    if (request.cookies[STAFF_COOKIE]) reply.clearCookie(STAFF_COOKIE, { path: '/' });
    await reply.redirect(signInAddress(request), 303);
  };

  const common = (request: FastifyRequest, current?: ConsoleArea): ConsoleCommon => {
    const session = staffOf(request);
    const item = (href: string, text: string, area?: ConsoleArea): NavigationItem => (area && area === current ? { href, text, active: true } : { href, text });
    const navigation = [
      item('/procurements', 'Procurements', 'procurements'),
      // Every signed-in user: the list says so when they are on no evaluation panel.
      item('/evaluations', 'Evaluations', 'evaluations'),
      item('/questionnaires', 'Questionnaires', 'questionnaires'),
      ...(session.user.role === 'admin' ? [item('/admin', 'Administration', 'admin')] : []),
      item('/account', 'Your account', 'account'),
      item('/sign-out', 'Sign out'),
    ];
    return {
      serviceName: SERVICE_NAME,
      council: session.organisation.name,
      user: { name: session.user.name, role: session.user.role, roleName: ROLE_NAMES[session.user.role] },
      csrfToken: session.csrfToken,
      navigation,
    };
  };

  /** What an error page can say about who is signed in: the header and navigation when a session is known. */
  const chromeOf = (request: FastifyRequest) => (resolved.has(request) ? common(request) : {});

  const signOut = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const cookie = request.cookies[STAFF_COOKIE];
    if (cookie) await endStaffSession({ db, now: now(), secret: cookie });
    reply.clearCookie(STAFF_COOKIE, { path: '/' });
  };

  const signInCsrf = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = request.cookies[SIGN_IN_CSRF_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString('base64url');
    reply.setCookie(SIGN_IN_CSRF_COOKIE, token, cookieOptions);
    return token;
  };

  return {
    identify,
    requireStaff,
    staffOf,
    sessionOf,
    csrfOk: (request, given) => tokensMatch(staffOf(request).csrfToken, given),
    csrfRefused: (request, reply) =>
      page(request, reply, 'console/page-expired.njk', { ...chromeOf(request), title: 'This page has expired' }, 403),
    notFound: (request, reply) => page(request, reply, 'console/not-found.njk', { ...chromeOf(request), title: 'Page not found' }, 404),
    common,
    signIn: async (request, reply, { userId, organisationId, method, returnTo }) => {
      // Whatever session this browser had ends: a sign-in always gets a fresh secret.
      if (request.cookies[STAFF_COOKIE]) await endStaffSession({ db, now: now(), secret: request.cookies[STAFF_COOKIE] });
      const at = now();
      const started = await startStaffSession({ db, now: at, config, userId, organisationId, method });
      // Max-Age, not Expires: the browser counts it from now by its own clock.
      const maxAge = Math.max(1, Math.floor((started.absoluteExpiresAt.getTime() - at.getTime()) / 1000));
      reply.setCookie(STAFF_COOKIE, started.secret, { ...cookieOptions, maxAge });
      reply.clearCookie(SIGN_IN_CSRF_COOKIE, { path: '/' });
      return reply.redirect(safeReturnTo(returnTo) ?? homeOf(started.role), 303);
    },
    signOut,
    signInCsrf,
    signInCsrfOk: (request, given) => tokensMatch(request.cookies[SIGN_IN_CSRF_COOKIE], given),
    signInFailed: async (request, reply, email) => {
      await rateLimits.authenticationFailed({ request, reply });
      if (email) await rateLimits.emailAttempt({ request, reply, email });
    },
  };
}
