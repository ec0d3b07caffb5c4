import { describe, expect, it } from 'vitest';
import type { Scope } from '../../../src/platform/auth';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { multipart } from '../../helpers/multipart';
import { evidenceDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

// Words that only a key allowed confidential answers may ever read.
const SECRET_COMMENT = 'SECRETCOMMENT our 24/7 SOC contract with Example Security';
const SECRET_REASON = 'SECRETREASON commercially sensitive staffing model';
const SECRET_PLAN = 'SECRETPLAN incident response plan, page one';
const SECRET_QUESTION = 'SECRETQUESTION are those 17 hours counted from detection?';
const SECRET_REPLY = 'SECRETREPLY yes, from detection by our SOC';
const SECRETS = [SECRET_COMMENT, SECRET_REASON, SECRET_PLAN, SECRET_QUESTION, SECRET_REPLY];

const WITHHELD_ANSWER = { value: null, comment: null, confidential: true, confidentialReason: null, redacted: true };

/**
 * One submitted response: `a.training` open, `b.hours` (17) marked confidential with a comment,
 * a reason and an evidence file, `b.policy` answered by a file that is not confidential. The
 * council asked about both answers and the supplier replied.
 */
async function confidentialWorld(ctx: TestContext) {
  const org = await seedOrganisation(ctx);
  const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage });
  const supplier = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const imported = await call('PUT', '/v1/supplier/response/import', supplier.token, {
    answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 17, comment: SECRET_COMMENT, confidential: true, confidentialReason: SECRET_REASON } },
  });
  expect(imported.statusCode, imported.body).toBe(200);
  const upload = async (questionKey: string, filename: string, text: string) => {
    const body = multipart({ fields: { questionKey }, files: [{ filename, contentType: 'text/plain', bytes: Buffer.from(text) }] });
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(supplier.token), ...body.headers }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().evidence.id as string;
  };
  const planId = await upload('b.hours', 'SECRETPLAN-incident-plan.txt', SECRET_PLAN);
  const policyId = await upload('b.policy', 'ai-policy.txt', 'Our published AI use policy.');
  const submitted = await call('POST', '/v1/supplier/response/submit', supplier.token, { declaration: true });
  expect(submitted.statusCode, submitted.body).toBe(200);

  for (const [questionKey, question, reply] of [
    ['b.hours', SECRET_QUESTION, SECRET_REPLY],
    ['a.training', 'Does never include backups?', 'Yes, backups too.'],
  ] as const) {
    ctx.clock.advance(60_000);
    const asked = await call('POST', `/v1/responses/${supplier.responseId}/clarifications`, org.admin.token, { questionKey, question, allowAmend: false });
    expect(asked.statusCode, asked.body).toBe(201);
    const replied = await call('POST', `/v1/supplier/response/clarifications/${asked.json().id}/reply`, supplier.token, { reply });
    expect(replied.statusCode, replied.body).toBe(200);
  }
  const key = async (...scopes: string[]) => (await seedApiKey(ctx, org, { scopes: scopes as Scope[] })).token;
  return { org, procurementId, responseId: supplier.responseId, planId, policyId, call, key };
}

const withoutSecrets = (body: string) => SECRETS.filter((secret) => body.includes(secret));

