import { readFileSync } from 'node:fs';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  bidStatusOf,
  buildReleaseContent,
  cdpIdentifierOf,
  compileReleases,
  DEFAULT_OCID_PREFIX,
  mergeInto,
  nextRelease,
  OCDS_EXTENSIONS,
  releasePackageOf,
  responseValue,
  stageOf,
  type Release,
  type ReleaseInput,
} from '../../../src/modules/integrations/ocds.models';
import { buildApp } from '../../../src/app';
import { queryRows } from '../../../src/platform/db';
import { questionnaireDefinitionSchema, type Question } from '../../../src/modules/questionnaires';
import type { Evaluation } from '../../../src/modules/scoring';
import { bearer, problemOf, testConfig, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, seedPublishedQuestionnaire, seedUser } from '../../helpers/factories';
import { until } from '../../helpers/wait';
import { smallDefinition } from '../questionnaires/fixtures';

// ───────────────────────────────────────────── the official schemas, offline
// OCDS 1.1.5's own release and record package schemas, with each extension we list merged into the
// release schema as OCDS tools do (JSON Merge Patch, RFC 7386), then our local extension. See test/fixtures/ocds/README.md.

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: objects merge key by key, null deletes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../../fixtures/ocds/${path}`, import.meta.url), 'utf8')) as JsonObject;
const localSchema = JSON.parse(readFileSync(new URL('../../../openapi/ocds-extension/release-schema.json', import.meta.url), 'utf8')) as JsonObject;
// In the order of OCDS_EXTENSIONS, each by the repository and version its URL pins.
const EXTENSION_FIXTURES = OCDS_EXTENSIONS.map((url) => {
  const [, repo, version] = /open-contracting-extensions\/([^/]+)\/([^/]+)\/extension\.json$/.exec(url)!;
  return { repo: repo!, version: version! };
});
const releaseSchema = [...EXTENSION_FIXTURES.map((e) => fixture(`extensions/${e.repo}/release-schema.json`)), localSchema].reduce<unknown>((schema, patch) => mergePatch(schema, patch), fixture('release-schema.json')) as JsonObject;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(releaseSchema); // its id is the URL both package schemas $ref
ajv.addSchema(fixture('versioned-release-validation-schema.json'));
const validateReleasePackage = ajv.compile(fixture('release-package-schema.json'));
const validateRecordPackage = ajv.compile(fixture('record-package-schema.json'));

const schemaErrors = (validate: typeof validateReleasePackage, json: unknown) => (validate(json) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));

function duplicates(ids: string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

/** The rules JSON Schema cannot express: unique ids (OCDS merges arrays by id), references that resolve, answers of their requirement's type, weights adding to 100. */
function checkRelease(r: Release): void {
  const parties = new Map(r.parties.map((p) => [p.id, p]));
  const requirements = r.tender.criteria.flatMap((c) => c.requirementGroups.flatMap((g) => g.requirements));
  const requirementById = new Map(requirements.map((q) => [q.id, q]));
  const bids = r.bids?.details ?? [];
  for (const [what, ids] of Object.entries({
    parties: r.parties.map((p) => p.id),
    criteria: r.tender.criteria.map((c) => c.id),
    requirementGroups: r.tender.criteria.flatMap((c) => c.requirementGroups.map((g) => g.id)),
    requirements: requirements.map((q) => q.id),
    bids: bids.map((b) => b.id),
    requirementResponses: bids.flatMap((b) => (b.requirementResponses ?? []).map((x) => x.id)),
    awards: (r.awards ?? []).map((a) => a.id),
  })) {
    expect(duplicates(ids), `duplicate ids in ${what}`).toEqual([]);
  }
  const resolves = (ref: { id: string; name: string }, role: string) => {
    const party = parties.get(ref.id);
    expect(party, `party ${ref.id}`).toBeDefined();
    expect(party!.name).toBe(ref.name);
    expect(party!.roles).toContain(role);
  };
  resolves(r.buyer, 'buyer');
  resolves(r.tender.procuringEntity, 'procuringEntity');
  for (const b of bids) {
    b.tenderers.forEach((t) => resolves(t, 'tenderer'));
    for (const response of b.requirementResponses ?? []) {
      const req = requirementById.get(response.requirement.id);
      expect(req, `requirement ${response.requirement.id}`).toBeDefined();
      const valueOk = {
        boolean: typeof response.value === 'boolean',
        integer: Number.isInteger(response.value),
        number: typeof response.value === 'number',
        string: typeof response.value === 'string',
        'date-time': typeof response.value === 'string' && !Number.isNaN(Date.parse(response.value)),
      }[req!.dataType ?? 'string'];
      expect(valueOk, `${response.requirement.id}: ${String(response.value)} is not ${req!.dataType}`).toBe(true);
    }
    for (const s of b.evaluation?.sectionScores ?? []) expect(r.tender.criteria.map((c) => c.id)).toContain(`criterion-${s.id}`);
  }
  for (const a of r.awards ?? []) {
    a.suppliers.forEach((s) => resolves(s, 'supplier'));
    for (const id of a.relatedBids) expect(bids.map((b) => b.id)).toContain(id);
  }
  for (const l of r.tender.lots) {
    const weights = l.awardCriteria.criteria.flatMap((c) => c.numbers.filter((n) => 'weight' in n).map((n) => n.number));
    expect(weights.reduce((x, y) => x + y, 0)).toBe(100);
  }
}

type Package = { uri: string; publishedDate: string; extensions: string[]; releases: Release[] };

/** 0 schema errors, the rules above for every release, and release ids unique within the ocid. */
function validPackage(json: unknown): Package {
  expect(schemaErrors(validateReleasePackage, json)).toEqual([]);
  const pkg = json as Package;
  pkg.releases.forEach(checkRelease);
  expect(duplicates(pkg.releases.map((r) => r.id))).toEqual([]);
  expect(new Set(pkg.releases.map((r) => r.ocid)).size).toBe(1);
  return pkg;
}

/** Nothing of the competition before the award: no bids, no tenderers (nor their number), no awards. */
function publishesNoBids(r: Release): void {
  expect(r.bids).toBeUndefined();
  expect(r.awards).toBeUndefined();
  expect(r.tender.numberOfTenderers).toBeUndefined();
  expect(r.parties.map((p) => p.roles)).toEqual([['buyer', 'procuringEntity']]);
}

// ───────────────────────────────────────────── the API

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const SECRET = 'Our opt-in relies on the Zephyr-77 consent broker we license privately';
const SECRET_REASON = 'Names a commercial partner under NDA';
const SECRET_COMMENT = 'Comment naming Quokka Holdings';

function api(ctx: TestContext) {
  return (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });
}

/** Alpha passes every gateway (one answer confidential), Beta fails one, Delta withdraws after submitting, Gamma never submits. */
async function ocdsWorld(ctx: TestContext) {
  const call = api(ctx);
  const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, moderatorId: moderator.id });
  const invite = async (name: string) => {
    ctx.clock.advance(1000);
    return seedInvitation(ctx, org, procurementId, { supplierName: name });
  };
  const alpha = await invite('Alpha AI');
  ctx.clock.advance(1000);
  // Beta gives its Companies House number: its party is identified by it.
  const invited = await call('POST', `/v1/procurements/${procurementId}/invitations`, org.admin.token, { supplierName: 'Beta Bots', contactEmail: 'bids@beta.example', companyNumber: 'SC123456' });
  expect(invited.statusCode, invited.body).toBe(201);
  const beta = invited.json() as { responseId: string; token: string };
  const gamma = await invite('Gamma (no bid)');
  const delta = await invite('Delta Data');
  const answer = async (token: string, answers: Record<string, object>) => expect((await call('PUT', '/v1/supplier/response/import', token, { answers })).statusCode).toBe(200);
  await answer(alpha.token, {
    'a.training': { value: 'opt_in' },
    'a.training_detail': { value: SECRET, comment: SECRET_COMMENT, confidential: true, confidentialReason: SECRET_REASON },
    'b.hours': { value: 12 },
  });
  await answer(beta.token, { 'a.training': { value: 'default' }, 'b.hours': { value: 48 } });
  await answer(gamma.token, { 'a.training': { value: 'never' } });
  await answer(delta.token, { 'a.training': { value: 'never' }, 'b.hours': { value: 2 } });
  for (const s of [alpha, beta, delta]) expect((await call('POST', '/v1/supplier/response/submit', s.token, { declaration: true })).statusCode).toBe(200);
  expect((await call('POST', '/v1/supplier/response/withdraw', delta.token, { reason: 'Capacity' })).statusCode).toBe(200);
  return { org, moderator, procurementId, alpha, beta, gamma, delta };
}

/** Closes, evaluates (the moderator marks Alpha's manual question) and awards Alpha, a minute after `now`. */
async function award(ctx: TestContext, w: Awaited<ReturnType<typeof ocdsWorld>>) {
  const call = api(ctx);
  expect((await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token)).statusCode).toBe(200);
  expect((await call('POST', `/v1/procurements/${w.procurementId}/start-evaluation`, w.org.admin.token)).statusCode).toBe(200);
  expect((await call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.moderator.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);
  const moderated = await call('PUT', `/v1/responses/${w.alpha.responseId}/moderation/a.training_detail`, w.moderator.token, { score: 3, rationale: 'Clear, written opt-in.' });
  expect(moderated.statusCode, moderated.body).toBe(200);
  ctx.clock.advance(60_000);
  const decided = await call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'award', responseId: w.alpha.responseId, rationale: 'Only bid that passed every gateway.' });
  expect(decided.statusCode, decided.body).toBe(200);
  return ctx.clock.now().toISOString();
}

async function setDisclosure(ctx: TestContext, w: { org: { admin: { token: string } }; procurementId: string }, ocdsDisclosure: string) {
  const call = api(ctx);
  const current = await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token);
  return call('PATCH', `/v1/procurements/${w.procurementId}`, w.org.admin.token, { ocdsDisclosure }, { 'if-match': String(current.headers.etag) });
}

describe('GET /v1/procurements/{id}/ocds', () => {
  const ctx = useTestApp();
  const call = api(ctx);
  const { ocdsOcidPrefix, publicBaseUrl } = testConfig();
  const get = async (w: { procurementId: string; org: { admin: { token: string } } }, suffix = '') => {
    const res = await call('GET', `/v1/procurements/${w.procurementId}/ocds${suffix}`, w.org.admin.token);
    expect(res.statusCode, res.body).toBe(200);
    return res;
  };

  it('publishes a draft as a planning release: the procurement, its reference and criteria, nothing else', async () => {
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    const questionnaireId = await seedPublishedQuestionnaire(ctx, org, smallDefinition());
    const created = await call('POST', '/v1/procurements', org.admin.token, { title: 'AI chatbot', reference: 'BCC-2026-017', questionnaireId, deadline: '2026-12-10T17:00:00.000Z', triage });
    expect(created.statusCode, created.body).toBe(201);
    const w = { org, procurementId: created.json().id as string };
    const pkg = validPackage((await get(w)).json());
    expect(pkg.releases).toHaveLength(1);
    const r = pkg.releases[0]!;
    expect(r.tag).toEqual(['planning']);
    expect(r.id).toBe(`${ocdsOcidPrefix}-${w.procurementId}-1-planning`);
    expect(r.tender).toMatchObject({ id: 'BCC-2026-017', title: 'AI chatbot', status: 'planned' });
    expect(r.tender.tenderPeriod).toBeUndefined();
    publishesNoBids(r);
  });

  it('publishes an open tender as a tender release: criteria from the questionnaire, weights and gateways as award criteria, no bids or bidders', async () => {
    const w = await ocdsWorld(ctx);
    const response = await get(w);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const pkg = validPackage(response.json());
    expect(pkg.uri).toBe(`${publicBaseUrl}/v1/procurements/${w.procurementId}/ocds`);
    expect(pkg.extensions).toEqual([...OCDS_EXTENSIONS, `${publicBaseUrl}/ocds-extension/extension.json`]);
    for (const url of pkg.extensions.slice(0, -1)) expect(url).not.toMatch(/\/master\//);
    const r = pkg.releases[0]!;
    expect(r.ocid).toBe(`${ocdsOcidPrefix}-${w.procurementId}`);
    expect(r.tag).toEqual(['tender']);
    const procurement = (await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token)).json();
    // The date of the change the release records: the opening, not the read.
    expect(r.date).toBe(procurement.openedAt);
    expect(pkg.publishedDate).toBe(r.date);
    expect(r.tender).toMatchObject({ id: w.procurementId, title: 'AI chatbot', status: 'active', tenderPeriod: { startDate: procurement.openedAt, endDate: procurement.deadline } });
    publishesNoBids(r);
    const body = response.body;
    for (const name of ['Alpha AI', 'Beta Bots', 'Delta Data', w.alpha.responseId, 'opt_in']) expect(body).not.toContain(name);

    expect(r.tender.criteria.map((c) => c.id)).toEqual(['criterion-a', 'criterion-b']);
    for (const c of r.tender.criteria) expect(Object.keys(c)).not.toEqual(expect.arrayContaining(['source']));
    expect(JSON.stringify(r.tender.criteria)).not.toMatch(/"source"|"relatesTo"/);
    const requirements = Object.fromEntries(r.tender.criteria.flatMap((c) => c.requirementGroups[0]!.requirements).map((q) => [q.id, q]));
    expect(requirements['a.training']).toMatchObject({ title: 'Do you train on our data?', dataType: 'string' });
    expect(requirements['b.hours']).toMatchObject({ dataType: 'number', minValue: 0, maxValue: 1000 });
    expect(r.tender.lots[0]!.awardCriteria.criteria.map((c) => [c.name, c.numbers])).toEqual([
      ['Section A', [{ number: 60, weight: 'percentageExact' }]],
      ['Section B', [{ number: 40, weight: 'percentageExact' }]],
      ['Gateway: Do you train on our data?', [{ number: 1, threshold: 'minimumScore' }]],
    ]);
  });

  it('gives the advertised deadline as the tender period’s end, whatever one supplier’s extension', async () => {
    const w = await ocdsWorld(ctx);
    const gamma = (await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token)).json();
    const extended = await call('POST', `/v1/responses/${w.gamma.responseId}/deadline-extension`, w.org.admin.token, { deadline: '2026-12-20T17:00:00.000Z', reason: 'Illness' });
    expect(extended.statusCode, extended.body).toBe(200);
    const after = (await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token)).json();
    expect(after.closesAt).not.toBe(after.deadline); // sanity: the extension moved the closing time
    const r = validPackage((await get(w)).json()).releases.at(-1)!;
    expect(r.tender.tenderPeriod!.endDate).toBe(gamma.deadline);
  });

  it('is the same, byte for byte, on every read while nothing changes', async () => {
    const w = await ocdsWorld(ctx);
    const first = (await get(w)).body;
    ctx.clock.advance(3_600_000);
    const second = (await get(w)).body;
    expect(second).toBe(first);
    const record = (await get(w, '/record')).body;
    ctx.clock.advance(1000);
    expect((await get(w, '/record')).body).toBe(record);
  });

  it('stores a new release when the stage changes and leaves the earlier one byte for byte as it was', async () => {
    const w = await ocdsWorld(ctx);
    const before = validPackage((await get(w)).json());
    const tenderJson = JSON.stringify(before.releases[0]);
    // Closing and evaluating change nothing a tender release publishes: no new release.
    expect((await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token)).statusCode).toBe(200);
    expect(validPackage((await get(w)).json()).releases).toHaveLength(1);
    expect((await call('POST', `/v1/procurements/${w.procurementId}/start-evaluation`, w.org.admin.token)).statusCode).toBe(200);
    expect((await call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.moderator.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);
    expect((await call('PUT', `/v1/responses/${w.alpha.responseId}/moderation/a.training_detail`, w.moderator.token, { score: 3, rationale: 'Clear.' })).statusCode).toBe(200);
    ctx.clock.advance(60_000);
    const decidedAt = ctx.clock.now().toISOString();
    expect((await call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'award', responseId: w.alpha.responseId, rationale: 'Best.' })).statusCode).toBe(200);
    ctx.clock.advance(3_600_000);
    const after = validPackage((await get(w)).json());
    expect(after.releases.map((r) => r.tag)).toEqual([['tender'], ['award']]);
    expect(JSON.stringify(after.releases[0])).toBe(tenderJson);
    expect(after.releases[1]!.id).toBe(`${before.releases[0]!.ocid}-2-award`);
    expect(after.releases[1]!.date).toBe(decidedAt);
    expect(after.publishedDate).toBe(decidedAt);

    // A later change within the award stage (what the council discloses) is an awardUpdate; the award release stays.
    const awardJson = JSON.stringify(after.releases[1]);
    ctx.clock.advance(1000);
    expect((await setDisclosure(ctx, w, 'bidders')).statusCode).toBe(200);
    const updated = validPackage((await get(w)).json());
    expect(updated.releases.map((r) => r.tag)).toEqual([['tender'], ['award'], ['awardUpdate']]);
    expect(JSON.stringify(updated.releases[0])).toBe(tenderJson);
    expect(JSON.stringify(updated.releases[1])).toBe(awardJson);
    expect(updated.releases[2]!.date).toBe(ctx.clock.now().toISOString());
  });

  it.each([
    ['bidders', { scores: false, answers: false }],
    ['scores', { scores: true, answers: false }],
    ['answers', { scores: true, answers: true }],
  ] as const)('publishes, once awarded with disclosure %s, the bids as far as the council chose, and never a confidential answer', async (disclosure, shows) => {
    const w = await ocdsWorld(ctx);
    if (disclosure !== 'scores') expect((await setDisclosure(ctx, w, disclosure)).statusCode).toBe(200);
    const decidedAt = await award(ctx, w);
    const res = await get(w);
    const pkg = validPackage(res.json());
    const r = pkg.releases.at(-1)!;
    expect(r.tag).toEqual(['award']);
    expect(r.tender).toMatchObject({ status: 'complete', numberOfTenderers: 2 });
    expect(r.awards).toEqual([{ id: `award-${w.alpha.responseId}`, status: 'pending', date: decidedAt, suppliers: [{ id: expect.any(String), name: 'Alpha AI' }], relatedBids: [w.alpha.responseId], relatedLots: ['1'] }]);
    expect(r.parties.find((p) => p.name === 'Alpha AI')!.roles).toEqual(['tenderer', 'supplier']);
    // Beta gave its Companies House number: its party is identified by it.
    expect(r.parties.find((p) => p.name === 'Beta Bots')).toEqual({ id: 'GB-COH-SC123456', name: 'Beta Bots', identifier: { scheme: 'GB-COH', id: 'SC123456', legalName: 'Beta Bots' }, roles: ['tenderer'] });
    expect(r.parties.find((p) => p.name === 'Gamma (no bid)')).toBeUndefined();

    const bids = Object.fromEntries(r.bids!.details.map((b) => [b.id, b]));
    expect(Object.keys(bids).sort()).toEqual([w.alpha.responseId, w.beta.responseId, w.delta.responseId].sort());
    expect(bids[w.beta.responseId]!.tenderers).toEqual([{ id: 'GB-COH-SC123456', name: 'Beta Bots' }]);
    expect(bids[w.alpha.responseId]).toMatchObject({ status: 'valid', relatedLots: ['1'] });
    expect(bids[w.beta.responseId]!.status).toBe('disqualified');
    expect(bids[w.delta.responseId]!.status).toBe('withdrawn');
    for (const id of [w.delta.responseId]) expect(bids[id]).not.toHaveProperty('requirementResponses');

    const results = (await call('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json() as { items: Array<{ responseId: string; rank: number | null }> };
    for (const b of Object.values(bids)) {
      if (!shows.scores) {
        expect(b).not.toHaveProperty('evaluation');
        expect(b).not.toHaveProperty('rank');
        expect(b).not.toHaveProperty('hasRank');
        continue;
      }
      const rank = results.items.find((i) => i.responseId === b.id)!.rank;
      expect([b.hasRank, b.rank]).toEqual(rank === null ? [false, undefined] : [true, rank]);
    }
    if (shows.scores) {
      expect(bids[w.alpha.responseId]).toMatchObject({ hasRank: true, rank: 1, evaluation: { final: true, gatewaysPassed: true } });
      const e = (await call('GET', `/v1/responses/${w.alpha.responseId}/evaluation`, w.org.admin.token)).json();
      expect(bids[w.alpha.responseId]!.evaluation).toMatchObject({ total: e.overallScore, rating: e.rating, scoringMethodVersion: e.scoringMethodVersion });
    }
    const values = (id: string) => Object.fromEntries((bids[id]!.requirementResponses ?? []).map((x) => [x.requirement.id, x.value]));
    if (shows.answers) {
      expect(values(w.beta.responseId)).toEqual({ 'a.training': 'default', 'b.hours': 48 });
      // Alpha's confidential answer is left out; the others are published.
      expect(values(w.alpha.responseId)).toEqual({ 'a.training': 'opt_in', 'b.hours': 12 });
    } else {
      for (const b of Object.values(bids)) expect(b).not.toHaveProperty('requirementResponses');
      expect(res.body).not.toContain('opt_in');
    }
    for (const fragment of [SECRET, 'Zephyr-77', SECRET_REASON, SECRET_COMMENT, 'Quokka']) expect(res.body).not.toContain(fragment);
    // Sanity: the confidential answer is on record for council staff, so its absence is the export's doing.
    expect((await call('GET', `/v1/responses/${w.alpha.responseId}`, w.org.admin.token)).body).toContain(SECRET);
  });

  it('leaves the published answers out for an API key with scores:read alone, and gives them to one with responses:read too', async () => {
    const w = await ocdsWorld(ctx);
    expect((await setDisclosure(ctx, w, 'answers')).statusCode).toBe(200);
    await award(ctx, w);
    const scoresOnly = await seedApiKey(ctx, w.org, { scopes: ['scores:read'] });
    const withAnswers = await seedApiKey(ctx, w.org, { scopes: ['scores:read', 'responses:read'] });
    const bidsFor = async (token: string, suffix = '') => {
      const json = (await call('GET', `/v1/procurements/${w.procurementId}/ocds${suffix}`, token)).json();
      return ((suffix ? json.records[0].compiledRelease : json.releases.at(-1)) as Release).bids!.details;
    };
    for (const suffix of ['', '/record']) {
      for (const b of await bidsFor(scoresOnly.token, suffix)) {
        expect(b).not.toHaveProperty('requirementResponses');
        if (b.status !== 'withdrawn') expect(b).toHaveProperty('evaluation');
      }
      expect(await bidsFor(withAnswers.token, suffix)).toEqual(await bidsFor(w.org.admin.token, suffix));
      expect((await bidsFor(withAnswers.token, suffix)).some((b) => b.requirementResponses)).toBe(true);
    }
  });

  it('publishes a cancelled tender as a tenderCancellation release, still without bids', async () => {
    const w = await ocdsWorld(ctx);
    await get(w);
    ctx.clock.advance(60_000);
    const cancelled = await call('POST', `/v1/procurements/${w.procurementId}/cancel`, w.org.admin.token, { reason: 'Budget withdrawn' });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    const pkg = validPackage((await get(w)).json());
    expect(pkg.releases.map((r) => r.tag)).toEqual([['tender'], ['tenderCancellation']]);
    const r = pkg.releases[1]!;
    expect(r.date).toBe(cancelled.json().cancelledAt);
    expect(r.tender.status).toBe('cancelled');
    publishesNoBids(r);
  });

  it('stores each stage’s release when the stage changes, through the app’s worker, with nobody reading the package', async () => {
    const w = await ocdsWorld(ctx);
    const opened = (await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token)).json() as { openedAt: string };
    const stored = async () =>
      queryRows<{ sequence: number; release: { tag: string[]; date: string } }>(ctx.database.db, sql`select sequence, release from ocds_releases where procurement_id = ${w.procurementId} order by sequence`);
    expect(await stored()).toEqual([]);
    // The app's own worker, as in production: it dispatches procurement.opened and stores the tender release.
    const app = await buildApp({ config: testConfig({ WEBHOOK_DELIVERY: 'true', WEBHOOK_POLL_MS: '50' }), database: ctx.database, now: () => ctx.clock.now(), logger: false });
    try {
      await app.ready();
      const tender = await until('the tender release stored', stored, (rows) => rows.length === 1);
      expect(tender[0]!.release.tag).toEqual(['tender']);
      expect(tender[0]!.release.date).toBe(opened.openedAt);
      ctx.clock.advance(60_000);
      const cancelled = await call('POST', `/v1/procurements/${w.procurementId}/cancel`, w.org.admin.token, { reason: 'Budget withdrawn' });
      expect(cancelled.statusCode, cancelled.body).toBe(200);
      const both = await until('the cancellation release stored', stored, (rows) => rows.length === 2);
      expect(both.map((r) => r.release.tag)).toEqual([['tender'], ['tenderCancellation']]);
      expect(both[1]!.release.date).toBe(cancelled.json().cancelledAt);
    } finally {
      await app.close();
    }
    // A read finds them stored and adds nothing.
    const pkg = validPackage((await get(w)).json());
    expect(pkg.releases.map((r) => r.tag)).toEqual([['tender'], ['tenderCancellation']]);
  });

  it('serves a record package: the releases linked by URL, and a compiled release merging them', async () => {
    const w = await ocdsWorld(ctx);
    await get(w);
    await award(ctx, w);
    const res = await get(w, '/record');
    const json = res.json();
    expect(schemaErrors(validateRecordPackage, json)).toEqual([]);
    const releases = validPackage((await get(w)).json()).releases;
    const packageUri = `${publicBaseUrl}/v1/procurements/${w.procurementId}/ocds`;
    expect(json.uri).toBe(`${packageUri}/record`);
    expect(json.packages).toEqual([packageUri]);
    expect(json.publishedDate).toBe(releases.at(-1)!.date);
    const [record] = json.records;
    expect(record.ocid).toBe(releases[0]!.ocid);
    expect(record.releases).toEqual(releases.map((r) => ({ url: `${packageUri}#${r.id}`, date: r.date, tag: r.tag })));
    const compiled = record.compiledRelease as Release;
    expect(compiled.tag).toEqual(['compiled']);
    expect(compiled.tender.status).toBe('complete');
    expect(compiled.bids!.details).toHaveLength(3);
    checkRelease(compiled);
    // The versioned release (checked against the official versioned schema with the package above): each field's history.
    const versioned = record.versionedRelease;
    expect(versioned.ocid).toBe(releases[0]!.ocid);
    expect(versioned).not.toHaveProperty('tag');
    const [tender, awarded] = releases;
    expect(versioned.tender.status).toEqual([
      { releaseID: tender!.id, releaseDate: tender!.date, releaseTag: ['tender'], value: 'active' },
      { releaseID: awarded!.id, releaseDate: awarded!.date, releaseTag: ['award'], value: 'complete' },
    ]);
    // The official schema does check it: a field given as a plain value, not its history, is refused.
    expect(schemaErrors(validateRecordPackage, { ...json, records: [{ ...record, versionedRelease: { ...versioned, tender: { ...versioned.tender, status: 'complete' } } }] })).not.toEqual([]);
    // Unchanged since the tender: one entry.
    expect(versioned.tender.title).toEqual([{ releaseID: tender!.id, releaseDate: tender!.date, releaseTag: ['tender'], value: tender!.tender.title }]);
    // Bids first appear in the award release; each keeps its id as it is, its fields versioned.
    const alphaBid = (versioned.bids.details as Array<{ id: string; status: unknown[] }>).find((d) => d.id === w.alpha.responseId)!;
    expect(alphaBid.status).toEqual([{ releaseID: awarded!.id, releaseDate: awarded!.date, releaseTag: ['award'], value: 'valid' }]);
    // The award criteria are one list, versioned whole (wholeListMerge).
    expect(versioned.tender.lots[0].awardCriteria.criteria).toHaveLength(1);
    expect(versioned.tender.lots[0].awardCriteria.criteria[0].value).toEqual(tender!.tender.lots![0]!.awardCriteria.criteria);
    // The compiled release is also valid on its own, as one release of a package.
    validPackage({ ...releasePackageOf({ uri: packageUri, publisherName: 'x', localExtensionUrl: `${publicBaseUrl}/ocds-extension/extension.json`, releases }), releases: [compiled] });
  });

  it('stores one release when several readers ask at once, and none of them fails', async () => {
    const w = await ocdsWorld(ctx);
    const answers = await Promise.all(Array.from({ length: 4 }, () => call('GET', `/v1/procurements/${w.procurementId}/ocds`, w.org.admin.token)));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers[0]!.json().releases).toHaveLength(1);
  });

  it.each(['/ocds', '/ocds/record'])('%s is for the council’s staff and API keys with scores:read only; another council gets 404', async (suffix) => {
    const w = await ocdsWorld(ctx);
    const url = `/v1/procurements/${w.procurementId}${suffix}`;
    const reader = await seedApiKey(ctx, w.org, { scopes: ['scores:read'] });
    const other = await seedApiKey(ctx, w.org, { scopes: ['procurements:read'] });
    const viewer = await seedUser(ctx, w.org, { role: 'viewer' });
    const evaluator = await seedUser(ctx, w.org, { role: 'evaluator' });
    expect((await call('GET', url, reader.token)).statusCode).toBe(200);
    expect((await call('GET', url, viewer.token)).statusCode).toBe(200);
    const refused = await call('GET', url, other.token);
    expect([refused.statusCode, problemOf(refused).code]).toEqual([403, 'auth.forbidden']);
    expect((await call('GET', url, evaluator.token)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url })).statusCode).toBe(401);

    const elsewhere = await seedOrganisation(ctx, { name: 'Ambridge District Council' });
    const foreign = await call('GET', url, elsewhere.admin.token);
    expect([foreign.statusCode, problemOf(foreign).code]).toEqual([404, 'procurements.not_found']);
    expect(foreign.body).not.toContain('AI chatbot');
    const theirKey = await seedApiKey(ctx, elsewhere, { scopes: ['scores:read'] });
    expect((await call('GET', url, theirKey.token)).statusCode).toBe(404);
  });

  it('serves the local extension, publicly, and documents every field the package writes in it', async () => {
    const w = await ocdsWorld(ctx);
    await award(ctx, w);
    const extension = await ctx.app.inject({ method: 'GET', url: '/ocds-extension/extension.json' });
    expect(extension.statusCode).toBe(200);
    expect(extension.headers['content-type']).toMatch(/^application\/json/);
    expect(extension.json()).toMatchObject({ compatibility: ['1.1'], schemas: ['release-schema.json'] });
    for (const url of extension.json().dependencies ?? []) expect(OCDS_EXTENSIONS).toContain(url);
    const schema = (await ctx.app.inject({ method: 'GET', url: '/ocds-extension/release-schema.json' })).json();
    expect(schema).toEqual(localSchema);

    const r = validPackage((await get(w)).json()).releases.at(-1)!;
    const evaluation = r.bids!.details.find((b) => b.evaluation)!.evaluation!;
    expect(schema.definitions.Bid.properties.evaluation.$ref).toBe('#/definitions/BidEvaluation');
    expect(Object.keys(evaluation).sort()).toEqual(Object.keys(schema.definitions.BidEvaluation.properties).sort());
    expect(Object.keys(evaluation.sectionScores[0]!).sort()).toEqual(Object.keys(schema.definitions.SectionScore.properties).sort());
    expect(Object.keys(evaluation.questionnaire).sort()).toEqual(Object.keys(schema.definitions.QuestionnaireVersion.properties).sort());
  });
});

