import rateLimit, { normalizeIP, type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { actorOf } from '../auth';
import { sha256Hex } from '../crypto';
import { AppError } from '../errors';

// Keyed by who the caller really is: a checked token's principal (many council staff share one NAT),
// else the client address. Keyed on the raw Authorization header, every made-up token would open a
// fresh allowance, so failed and missing authentications count against the address.

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route checks a credential of its own (the setup token, an invitation link): it gets the
     * tighter per-address limit, is refused while its address is locked out for failed
     * authentications, and reports a wrong credential through `RateLimits.authenticationFailed`.
     */
    checksCredential?: 'setup' | 'link' | 'sign-in';
  }
}

export const RATE_LIMIT_WINDOW_MS = 60_000;

export type RateLimitConfig = {
  rateLimitPerMinute: number;
  authFailureLimitPerMinute: number;
  setupLimitPerMinute: number;
  linkOpenLimitPerMinute: number;
  signInLimitPerMinute: number;
  signInEmailLimitPerHour: number;
};

export const EMAIL_WINDOW_MS = 60 * 60_000;

/** What routes and the auth hook tell the limiter. */
export type RateLimits = {
  /** A credential the route checked itself was wrong: counts against the address's failed-authentication allowance. */
  authenticationFailed(input: { request: FastifyRequest; reply: FastifyReply }): Promise<void>;
  /** The auth hook refused the request (401, or 403 for a principal): counts it, and throws a 429 when over. */
  refused(input: { request: FastifyRequest; reply: FastifyReply }): Promise<void>;
  /**
   * Sign-in attempts for one email address (links asked for, failed sign-ins), whether or not it has
   * an account: counts one (unless `increment` is false, which only checks), and throws the 429 once
   * the hour's allowance is used up.
   */
  emailAttempt(input: { request: FastifyRequest; reply: FastifyReply; email: string; increment?: boolean }): Promise<void>;
};

type Count = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Count) => void;
/** The plugin's store contract, with the non-counting `read` that lockout checks use. */
export type RateLimitStore = FastifyRateLimitStore & { read(key: string, callback: Callback, timeWindow: number, max: number): void };

/**
 * Fixed windows per key, in this process's memory, on the app's clock. Every counter's key says what
 * it counts (`principal:`, `address:`, `failed:`, `setup:`, `link:`), so one store (`child` returns
 * itself) holds them all, and a store shared by every instance can replace it without other change.
 */
export function memoryRateLimitStore({ now, capacity = 100_000 }: { now: () => Date; capacity?: number }): FastifyRateLimitStoreCtor {
  const windows = new Map<string, { count: number; startedAt: number }>();
  const live = (key: string, at: number, timeWindow: number) => {
    const window = windows.get(key);
    return window && window.startedAt <= at && at < window.startedAt + timeWindow ? window : undefined;
  };
  return class MemoryRateLimitStore implements RateLimitStore {
    incr(key: string, callback: Callback, timeWindow: number): void {
      const at = now().getTime();
      let window = live(key, at, timeWindow);
      if (!window) {
        // Re-inserted, so the map stays in order of window start and the oldest are dropped first.
        windows.delete(key);
        window = { count: 0, startedAt: at };
        windows.set(key, window);
        for (const [oldest] of windows) {
          if (windows.size <= capacity) break;
          windows.delete(oldest);
        }
      }
      window.count += 1;
      callback(null, { current: window.count, ttl: window.startedAt + timeWindow - at });
    }

    read(key: string, callback: Callback, timeWindow: number): void {
      const at = now().getTime();
      const window = live(key, at, timeWindow);
      callback(null, window ? { current: window.count, ttl: window.startedAt + timeWindow - at } : { current: 0, ttl: 0 });
    }

    child(): RateLimitStore {
      return this;
    }
  };
}

/** The client address (`request.ip`, which honours TRUST_PROXY); IPv6 by its /64, as one host usually holds a whole one. */
const addressOf = (request: FastifyRequest) => normalizeIP(request.ip);
const callerKey = (request: FastifyRequest) => {
  if (!request.principal) return `address:${addressOf(request)}`;
  const actor = actorOf(request.principal);
  return `principal:${actor.type}:${actor.id}`;
};

