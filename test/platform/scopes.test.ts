import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { accessTokens, createApiKey, createOrganisationWithAdmin } from '../../src/modules/accounts';
import { declaredAccess, SCOPES, type Access, type Scope, type ScopeRequirement } from '../../src/platform/auth';
import { MIGRATIONS_FOLDER, type Database } from '../../src/platform/db';
import { bearer, problemOf, testConfig, useTestApp } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, type SeededOrganisation } from '../helpers/factories';
import { multipart } from '../helpers/multipart';
import { evidenceDefinition } from '../modules/questionnaires/fixtures';

/**
 * Which API key scopes may call each /v1 operation: a scope, or a list the key must hold all of.
 * `[]`: no key (people or suppliers only). This is the contract; the routes and the README agree with it.
 */
const EVERY_SCOPE: ScopeRequirement[] = ['scores:read', 'procurements:read', 'responses:read', 'responses:read-confidential', 'reports:read', 'questionnaires:read', 'webhooks:manage', 'audit:read'];
const SCOPE_TABLE: Record<string, 'public' | ScopeRequirement[]> = {
  'POST /v1/setup': 'public',
  'GET /v1/me': EVERY_SCOPE,
  'POST /v1/users': [],
  'GET /v1/users': [],
  'GET /v1/users/{id}': [],
  'PATCH /v1/users/{id}': [],
  'POST /v1/api-keys': [],
  'GET /v1/api-keys': [],
  'POST /v1/api-keys/{id}/revoke': [],
  'POST /v1/me/tokens': [],
  'GET /v1/me/tokens': [],
  'POST /v1/me/tokens/{id}/revoke': [],
  'GET /v1/identity-provider': [],
  'PUT /v1/identity-provider': [],
  'DELETE /v1/identity-provider': [],

  'GET /v1/questionnaires': ['questionnaires:read'],
  'GET /v1/questionnaires/{id}': ['questionnaires:read'],
  'GET /v1/questionnaires/{id}/export': ['questionnaires:read'],
  'GET /v1/questionnaires/{id}/methodology': ['questionnaires:read'],
  'POST /v1/questionnaires': [],
  'PUT /v1/questionnaires/{id}': [],
  'POST /v1/questionnaires/{id}/publish': [],
  'POST /v1/questionnaires/{id}/clone': [],
  'POST /v1/questionnaires/{id}/archive': [],

  // procurements:read: procurements, invitations, progress; no answers, no evidence.
  'GET /v1/procurements': ['procurements:read'],
  'GET /v1/procurements/{id}': ['procurements:read'],
  'GET /v1/procurements/{id}/invitations': ['procurements:read'],
  'GET /v1/procurements/{id}/responses': ['procurements:read'],
  'POST /v1/procurements': [],
  'PATCH /v1/procurements/{id}': [],
  'POST /v1/procurements/{id}/open': [],
  'POST /v1/procurements/{id}/close': [],
  'POST /v1/procurements/{id}/start-evaluation': [],
  'POST /v1/procurements/{id}/cancel': [],
  'POST /v1/procurements/{id}/invitations': [],
  'POST /v1/invitations/{id}/revoke': [],
  'POST /v1/invitations/{id}/resend': [],
  'POST /v1/invitations/{id}/remind': [],

  // responses:read: answers, evidence, clarifications and the bid team; confidential answers withheld unless responses:read-confidential.
  'GET /v1/responses/{id}': ['responses:read'],
  'GET /v1/responses/{id}/evidence/{evidenceId}': ['responses:read'],
  'GET /v1/responses/{id}/clarifications': ['responses:read'],
  'GET /v1/responses/{id}/integrity-flags': ['responses:read'],
  'GET /v1/responses/{id}/conditions': ['scores:read'],
  'GET /v1/responses/{id}/team': ['responses:read'],
  'POST /v1/responses/{id}/deadline-extension': [],
  'POST /v1/responses/{id}/clarifications': [],

  'GET /v1/supplier/response': [],
  'PUT /v1/supplier/response/answers/{questionKey}': [],
  'PATCH /v1/supplier/response/answers': [],
  'GET /v1/supplier/response/export': [],
  'PUT /v1/supplier/response/import': [],
  'DELETE /v1/supplier/response/answers/{questionKey}': [],
  'POST /v1/supplier/response/evidence': [],
  'GET /v1/supplier/response/evidence': [],
  'GET /v1/supplier/response/evidence/{evidenceId}': [],
  'DELETE /v1/supplier/response/evidence/{evidenceId}': [],
  'POST /v1/supplier/response/submit': [],
  'POST /v1/supplier/response/withdraw': [],
  'GET /v1/supplier/response/receipt.pdf': [],
  'GET /v1/supplier/response/clarifications': [],
  'GET /v1/supplier/response/clarifications/{clarificationId}': [],
  'POST /v1/supplier/response/clarifications/{clarificationId}/reply': [],

  // scores:read: numbers, ratings, gateways; no answer text.
  'GET /v1/responses/{id}/evaluation': ['scores:read'],
  'GET /v1/procurements/{id}/results': ['scores:read'],
  'GET /v1/procurements/{id}/comparison': ['scores:read'],
  'GET /v1/scores': ['scores:read'],
  'GET /v1/procurements/{id}/results.csv': ['scores:read'],
  'GET /v1/procurements/{id}/comparison.xlsx': ['scores:read'],
  'GET /v1/procurements/{id}/ocds': ['scores:read'],
  'GET /v1/procurements/{id}/ocds/record': ['scores:read'],
  // Sign-offs hold no score: keys with scores:read read them; recording one is a person's act, never a key's.
  'GET /v1/procurements/{id}/approvals': ['scores:read'],
  'POST /v1/procurements/{id}/approvals': [],
  'POST /v1/procurements/{id}/declarations': [],
  'GET /v1/procurements/{id}/declarations': [],
  'POST /v1/procurements/{id}/declarations/{declarationId}/mitigation': [],
  'GET /v1/responses/{id}/panel-view': [],
  'GET /v1/responses/{id}/panel-view/evidence/{evidenceId}': [],
  'PUT /v1/responses/{id}/marks/{questionKey}': [],
  'GET /v1/responses/{id}/marks': [],
  'POST /v1/responses/{id}/marks/submit': [],
  'PUT /v1/responses/{id}/moderation/{questionKey}': [],
  'PUT /v1/responses/{id}/gateways/{questionKey}': [],
  'POST /v1/responses/{id}/evaluation/finalise': [],
  'POST /v1/responses/{id}/clarifications/{clarificationId}/amendment-decision': [],
  'PUT /v1/responses/{id}/integrity-flags/{flagId}/action': [],
  'PUT /v1/responses/{id}/conditions/{conditionId}': [],
  'POST /v1/procurements/{id}/evaluations/recompute': [],
  'POST /v1/procurements/{id}/decision': [],

  // reports:read: the PDF reports; the evaluation report reproduces confidential answers.
  'GET /v1/responses/{id}/report.pdf': [['reports:read', 'responses:read-confidential']],
  'GET /v1/procurements/{id}/comparison.pdf': ['reports:read'],
  'GET /v1/responses/{id}/assessment-summary.pdf': ['reports:read'],
  // The draft transparency (ATRS) record holds no confidential answer.
  'GET /v1/responses/{id}/atrs.json': ['reports:read'],
  'GET /v1/responses/{id}/atrs.pdf': ['reports:read'],

  'POST /v1/webhooks': ['webhooks:manage'],
  'GET /v1/webhooks': ['webhooks:manage'],
  'GET /v1/webhooks/{id}': ['webhooks:manage'],
  'DELETE /v1/webhooks/{id}': ['webhooks:manage'],
  'POST /v1/webhooks/{id}/enable': ['webhooks:manage'],
  'POST /v1/webhooks/{id}/rotate-secret': ['webhooks:manage'],
  'GET /v1/webhooks/{id}/deliveries': ['webhooks:manage'],
  'POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver': ['webhooks:manage'],
  'POST /v1/webhooks/{id}/test': ['webhooks:manage'],

  'GET /v1/audit-events': ['audit:read'],
  'GET /v1/outbox': [],
};

