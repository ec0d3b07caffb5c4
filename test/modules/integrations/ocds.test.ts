import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bidStatusOf, buildReleasePackage, OCDS_EXTENSIONS, responseValue, stageOf, type ReleasePackageInput } from '../../../src/modules/integrations/ocds.models';
import { questionnaireDefinitionSchema, type Question } from '../../../src/modules/questionnaires';
import type { Evaluation } from '../../../src/modules/scoring';
import { bearer, problemOf, testConfig, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

// ───────────────────────────────────────────── the parts of the OCDS 1.1 release schema we use
// Core 1.1 plus the lots, bids, requirements and award criteria extensions, and our local one.
// Objects are strict: a field that none of those schemas defines fails the test.

const RELEASE_TAGS = [
  'planning', 'planningUpdate', 'tender', 'tenderAmendment', 'tenderUpdate', 'tenderCancellation', 'award', 'awardUpdate', 'awardCancellation',
  'contract', 'contractUpdate', 'contractAmendment', 'implementation', 'implementationUpdate', 'contractTermination', 'compiled',
] as const;
const PARTY_ROLES = ['buyer', 'procuringEntity', 'supplier', 'tenderer', 'funder', 'enquirer', 'payer', 'payee', 'reviewBody', 'interestedParty'] as const;
const TENDER_STATUSES = ['planning', 'planned', 'active', 'cancelled', 'unsuccessful', 'complete', 'withdrawn'] as const;
const BID_STATUSES = ['invited', 'pending', 'valid', 'disqualified', 'withdrawn'] as const;
const AWARD_STATUSES = ['pending', 'active', 'cancelled', 'unsuccessful'] as const;
const DATA_TYPES = ['string', 'date-time', 'number', 'integer', 'boolean'] as const;

const dateTime = z.iso.datetime({ offset: true });
const text = z.string().min(1);
const organizationReference = z.strictObject({ id: text, name: text });
const period = z.strictObject({ startDate: dateTime.optional(), endDate: dateTime.optional() });
const requirement = z.strictObject({
  id: text,
  title: text.optional(),
  description: text.optional(),
  dataType: z.enum(DATA_TYPES).optional(),
  minValue: z.number().optional(),
  maxValue: z.number().optional(),
});
const criterion = z.strictObject({
  id: text,
  title: text.optional(),
  description: text.optional(),
  source: z.enum(['tenderer', 'buyer', 'procuringEntity']).optional(),
  relatesTo: z.enum(['tenderer', 'item']).optional(),
  requirementGroups: z.array(z.strictObject({ id: text, description: text.optional(), requirements: z.array(requirement).min(1) })).min(1),
});
const criterionNumber = z.strictObject({
  number: z.number(),
  weight: z.enum(['percentageExact', 'percentageRangeMiddle', 'decimalExact', 'decimalRangeMiddle', 'pointsExact', 'pointsRangeMiddle', 'order']).optional(),
  threshold: z.enum(['minimumScore', 'maximumBids']).optional(),
});
const awardCriterion = z.strictObject({ type: z.enum(['price', 'cost', 'quality']), name: text, description: text.optional(), numbers: z.array(criterionNumber).min(1) });
const lot = z.strictObject({ id: text, title: text.optional(), status: z.enum(TENDER_STATUSES).optional(), awardCriteria: z.strictObject({ criteria: z.array(awardCriterion).min(1) }) });
const requirementResponse = z.strictObject({ id: text, requirement: z.strictObject({ id: text }), value: z.union([text, z.number(), z.boolean()]) });
const score = z.number().min(0).max(100);
const bidEvaluation = z.strictObject({
  total: score.nullable(),
  rating: z.enum(['acceptable', 'acceptable_with_conditions', 'significant_concerns', 'not_acceptable']),
  gatewaysPassed: z.boolean(),
  final: z.boolean(),
  sectionScores: z.array(z.strictObject({ id: text, title: text, weight: score, score: score.nullable() })),
  scoringMethodVersion: text,
  questionnaire: z.strictObject({ key: text, version: text }),
});
const bid = z.strictObject({
  id: text,
  date: dateTime.optional(),
  status: z.enum(BID_STATUSES),
  tenderers: z.array(organizationReference).min(1),
  relatedLots: z.array(text),
  requirementResponses: z.array(requirementResponse).min(1).optional(),
  evaluation: bidEvaluation.optional(),
});
const award = z.strictObject({
  id: text,
  status: z.enum(AWARD_STATUSES),
  date: dateTime,
  suppliers: z.array(organizationReference).min(1),
  relatedBids: z.array(text),
  relatedLots: z.array(text),
});
const release = z.strictObject({
  ocid: text,
  id: text.refine((id) => !id.includes('#'), 'a release id must not contain #'),
  date: dateTime,
  tag: z.array(z.enum(RELEASE_TAGS)).min(1),
  initiationType: z.literal('tender'),
  language: z.string().regex(/^[a-z]{2}$/),
  parties: z.array(
    z.strictObject({
      id: text,
      name: text,
      identifier: z.strictObject({ scheme: text, id: text, legalName: text }).optional(),
      roles: z.array(z.enum(PARTY_ROLES)).min(1),
    }),
  ),
  buyer: organizationReference,
  tender: z.strictObject({
    id: text,
    title: text,
    description: text.optional(),
    status: z.enum(TENDER_STATUSES),
    procuringEntity: organizationReference,
    tenderPeriod: period.optional(),
    numberOfTenderers: z.number().int().min(0),
    criteria: z.array(criterion).min(1),
    lots: z.array(lot).min(1),
  }),
  bids: z.strictObject({ details: z.array(bid) }).optional(),
  awards: z.array(award).optional(),
});
const releasePackage = z.strictObject({
  uri: z.url(),
  version: z.string().regex(/^(\d+\.)(\d+)$/),
  extensions: z.array(z.url()),
  publishedDate: dateTime,
  publisher: z.strictObject({ name: text }),
  releases: z.array(release).min(1),
});
type OcdsPackage = z.infer<typeof releasePackage>;
type OcdsRelease = OcdsPackage['releases'][number];

function duplicates(ids: string[]): string[] {
  return ids.filter((id, i) => ids.indexOf(id) !== i);
}

/** Validates the package and the rules JSON Schema cannot express: unique ids (OCDS merges arrays by id) and references that resolve. */
function validateOcds(json: unknown, ocidPrefix: string): OcdsRelease {
  const parsed = releasePackage.safeParse(json);
  expect(parsed.error?.issues ?? []).toEqual([]);
  const pkg = parsed.data!;
  expect(pkg.version).toBe('1.1');
  expect(pkg.releases).toHaveLength(1);
  const r = pkg.releases[0]!;
  expect(r.ocid.startsWith(`${ocidPrefix}-`)).toBe(true);

  const parties = new Map(r.parties.map((p) => [p.id, p]));
  const requirements = r.tender.criteria.flatMap((c) => c.requirementGroups.flatMap((g) => g.requirements));
  const requirementById = new Map(requirements.map((q) => [q.id, q]));
  const bids = r.bids?.details ?? [];
  const responses = bids.flatMap((b) => b.requirementResponses ?? []);
  for (const [what, ids] of Object.entries({
    parties: r.parties.map((p) => p.id),
    criteria: r.tender.criteria.map((c) => c.id),
    requirementGroups: r.tender.criteria.flatMap((c) => c.requirementGroups.map((g) => g.id)),
    requirements: requirements.map((q) => q.id),
    lots: r.tender.lots.map((l) => l.id),
    bids: bids.map((b) => b.id),
    requirementResponses: responses.map((x) => x.id),
    awards: (r.awards ?? []).map((a) => a.id),
    ...Object.fromEntries(bids.map((b) => [`sectionScores of ${b.id}`, (b.evaluation?.sectionScores ?? []).map((s) => s.id)])),
  })) {
    expect(duplicates(ids), `duplicate ids in ${what}`).toEqual([]);
  }

  const resolves = (ref: { id: string; name: string }, role: (typeof PARTY_ROLES)[number]) => {
    const party = parties.get(ref.id);
    expect(party, `party ${ref.id}`).toBeDefined();
    expect(party!.name).toBe(ref.name);
    expect(party!.roles).toContain(role);
  };
  resolves(r.buyer, 'buyer');
  resolves(r.tender.procuringEntity, 'procuringEntity');
  const lotIds = new Set(r.tender.lots.map((l) => l.id));
  for (const b of bids) {
    b.tenderers.forEach((t) => resolves(t, 'tenderer'));
    for (const lotId of b.relatedLots) expect(lotIds.has(lotId)).toBe(true);
    for (const response of b.requirementResponses ?? []) {
      const req = requirementById.get(response.requirement.id);
      expect(req, `requirement ${response.requirement.id}`).toBeDefined();
      // The value must be of the requirement's dataType.
      const valueOk = {
        boolean: typeof response.value === 'boolean',
        integer: Number.isInteger(response.value),
        number: typeof response.value === 'number',
        string: typeof response.value === 'string',
        'date-time': typeof response.value === 'string' && dateTime.safeParse(response.value).success,
      }[req!.dataType ?? 'string'];
      expect(valueOk, `${response.requirement.id}: ${String(response.value)} is not ${req!.dataType}`).toBe(true);
    }
    for (const s of b.evaluation?.sectionScores ?? []) expect(r.tender.criteria.map((c) => c.id)).toContain(`criterion-${s.id}`);
  }
  for (const a of r.awards ?? []) {
    a.suppliers.forEach((s) => resolves(s, 'supplier'));
    for (const id of a.relatedBids) expect(bids.map((b) => b.id)).toContain(id);
  }
  // percentageExact weights must add up to 100.
  for (const l of r.tender.lots) {
    const weights = l.awardCriteria.criteria.flatMap((c) => c.numbers.filter((n) => n.weight === 'percentageExact').map((n) => n.number));
    expect(weights.reduce((a, b) => a + b, 0)).toBe(100);
  }
  return r;
}

// ───────────────────────────────────────────── the API

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const SECRET = 'Our opt-in relies on the Zephyr-77 consent broker we license privately';
const SECRET_REASON = 'Names a commercial partner under NDA';
const SECRET_COMMENT = 'Comment naming Quokka Holdings';

function api(ctx: TestContext) {
  return (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
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

describe('GET /v1/procurements/{id}/ocds', () => {
  const ctx = useTestApp();
  const call = api(ctx);
  const { ocdsOcidPrefix, publicBaseUrl } = testConfig();

  it('publishes a valid OCDS 1.1 package: criteria from the questionnaire, weights and gateways as award criteria, one bid per submitted or withdrawn response', async () => {
    const w = await ocdsWorld(ctx);
    const response = await call('GET', `/v1/procurements/${w.procurementId}/ocds`, w.org.admin.token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const pkg = response.json();
    const r = validateOcds(pkg, ocdsOcidPrefix);

    expect(pkg.uri).toBe(`${publicBaseUrl}/v1/procurements/${w.procurementId}/ocds`);
    expect(pkg.publisher.name).toBe('Borsetshire County Council');
    expect(pkg.extensions).toEqual([...OCDS_EXTENSIONS, `${publicBaseUrl}/ocds-extension/extension.json`]);
    expect(r.ocid).toBe(`${ocdsOcidPrefix}-${w.procurementId}`);
    expect(r.date).toBe(ctx.clock.now().toISOString());
    expect(r.tag).toEqual(['tender']);
    expect(r.buyer.name).toBe('Borsetshire County Council');
    expect(r.tender).toMatchObject({ id: w.procurementId, title: 'AI chatbot', status: 'active', numberOfTenderers: 2 });

    // Requirements: one criterion per section, requirement id = question key, dataType from the question type.
    expect(r.tender.criteria.map((c) => c.id)).toEqual(['criterion-a', 'criterion-b']);
    const requirements = Object.fromEntries(r.tender.criteria.flatMap((c) => c.requirementGroups[0]!.requirements).map((q) => [q.id, q]));
    expect(requirements['a.training']).toMatchObject({ title: 'Do you train on our data?', dataType: 'string' });
    expect(requirements['a.training_detail']).toMatchObject({ dataType: 'string' });
    expect(requirements['b.hours']).toMatchObject({ dataType: 'number', minValue: 0, maxValue: 1000 });

    // Award criteria: the procurement's weights, then the gateway as a pass/fail threshold.
    const criteria = r.tender.lots[0]!.awardCriteria.criteria;
    expect(criteria.map((c) => [c.name, c.numbers])).toEqual([
      ['Section A', [{ number: 60, weight: 'percentageExact' }]],
      ['Section B', [{ number: 40, weight: 'percentageExact' }]],
      ['Gateway: Do you train on our data?', [{ number: 1, threshold: 'minimumScore' }]],
    ]);

    // Bids: Gamma never submitted, so it is not a bid; Delta withdrew.
    const bids = Object.fromEntries(r.bids!.details.map((b) => [b.id, b]));
    expect(Object.keys(bids).sort()).toEqual([w.alpha.responseId, w.beta.responseId, w.delta.responseId].sort());
    expect(r.parties.find((p) => p.name === 'Gamma (no bid)')).toBeUndefined();
    expect(r.parties.find((p) => p.name === 'Beta Bots')).toEqual({ id: 'GB-COH-SC123456', name: 'Beta Bots', identifier: { scheme: 'GB-COH', id: 'SC123456', legalName: 'Beta Bots' }, roles: ['tenderer'] });
    expect(bids[w.beta.responseId]!.tenderers).toEqual([{ id: 'GB-COH-SC123456', name: 'Beta Bots' }]);
    expect(bids[w.alpha.responseId]).toMatchObject({ status: 'valid', tenderers: [{ name: 'Alpha AI' }], relatedLots: ['1'] });
    expect(bids[w.beta.responseId]).toMatchObject({ status: 'disqualified', evaluation: { gatewaysPassed: false, rating: 'not_acceptable' } });
    expect(bids[w.delta.responseId]!.status).toBe('withdrawn');
    expect(bids[w.delta.responseId]!.requirementResponses).toBeUndefined();
    expect(bids[w.delta.responseId]!.evaluation).toBeUndefined();
    const values = (id: string) => Object.fromEntries((bids[id]!.requirementResponses ?? []).map((x) => [x.requirement.id, x.value]));
    expect(values(w.beta.responseId)).toEqual({ 'a.training': 'default', 'b.hours': 48 });
    // Alpha's confidential answer is left out; the others are published.
    expect(values(w.alpha.responseId)).toEqual({ 'a.training': 'opt_in', 'b.hours': 12 });
  });

  it('never exports an answer the supplier marked confidential, nor its reason or comment, anywhere in the package', async () => {
    const w = await ocdsWorld(ctx);
    const body = (await call('GET', `/v1/procurements/${w.procurementId}/ocds`, w.org.admin.token)).body;
    // Sanity: the same answer is on record for council staff, so its absence here is the export's doing.
    const officerView = (await call('GET', `/v1/responses/${w.alpha.responseId}`, w.org.admin.token)).body;
    expect(officerView).toContain(SECRET);
    for (const fragment of [SECRET, 'Zephyr-77', SECRET_REASON, SECRET_COMMENT, 'Quokka']) expect(body).not.toContain(fragment);
    expect(body).toContain(w.alpha.responseId);
  });

  it('round-trips the scores: each bid’s evaluation equals GET /v1/responses/{id}/evaluation', async () => {
    const w = await ocdsWorld(ctx);
    const r = validateOcds((await call('GET', `/v1/procurements/${w.procurementId}/ocds`, w.org.admin.token)).json(), ocdsOcidPrefix);
    const evaluated = r.bids!.details.filter((b) => b.evaluation);
    expect(evaluated.map((b) => b.id).sort()).toEqual([w.alpha.responseId, w.beta.responseId].sort());
    for (const b of evaluated) {
      const e = (await call('GET', `/v1/responses/${b.id}/evaluation`, w.org.admin.token)).json();
      expect(b.evaluation).toEqual({
        total: e.overallScore,
        rating: e.rating,
        gatewaysPassed: e.gateways.every((g: { outcome: string }) => g.outcome === 'pass' || g.outcome === 'conditional'),
        final: !e.provisional,
        sectionScores: e.sections.map((s: { key: string; title: string; weight: number; score: number | null }) => ({ id: s.key, title: s.title, weight: s.weight, score: s.score })),
        scoringMethodVersion: e.scoringMethodVersion,
        questionnaire: { key: e.questionnaire.key, version: e.questionnaire.version },
      });
      expect(b.evaluation!.sectionScores.some((s) => s.score !== null)).toBe(true);
    }
    // Alpha's manual question is not marked yet, so its scores are provisional.
    expect(evaluated.find((b) => b.id === w.alpha.responseId)!.evaluation!.final).toBe(false);
  });

  it('publishes an award release once the council awards: the supplier, the awarded bid and final scores', async () => {
    const w = await ocdsWorld(ctx);
    await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token);
    await call('POST', `/v1/procurements/${w.procurementId}/start-evaluation`, w.org.admin.token);
    expect((await call('POST', `/v1/procurements/${w.procurementId}/declarations`, w.moderator.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);
    const moderated = await call('PUT', `/v1/responses/${w.alpha.responseId}/moderation/a.training_detail`, w.moderator.token, { score: 3, rationale: 'Clear, written opt-in.' });
    expect(moderated.statusCode, moderated.body).toBe(200);
    ctx.clock.advance(60_000);
    const decided = await call('POST', `/v1/procurements/${w.procurementId}/decision`, w.org.admin.token, { outcome: 'award', responseId: w.alpha.responseId, rationale: 'Only bid that passed every gateway.' });
    expect(decided.statusCode, decided.body).toBe(200);

    const r = validateOcds((await call('GET', `/v1/procurements/${w.procurementId}/ocds`, w.org.admin.token)).json(), ocdsOcidPrefix);
    expect(r.tag).toEqual(['award']);
    expect(r.tender.status).toBe('complete');
    expect(r.awards).toEqual([
      { id: `award-${w.alpha.responseId}`, status: 'pending', date: ctx.clock.now().toISOString(), suppliers: [{ id: expect.any(String), name: 'Alpha AI' }], relatedBids: [w.alpha.responseId], relatedLots: ['1'] },
    ]);
    expect(r.parties.find((p) => p.name === 'Alpha AI')!.roles).toEqual(['tenderer', 'supplier']);
    expect(r.parties.find((p) => p.name === 'Beta Bots')!.roles).toEqual(['tenderer']);
    const alpha = r.bids!.details.find((b) => b.id === w.alpha.responseId)!;
    expect(alpha.evaluation!.final).toBe(true);
  });

  it('gives a new release id when the content changes and keeps it for the same snapshot', async () => {
    const w = await ocdsWorld(ctx);
    const get = async () => validateOcds((await call('GET', `/v1/procurements/${w.procurementId}/ocds`, w.org.admin.token)).json(), ocdsOcidPrefix);
    const first = await get();
    expect((await get()).id).toBe(first.id);
    expect((await call('POST', `/v1/procurements/${w.procurementId}/close`, w.org.admin.token)).statusCode).toBe(200);
    ctx.clock.advance(1000);
    const later = await get();
    expect(later.id).not.toBe(first.id);
    expect(later.date > first.date).toBe(true);
  });

  it('is for the council’s staff and API keys with scores:read only; another council gets 404', async () => {
    const w = await ocdsWorld(ctx);
    const url = `/v1/procurements/${w.procurementId}/ocds`;
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
    expect(foreign.body).not.toContain('Alpha AI');
  });

  it('serves the local extension, publicly, and documents every field the package writes in it', async () => {
    const w = await ocdsWorld(ctx);
    const extension = await ctx.app.inject({ method: 'GET', url: '/ocds-extension/extension.json' });
    expect(extension.statusCode).toBe(200);
    expect(extension.headers['content-type']).toMatch(/^application\/json/);
    expect(extension.json()).toMatchObject({ compatibility: ['1.1'], schemas: ['release-schema.json'] });
    const schema = (await ctx.app.inject({ method: 'GET', url: '/ocds-extension/release-schema.json' })).json();
    expect(schema).toEqual(JSON.parse(readFileSync(new URL('../../../openapi/ocds-extension/release-schema.json', import.meta.url), 'utf8')));

    const r = validateOcds((await call('GET', `/v1/procurements/${w.procurementId}/ocds`, w.org.admin.token)).json(), ocdsOcidPrefix);
    const evaluation = r.bids!.details.find((b) => b.evaluation)!.evaluation!;
    expect(schema.definitions.Bid.properties.evaluation.$ref).toBe('#/definitions/BidEvaluation');
    expect(Object.keys(evaluation).sort()).toEqual(Object.keys(schema.definitions.BidEvaluation.properties).sort());
    expect(Object.keys(evaluation.sectionScores[0]!).sort()).toEqual(Object.keys(schema.definitions.SectionScore.properties).sort());
    expect(Object.keys(evaluation.questionnaire).sort()).toEqual(Object.keys(schema.definitions.QuestionnaireVersion.properties).sort());
    expect(schema.definitions.BidEvaluation.properties.rating.enum).toEqual(expect.arrayContaining([evaluation.rating]));
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

  it('builds a valid package from plain data, without any answer marked confidential', () => {
    const definition = questionnaireDefinitionSchema.parse(smallDefinition());
    const input: ReleasePackageInput = {
      procurement: { id: '00000000-0000-4000-8000-000000000001', title: 'Chatbot', description: '', status: 'open', riskTier: 'high', weights: { a: 60, b: 40 }, openedAt: '2026-11-01T09:00:00.000Z', closesAt: '2026-12-10T17:00:00.000Z' },
      definition,
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
      decision: null,
      buyer: { id: 'org-1', name: 'Test Council' },
      ocidPrefix: 'ocds-abc123',
      publishedDate: '2026-11-26T12:00:00.000Z',
      uri: 'https://example.gov.uk/v1/procurements/1/ocds',
      publisherName: 'Test Council',
      localExtensionUrl: 'https://example.gov.uk/ocds-extension/extension.json',
    };
    const pkg = buildReleasePackage(input);
    const r = validateOcds(JSON.parse(JSON.stringify(pkg)), 'ocds-abc123');
    expect(r.parties.find((p) => p.name === 'Acme AI Ltd')).toEqual({ id: 'GB-COH-01234567', name: 'Acme AI Ltd', identifier: { scheme: 'GB-COH', id: '01234567', legalName: 'Acme AI Ltd' }, roles: ['tenderer'] });
    expect(r.bids!.details[0]!.requirementResponses).toEqual([{ id: 'r1-a.training', requirement: { id: 'a.training' }, value: 'never' }]);
    expect(JSON.stringify(pkg)).not.toContain('987.654');
    expect(buildReleasePackage(input)).toEqual(pkg);
  });
});
