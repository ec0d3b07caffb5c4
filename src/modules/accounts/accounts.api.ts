import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf, userOf } from '../../platform/auth';
import { createOrganisationCache, type OrganisationCache } from '../../platform/cache';
import { constantTimeEqual } from '../../platform/crypto';
import { problemSchema } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { pageQuerySchema, pageSchema } from '../../platform/pagination';
import { accountsErrors, expiryInPast } from './accounts.errors';
import * as s from './accounts.schemas';
import * as usecases from './accounts.usecases';
import type { Me } from './accounts.usecases';

const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 422: problemSchema };
const ADMIN = { roles: ['admin'] } as const;
const ANY_USER = { roles: ['admin', 'officer', 'evaluator', 'viewer'] } as const;

function futureOrThrow(value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  const when = new Date(value);
  if (when <= now) throw expiryInPast();
  return when;
}

export function registerSetupRoute(app: FastifyInstance, { database, config, now }: AppDeps): void {
  zodApp(app).post(
    '/v1/setup',
    {
      config: { access: 'public' },
      schema: {
        tags: ['accounts'],
        summary: 'Create the first organisation and its admin',
        description:
          'Works only while no organisation exists, with the setup token (SETUP_TOKEN, or the one printed in the log at start) in `X-Setup-Token`. Afterwards it answers 409.',
        headers: z.object({ 'x-setup-token': z.string().max(512).optional() }),
        body: s.setupBodySchema,
        response: { 201: s.setupResponseSchema, ...problems },
      },
    },
    async (request, reply) => {
      if (!config.setupToken) throw accountsErrors.setupDisabled();
      if (await usecases.isSetupComplete({ db: database.db })) throw accountsErrors.setupDone();
      const presented = request.headers['x-setup-token'];
      if (!presented || !constantTimeEqual(presented, config.setupToken)) throw accountsErrors.setupTokenInvalid();
      const result = await usecases.setupFirstOrganisation({ db: database.db, now: now(), ...request.body });
      return reply.code(201).send(result);
    },
  );
}

/** Who may do what changed in this organisation: forget what this instance remembered of it. */
function forgetAccess({ principalCache, meCache }: { principalCache: AppDeps['principalCache']; meCache: OrganisationCache<Me> }, organisationId: string): void {
  principalCache.forgetOrganisation(organisationId);
  meCache.forgetOrganisation(organisationId);
}

function registerMe(app: FastifyInstance, { database }: AppDeps, meCache: OrganisationCache<Me>): void {
  zodApp(app).get(
    '/v1/me',
    {
      config: { access: { ...ANY_USER, scopes: ['scores:read', 'procurements:read', 'questionnaires:read', 'webhooks:manage', 'audit:read'] } },
      schema: {
        tags: ['accounts'],
        summary: 'Who am I',
        description: 'The user or API key behind the bearer token, and its organisation.',
        response: { 200: s.meSchema, ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      // An integration may call this on every poll; the identity is remembered as long as the token is.
      const key = principal.kind === 'user' ? `user:${principal.userId}` : principal.kind === 'api_key' ? `key:${principal.apiKeyId}` : '';
      const cached = meCache.get(key);
      if (cached) return cached;
      const me = await usecases.getMe({ db: database.db, principal });
      meCache.set(key, me, { organisationId: principal.organisationId });
      return me;
    },
  );
}

function registerUsers(app: FastifyInstance, { database, now, principalCache }: AppDeps, meCache: OrganisationCache<Me>): void {
  const r = zodApp(app);
  r.post(
    '/v1/users',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        summary: 'Add a user',
        description: "Returns the new user's first personal token once; hand it to them securely.",
        body: s.createUserBodySchema,
        response: { 201: s.createdUserSchema, ...problems },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await usecases.createUser({ db: database.db, now: now(), principal: principalOf(request), ...request.body })),
  );
  r.get(
    '/v1/users',
    {
      config: { access: ADMIN },
      schema: { tags: ['accounts'], summary: 'List users', querystring: pageQuerySchema, response: { 200: pageSchema(s.userSchema), ...problems } },
    },
    async (request) => usecases.listUsers({ db: database.db, principal: principalOf(request), ...request.query }),
  );
  r.get(
    '/v1/users/:id',
    {
      config: { access: ADMIN },
      schema: { tags: ['accounts'], summary: 'Get a user', params: s.idParamsSchema, response: { 200: s.userSchema, ...problems } },
    },
    async (request) => usecases.getUser({ db: database.db, principal: principalOf(request), id: request.params.id }),
  );
  r.patch(
    '/v1/users/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        summary: "Change a user's role, name, or deactivate them",
        description: "A deactivated user's tokens stop working at once. The last active admin cannot be demoted or deactivated.",
        params: s.idParamsSchema,
        body: s.updateUserBodySchema,
        response: { 200: s.userSchema, ...problems },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const user = await usecases.updateUser({ db: database.db, now: now(), principal, id: request.params.id, changes: request.body });
      forgetAccess({ principalCache, meCache }, principal.organisationId);
      return user;
    },
  );
}

