import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/platform/db';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

describe('saving many answers, and the answer library', () => {
  const ctx = useTestApp();
  const call = (method: 'GET' | 'PUT' | 'PATCH', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });

  async function invited(name = 'Supplier') {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
    const invitation = await seedInvitation(ctx, org, procurementId, { supplierName: name });
    return { token: invitation.token, responseId: invitation.responseId };
  }
  const versionsOf = async (responseId: string) =>
    queryRows<{ question_key: string; version: number }>(ctx.database.db, sql`select question_key, version from answer_versions where response_id = ${responseId} order by question_key, version`);

  it('saves several answers in one request with one new ETag, and keeps each answer’s history', async () => {
    const { token, responseId } = await invited();
    const saved = await call('PATCH', '/v1/supplier/response/answers', token, { answers: { 'a.training': { value: 'opt_in' }, 'a.training_detail': { value: 'Councils opt in per dataset.' }, 'b.hours': { value: 12 } } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.headers.etag).toBe('"2"');
    expect(Object.keys(saved.json().saved).sort()).toEqual(['a.training', 'a.training_detail', 'b.hours']);
    expect(await versionsOf(responseId)).toHaveLength(3);
    const view = (await call('GET', '/v1/supplier/response', token)).json();
    expect(view.answers['b.hours'].value).toBe(12);
    expect(view.response).toMatchObject({ status: 'in_progress', version: 2 });
  });

  it('saves nothing when one answer is invalid, and reports every problem with its question key', async () => {
    const { token, responseId } = await invited();
    await call('PUT', '/v1/supplier/response/answers/b.hours', token, { value: 10 });
    const before = (await call('GET', '/v1/supplier/response', token)).json();
    const refused = await call('PATCH', '/v1/supplier/response/answers', token, {
      answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 99999 }, 'a.nope': { value: 'x' }, 'a.training_detail': { value: 'Why', confidential: true } },
    });
    expect(refused.statusCode).toBe(422);
    const problem = problemOf(refused);
    expect(problem.code).toBe('answers.invalid_values');
    expect(problem.errors!.map((e) => [e.path, e.code]).sort()).toEqual([
      ['/body/answers/a.nope', 'a.nope'],
      ['/body/answers/a.training_detail/confidentialReason', 'a.training_detail'],
      ['/body/answers/b.hours/value', 'b.hours'],
    ]);
    const after = (await call('GET', '/v1/supplier/response', token)).json();
    expect(after.answers).toEqual(before.answers);
    expect(after.response.version).toBe(before.response.version);
    expect(await versionsOf(responseId)).toEqual([{ question_key: 'b.hours', version: 1 }]);
  });

  it('honours If-Match: a stale version is 412 and nothing is written', async () => {
    const { token } = await invited();
    await call('PUT', '/v1/supplier/response/answers/b.hours', token, { value: 10 });
    const stale = await call('PATCH', '/v1/supplier/response/answers', token, { answers: { 'b.hours': { value: 11 } } }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect((await call('GET', '/v1/supplier/response', token)).json().answers['b.hours'].value).toBe(10);
    const fresh = await call('PATCH', '/v1/supplier/response/answers', token, { answers: { 'b.hours': { value: 11 } } }, { 'if-match': '"2"' });
    expect(fresh.statusCode).toBe(200);
  });

  it('exports answers keyed by question key, and imports them into another procurement', async () => {
    const first = await invited('First');
    await call('PATCH', '/v1/supplier/response/answers', first.token, {
      answers: { 'a.training': { value: 'opt_in', comment: 'Per dataset' }, 'a.training_detail': { value: 'Opt-in form.', confidential: true, confidentialReason: 'Pricing detail' }, 'b.hours': { value: 7 } },
    });
    const exported = await call('GET', '/v1/supplier/response/export', first.token);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toContain('answers.json');
    const document = exported.json();
    expect(document).toMatchObject({ format: 'aidd.answers/v1', questionnaire: { key: 'small-test' } });
    expect(document.answers['a.training_detail']).toEqual({ value: 'Opt-in form.', comment: null, confidential: true, confidentialReason: 'Pricing detail' });

    const second = await invited('Second');
    const library = { ...document, answers: { ...document.answers, 'other.questionnaire.key': { value: 'kept elsewhere' } } };
    const imported = await call('PUT', '/v1/supplier/response/import', second.token, library);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ ignored: ['other.questionnaire.key'], unchanged: [] });
    const view = (await call('GET', '/v1/supplier/response', second.token)).json();
    expect(view.answers['a.training']).toMatchObject({ value: 'opt_in', comment: 'Per dataset' });
    expect(view.answers['a.training_detail']).toMatchObject({ confidential: true, confidentialReason: 'Pricing detail' });

    // Importing the same library again writes nothing new.
    const again = await call('PUT', '/v1/supplier/response/import', second.token, library);
    expect(again.json()).toMatchObject({ saved: {}, unchanged: expect.arrayContaining(['a.training', 'a.training_detail', 'b.hours']) });
    expect(await versionsOf(second.responseId)).toHaveLength(3);
  });

  it('refuses an import with any invalid answer, listing each, and keeps the answers already there', async () => {
    const { token } = await invited();
    await call('PUT', '/v1/supplier/response/answers/b.hours', token, { value: 3 });
    const refused = await call('PUT', '/v1/supplier/response/import', token, { answers: { 'a.training': { value: 'sometimes' }, 'b.hours': { value: 'lots' } } });
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused).errors!.map((e) => e.code).sort()).toEqual(['a.training', 'b.hours']);
    const view = (await call('GET', '/v1/supplier/response', token)).json();
    expect(view.answers['b.hours'].value).toBe(3);
    expect(view.answers['a.training']).toBeUndefined();
  });

  it('refuses a body that is not a map of answers with 422', async () => {
    const { token } = await invited();
    const refused = await call('PATCH', '/v1/supplier/response/answers', token, { answers: [{ value: 1 }] });
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused).code).toBe('request.validation_failed');
  });
});