describe('API keys and the answers a supplier marked confidential', () => {
  const ctx = useTestApp();

  it('refuses a procurements:read key the answers (403), and still lets it follow progress', async () => {
    const w = await confidentialWorld(ctx);
    const token = await w.key('procurements:read');
    const refused = await w.call('GET', `/v1/responses/${w.responseId}`, token);
    expect([refused.statusCode, refused.statusCode === 403 ? problemOf(refused).code : refused.body.slice(0, 80)]).toEqual([403, 'auth.forbidden']);
    expect((await w.call('GET', `/v1/responses/${w.responseId}/evidence/${w.policyId}`, token)).statusCode).toBe(403);
    expect((await w.call('GET', `/v1/responses/${w.responseId}/clarifications`, token)).statusCode).toBe(403);
    expect((await w.call('GET', `/v1/procurements/${w.procurementId}/responses`, token)).statusCode).toBe(200);
  });

  it('gives a responses:read key the response with the confidential answer withheld, live and as submitted', async () => {
    const w = await confidentialWorld(ctx);
    const res = await w.call('GET', `/v1/responses/${w.responseId}`, await w.key('responses:read'));
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    const response = res.json();
    expect(response.answers['b.hours']).toEqual({ ...WITHHELD_ANSWER, version: expect.any(Number), updatedAt: expect.any(String) });
    expect(response.answers['a.training']).toMatchObject({ value: 'never', confidential: false });
    expect(response.answers['a.training']).not.toHaveProperty('redacted');
    expect(response.submission.answers['b.hours']).toEqual(WITHHELD_ANSWER);
    expect(response.submission.answers['a.training']).toMatchObject({ value: 'never' });
    // The confidential answer's file is not listed; the other file is.
    expect(response.evidence.map((e: { questionKey: string }) => e.questionKey)).toEqual(['b.policy']);
    expect(response.submission.evidence.map((e: { questionKey: string }) => e.questionKey)).toEqual(['b.policy']);
    expect(withoutSecrets(res.body)).toEqual([]);
  });

  it('gives a key that also holds responses:read-confidential the response whole, as staff see it', async () => {
    const w = await confidentialWorld(ctx);
    const res = await w.call('GET', `/v1/responses/${w.responseId}`, await w.key('responses:read', 'responses:read-confidential'));
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    const staff = await w.call('GET', `/v1/responses/${w.responseId}`, w.org.admin.token);
    expect(res.json()).toEqual(staff.json());
    expect(res.json().answers['b.hours']).toMatchObject({ value: 17, comment: SECRET_COMMENT, confidential: true, confidentialReason: SECRET_REASON });
    expect(res.json().answers['b.hours']).not.toHaveProperty('redacted');
    expect((await w.call('GET', `/v1/responses/${w.responseId}/evidence/${w.planId}`, await w.key('responses:read', 'responses:read-confidential'))).body).toBe(SECRET_PLAN);
  });

  it('answers 404 to a responses:read key for the evidence of a confidential answer, and serves the other files', async () => {
    const w = await confidentialWorld(ctx);
    const token = await w.key('responses:read');
    const withheld = await w.call('GET', `/v1/responses/${w.responseId}/evidence/${w.planId}`, token);
    expect([withheld.statusCode, withheld.statusCode === 404 ? problemOf(withheld).code : withheld.body.slice(0, 80)]).toEqual([404, 'evidence.not_found']);
    const open = await w.call('GET', `/v1/responses/${w.responseId}/evidence/${w.policyId}`, token);
    expect([open.statusCode, open.body]).toEqual([200, 'Our published AI use policy.']);
  });

  it('withholds a clarification about a confidential answer from a responses:read key: the question, the answer quoted and the reply', async () => {
    const w = await confidentialWorld(ctx);
    const res = await w.call('GET', `/v1/responses/${w.responseId}/clarifications`, await w.key('responses:read'));
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    const [aboutHours, aboutTraining] = res.json().items;
    expect(aboutHours).toMatchObject({ questionKey: 'b.hours', redacted: true, originalAnswer: WITHHELD_ANSWER, reply: null, status: 'answered' });
    expect(aboutHours.question).toMatch(/^Withheld/);
    expect(aboutTraining).toMatchObject({ questionKey: 'a.training', question: 'Does never include backups?', reply: 'Yes, backups too.', originalAnswer: { value: 'never' } });
    expect(aboutTraining).not.toHaveProperty('redacted');
    expect(withoutSecrets(res.body)).toEqual([]);
    const whole = await w.call('GET', `/v1/responses/${w.responseId}/clarifications`, await w.key('responses:read', 'responses:read-confidential'));
    expect(whole.json()).toEqual((await w.call('GET', `/v1/responses/${w.responseId}/clarifications`, w.org.admin.token)).json());
  });

  it('refuses a scores:read key the evaluation report (403); reports:read alone is not enough, with responses:read-confidential it is', async () => {
    const w = await confidentialWorld(ctx);
    const url = `/v1/responses/${w.responseId}/report.pdf`;
    const scores = await w.call('GET', url, await w.key('scores:read'));
    expect([scores.statusCode, scores.statusCode === 403 ? problemOf(scores).code : scores.headers['content-type']]).toEqual([403, 'auth.forbidden']);
    expect((await w.call('GET', url, await w.key('reports:read'))).statusCode).toBe(403);
    expect((await w.call('GET', url, await w.key('responses:read-confidential'))).statusCode).toBe(403);
    const both = await w.call('GET', url, await w.key('reports:read', 'responses:read-confidential'));
    expect([both.statusCode, both.headers['content-type']]).toEqual([200, 'application/pdf']);
  });

  it('shows a scores:read key the scores of a confidential answer but not the working that quotes it', async () => {
    const w = await confidentialWorld(ctx);
    const url = `/v1/responses/${w.responseId}/evaluation`;
    const keyView = await w.call('GET', url, await w.key('scores:read'));
    expect(keyView.statusCode, keyView.body.slice(0, 200)).toBe(200);
    const staffView = (await w.call('GET', url, w.org.admin.token)).json();
    const hours = (e: { questions: Array<{ key: string; working: string[] }> }) => e.questions.find((q) => q.key === 'b.hours')!;
    expect(hours(staffView).working.join(' ')).toContain('17');
    expect(hours(keyView.json())).toEqual({ ...hours(staffView), working: ['Withheld: the supplier marked this answer confidential.'] });
    // Everything else is the staff's evaluation, unchanged.
    const others = (e: { questions: Array<{ key: string }> }) => e.questions.filter((q) => q.key !== 'b.hours');
    expect(others(keyView.json())).toEqual(others(staffView));
    expect({ ...keyView.json(), questions: [] }).toEqual({ ...staffView, questions: [] });
    const whole = await w.call('GET', url, await w.key('scores:read', 'responses:read-confidential'));
    expect(whole.json()).toEqual(staffView);
  });

  // OCDS: a scores:read key never gets answer text, and confidential answers are never published,
  // whatever the key: test/modules/integrations/ocds.test.ts (answers appear only from the award
  // release, and only when the council chose to publish them).

  it('answers 404 to another organisation’s keys, whatever their scopes', async () => {
    const w = await confidentialWorld(ctx);
    const other = await seedOrganisation(ctx);
    const theirs = (await seedApiKey(ctx, other, { scopes: ['responses:read', 'responses:read-confidential', 'reports:read', 'scores:read'] as Scope[] })).token;
    for (const url of [
      `/v1/responses/${w.responseId}`,
      `/v1/responses/${w.responseId}/evidence/${w.policyId}`,
      `/v1/responses/${w.responseId}/clarifications`,
      `/v1/responses/${w.responseId}/report.pdf`,
      `/v1/responses/${w.responseId}/evaluation`,
    ]) {
      const res = await w.call('GET', url, theirs);
      expect(res.statusCode, url).toBe(404);
      expect(withoutSecrets(res.body)).toEqual([]);
    }
  });
});