describe('PATCH /v1/procurements/{id}: ocdsDisclosure', () => {
  const ctx = useTestApp();
  const call = api(ctx);

  it('warns at start while OCDS_OCID_PREFIX is the default, which must be registered per publisher, and not once one is set', async () => {
    const lines: string[] = [];
    const logger = { level: 'warn', stream: { write: (line: string) => void lines.push(line) } };
    for (const overrides of [{}, { OCDS_OCID_PREFIX: 'ocds-abc123' }] as Array<Record<string, string>>) {
      const app = await buildApp({ config: testConfig(overrides), database: ctx.database, logger });
      await app.ready();
      await app.close();
    }
    const warnings = lines.filter((l) => l.includes('OCDS_OCID_PREFIX'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining(`default ${DEFAULT_OCID_PREFIX}: register a prefix`) });
  });

  it('defaults to scores, may be changed at any stage with If-Match, and refuses anything else with a 4xx problem', async () => {
    const w = await ocdsWorld(ctx);
    const read = await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token);
    expect(read.json()).toMatchObject({ status: 'open', ocdsDisclosure: 'scores' });
    const changed = await setDisclosure(ctx, w, 'answers');
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ ocdsDisclosure: 'answers', version: read.json().version + 1 });
    expect((await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token)).json().ocdsDisclosure).toBe('answers');

    const stale = await call('PATCH', `/v1/procurements/${w.procurementId}`, w.org.admin.token, { ocdsDisclosure: 'bidders' }, { 'if-match': String(read.headers.etag) });
    expect([stale.statusCode, problemOf(stale).code]).toEqual([412, 'procurements.stale']);
    const wrong = await setDisclosure(ctx, w, 'everything');
    expect([wrong.statusCode, problemOf(wrong).code]).toEqual([422, 'request.validation_failed']);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Other fields still only change on a draft.
    const current = await call('GET', `/v1/procurements/${w.procurementId}`, w.org.admin.token);
    const withTitle = await call('PATCH', `/v1/procurements/${w.procurementId}`, w.org.admin.token, { ocdsDisclosure: 'bidders', title: 'New' }, { 'if-match': String(current.headers.etag) });
    expect([withTitle.statusCode, problemOf(withTitle).code]).toEqual([409, 'procurements.not_draft']);
  });
});