export function rateLimited({ retryAfterSeconds }: { retryAfterSeconds: number }): AppError {
  return new AppError({
    status: 429,
    code: 'request.rate_limited',
    title: 'Too many requests',
    detail: 'Wait for the number of seconds in Retry-After, then try again.',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/** The seconds to wait, if the error is a rate limit's refusal; pages use it to say so in words. */
export function retryAfterOf(error: unknown): number | null {
  if (!(error instanceof AppError) || error.code !== 'request.rate_limited') return null;
  return Number(error.headers?.['retry-after'] ?? 60);
}

type Outcome = { max: number; remaining: number; ttlInSeconds: number; isExceeded: boolean };

function describeLimit(reply: FastifyReply, { max, remaining, ttlInSeconds }: Outcome): void {
  reply.header('ratelimit-limit', max).header('ratelimit-remaining', remaining).header('ratelimit-reset', ttlInSeconds);
}

const refuse = (reply: FastifyReply, outcome: Outcome) => {
  describeLimit(reply, { ...outcome, remaining: 0 });
  reply.header('retry-after', outcome.ttlInSeconds);
  return rateLimited({ retryAfterSeconds: outcome.ttlInSeconds });
};

function addOnRequest(route: RouteOptions, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<void>): void {
  const existing = route.onRequest;
  route.onRequest = existing === undefined ? [handler] : Array.isArray(existing) ? [...existing, handler] : [existing, handler];
}

/**
 * Registers the limits; call before any route. The general limit runs as each route's last
 * `preParsing` hook: after the auth hook, so the principal is known, and before any body is read.
 * Failed authentications never reach it: `refused` counts them against the address instead.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  { config, now, store = memoryRateLimitStore({ now }) }: { config: RateLimitConfig; now: () => Date; store?: FastifyRateLimitStoreCtor },
): Promise<RateLimits> {
  const credentialLimits = { setup: config.setupLimitPerMinute, link: config.linkOpenLimitPerMinute, 'sign-in': config.signInLimitPerMinute } as const;

  // Before the plugin's own onRoute hook, which reads each route's `config.rateLimit`.
  app.addHook('onRoute', (route) => {
    const checks = route.config?.checksCredential;
    if (checks) {
      route.config = {
        ...route.config,
        rateLimit: { max: credentialLimits[checks], keyGenerator: (request: FastifyRequest) => `${checks}:${addressOf(request)}` },
      };
    }
    // Cheap, before the token is looked up or a body read: an address locked out gets nothing more checked.
    if (checks || typeof route.config?.access === 'object') addOnRequest(route, lockedOut);
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    max: config.rateLimitPerMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    store,
    keyGenerator: callerKey,
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) => rateLimited({ retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
  });

  const perCaller = app.createRateLimit();
  const failures = app.createRateLimit({ max: config.authFailureLimitPerMinute, timeWindow: RATE_LIMIT_WINDOW_MS, keyGenerator: (request) => `failed:${addressOf(request)}` });
  // The address counted is the one the call names, not the request's; kept as a hash, as it is personal data.
  const emailOf = new WeakMap<FastifyRequest, string>();
  const perEmail = app.createRateLimit({ max: config.signInEmailLimitPerHour, timeWindow: EMAIL_WINDOW_MS, keyGenerator: (request) => `email:${sha256Hex(emailOf.get(request) ?? '').slice(0, 32)}` });

  async function lockedOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const state = await failures(request, { increment: false });
    if (!state.isAllowed && state.remaining === 0) throw refuse(reply, state);
  }

  const authenticationFailed: RateLimits['authenticationFailed'] = async ({ request, reply }) => {
    const state = await failures(request);
    if (state.isAllowed) return;
    // The headers describe whichever allowance has less left: that is the one about to refuse.
    const shown = reply.getHeader('ratelimit-remaining');
    if (shown === undefined || state.remaining < Number(shown)) describeLimit(reply, state);
  };

  return {
    authenticationFailed,
    async emailAttempt({ request, reply, email, increment = true }) {
      emailOf.set(request, email.trim().toLowerCase());
      const state = await perEmail(request, { increment });
      if (state.isAllowed) return;
      // Counting: refused past the allowance. Checking only: refused once it is used up.
      if (increment ? state.isExceeded : state.remaining === 0 && state.ttl > 0) throw refuse(reply, state);
    },
    async refused({ request, reply }) {
      const state = await perCaller(request);
      if (state.isAllowed) return;
      if (state.isExceeded) throw refuse(reply, state);
      describeLimit(reply, state);
      if (!request.principal) await authenticationFailed({ request, reply });
    },
  };
}
