import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { sql } from 'drizzle-orm';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventPayload, type EventRecord } from '../../src/modules/integrations/webhooks.models';
import { declaredAccess } from '../../src/platform/auth';
import { queryRows } from '../../src/platform/db';
import { EVENT_TYPES } from '../../src/platform/events';
import { bearer, useTestApp } from '../helpers/app';
import { createContractChecker } from '../helpers/contract';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../helpers/factories';
import { smallDefinition } from '../modules/questionnaires/fixtures';

const root = path.resolve(import.meta.dirname, '../..');
// Spawned tools and a type check of the generated client: slow on a busy machine, never stuck.
const SLOW = 300_000;

type Operation = { operationId?: string; summary?: string; description?: string; security?: unknown; responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>; 'x-roles'?: string[]; 'x-scopes'?: string[]; 'x-supplier'?: boolean };
type Document = { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>>; webhooks?: Record<string, unknown>; servers?: Array<{ url: string }> };

describe('the OpenAPI document, as outside tools read it', () => {
  const ctx = useTestApp({ truncate: false });
  let document: Document;
  let folder: string;

  beforeAll(async () => {
    document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    folder = mkdtempSync(path.join(tmpdir(), 'aidd-openapi-'));
    writeFileSync(path.join(folder, 'openapi.json'), JSON.stringify(document, null, 2));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is valid for @apidevtools/swagger-parser, every $ref resolving', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('has no errors under Redocly lint with the recommended rules (redocly.yaml)', () => {
    const result = spawnSync(path.join(root, 'node_modules/.bin/redocly'), ['lint', path.join(folder, 'openapi.json'), '--config', path.join(root, 'redocly.yaml'), '--format=json'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: SLOW,
    });
    const report = JSON.parse(result.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }> };
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(errors).toEqual([]);
    const warnings = report.problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} at ${p.location[0]?.pointer}`);
    expect(warnings).toEqual([]);
  }, SLOW);

  it('gives a typed client (openapi-typescript) whose condition tree is recursive and whose PDFs are not JSON', async () => {
    const types = astToString(await openapiTS(structuredClone(document) as never, { silent: true }));
    writeFileSync(path.join(folder, 'api.d.ts'), types);
    writeFileSync(
      path.join(folder, 'use.ts'),
      `import type { components, paths } from './api';
type Condition = components['schemas']['Condition'];

export const real: Condition = {
  all: [
    { equals: { question: 'uses_personal_data', value: 'yes' } },
    { any: [{ in: { triage: 'service_area', values: ['adult_social_care', 'housing'] } }, { not: { answered: { question: 'dpia_link' } } }, { gte: { question: 'users', value: 1000 } }] },
  ],
};
export const showIf: components['schemas']['QuestionnaireDefinition']['sections'][number]['questions'][number]['showIf'] = { not: { all: [real] } };

// @ts-expect-error an operand needs the value it is compared with
export const missingValue: Condition = { all: [{ equals: { question: 'x' } }] };
// @ts-expect-error no such operator
export const unknownOperator: Condition = { any: [{ sometimes: { question: 'x', value: 'y' } }] };
// @ts-expect-error 'any' takes a list of conditions, not one
export const notAList: Condition = { any: { answered: { question: 'x' } } };

type Report = paths['/v1/responses/{id}/report.pdf']['get']['responses'][200]['content'];
export const pdf: Report['application/pdf'] = 'JVBERi0x';
// @ts-expect-error the report is a PDF, not JSON
export type ReportAsJson = Report['application/json'];
export type Problem = paths['/v1/procurements/{id}']['get']['responses'][404]['content']['application/problem+json']['code'];
`,
    );
    const result = spawnSync(
      path.join(root, 'node_modules/.bin/tsc'),
      ['--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'Bundler', path.join(folder, 'use.ts')],
      { cwd: folder, encoding: 'utf8', timeout: SLOW },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, SLOW);

  it('names every operation (camelCase, verb first, unique) and gives it a summary', () => {
    const ids: string[] = [];
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.operationId, `${method.toUpperCase()} ${route}`).toMatch(/^(archive|ask|cancel|clear|clone|close|create|decide|declare|delete|download|enable|export|extend|finalise|get|import|invite|list|moderate|open|publish|recompute|record|redeliver|remind|replace|reply|resend|revoke|rotate|save|send|start|submit|update|upload|withdraw)[A-Z][A-Za-z]*$/);
        expect(operation.summary, `${method.toUpperCase()} ${route}`).toMatch(/\w/);
        ids.push(operation.operationId!);
      }
    }
    expect(ids.length).toBeGreaterThanOrEqual(91);
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.paths['/v1/procurements']!.get!.operationId).toBe('listProcurements');
    expect(document.paths['/v1/procurements/{id}/open']!.post!.operationId).toBe('openProcurement');
    expect(document.paths['/v1/supplier/response/receipt.pdf']!.get!.operationId).toBe('getSupplierReceipt');
  });

  it('says who may call each operation, in words and as x-roles / x-scopes / x-supplier, from the route’s own access', () => {
    const get = document.paths['/v1/procurements/{id}']!.get!;
    expect(get['x-roles']).toEqual(['admin', 'officer', 'evaluator', 'viewer']);
    expect(get['x-scopes']).toEqual(['procurements:read']);
    expect(get.description).toContain('Who may call: roles admin, officer, evaluator, viewer; API key scopes procurements:read.');
    const save = document.paths['/v1/supplier/response/answers/{questionKey}']!.put!;
    expect(save['x-supplier']).toBe(true);
    expect(save['x-roles']).toEqual([]);
    expect(save.description).toContain('Who may call: the supplier, with its invitation token.');
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.description, `${method.toUpperCase()} ${route}`).toMatch(/Who may call: [^\n]+\.$/);
      }
    }
    // Whatever each route declares in config.access, and nothing else.
    const declared = declaredAccess(ctx.app);
    expect(declared.length).toBeGreaterThanOrEqual(89);
    for (const { method, url, access } of declared) {
      const operation = document.paths[url.replace(/:(\w+)/g, '{$1}')]![method.toLowerCase()]!;
      const [roles, scopes, supplier] = access === 'public' ? [[], [], undefined] : [access.roles ?? [], access.scopes ?? [], access.supplier || undefined];
      expect([operation['x-roles'], operation['x-scopes'], operation['x-supplier']], `${method} ${url}`).toEqual([roles, scopes, supplier]);
    }
  });

  it('declares errors as application/problem+json with one Problem schema that lists the error codes', () => {
    const problem = document.components.schemas!.Problem as { 'x-error-codes': Array<{ code: string; status: number }> };
    const codes = problem['x-error-codes'].map((c) => c.code);
    // Read from the factories: a factory that took its code as an argument would list `…`.
    for (const code of codes) expect(code).toMatch(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/);
    for (const code of ['auth.missing_token', 'auth.forbidden', 'request.validation_failed', 'request.rate_limited', 'procurements.not_found', 'responses.already_submitted', 'evidence.too_large', 'webhooks.address_not_allowed']) {
      expect(codes).toContain(code);
    }
    for (const [route, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400 || status === '503' && route === '/readyz') continue;
          const resolved = (response.$ref ? document.components.responses![response.$ref.split('/').pop()!] : response) as { content: Record<string, { schema: unknown }> };
          expect(Object.keys(resolved.content), `${method.toUpperCase()} ${route} ${status}`).toEqual(['application/problem+json']);
          expect(resolved.content['application/problem+json']!.schema).toEqual({ $ref: '#/components/schemas/Problem' });
        }
      }
    }
  });

  it('declares the true media types of files', () => {
    const content = (route: string) => Object.keys(document.paths[route]!.get!.responses['200']!.content!);
    expect(content('/v1/responses/{id}/report.pdf')).toEqual(['application/pdf']);
    expect(content('/v1/procurements/{id}/comparison.pdf')).toEqual(['application/pdf']);
    expect(content('/v1/responses/{id}/assessment-summary.pdf')).toEqual(['application/pdf']);
    expect(content('/v1/supplier/response/receipt.pdf')).toEqual(['application/pdf']);
    expect(content('/v1/procurements/{id}/results.csv')).toEqual(['text/csv']);
    expect(content('/v1/procurements/{id}/comparison.xlsx')).toEqual(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    expect(content('/v1/scores')).toEqual(['application/json', 'text/csv']);
    for (const route of ['/v1/supplier/response/evidence/{evidenceId}', '/v1/responses/{id}/evidence/{evidenceId}', '/v1/responses/{id}/panel-view/evidence/{evidenceId}']) {
      expect(content(route)).toEqual(expect.arrayContaining(['application/pdf', 'image/png', 'text/plain']));
      expect(content(route)).not.toContain('application/json');
    }
  });

  it('has the setup token as a security scheme, the server from PUBLIC_BASE_URL, and the webhook payloads', () => {
    expect(document.components.securitySchemes!.setupToken).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Setup-Token' }));
    expect(document.paths['/v1/setup']!.post!.security).toEqual([{ setupToken: [] }]);
    expect(document.servers).toEqual([expect.objectContaining({ url: 'http://localhost:3000' })]);
    expect(Object.keys(document.webhooks ?? {})).toEqual(expect.arrayContaining(['procurement.opened', 'response.submitted', 'evaluation.updated', 'report.generated']));
  });
});

describe('the served document follows PUBLIC_BASE_URL', () => {
  const ctx = useTestApp({ truncate: false, config: { PUBLIC_BASE_URL: 'https://dd.example-council.gov.uk' } });

  it('lists the configured address as the server', async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(document.servers).toEqual([expect.objectContaining({ url: 'https://dd.example-council.gov.uk' })]);
  });
});

describe('the webhooks section', () => {
  // Loopback endpoints allowed: the test message is queued to one (never sent: no worker runs here).
  const ctx = useTestApp({ config: { WEBHOOK_ALLOW_LOOPBACK: 'true' } });

  it('describes every event type, and the payloads the service really sends match it', async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
    // Every event a council can subscribe to, and the test message an admin can send to any endpoint.
    expect(Object.keys(document.webhooks ?? {}).sort()).toEqual([...EVENT_TYPES, 'webhook.test'].sort());

    // A procurement's life up to its reports: opened, an invitation, a submission and its evaluation, closed, a comparison PDF.
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
    const supplier = await seedInvitation(ctx, org, procurementId);
    const call = (method: 'POST' | 'PUT' | 'GET', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
    expect((await call('PUT', '/v1/supplier/response/import', supplier.token, { answers: { 'a.training': { value: 'never' }, 'a.training_detail': { value: 'We do not train on council data.' }, 'b.hours': { value: 12 } } })).statusCode).toBe(200);
    expect((await call('POST', '/v1/supplier/response/submit', supplier.token, { declaration: true })).statusCode).toBe(200);
    expect((await call('POST', `/v1/procurements/${procurementId}/close`, org.admin.token)).statusCode).toBe(200);
    expect((await call('GET', `/v1/procurements/${procurementId}/comparison.pdf`, org.admin.token)).statusCode).toBe(200);

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'urn:aidd:components', $defs: JSON.parse(JSON.stringify(document.components.schemas).replaceAll('"#/components/schemas/', '"urn:aidd:components#/$defs/')) });
    const events = await queryRows<{ id: string; organisation_id: string; type: string; subject_type: string; subject_id: string; data: EventRecord['data']; occurred_at: Date }>(ctx.database.db, sql`select * from events order by occurred_at, id`);
    const seen = new Set<string>();
    for (const row of events) {
      const event: EventRecord = { id: row.id, organisationId: row.organisation_id, type: row.type, subjectType: row.subject_type, subjectId: row.subject_id, data: row.data, occurredAt: new Date(row.occurred_at) };
      const body = JSON.parse(eventPayload({ event, publicBaseUrl: 'https://dd.example-council.gov.uk' }));
      const hook = (document.webhooks as Record<string, { post: { requestBody: { content: { 'application/json': { schema: { $ref: string } } } } } }>)[event.type]!;
      const validate = ajv.compile({ $ref: hook.post.requestBody.content['application/json'].schema.$ref.replace('#/components/schemas/', 'urn:aidd:components#/$defs/') });
      expect(validate(body), `${event.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      seen.add(event.type);
    }
    expect([...seen].sort()).toEqual(expect.arrayContaining(['evaluation.updated', 'invitation.sent', 'procurement.closed', 'procurement.opened', 'report.generated', 'response.submitted']));

    // The test message has no event row: its body, as queued, against its own description.
    const endpoint = await call('POST', '/v1/webhooks', org.admin.token, { url: 'http://127.0.0.1:9/aidd', events: ['procurement.opened'], description: 'Contract register' });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    const sent = await call('POST', `/v1/webhooks/${endpoint.json().id}/test`, org.admin.token);
    expect(sent.statusCode, sent.body).toBe(202);
    const [queued] = await queryRows<{ payload: string }>(ctx.database.db, sql`select payload from webhook_deliveries where endpoint_id = ${endpoint.json().id}`);
    const testHook = (document.webhooks as Record<string, { post: { requestBody: { content: { 'application/json': { schema: { $ref: string } } } } } }>)['webhook.test']!;
    const validateTest = ajv.compile({ $ref: testHook.post.requestBody.content['application/json'].schema.$ref.replace('#/components/schemas/', 'urn:aidd:components#/$defs/') });
    expect(validateTest(JSON.parse(queued!.payload)), ajv.errorsText(validateTest.errors)).toBe(true);
  }, SLOW);
});

