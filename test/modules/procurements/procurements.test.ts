import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedApiKey, seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

const DEADLINE = '2026-12-10T17:00:00.000Z'; // the test clock starts at 2026-11-26T12:00Z

describe('procurements', () => {
  const ctx = useTestApp();

  const send = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });

  let versions = 0;
  async function publishedSmall(org: SeededOrganisation) {
    versions += 1;
    const { id } = (await send('POST', '/v1/questionnaires', org.admin.token, smallDefinition({ version: `1.0.${versions}` }))).json();
    await send('POST', `/v1/questionnaires/${id}/publish`, org.admin.token);
    return id as string;
  }

  async function builtInId(org: SeededOrganisation) {
    // Either built-in version would do; 1.1.0, the newest, says which.
    return ((await send('GET', '/v1/questionnaires?builtIn=true', org.admin.token)).json().items as Array<{ id: string; version: string }>).find((q) => q.version === '1.1.0')!.id;
  }

  async function draft(org: SeededOrganisation, body: object = {}) {
    const questionnaireId = await publishedSmall(org);
    const response = await send('POST', '/v1/procurements', org.admin.token, { title: 'Chatbot for council tax', questionnaireId, deadline: DEADLINE, triage: { 'triage.personal_data': 'yes', 'triage.people': 5000 }, ...body });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  it('creates a draft whose risk tier and default weights come from the triage answers', async () => {
    const org = await seedOrganisation(ctx);
    const created = await draft(org);
    expect(created).toMatchObject({ status: 'draft', riskTier: 'high', riskTierReason: 'Set by the triage answer: “Personal data?”: Yes.', weights: { a: 60, b: 40 }, deadline: DEADLINE, version: 1 });
    const medium = await draft(org, { triage: { 'triage.personal_data': 'no', 'triage.people': 5000 } });
    expect(medium.riskTier).toBe('medium');
  });

  it('computes the tier of the built-in bank from its triage', async () => {
    const org = await seedOrganisation(ctx);
    const response = await send('POST', '/v1/procurements', org.admin.token, {
      title: 'Benefits triage assistant',
      questionnaireId: await builtInId(org),
      deadline: DEADLINE,
      triage: { 'triage.decision_role': 'fully_automated', 'triage.access_decisions': 'yes' },
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().riskTier).toBe('very_high');
    expect(Object.values(response.json().weights as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(100, 9);
  });

  it.each([
    ['weights that do not add up to 100', { weights: { a: 50, b: 40 } }, 'procurements.invalid_weights', '/body/weights'],
    ['a weight for a section that does not exist', { weights: { a: 50, b: 40, z: 10 } }, 'procurements.invalid_weights', '/body/weights/z'],
    ['a triage answer that is not an option', { triage: { 'triage.personal_data': 'maybe' } }, 'procurements.invalid_triage', '/body/triage/triage.personal_data'],
    ['an unknown triage question', { triage: { 'triage.colour': 'red' } }, 'procurements.invalid_triage', '/body/triage/triage.colour'],
    ['a deadline in the past', { deadline: '2026-11-01T00:00:00Z' }, 'procurements.deadline_in_past', '/body/deadline'],
    ['an evaluator who is not a user here', { evaluatorIds: ['0190a0c4-7b1e-7000-8000-000000000001'] }, 'procurements.unknown_user', '/body/evaluatorIds/0'],
  ])('refuses %s with 422 naming the field', async (_name, changes, code, path) => {
    const org = await seedOrganisation(ctx);
    const questionnaireId = await publishedSmall(org);
    const response = await send('POST', '/v1/procurements', org.admin.token, { title: 'T', questionnaireId, deadline: DEADLINE, triage: {}, ...changes });
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe(code);
    expect(problem.errors!.map((e) => e.path)).toContain(path);
  });

  it('refuses a draft or archived questionnaire', async () => {
    const org = await seedOrganisation(ctx);
    const { id } = (await send('POST', '/v1/questionnaires', org.admin.token, smallDefinition())).json();
    const unpublished = await send('POST', '/v1/procurements', org.admin.token, { title: 'T', questionnaireId: id, deadline: DEADLINE });
    expect(problemOf(unpublished).code).toBe('procurements.questionnaire_not_usable');
    await send('POST', `/v1/questionnaires/${id}/publish`, org.admin.token);
    await send('POST', `/v1/questionnaires/${id}/archive`, org.admin.token);
    const archived = await send('POST', '/v1/procurements', org.admin.token, { title: 'T', questionnaireId: id, deadline: DEADLINE });
    expect(archived.statusCode).toBe(422);
    expect(problemOf(archived).detail).toMatch(/archived/);
  });

  it('assigns evaluators and a moderator from the organisation', async () => {
    const org = await seedOrganisation(ctx);
    const evaluator = await seedUser(ctx, org, { role: 'evaluator' });
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const created = await draft(org, { evaluatorIds: [evaluator.id, officer.id], moderatorId: officer.id });
    expect(created).toMatchObject({ evaluatorIds: [evaluator.id, officer.id], moderatorId: officer.id });
  });

  it('changes a draft with If-Match, and a stale ETag changes nothing (412)', async () => {
    const org = await seedOrganisation(ctx);
    const created = await draft(org);
    const fresh = await send('GET', `/v1/procurements/${created.id}`, org.admin.token);
    expect(fresh.headers.etag).toBe('"1"');
    const ok = await send('PATCH', `/v1/procurements/${created.id}`, org.admin.token, { title: 'Renamed', triage: { 'triage.personal_data': 'no' } }, { 'if-match': '"1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ title: 'Renamed', riskTier: 'low', version: 2 });
    expect(ok.headers.etag).toBe('"2"');
    const stale = await send('PATCH', `/v1/procurements/${created.id}`, org.admin.token, { title: 'Lost update' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(problemOf(stale).code).toBe('procurements.stale');
    expect((await send('GET', `/v1/procurements/${created.id}`, org.admin.token)).json().title).toBe('Renamed');
  });

  it('moves through draft → open → closed → evaluating, refuses illegal moves with 409, and audits each', async () => {
    const org = await seedOrganisation(ctx);
    const created = await draft(org);
    const step = (name: string) => send('POST', `/v1/procurements/${created.id}/${name}`, org.admin.token);
    expect((await step('close')).statusCode).toBe(409);
    expect((await step('open')).json()).toMatchObject({ status: 'open', openedAt: '2026-11-26T12:00:00.000Z' });
    const again = await step('open');
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).code).toBe('procurements.invalid_transition');
    const editOpen = await send('PATCH', `/v1/procurements/${created.id}`, org.admin.token, { title: 'Too late' });
    expect(problemOf(editOpen).code).toBe('procurements.not_draft');
    expect((await step('close')).json().status).toBe('closed');
    expect((await step('start-evaluation')).json().status).toBe('evaluating');
    expect((await step('cancel')).json().status).toBe('cancelled');
    expect((await step('open')).statusCode).toBe(409);
    const actions = (await send('GET', `/v1/audit-events?order=asc&subjectId=${created.id}`, org.admin.token)).json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['procurement.created', 'procurement.open', 'procurement.closed', 'procurement.evaluation_started', 'procurement.cancelled']);
  });

  it('will not open until every triage question is answered', async () => {
    const org = await seedOrganisation(ctx);
    const created = await draft(org, { triage: { 'triage.personal_data': 'yes' } });
    const response = await send('POST', `/v1/procurements/${created.id}/open`, org.admin.token);
    expect(response.statusCode).toBe(422);
    expect(problemOf(response)).toMatchObject({ code: 'procurements.triage_incomplete', errors: [{ path: '/triage/triage.people' }] });
  });

  it('closes itself when read after the deadline, recorded as done by the system', async () => {
    const org = await seedOrganisation(ctx);
    const created = await draft(org);
    await send('POST', `/v1/procurements/${created.id}/open`, org.admin.token);
    ctx.clock.set(new Date('2026-12-10T17:00:01.000Z'));
    const read = (await send('GET', `/v1/procurements/${created.id}`, org.admin.token)).json();
    expect(read).toMatchObject({ status: 'closed', closedAt: DEADLINE });
    const events = (await send('GET', `/v1/audit-events?subjectId=${created.id}`, org.admin.token)).json().items;
    expect(events[0]).toMatchObject({ action: 'procurement.closed', actor: { type: 'system', id: 'deadline' } });
  });

  it('lets viewers and procurements:read keys read, and only officers and admins write', async () => {
    const org = await seedOrganisation(ctx);
    const created = await draft(org);
    const viewer = await seedUser(ctx, org, { role: 'viewer' });
    const evaluator = await seedUser(ctx, org, { role: 'evaluator' });
    const key = await seedApiKey(ctx, org, { scopes: ['procurements:read'] });
    expect((await send('GET', `/v1/procurements/${created.id}`, viewer.token)).statusCode).toBe(200);
    expect((await send('GET', '/v1/procurements', key.token)).json().items).toHaveLength(1);
    expect((await send('POST', `/v1/procurements/${created.id}/open`, viewer.token)).statusCode).toBe(403);
    expect((await send('POST', `/v1/procurements/${created.id}/open`, evaluator.token)).statusCode).toBe(403);
    expect((await send('PATCH', `/v1/procurements/${created.id}`, key.token, { title: 'x' })).statusCode).toBe(403);
  });

  it("answers 404 for another organisation's procurement on every endpoint", async () => {
    const mine = await seedOrganisation(ctx);
    const theirs = await seedOrganisation(ctx);
    const created = await draft(theirs);
    const attempts = [
      send('GET', `/v1/procurements/${created.id}`, mine.admin.token),
      send('PATCH', `/v1/procurements/${created.id}`, mine.admin.token, { title: 'x' }),
      ...['open', 'close', 'start-evaluation', 'cancel'].map((t) => send('POST', `/v1/procurements/${created.id}/${t}`, mine.admin.token)),
    ];
    for (const response of await Promise.all(attempts)) expect(response.statusCode).toBe(404);
    expect((await send('GET', '/v1/procurements', mine.admin.token)).json().items).toEqual([]);
    expect((await send('GET', `/v1/procurements/${created.id}`, theirs.admin.token)).json()).toMatchObject({ status: 'draft', title: 'Chatbot for council tax' });
    // Nor can one organisation pin another's questionnaire.
    const theirQuestionnaire = created.questionnaire.id;
    const borrowed = await send('POST', '/v1/procurements', mine.admin.token, { title: 'T', questionnaireId: theirQuestionnaire, deadline: DEADLINE });
    expect(problemOf(borrowed).code).toBe('procurements.questionnaire_not_usable');
  });

  it('refuses a reference already used in the organisation', async () => {
    const org = await seedOrganisation(ctx);
    await draft(org, { reference: 'DD-2026-001' });
    const questionnaireId = await publishedSmall(org);
    const again = await send('POST', '/v1/procurements', org.admin.token, { title: 'T', questionnaireId, deadline: DEADLINE, reference: 'DD-2026-001' });
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).code).toBe('procurements.reference_taken');
  });
});