const operationOf = (method: string, url: string) => `${method} ${url.replace(/:(\w+)/g, '{$1}')}`;
/** Order-free form of a list of requirements, to compare a route's declaration with the table. */
const normalised = (access: 'public' | readonly ScopeRequirement[]) =>
  access === 'public' ? 'public' : access.map((r) => (typeof r === 'string' ? r : [...r].sort().join(' + '))).sort();
const declaredScopes = (access: Access) => (access === 'public' ? 'public' : (access.scopes ?? []));
const singleScopes = (allowed: readonly ScopeRequirement[]) => new Set(allowed.flatMap((r) => (typeof r === 'string' ? [r] : r.length === 1 ? [r[0]!] : [])));

const nonPublic = Object.entries(SCOPE_TABLE).filter((entry): entry is [string, ScopeRequirement[]] => entry[1] !== 'public');
const oneScopeCases = nonPublic.flatMap(([operation, allowed]) =>
  SCOPES.map((scope) => ({ operation, scope, expected: singleScopes(allowed).has(scope) ? 'allowed' : 'refused' })),
);
const combinedCases = nonPublic.flatMap(([operation, allowed]) => allowed.filter((r): r is readonly Scope[] => typeof r !== 'string' && r.length > 1).map((scopes) => ({ operation, scopes })));

