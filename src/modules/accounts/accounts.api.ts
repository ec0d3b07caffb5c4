import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf, SCOPES, userOf } from '../../platform/auth';
import { createOrganisationCache, type OrganisationCache } from '../../platform/cache';
import { constantTimeEqual } from '../../platform/crypto';
import { problemResponses } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { documentErrors, withExample } from '../../platform/http/openapi';
import { pageQuerySchema, pageSchema } from '../../platform/pagination';
import { accountsErrors, expiryInPast } from './accounts.errors';
import * as s from './accounts.schemas';
import * as usecases from './accounts.usecases';
import type { Me } from './accounts.usecases';
import { accountsAuditNames } from './accounts.audit-names';

const ADMIN = { roles: ['admin'] } as const;
const ANY_USER = { roles: ['admin', 'officer', 'evaluator', 'viewer'] } as const;

function futureOrThrow(value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  const when = new Date(value);
  if (when <= now) throw expiryInPast();
  return when;
}

export function registerSetupRoute(app: FastifyInstance, { database, config, now, rateLimits }: AppDeps): void {
  zodApp(app).post(
    '/v1/setup',
    {
      config: { access: 'public', checksCredential: 'setup' },
      schema: {
        tags: ['accounts'],
        operationId: 'createFirstOrganisation',
        summary: 'Create the first organisation and its admin',
        description:
          'Works only while no organisation exists, with the setup token (SETUP_TOKEN, or the one printed in the log at start) in `X-Setup-Token`. Afterwards it answers 409.',
        security: [{ setupToken: [] }],
        headers: z.object({ 'x-setup-token': z.string().max(512).optional() }),
        body: withExample(s.setupBodySchema, { organisationName: 'Borsetshire County Council', adminEmail: 'digital.lead@borsetshire.gov.uk', adminName: 'Priya Shah' }),
        response: { 201: s.setupResponseSchema, ...problemResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      if (!config.setupToken) throw accountsErrors.setupDisabled();
      if (await usecases.isSetupComplete({ db: database.db })) throw accountsErrors.setupDone();
      const presented = request.headers['x-setup-token'];
      if (!presented || !constantTimeEqual(presented, config.setupToken)) {
        await rateLimits.authenticationFailed({ request, reply });
        throw accountsErrors.setupTokenInvalid();
      }
      const result = await usecases.setupFirstOrganisation({ db: database.db, now: now(), ...request.body });
      return reply.code(201).send(result);
    },
  );
}

function registerMe(app: FastifyInstance, { database }: AppDeps, meCache: OrganisationCache<Me>): void {
  zodApp(app).get(
    '/v1/me',
    {
      config: { access: { ...ANY_USER, scopes: SCOPES } },
      schema: {
        tags: ['accounts'],
        operationId: 'getMe',
        summary: 'Who am I',
        description: 'The user or API key behind the bearer token, and its organisation.',
        response: { 200: s.meSchema },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      // An integration may call this on every poll; the identity is remembered as long as the token is.
      const key = principal.kind === 'user' ? `user:${principal.userId}` : principal.kind === 'api_key' ? `key:${principal.apiKeyId}` : '';
      const cached = meCache.get(key);
      if (cached) return cached;
      const since = meCache.generation();
      const me = await usecases.getMe({ db: database.db, principal });
      meCache.set(key, me, { organisationId: principal.organisationId, since });
      return me;
    },
  );
}

function registerUsers(app: FastifyInstance, { database, now, accessChanges }: AppDeps): void {
  const r = zodApp(app);
  r.post(
    '/v1/users',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        operationId: 'createUser',
        summary: 'Add a user',
        description: "Returns the new user's first personal token once; hand it to them securely.",
        body: s.createUserBodySchema,
        responseHeaders: { 201: ['Location'] },
        response: { 201: s.createdUserSchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const created = await usecases.createUser({ db: database.db, now: now(), principal: principalOf(request), ...request.body });
      return reply.code(201).header('location', `/v1/users/${created.user.id}`).send(created);
    },
  );
  r.get(
    '/v1/users',
    {
      config: { access: ADMIN },
      schema: { tags: ['accounts'], operationId: 'listUsers', summary: 'List users', querystring: pageQuerySchema, response: { 200: pageSchema(s.userSchema) } },
    },
    async (request) => usecases.listUsers({ db: database.db, principal: principalOf(request), ...request.query }),
  );
  r.get(
    '/v1/users/:id',
    {
      config: { access: ADMIN },
      schema: { tags: ['accounts'], operationId: 'getUser', summary: 'Get a user', params: s.idParamsSchema, response: { 200: s.userSchema } },
    },
    async (request) => usecases.getUser({ db: database.db, principal: principalOf(request), id: request.params.id }),
  );
  r.patch(
    '/v1/users/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        operationId: 'updateUser',
        summary: "Change a user's role, name, or deactivate them",
        description: "A deactivated user's tokens stop working at once. The last active admin cannot be demoted or deactivated.",
        params: s.idParamsSchema,
        body: s.updateUserBodySchema,
        response: { 200: s.userSchema, ...problemResponses(409) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      // Every instance forgets this organisation's cached access once the change commits.
      return accessChanges.apply({ db: database.db, organisationId: principal.organisationId }, (tx) =>
        usecases.updateUser({ db: tx, now: now(), principal, id: request.params.id, changes: request.body }),
      );
    },
  );
}

function registerApiKeys(app: FastifyInstance, { database, now, accessChanges }: AppDeps): void {
  const r = zodApp(app);
  r.post(
    '/v1/api-keys',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        operationId: 'createApiKey',
        summary: 'Create an organisation API key',
        description:
          'For integrations. The key carries scopes, not a role; give it only those it needs (`responses:read-confidential` only widens `responses:read`, `scores:read` and `reports:read` to confidential answers). The secret is returned once.',
        body: withExample(s.createApiKeyBodySchema, { name: 'Contract register sync', scopes: ['scores:read', 'procurements:read'], expiresAt: '2027-12-31T23:59:59Z' }),
        response: { 201: s.createdApiKeySchema },
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
      schema: { tags: ['accounts'], operationId: 'listApiKeys', summary: 'List API keys', querystring: pageQuerySchema, response: { 200: pageSchema(s.apiKeySchema) } },
    },
    async (request) => usecases.listApiKeys({ db: database.db, principal: principalOf(request), ...request.query }),
  );
  r.post(
    '/v1/api-keys/:id/revoke',
    {
      config: { access: ADMIN },
      schema: { tags: ['accounts'], operationId: 'revokeApiKey', summary: 'Revoke an API key', params: s.idParamsSchema, response: { 200: s.apiKeySchema } },
    },
    async (request) => {
      const principal = principalOf(request);
      return accessChanges.apply({ db: database.db, organisationId: principal.organisationId }, (tx) => usecases.revokeApiKey({ db: tx, now: now(), principal, id: request.params.id }));
    },
  );
}

function registerPersonalTokens(app: FastifyInstance, { database, now, accessChanges }: AppDeps): void {
  const r = zodApp(app);
  r.post(
    '/v1/me/tokens',
    {
      config: { access: ANY_USER },
      schema: {
        tags: ['accounts'],
        operationId: 'createPersonalToken',
        summary: 'Create a personal access token',
        description: 'The token acts with your role. The secret is returned once.',
        body: s.createPersonalTokenBodySchema,
        response: { 201: s.createdPersonalTokenSchema },
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
      schema: { tags: ['accounts'], operationId: 'listPersonalTokens', summary: 'List your personal tokens', querystring: pageQuerySchema, response: { 200: pageSchema(s.personalTokenSchema) } },
    },
    async (request) => usecases.listPersonalTokens({ db: database.db, principal: userOf(request), ...request.query }),
  );
  r.post(
    '/v1/me/tokens/:id/revoke',
    {
      config: { access: ANY_USER },
      schema: { tags: ['accounts'], operationId: 'revokePersonalToken', summary: 'Revoke one of your personal tokens', params: s.idParamsSchema, response: { 200: s.personalTokenSchema } },
    },
    async (request) => {
      const principal = userOf(request);
      return accessChanges.apply({ db: database.db, organisationId: principal.organisationId }, (tx) => usecases.revokePersonalToken({ db: tx, now: now(), principal, id: request.params.id }));
    },
  );
}

export function registerAccountsApi(app: FastifyInstance, deps: AppDeps): void {
  documentErrors(app, accountsErrors, { expiryInPast });
  registerSetupRoute(app, deps);
  const meCache = createOrganisationCache<Me>({ ttlMs: deps.config.authCacheTtlMs, now: deps.now });
  // Forgotten with the principals whenever access changes, on this instance or another.
  deps.accessChanges.track(meCache);
  registerMe(app, deps, meCache);
  deps.hooks.auditNames.push(accountsAuditNames);
  registerUsers(app, deps);
  registerApiKeys(app, deps);
  registerPersonalTokens(app, deps);
}
