import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors';
import { hashToken, parseToken, type TokenKind } from '../crypto';
import type { OrganisationCache } from '../cache';
import type { Principal, Role, Scope, UserPrincipal } from './principal';

/**
 * What a route needs, declared in its `config.access`:
 * `public`, or the user roles, API key scopes and/or supplier access that may call it.
 */
export type Access = 'public' | { roles?: readonly Role[]; scopes?: readonly Scope[]; supplier?: boolean };

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
      return access.scopes?.some((scope) => principal.scopes.includes(scope)) ?? false;
    case 'supplier':
      return access.supplier === true;
    case 'system':
      return false;
  }
}

/**
 * Resolves `Authorization: Bearer` to a principal before the body is read, and refuses what the
 * route does not allow. Every `/v1` route must declare its access, so nothing is open by omission.
 */
export function registerAuth(
  app: FastifyInstance,
  { resolvers, cache }: { resolvers: Partial<Record<TokenKind, TokenResolver>>; cache: OrganisationCache<Principal> },
): void {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/') && route.config?.access === undefined) {
      throw new Error(`Route ${route.method} ${route.url} does not declare config.access`);
    }
  });

  // preParsing: after the rate limiter's onRequest (so floods of bad tokens are limited too),
  // before the body is read (so an unauthenticated caller cannot make us parse a large body).
  app.addHook('preParsing', async (request, _reply, payload) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public') return payload;

    const header = request.headers.authorization;
    if (!header) throw unauthenticated('auth.missing_token', 'Send a token in the Authorization header: "Bearer <token>".');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1];
    const parsed = token ? parseToken(token) : null;
    if (!token || !parsed) throw unauthenticated('auth.malformed_token', 'The Authorization header is not a bearer token this service issued.');

    const tokenHash = hashToken(token);
    let principal = cache.get(tokenHash) ?? null;
    if (!principal) {
      const resolver = resolvers[parsed.kind];
      const resolved = resolver ? await resolver({ token, tokenHash }) : null;
      if (resolved) {
        principal = resolved.principal;
        cache.set(tokenHash, principal, { organisationId: principal.organisationId, validUntil: resolved.validUntil });
      }
    }
    if (!principal) {
      request.log.info({ tokenKind: parsed.kind }, 'authentication failed');
      throw unauthenticated('auth.invalid_token', 'The token is unknown, expired or revoked.');
    }
    if (!permits(access, principal)) {
      request.log.info({ principalKind: principal.kind }, 'authorisation refused');
      throw new AppError({ status: 403, code: 'auth.forbidden', title: 'Not allowed', detail: 'Your role or key does not allow this action.' });
    }
    request.principal = principal;
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