type World = { org: SeededOrganisation; ids: Record<'procurementId' | 'responseId' | 'questionnaireId' | 'invitationId' | 'evidenceId', string> };

/** One organisation with an open procurement and a submitted response with an evidence file, so the ids in each path exist. */
async function seedWorld(ctx: ReturnType<typeof useTestApp>): Promise<World> {
  const org = await seedOrganisation(ctx);
  const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
  const supplier = await seedInvitation(ctx, org, procurementId);
  const imported = await ctx.app.inject({
    method: 'PUT',
    url: '/v1/supplier/response/import',
    headers: bearer(supplier.token),
    payload: { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 12, confidential: true, confidentialReason: 'Staffing model' } } },
  });
  expect(imported.statusCode, imported.body).toBe(200);
  let evidenceId = '';
  for (const questionKey of ['b.hours', 'b.policy']) {
    const body = multipart({ fields: { questionKey }, files: [{ filename: `${questionKey}.txt`, contentType: 'text/plain', bytes: Buffer.from(`Evidence for ${questionKey}`) }] });
    const uploaded = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(supplier.token), ...body.headers }, payload: body.payload });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    evidenceId = uploaded.json().evidence.id;
  }
  const submitted = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/submit', headers: bearer(supplier.token), payload: { declaration: true } });
  expect(submitted.statusCode, submitted.body).toBe(200);
  const procurement = (await ctx.app.inject({ method: 'GET', url: `/v1/procurements/${procurementId}`, headers: bearer(org.admin.token) })).json();
  return { org, ids: { procurementId, responseId: supplier.responseId, questionnaireId: procurement.questionnaire.id, invitationId: supplier.id, evidenceId } };
}

/** The operation's path with the world's ids in it (a fresh UUID where the world has no such object). */
function urlOf(operation: string, ids: World['ids']): string {
  const template = operation.split(' ')[1]!;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'evidenceId') return ids.evidenceId;
    if (name === 'questionKey') return 'a.training';
    if (name !== 'id') return randomUUID();
    if (template.startsWith('/v1/procurements/')) return ids.procurementId;
    if (template.startsWith('/v1/responses/')) return ids.responseId;
    if (template.startsWith('/v1/questionnaires/')) return ids.questionnaireId;
    if (template.startsWith('/v1/invitations/')) return ids.invitationId;
    return randomUUID();
  });
}