describe('the contract check every test app runs', () => {
  const ctx = useTestApp({ truncate: false });

  it('flags an undeclared status, an undeclared media type, a body off its schema, an unlisted error code and a missing header', () => {
    const check = createContractChecker(ctx.app.swagger() as never);
    const id = '0b9e7c1e-5f7a-4d38-9a55-0c1d2e3f4a5b';
    const answer = (status: number, contentType: string, body: object | string, headers: Record<string, string> = { 'x-request-id': 'r1', etag: '"1"', 'ratelimit-limit': '100', 'ratelimit-remaining': '99', 'ratelimit-reset': '60' }) => ({
      method: 'GET',
      route: '/v1/procurements/:id',
      status,
      contentType,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers,
    });
    const problem = { type: 'urn:problem-type:procurements.not_found', title: 'Procurement not found', status: 404, code: 'procurements.not_found', detail: 'No procurement with that id exists.' };
    expect(check(answer(404, 'application/problem+json; charset=utf-8', problem))).toEqual([]);
    const flags = (found: string[] | undefined, pattern: RegExp) => expect(found).toContainEqual(expect.stringMatching(pattern));
    flags(check(answer(418, 'application/problem+json', problem)), /^GET \/v1\/procurements\/\{id\} \(getProcurement\) 418: status not declared/);
    flags(check(answer(404, 'application/json', problem)), /404: media type application\/json not declared/);
    flags(check(answer(404, 'application/problem+json', { ...problem, code: 'procurements.gone_fishing' })), /error code procurements.gone_fishing is not listed/);
    flags(check(answer(200, 'application/json', { id, title: 42 })), /200: body does not match the schema: body must have required property/);
    flags(check(answer(404, 'application/problem+json', problem, {})), /required header X-Request-Id missing/);
    flags(check({ ...answer(200, 'application/json', '%PDF-1.7'), route: '/v1/responses/:id/report.pdf' }), /media type application\/json not declared \(declared: application\/pdf\)/);
    expect(check({ ...answer(200, 'text/html', '<p>'), route: '/respond/:token' })).toBeUndefined();
  });
});
