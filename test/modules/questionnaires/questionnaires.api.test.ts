import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedApiKey, seedOrganisation, seedUser } from '../../helpers/factories';
import { smallDefinition } from './fixtures';

describe('questionnaires over the API', () => {
  const ctx = useTestApp();

  const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });
  const post = (url: string, token: string, payload?: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });

  /** The built-in bank at the version a test means: both are listed, so none may rely on the order. */
  async function builtIn(token: string, version: '1.0.0' | '1.1.0') {
    const list = (await get('/v1/questionnaires?builtIn=true', token)).json();
    return list.items.find((q: { key: string; version: string }) => q.key === 'lga-responsible-ai' && q.version === version);
  }

  it('lists the built-in bank for every organisation, and serves its full definition', async () => {
    const org = await seedOrganisation(ctx);
    const listed = (await get('/v1/questionnaires?builtIn=true', org.admin.token)).json().items;
    expect(listed.map((q: { key: string; version: string }) => `${q.key}@${q.version}`).sort()).toEqual(['lga-responsible-ai@1.0.0', 'lga-responsible-ai@1.1.0']);
    expect(await builtIn(org.admin.token, '1.0.0')).toMatchObject({ sectionCount: 13, questionCount: 110 });
    const summary = await builtIn(org.admin.token, '1.1.0');
    expect(summary).toMatchObject({ version: '1.1.0', status: 'published', builtIn: true, archived: false, sectionCount: 15, questionCount: 139 });

    const full = (await get(`/v1/questionnaires/${summary.id}`, org.admin.token)).json();
    const questions = full.sections.flatMap((s: { questions: unknown[] }) => s.questions);
    expect(questions.length).toBe(summary.questionCount);
    const training = questions.find((q: { key: string }) => q.key === 'data_protection.training_on_council_data');
    expect(training).toMatchObject({ type: 'single_choice', required: true, text: expect.any(String) });
    expect(training.options.map((o: { value: string }) => o.value).length).toBeGreaterThan(2);

    const other = await seedOrganisation(ctx);
    expect((await builtIn(other.admin.token, '1.1.0')).id).toBe(summary.id);
  });

  it('imports a valid definition as a draft in the caller organisation', async () => {
    const org = await seedOrganisation(ctx);
    const response = await post('/v1/questionnaires', org.admin.token, smallDefinition());
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ key: 'small-test', version: '1.0.0', status: 'draft', builtIn: false });
    const mine = (await get('/v1/questionnaires?builtIn=false', org.admin.token)).json();
    expect(mine.items.map((q: { key: string }) => q.key)).toEqual(['small-test']);
  });

  it('refuses an invalid import with 422 listing every problem with its path', async () => {
    const org = await seedOrganisation(ctx);
    const bad = smallDefinition();
    (bad.sections[1]!.questions[0] as { key: string }).key = 'a.training';
    bad.weights.low = { a: 10, b: 10 };
    const response = await post('/v1/questionnaires', org.admin.token, bad);
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('questionnaires.invalid_definition');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: '/body/sections/1/questions/0/key', message: expect.stringContaining('declared twice') },
        { path: '/body/weights/low', message: expect.stringContaining('add up to 20') },
      ]),
    );
    expect((await get('/v1/questionnaires?builtIn=false', org.admin.token)).json().items).toEqual([]);
  });

  it('edits a draft, publishes it, and then refuses edits with 409 questionnaires.version_locked', async () => {
    const org = await seedOrganisation(ctx);
    const { id } = (await post('/v1/questionnaires', org.admin.token, smallDefinition())).json();
    const edited = await ctx.app.inject({ method: 'PUT', url: `/v1/questionnaires/${id}`, headers: bearer(org.admin.token), payload: { ...smallDefinition(), title: 'Renamed' } });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().title).toBe('Renamed');

    const published = await post(`/v1/questionnaires/${id}/publish`, org.admin.token);
    expect(published.json()).toMatchObject({ status: 'published', publishedAt: expect.any(String) });

    const locked = await ctx.app.inject({ method: 'PUT', url: `/v1/questionnaires/${id}`, headers: bearer(org.admin.token), payload: { ...smallDefinition(), title: 'Sneaky' } });
    expect(locked.statusCode).toBe(409);
    expect(problemOf(locked).code).toBe('questionnaires.version_locked');
    expect((await get(`/v1/questionnaires/${id}`, org.admin.token)).json().title).toBe('Renamed');
  });

  it('clones a built-in questionnaire into the organisation as the next version, editable', async () => {
    const org = await seedOrganisation(ctx);
    // 1.0.0 clones as the next minor version free in the organisation; the built-in 1.1.0 is not the organisation's.
    const source = await builtIn(org.admin.token, '1.0.0');
    const cloned = await post(`/v1/questionnaires/${source.id}/clone`, org.admin.token);
    expect(cloned.statusCode).toBe(201);
    expect(cloned.json()).toMatchObject({ key: 'lga-responsible-ai', version: '1.1.0', status: 'draft', builtIn: false });
    const second = await post(`/v1/questionnaires/${source.id}/clone`, org.admin.token);
    expect(second.json().version).toBe('1.2.0');
    const newest = await post(`/v1/questionnaires/${(await builtIn(org.admin.token, '1.1.0')).id}/clone`, org.admin.token);
    expect(newest.json()).toMatchObject({ version: '1.3.0', questionCount: 139 });

    const builtInEdit = await ctx.app.inject({ method: 'PUT', url: `/v1/questionnaires/${source.id}`, headers: bearer(org.admin.token), payload: smallDefinition() });
    expect(builtInEdit.statusCode).toBe(409);
    expect(problemOf(builtInEdit).code).toBe('questionnaires.built_in_read_only');
  });

  it('archives a questionnaire so the list no longer offers it', async () => {
    const org = await seedOrganisation(ctx);
    const { id } = (await post('/v1/questionnaires', org.admin.token, smallDefinition())).json();
    expect((await post(`/v1/questionnaires/${id}/archive`, org.admin.token)).json()).toMatchObject({ archived: true });
    expect((await get('/v1/questionnaires?builtIn=false', org.admin.token)).json().items).toEqual([]);
    expect((await get('/v1/questionnaires?builtIn=false&includeArchived=true', org.admin.token)).json().items).toHaveLength(1);
    expect((await post(`/v1/questionnaires/${id}/publish`, org.admin.token)).statusCode).toBe(409);
  });

  it("answers 404 for another organisation's draft, whatever the action", async () => {
    const mine = await seedOrganisation(ctx);
    const theirs = await seedOrganisation(ctx);
    const { id } = (await post('/v1/questionnaires', theirs.admin.token, smallDefinition())).json();
    const attempts = [
      get(`/v1/questionnaires/${id}`, mine.admin.token),
      get(`/v1/questionnaires/${id}/export`, mine.admin.token),
      get(`/v1/questionnaires/${id}/methodology`, mine.admin.token),
      ctx.app.inject({ method: 'PUT', url: `/v1/questionnaires/${id}`, headers: bearer(mine.admin.token), payload: smallDefinition() }),
      post(`/v1/questionnaires/${id}/publish`, mine.admin.token),
      post(`/v1/questionnaires/${id}/clone`, mine.admin.token),
      post(`/v1/questionnaires/${id}/archive`, mine.admin.token),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(404);
      expect(problemOf(response).code).toBe('questionnaires.not_found');
    }
    expect((await get(`/v1/questionnaires/${id}`, theirs.admin.token)).json().status).toBe('draft');
    expect((await get('/v1/questionnaires?builtIn=false', mine.admin.token)).json().items).toEqual([]);
  });

  it('exports byte-stable JSON that imports back to the same definition', async () => {
    const org = await seedOrganisation(ctx);
    const source = await builtIn(org.admin.token, '1.0.0');
    const first = await get(`/v1/questionnaires/${source.id}/export`, org.admin.token);
    const second = await get(`/v1/questionnaires/${source.id}/export`, org.admin.token);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-disposition']).toBe('attachment; filename="lga-responsible-ai-1.0.0.json"');
    expect(first.body).toBe(second.body);

    const reimported = await post('/v1/questionnaires', org.admin.token, { ...JSON.parse(first.body), version: '9.0.0' });
    expect(reimported.statusCode).toBe(201);
    const again = await get(`/v1/questionnaires/${reimported.json().id}/export`, org.admin.token);
    expect(again.body).toBe(first.body.replace('"version": "1.0.0"', '"version": "9.0.0"'));
  });

  it('publishes the methodology bidders are told in advance', async () => {
    const org = await seedOrganisation(ctx);
    const source = await builtIn(org.admin.token, '1.1.0');
    const methodology = (await get(`/v1/questionnaires/${source.id}/methodology`, org.admin.token)).json();
    expect(methodology.scale.map((m: { label: string }) => m.label)).toEqual(['Unacceptable', 'Poor', 'Acceptable', 'Good', 'Excellent']);
    for (const tier of ['low', 'medium', 'high', 'very_high']) {
      const total = methodology.sections.reduce((sum: number, s: { weights: Record<string, number> }) => sum + s.weights[tier]!, 0);
      expect(total).toBeCloseTo(100, 9);
    }
    const training = methodology.gateways.find((g: { questionKey: string }) => g.questionKey === 'data_protection.training_on_council_data');
    expect(training.passes).toMatch(/^Passes when the answer to 2\.2 is one of /);
    expect(training.failureMessage.length).toBeGreaterThan(20);
    expect(methodology.evidenceRule).toMatch(/at most 2 of 4/);
    expect(methodology.informationOnly.map((q: { questionKey: string }) => q.questionKey)).toContain('transparency.ai_used_in_bid');
    expect(methodology.sections.filter((s: { critical: boolean }) => s.critical).map((s: { key: string }) => s.key).sort()).toEqual(['data_protection', 'fairness', 'oversight', 'security']);
    // 1.1.0 says which gateway answers the panel decides, which questions a rubric marks, and what changed.
    const conflicts = methodology.gateways.find((g: { questionKey: string }) => g.questionKey === 'oversight.conflicts_of_interest');
    expect(conflicts.decidedByPanel).toEqual([{ answer: 'Yes, and we describe each one below', usualOutcome: null }]);
    expect(methodology.rubricQuestions.map((q: { ref: string }) => q.ref)).toEqual(['2.5a', '3.2', '3.3', '5.3', '5.4', '7.9', '15.4']);
    expect(methodology.scoringSteps.some((step: string) => step.includes('marked by a rubric'))).toBe(true);
    expect(methodology.changeLog.map((e: { version: string }) => e.version)).toEqual(['1.1.0', '1.0.0']);
    const older = (await get(`/v1/questionnaires/${(await builtIn(org.admin.token, '1.0.0')).id}/methodology`, org.admin.token)).json();
    expect([older.rubricQuestions, older.changeLog, older.scoringSteps.some((step: string) => step.includes('rubric'))]).toEqual([[], [], false]);
  });

  it('lets viewers and keys with questionnaires:read read, and only admins and officers write', async () => {
    const org = await seedOrganisation(ctx);
    const viewer = await seedUser(ctx, org, { role: 'viewer' });
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const evaluator = await seedUser(ctx, org, { role: 'evaluator' });
    const key = await seedApiKey(ctx, org, { scopes: ['questionnaires:read'] });
    const scoresKey = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
    expect((await get('/v1/questionnaires', viewer.token)).statusCode).toBe(200);
    expect((await get('/v1/questionnaires', key.token)).statusCode).toBe(200);
    expect((await get('/v1/questionnaires', scoresKey.token)).statusCode).toBe(403);
    expect((await post('/v1/questionnaires', viewer.token, smallDefinition())).statusCode).toBe(403);
    expect((await post('/v1/questionnaires', evaluator.token, smallDefinition())).statusCode).toBe(403);
    expect((await post('/v1/questionnaires', key.token, smallDefinition())).statusCode).toBe(403);
    expect((await post('/v1/questionnaires', officer.token, smallDefinition())).statusCode).toBe(201);
  });

  it('writes an audit event for every change', async () => {
    const org = await seedOrganisation(ctx);
    const { id } = (await post('/v1/questionnaires', org.admin.token, smallDefinition())).json();
    await ctx.app.inject({ method: 'PUT', url: `/v1/questionnaires/${id}`, headers: bearer(org.admin.token), payload: smallDefinition() });
    await post(`/v1/questionnaires/${id}/publish`, org.admin.token);
    await post(`/v1/questionnaires/${id}/clone`, org.admin.token);
    await post(`/v1/questionnaires/${id}/archive`, org.admin.token);
    const events = (await get('/v1/audit-events?order=asc&limit=100', org.admin.token)).json().items;
    expect(events.map((e: { action: string }) => e.action).filter((a: string) => a.startsWith('questionnaire.'))).toEqual([
      'questionnaire.imported',
      'questionnaire.updated',
      'questionnaire.published',
      'questionnaire.cloned',
      'questionnaire.archived',
    ]);
  });

  it('refuses a second import of the same key and version with 409', async () => {
    const org = await seedOrganisation(ctx);
    expect((await post('/v1/questionnaires', org.admin.token, smallDefinition())).statusCode).toBe(201);
    const again = await post('/v1/questionnaires', org.admin.token, smallDefinition());
    expect(again.statusCode).toBe(409);
    expect(problemOf(again).code).toBe('questionnaires.version_exists');
  });
});
