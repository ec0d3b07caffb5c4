import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors';
import { hashToken, parseToken, type TokenKind } from '../crypto';
import type { OrganisationCache } from '../cache';
import type { Principal, Role, Scope, UserPrincipal } from './principal';

/** One way for an API key to qualify: a scope, or a list of scopes the key must hold every one of. */
export type ScopeRequirement = Scope | readonly Scope[];

/**
 * What a route needs, declared in its `config.access`: `public`, or the user roles, API key
 * scopes and/or supplier access that may call it. A key qualifies by meeting any one entry of `scopes`.
 */
export type Access = 'public' | { roles?: readonly Role[]; scopes?: readonly ScopeRequirement[]; supplier?: boolean };

/** A `/v1` route as registered, with its declared access: what the scope table test and the documentation are checked against. */
export type DeclaredAccess = { method: string; url: string; access: Access };
const declaredByApp = new WeakMap<FastifyInstance, DeclaredAccess[]>();

/** Every `/v1` route of an app built with `registerAuth`, in registration order (HEAD routes left out). */
export function declaredAccess(app: FastifyInstance): readonly DeclaredAccess[] {
  return declaredByApp.get(app) ?? [];
}

const meets = (held: readonly Scope[], requirement: ScopeRequirement) => (typeof requirement === 'string' ? held.includes(requirement) : requirement.every((scope) => held.includes(scope)));

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Turns a token into a principal and says until when that answer holds (its expiry), or null. */
export type TokenResolver = (input: { token: string; tokenHash: string }) => Promise<{ principal: Principal; validUntil: Date | null } | null>;

const unauthenticated = (code: string, detail: string) =>
  new AppError({
    status: 401,
    code,
    title: 'Authentication required',
    detail,
    headers: { 'www-authenticate': 'Bearer realm="aidd"' },
  });

function permits(access: Exclude<Access, 'public'>, principal: Principal): boolean {
  switch (principal.kind) {
    case 'user':
      return access.roles?.includes(principal.role) ?? false;
    case 'api_key':
      return access.scopes?.some((requirement) => meets(principal.scopes, requirement)) ?? false;
    case 'supplier':
      return access.supplier === true;
    case 'system':
      return false;
  }
}

/** Told of each request the hook refuses, before the refusal is sent (the rate limiter counts them); may throw instead. */
export type RefusalHook = (input: { request: FastifyRequest; reply: FastifyReply }) => Promise<void>;

/**
 * Resolves `Authorization: Bearer` to a principal before the body is read, and refuses what the
 * route does not allow. Every `/v1` route must declare its access, so nothing is open by omission.
 */
export function registerAuth(
  app: FastifyInstance,
  { resolvers, cache, onRefused }: { resolvers: Partial<Record<TokenKind, TokenResolver>>; cache: OrganisationCache<Principal>; onRefused?: RefusalHook },
): void {
  app.decorateRequest('principal', null);

  const declared: DeclaredAccess[] = [];
  declaredByApp.set(app, declared);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1/')) return;
    const access = route.config?.access;
    if (access === undefined) throw new Error(`Route ${route.method} ${route.url} does not declare config.access`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') declared.push({ method, url: route.url, access });
  });

  // preParsing: before the body is read (so an unauthenticated caller cannot make us parse a large
  // body), and before the rate limiter's own preParsing hook, which keys on the principal found here.
  app.addHook('preParsing', async (request, reply, payload) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public') return payload;
    const refuse = async (error: AppError) => {
      await onRefused?.({ request, reply });
      return error;
    };

    const header = request.headers.authorization;
    if (!header) throw await refuse(unauthenticated('auth.missing_token', 'Send a token in the Authorization header: "Bearer <token>".'));
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1];
    const parsed = token ? parseToken(token) : null;
    if (!token || !parsed) throw await refuse(unauthenticated('auth.malformed_token', 'The Authorization header is not a bearer token this service issued.'));

    const tokenHash = hashToken(token);
    let principal = cache.get(tokenHash) ?? null;
    if (!principal) {
      const resolver = resolvers[parsed.kind];
      // A revocation committed while this lookup ran is not cached over (the lookup may predate it).
      const since = cache.generation();
      const resolved = resolver ? await resolver({ token, tokenHash }) : null;
      if (resolved) {
        principal = resolved.principal;
        cache.set(tokenHash, principal, { organisationId: principal.organisationId, validUntil: resolved.validUntil, since });
      }
    }
    if (!principal) {
      request.log.info({ tokenKind: parsed.kind }, 'authentication failed');
      throw await refuse(unauthenticated('auth.invalid_token', 'The token is unknown, expired or revoked.'));
    }
    // Set before the access check too, so a refused caller is counted as itself, not as its address.
    request.principal = principal;
    if (!permits(access, principal)) {
      request.log.info({ principalKind: principal.kind }, 'authorisation refused');
      throw await refuse(new AppError({ status: 403, code: 'auth.forbidden', title: 'Not allowed', detail: 'Your role or key does not allow this action.' }));
    }
    return payload;
  });
}

/** The authenticated principal of a route that declared non-public access. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf called on a public route');
  return request.principal;
}

/** For routes only users may call (e.g. managing one's own tokens). */
export function userOf(request: FastifyRequest): UserPrincipal {
  const principal = principalOf(request);
  if (principal.kind !== 'user') {
    throw new AppError({ status: 403, code: 'auth.user_required', title: 'Not allowed', detail: 'Only a signed-in user can do this, not an API key.' });
  }
  return principal;
}