// ───────────────────────────────────────────── the pure rules

describe('OCDS rules', () => {
  it.each([
    ['draft', null, 'planning', 'planned'],
    ['open', null, 'tender', 'active'],
    ['closed', null, 'tender', 'active'],
    ['evaluating', null, 'tender', 'active'],
    ['decided', 'award', 'award', 'complete'],
    ['decided', 'no_award', 'tenderUpdate', 'unsuccessful'],
    ['cancelled', null, 'tenderCancellation', 'cancelled'],
  ] as const)('a %s procurement (decision %s) is a %s release of a %s tender', (status, outcome, tag, tenderStatus) => {
    expect(stageOf(status, outcome ? { outcome, responseId: null, decidedAt: '2026-12-01T00:00:00.000Z' } : null)).toEqual({ tag, tenderStatus });
  });

  const gateway = (outcome: Evaluation['gateways'][number]['outcome']) => ({ gateways: [{ outcome }, { outcome: 'pass' }] }) as unknown as Evaluation;
  it.each([
    ['a withdrawn response is a withdrawn bid', 'withdrawn', undefined, 'withdrawn'],
    ['a submitted response not yet evaluated is pending', 'submitted', undefined, 'pending'],
    ['a failed gateway disqualifies', 'submitted', gateway('fail'), 'disqualified'],
    ['a gateway still to decide leaves the bid pending', 'submitted', gateway('pending'), 'pending'],
    ['a conditional pass is valid', 'submitted', gateway('conditional'), 'valid'],
    ['every gateway passed is valid', 'submitted', gateway('pass'), 'valid'],
  ] as const)('%s', (_name, status, evaluation, expected) => {
    expect(bidStatusOf({ status }, evaluation)).toBe(expected);
  });

  const q = (type: Question['type'], extra: Partial<Question> = {}) => ({ key: 'x', type, ...extra }) as Question;
  it.each([
    ['yes is true', q('yes_no'), 'yes', true],
    ['no is false', q('yes_no'), 'no', false],
    ['a date is midnight UTC', q('date'), '2026-03-01', '2026-03-01T00:00:00Z'],
    ['several choices are joined by commas', q('multi_choice'), ['a', 'b_c'], 'a,b_c'],
    ['a number stays a number', q('number'), 7.5, 7.5],
    ['blank text is no answer', q('short_text'), '  ', undefined],
    ['a file question publishes nothing', q('file'), ['file-id'], undefined],
    ['no answer is nothing', q('long_text'), null, undefined],
  ] as const)('requirement response value: %s', (_name, question, value, expected) => {
    expect(responseValue(question, value as never)).toEqual(expected);
  });

  const input = (changes: Partial<ReleaseInput> = {}, procurement: Partial<ReleaseInput['procurement']> = {}): ReleaseInput => ({
    procurement: {
      id: '00000000-0000-4000-8000-000000000001',
      title: 'Chatbot',
      reference: null,
      description: '',
      status: 'decided',
      riskTier: 'high',
      weights: { a: 60, b: 40 },
      openedAt: '2026-11-01T09:00:00.000Z',
      deadline: '2026-12-10T17:00:00.000Z',
      ocdsDisclosure: 'answers',
      ...procurement,
    },
    definition: questionnaireDefinitionSchema.parse(smallDefinition()),
    responses: [
      {
        responseId: 'r1',
        invitationId: 'i1',
        supplierName: 'Acme AI Ltd',
        companyNumber: '01234567',
        status: 'submitted',
        submittedAt: '2026-11-20T10:00:00.000Z',
        answers: { 'a.training': 'never', 'b.hours': 987.654 },
        details: { 'b.hours': { comment: null, confidential: true, confidentialReason: 'Ours' } },
      },
    ],
    evaluations: new Map(),
    ranks: new Map([['r1', null]]),
    decision: { outcome: 'award', responseId: 'r1', decidedAt: '2026-12-20T10:00:00.000Z' },
    buyer: { id: 'org-1', name: 'Test Council' },
    ocidPrefix: 'ocds-abc123',
    ...changes,
  });
  const packageOf = (releases: Release[]) => releasePackageOf({ uri: 'https://example.gov.uk/v1/procurements/1/ocds', publisherName: 'Test Council', localExtensionUrl: 'https://example.gov.uk/ocds-extension/extension.json', releases });

  it('builds a valid award release from plain data, without any answer marked confidential', () => {
    const content = buildReleaseContent(input());
    const release = nextRelease({ content, latest: null, stageDate: '2026-12-20T10:00:00.000Z', now: '2026-12-21T00:00:00.000Z' })!.release;
    const pkg = validPackage(JSON.parse(JSON.stringify(packageOf([release]))));
    const r = pkg.releases[0]!;
    expect(r).toMatchObject({ id: 'ocds-abc123-00000000-0000-4000-8000-000000000001-1-award', date: '2026-12-20T10:00:00.000Z', tag: ['award'] });
    expect(r.parties.find((p) => p.name === 'Acme AI Ltd')).toEqual({ id: 'GB-COH-01234567', name: 'Acme AI Ltd', identifier: { scheme: 'GB-COH', id: '01234567', legalName: 'Acme AI Ltd' }, roles: ['tenderer', 'supplier'] });
    expect(r.bids!.details[0]!.requirementResponses).toEqual([{ id: 'r1-a.training', requirement: { id: 'a.training' }, value: 'never' }]);
    expect(r.bids!.details[0]).toMatchObject({ hasRank: false });
    expect(JSON.stringify(pkg)).not.toContain('987.654');
    expect(buildReleaseContent(input())).toEqual(content);
  });

  it('validates against the extensions too: the schema refuses codes their closed codelists do not hold', () => {
    const release = nextRelease({ content: buildReleaseContent(input()), latest: null, stageDate: null, now: '2026-12-21T00:00:00.000Z' })!.release;
    const broken = JSON.parse(JSON.stringify(release)) as Release;
    (broken.bids!.details[0] as { status: string }).status = 'shortlisted';
    (broken.tender.lots[0]!.awardCriteria.criteria[0]!.numbers[0] as { weight: string }).weight = 'roughly';
    (broken.tender.criteria[0]!.requirementGroups[0]!.requirements[0] as { dataType: string }).dataType = 'text';
    (broken.bids!.details[0] as { rank: unknown }).rank = 'first';
    const errors = schemaErrors(validateReleasePackage, JSON.parse(JSON.stringify(packageOf([broken]))));
    for (const path of ['/bids/details/0/status', '/tender/lots/0/awardCriteria/criteria/0/numbers/0/weight', '/tender/criteria/0/requirementGroups/0/requirements/0/dataType', '/bids/details/0/rank'])
      expect(errors.some((e) => e.startsWith(`/releases/0${path} `)), path).toBe(true);
  });

  it('identifies a bidder by its Central Digital Platform identifier when it gives one and no company number, and never from a confidential answer', () => {
    const base = input().responses[0]!;
    const withPpon = { ...base, companyNumber: null, answers: { ...base.answers, 'viability.cdp_identifier': ' PXYZ-1234-ABCD ' } };
    const r = buildReleaseContent(input({ responses: [withPpon] }));
    expect(r.parties[1]).toEqual({ id: 'GB-PPON-PXYZ-1234-ABCD', name: 'Acme AI Ltd', identifier: { scheme: 'GB-PPON', id: 'PXYZ-1234-ABCD' }, roles: ['tenderer', 'supplier'] });
    const both = buildReleaseContent(input({ responses: [{ ...withPpon, companyNumber: '01234567' }] }));
    expect(both.parties[1]).toMatchObject({ id: 'GB-COH-01234567', additionalIdentifiers: [{ scheme: 'GB-PPON', id: 'PXYZ-1234-ABCD' }] });
    expect(cdpIdentifierOf({ ...withPpon, details: { 'viability.cdp_identifier': { comment: null, confidential: true, confidentialReason: 'x' } } })).toBeUndefined();
    expect(cdpIdentifierOf({ ...withPpon, answers: { 'viability.cdp_identifier': 'We are registering next week' } })).toBeUndefined();
  });

  it.each([
    ['a draft', 'draft'],
    ['an open tender', 'open'],
    ['a tender under evaluation', 'evaluating'],
    ['a cancelled tender', 'cancelled'],
  ] as const)('%s publishes no bid and no bidder, whatever the disclosure', (_name, status) => {
    const r = buildReleaseContent(input({ decision: null }, { status }));
    expect(r.bids).toBeUndefined();
    expect(r.parties).toHaveLength(1);
    expect(JSON.stringify(r)).not.toContain('Acme');
  });

  it('uses the procurement reference as the tender id when there is one', () => {
    expect(buildReleaseContent(input({}, { reference: 'BCC-17' })).tender.id).toBe('BCC-17');
    expect(buildReleaseContent(input()).tender.id).toBe('00000000-0000-4000-8000-000000000001');
  });

  it.each([
    ['nothing stored: the stage release, dated by the stage', null, 'tender', '2026-11-01T09:00:00.000Z', { id: 'o-1-tender', date: '2026-11-01T09:00:00.000Z', tag: ['tender'] }],
    ['a stage time not after the latest release: dated now', 'tender', 'tenderUpdate', '2026-11-01T09:00:00.000Z', { id: 'o-2-tenderUpdate', date: '2026-12-22T00:00:00.000Z', tag: ['tenderUpdate'] }],
    ['a later stage: its own tag and date', 'tender', 'award', '2026-12-20T10:00:00.000Z', { id: 'o-2-award', date: '2026-12-20T10:00:00.000Z', tag: ['award'] }],
    ['a change within a stage: an update, dated now', 'award', 'award', '2026-11-01T09:00:00.000Z', { id: 'o-2-awardUpdate', date: '2026-12-22T00:00:00.000Z', tag: ['awardUpdate'] }],
    ['a draft edited: a planning update, dated now', 'planning', 'planning', null, { id: 'o-2-planningUpdate', date: '2026-12-22T00:00:00.000Z', tag: ['planningUpdate'] }],
  ] as const)('next release: %s', (_name, previousTag, tag, stageDate, expected) => {
    const content = { ocid: 'o', tag: [tag], title: 'new' } as never;
    const latest = previousTag ? { sequence: 1, release: { ocid: 'o', id: `o-1-${previousTag}`, date: '2026-11-01T09:00:00.000Z', tag: [previousTag], title: 'old' } as never } : null;
    expect(nextRelease({ content, latest, stageDate, now: '2026-12-22T00:00:00.000Z' })!.release).toMatchObject(expected);
  });

  it('stores no new release when only the id, date or tag would differ', () => {
    const content = buildReleaseContent(input());
    const first = nextRelease({ content, latest: null, stageDate: null, now: '2026-12-21T00:00:00.000Z' })!;
    const fromDatabase = JSON.parse(JSON.stringify(first)) as typeof first;
    expect(nextRelease({ content: buildReleaseContent(input()), latest: fromDatabase, stageDate: null, now: '2026-12-22T00:00:00.000Z' })).toBeNull();
    expect(nextRelease({ content: buildReleaseContent(input({}, { ocdsDisclosure: 'bidders' })), latest: fromDatabase, stageDate: null, now: '2026-12-22T00:00:00.000Z' })).not.toBeNull();
  });

  it.each([
    ['objects merge field by field', { a: { x: 1, y: 2 } }, { a: { y: 3 } }, { a: { x: 1, y: 3 } }],
    ['arrays of objects with ids merge by id', { l: [{ id: '1', v: 1 }, { id: '2', v: 2 }] }, { l: [{ id: '2', v: 3, w: 1 }, { id: '3' }] }, { l: [{ id: '1', v: 1 }, { id: '2', v: 3, w: 1 }, { id: '3' }] }],
    ['other arrays are replaced', { tag: ['tender'], n: [{ number: 1 }] }, { tag: ['award'], n: [{ number: 2 }] }, { tag: ['award'], n: [{ number: 2 }] }],
    ['null removes a field', { a: 1, b: 2 }, { a: null }, { b: 2 }],
    ['an absent field is kept', { a: 1 }, { b: 2 }, { a: 1, b: 2 }],
  ] as const)('OCDS merge: %s', (_name, earlier, later, expected) => {
    expect(mergeInto(earlier as never, later as never)).toEqual(expected);
  });

  it('compiles the releases into the current state, tagged compiled', () => {
    const tender = nextRelease({ content: buildReleaseContent(input({ decision: null }, { status: 'open' })), latest: null, stageDate: '2026-11-01T09:00:00.000Z', now: 'x' })!;
    const awarded = nextRelease({ content: buildReleaseContent(input()), latest: tender, stageDate: '2026-12-20T10:00:00.000Z', now: 'x' })!;
    const compiled = compileReleases([tender.release, awarded.release]);
    expect(compiled).toMatchObject({ id: `${tender.release.ocid}-2026-12-20T10:00:00.000Z`, date: '2026-12-20T10:00:00.000Z', tag: ['compiled'], tender: { status: 'complete' } });
    expect(compiled.bids!.details.map((b) => b.id)).toEqual(['r1']);
    validPackage(JSON.parse(JSON.stringify(packageOf([compiled as unknown as Release]))));
  });

  it('names the default ocid prefix the configuration falls back to, which start-up warns about', () => {
    expect(testConfig().ocdsOcidPrefix).toBe(DEFAULT_OCID_PREFIX);
  });
});