describe('API key scopes: the table, the routes and the document agree', () => {
  const ctx = useTestApp();

  it('has exactly one table entry for every /v1 operation the app registers, and each route declares the scopes of its entry', () => {
    const routes = declaredAccess(ctx.app);
    expect(routes.length).toBeGreaterThan(0);
    const declared = Object.fromEntries(routes.map((route) => [operationOf(route.method, route.url), normalised(declaredScopes(route.access))]));
    expect(Object.keys(declared).sort()).toEqual(Object.keys(SCOPE_TABLE).sort());
    expect(declared).toEqual(Object.fromEntries(Object.entries(SCOPE_TABLE).map(([operation, allowed]) => [operation, normalised(allowed)])));
  });

  it('documents the same operations, each with the scopes of its entry (`x-scopes`), in the OpenAPI document', () => {
    const document = ctx.app.swagger() as { paths: Record<string, Record<string, { 'x-scopes'?: ScopeRequirement[] }>> };
    const documented = Object.fromEntries(
      Object.entries(document.paths)
        .filter(([url]) => url.startsWith('/v1/'))
        .flatMap(([url, operations]) =>
          Object.entries(operations)
            .filter(([method]) => ['get', 'put', 'post', 'patch', 'delete'].includes(method))
            .map(([method, operation]) => [`${method.toUpperCase()} ${url}`, normalised(operation['x-scopes'] ?? ['(not documented)' as Scope])]),
        ),
    );
    // A public operation documents no scopes: no key is needed.
    expect(documented).toEqual(Object.fromEntries(Object.entries(SCOPE_TABLE).map(([operation, allowed]) => [operation, normalised(allowed === 'public' ? [] : allowed)])));
  });

  it('explains every scope in the README’s Scopes table', () => {
    const readme = readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    const start = readme.indexOf('### Scopes\n');
    expect(start).toBeGreaterThan(0);
    const table = readme.slice(start, readme.indexOf('\n#', start + 1));
    const rows = [...table.matchAll(/^\| `([a-z:-]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...SCOPES].sort());
  });

  it('creates keys with each new scope and shows them in GET /v1/me', async () => {
    const org = await seedOrganisation(ctx);
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(org.admin.token),
      payload: { name: 'Reports robot', scopes: ['reports:read', 'responses:read-confidential', 'responses:read'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().apiKey.scopes).toEqual(['reports:read', 'responses:read', 'responses:read-confidential']);
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(created.json().token) });
    expect(me.json()).toMatchObject({ kind: 'api_key', apiKey: { scopes: ['reports:read', 'responses:read', 'responses:read-confidential'] } });
    const unknown = await ctx.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(org.admin.token), payload: { name: 'k', scopes: ['answers:read'] } });
    expect([unknown.statusCode, problemOf(unknown).code]).toEqual([422, 'request.validation_failed']);
  });
});

describe('API key scopes: what a key with each scope may call', () => {
  const ctx = useTestApp({ truncate: false });
  let world: World;
  const keys = new Map<string, string>();
  let foreignKey = '';

  beforeAll(async () => {
    world = await seedWorld(ctx);
    for (const scope of SCOPES) keys.set(scope, (await seedApiKey(ctx, world.org, { scopes: [scope], name: `only ${scope}` })).token);
    for (const { scopes } of combinedCases) keys.set(scopes.join(' + '), (await seedApiKey(ctx, world.org, { scopes: [...scopes] })).token);
    foreignKey = (await seedApiKey(ctx, await seedOrganisation(ctx), { scopes: [...SCOPES] })).token;
  });

  const call = (operation: string, token: string) => {
    const [method] = operation.split(' ') as ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'];
    return ctx.app.inject({ method, url: urlOf(operation, world.ids), headers: bearer(token), ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
  };

  it.each(oneScopeCases)('$operation with only $scope: $expected', async ({ operation, scope, expected }) => {
    const response = await call(operation, keys.get(scope)!);
    if (expected === 'refused') {
      expect([response.statusCode, problemOf(response).code]).toEqual([403, 'auth.forbidden']);
    } else {
      // Allowed: whatever the answer (200, 404 for an id that is not there, 400 for an empty body), it is not about who is asking.
      expect([401, 403], response.body.slice(0, 300)).not.toContain(response.statusCode);
      expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
    }
  });

  it.each(combinedCases)('$operation with $scopes together: allowed', async ({ operation, scopes }) => {
    const response = await call(operation, keys.get(scopes.join(' + '))!);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  });

  const foreignCases = Object.keys(SCOPE_TABLE).filter((operation) => operation.startsWith('GET ') && /\{id\}/.test(operation) && SCOPE_TABLE[operation] !== 'public' && SCOPE_TABLE[operation]!.length > 0 && !operation.includes('/webhooks/'));
  it.each(foreignCases)('%s: another organisation’s key, holding every scope, gets 404', async (operation) => {
    const response = await call(operation, foreignKey);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(404);
  });
});

describe('the 0017 migration gives existing keys the nearest safe scopes', () => {
  const MIGRATION = '0017_api_key_scopes';

  /** Applies the committed migrations before `tag` only, from a copy of the folder cut there. */
  async function migrateBefore(database: Database, tag: string) {
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
    const cut = journal.entries.findIndex((entry) => entry.tag === tag);
    expect(cut, `${tag} is in the journal`).toBeGreaterThan(0);
    const folder = mkdtempSync(path.join(tmpdir(), 'aidd-migrations-'));
    try {
      mkdirSync(path.join(folder, 'meta'));
      const entries = journal.entries.slice(0, cut);
      writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
      for (const entry of entries) copyFileSync(path.join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
      if (database.kind === 'embedded') await migratePglite(database.db as never, { migrationsFolder: folder });
      else await migrateNodePg(database.db as never, { migrationsFolder: folder });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it('adds responses:read to every procurements:read key, and nothing else to any key', async () => {
    const testDb = await createTestDatabase({ migrate: false });
    try {
      const { db } = testDb.database;
      await migrateBefore(testDb.database, MIGRATION);
      const now = new Date('2026-11-26T12:00:00.000Z');
      const { organisation, user } = await createOrganisationWithAdmin({ db, now, organisationName: 'Old Council', adminEmail: 'admin@old.example.gov.uk', adminName: 'Ada' });
      const principal = { kind: 'user' as const, organisationId: organisation.id, userId: user.id, role: 'admin' as const, tokenId: 'seed' };
      const old: Record<string, string[]> = {
        procurements: ['procurements:read'],
        both: ['procurements:read', 'scores:read'],
        scores: ['scores:read'],
        everything: ['audit:read', 'procurements:read', 'questionnaires:read', 'scores:read', 'webhooks:manage'],
        others: ['questionnaires:read', 'webhooks:manage'],
        revoked: ['procurements:read'],
      };
      const made: Record<string, { id: string; token: string }> = {};
      for (const [name, scopes] of Object.entries(old)) {
        const { apiKey, token } = await createApiKey({ db, now, principal, name, scopes: scopes as Scope[] });
        made[name] = { id: apiKey.id, token };
      }
      await db.update(accessTokens).set({ revokedAt: now }).where(eq(accessTokens.id, made.revoked!.id));

      await testDb.database.migrate();

      const rows = await db.select({ name: accessTokens.name, kind: accessTokens.kind, scopes: accessTokens.scopes }).from(accessTokens);
      expect(Object.fromEntries(rows.filter((r) => r.kind === 'key').map((r) => [r.name, r.scopes]))).toEqual({
        procurements: ['procurements:read', 'responses:read'],
        both: ['procurements:read', 'responses:read', 'scores:read'],
        scores: ['scores:read'],
        everything: ['audit:read', 'procurements:read', 'questionnaires:read', 'responses:read', 'scores:read', 'webhooks:manage'],
        others: ['questionnaires:read', 'webhooks:manage'],
        revoked: ['procurements:read', 'responses:read'],
      });
      // Personal tokens carry no scopes and are untouched.
      expect(rows.filter((r) => r.kind === 'pat').map((r) => r.scopes)).toEqual([[]]);

      // The key's own view says what it may now do.
      const app = await buildApp({ config: testConfig(), database: testDb.database, now: () => now, logger: false });
      try {
        const me = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(made.both!.token) });
        expect(me.json()).toMatchObject({ kind: 'api_key', apiKey: { id: made.both!.id, scopes: ['procurements:read', 'responses:read', 'scores:read'] } });
      } finally {
        await app.close();
      }
    } finally {
      await testDb.close();
    }
  }, 120_000); // a fresh database migrated from nothing, in two steps: slow on a busy machine
});