function registerApiKeys(app: FastifyInstance, { database, now, principalCache }: AppDeps, meCache: OrganisationCache<Me>): void {
  const r = zodApp(app);
  r.post(
    '/v1/api-keys',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        summary: 'Create an organisation API key',
        description: 'For integrations. The key carries scopes, not a role. The secret is returned once.',
        body: s.createApiKeyBodySchema,
        response: { 201: s.createdApiKeySchema, ...problems },
      },
    },
    async (request, reply) => {
      const at = now();
      const result = await usecases.createApiKey({
        db: database.db,
        now: at,
        principal: principalOf(request),
        name: request.body.name,
        scopes: request.body.scopes,
        expiresAt: futureOrThrow(request.body.expiresAt, at),
      });
      return reply.code(201).send(result);
    },
  );
  r.get(
    '/v1/api-keys',
    {
      config: { access: ADMIN },
      schema: { tags: ['accounts'], summary: 'List API keys', querystring: pageQuerySchema, response: { 200: pageSchema(s.apiKeySchema), ...problems } },
    },
    async (request) => usecases.listApiKeys({ db: database.db, principal: principalOf(request), ...request.query }),
  );
  r.post(
    '/v1/api-keys/:id/revoke',
    {
      config: { access: ADMIN },
      schema: { tags: ['accounts'], summary: 'Revoke an API key', params: s.idParamsSchema, response: { 200: s.apiKeySchema, ...problems } },
    },
    async (request) => {
      const principal = principalOf(request);
      const apiKey = await usecases.revokeApiKey({ db: database.db, now: now(), principal, id: request.params.id });
      forgetAccess({ principalCache, meCache }, principal.organisationId);
      return apiKey;
    },
  );
}

function registerPersonalTokens(app: FastifyInstance, { database, now, principalCache }: AppDeps, meCache: OrganisationCache<Me>): void {
  const r = zodApp(app);
  r.post(
    '/v1/me/tokens',
    {
      config: { access: ANY_USER },
      schema: {
        tags: ['accounts'],
        summary: 'Create a personal access token',
        description: 'The token acts with your role. The secret is returned once.',
        body: s.createPersonalTokenBodySchema,
        response: { 201: s.createdPersonalTokenSchema, ...problems },
      },
    },
    async (request, reply) => {
      const at = now();
      const result = await usecases.createPersonalToken({
        db: database.db,
        now: at,
        principal: userOf(request),
        name: request.body.name,
        expiresAt: futureOrThrow(request.body.expiresAt, at),
      });
      return reply.code(201).send(result);
    },
  );
  r.get(
    '/v1/me/tokens',
    {
      config: { access: ANY_USER },
      schema: { tags: ['accounts'], summary: 'List your personal tokens', querystring: pageQuerySchema, response: { 200: pageSchema(s.personalTokenSchema), ...problems } },
    },
    async (request) => usecases.listPersonalTokens({ db: database.db, principal: userOf(request), ...request.query }),
  );
  r.post(
    '/v1/me/tokens/:id/revoke',
    {
      config: { access: ANY_USER },
      schema: { tags: ['accounts'], summary: 'Revoke one of your personal tokens', params: s.idParamsSchema, response: { 200: s.personalTokenSchema, ...problems } },
    },
    async (request) => {
      const principal = userOf(request);
      const token = await usecases.revokePersonalToken({ db: database.db, now: now(), principal, id: request.params.id });
      forgetAccess({ principalCache, meCache }, principal.organisationId);
      return token;
    },
  );
}

export function registerAccountsApi(app: FastifyInstance, deps: AppDeps): void {
  registerSetupRoute(app, deps);
  const meCache = createOrganisationCache<Me>({ ttlMs: deps.config.authCacheTtlMs, now: deps.now });
  registerMe(app, deps, meCache);
  registerUsers(app, deps, meCache);
  registerApiKeys(app, deps, meCache);
  registerPersonalTokens(app, deps, meCache);
}
