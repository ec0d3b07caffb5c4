import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, type SeededOrganisation } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const DEADLINE = '2026-12-10T17:00:00.000Z';

describe('one supplier’s deadline, and clarifications', () => {
  const ctx = useTestApp();
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) =>
    ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const save = (token: string, key: string, value: unknown) => call('PUT', `/v1/supplier/response/answers/${key}`, token, { value });

  async function setUp() {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, deadline: DEADLINE });
    const a = await seedInvitation(ctx, org, procurementId, { supplierName: 'A Ltd' });
    ctx.clock.advance(1000);
    const b = await seedInvitation(ctx, org, procurementId, { supplierName: 'B Ltd' });
    return { org, procurementId, a, b };
  }
  const auditOf = async (org: SeededOrganisation, subjectId: string) =>
    (await call('GET', `/v1/audit-events?subjectId=${subjectId}&limit=100`, org.admin.token)).json().items as Array<{ action: string; details: Record<string, unknown> }>;

  it('gives one supplier longer: it can still answer after the main deadline, the other cannot, and the procurement stays open until then', async () => {
    const { org, procurementId, a, b } = await setUp();
    const extended = await call('POST', `/v1/responses/${a.responseId}/deadline-extension`, org.admin.token, { deadline: '2026-12-12T17:00:00Z', reason: 'Their bid manager was taken ill.' });
    expect(extended.statusCode, extended.body).toBe(200);
    expect(extended.json().deadline).toBe('2026-12-12T17:00:00.000Z');
    expect((await call('GET', '/v1/supplier/response', a.token)).json().procurement.deadline).toBe('2026-12-12T17:00:00.000Z');
    const audit = await auditOf(org, a.responseId);
    expect(audit.find((e) => e.action === 'response.deadline_extended')?.details).toMatchObject({ from: DEADLINE, to: '2026-12-12T17:00:00.000Z', reason: 'Their bid manager was taken ill.' });

    ctx.clock.set(new Date('2026-12-11T09:00:00Z'));
    expect((await save(a.token, 'a.training', 'never')).statusCode).toBe(200);
    expect(problemOf(await save(b.token, 'a.training', 'never')).code).toBe('responses.deadline_passed');
    const procurement = (await call('GET', `/v1/procurements/${procurementId}`, org.admin.token)).json();
    expect(procurement).toMatchObject({ status: 'open', deadline: DEADLINE, closesAt: '2026-12-12T17:00:00.000Z' });

    ctx.clock.set(new Date('2026-12-12T17:00:01Z'));
    expect((await call('GET', `/v1/procurements/${procurementId}`, org.admin.token)).json()).toMatchObject({ status: 'closed', closedAt: '2026-12-12T17:00:00.000Z' });
    expect(problemOf(await save(a.token, 'a.training', 'opt_in')).code).toBe('responses.deadline_passed');
  });

  it('refuses an extension that is not later, one for a submitted response, and one for another council’s response', async () => {
    const { org, a } = await setUp();
    const earlier = await call('POST', `/v1/responses/${a.responseId}/deadline-extension`, org.admin.token, { deadline: '2026-12-09T17:00:00Z', reason: 'x' });
    expect([earlier.statusCode, problemOf(earlier).code]).toEqual([422, 'responses.extension_not_later']);
    await save(a.token, 'a.training', 'never');
    await save(a.token, 'b.hours', 5);
    await call('POST', '/v1/supplier/response/submit', a.token, { declaration: true });
    const submitted = await call('POST', `/v1/responses/${a.responseId}/deadline-extension`, org.admin.token, { deadline: '2026-12-12T17:00:00Z', reason: 'x' });
    expect([submitted.statusCode, problemOf(submitted).code]).toEqual([409, 'responses.cannot_extend']);
    const other = await seedOrganisation(ctx);
    const foreign = await call('POST', `/v1/responses/${a.responseId}/deadline-extension`, other.admin.token, { deadline: '2026-12-12T17:00:00Z', reason: 'x' });
    expect(foreign.statusCode).toBe(404);
  });

  it('asks about a submitted answer, lets the supplier reply with an amended answer, and keeps the original, the reply and the amendment', async () => {
    const { org, a } = await setUp();
    const early = await call('POST', `/v1/responses/${a.responseId}/clarifications`, org.admin.token, { questionKey: 'b.hours', question: 'Is that working hours?' });
    expect([early.statusCode, problemOf(early).code]).toEqual([409, 'clarifications.not_submitted']);

    await save(a.token, 'a.training', 'never');
    await save(a.token, 'b.hours', 48);
    await call('POST', '/v1/supplier/response/submit', a.token, { declaration: true });
    const asked = await call('POST', `/v1/responses/${a.responseId}/clarifications`, org.admin.token, { questionKey: 'b.hours', question: 'Is 48 hours working hours or calendar hours?', allowAmend: true });
    expect(asked.statusCode, asked.body).toBe(201);
    const clarification = asked.json();
    expect(clarification).toMatchObject({ status: 'awaiting_reply', originalAnswer: { value: 48 } });

    const seen = (await call('GET', '/v1/supplier/response/clarifications', a.token)).json().items;
    expect(seen.map((c: { id: string }) => c.id)).toEqual([clarification.id]);

    const invalid = await call('POST', `/v1/supplier/response/clarifications/${clarification.id}/reply`, a.token, { reply: 'Calendar', amendedAnswer: { value: 'soon' } });
    expect([invalid.statusCode, problemOf(invalid).code]).toEqual([422, 'answers.invalid_value']);

    const replied = await call('POST', `/v1/supplier/response/clarifications/${clarification.id}/reply`, a.token, { reply: 'Calendar hours; we can commit to 24.', amendedAnswer: { value: 24 } });
    expect(replied.statusCode, replied.body).toBe(200);
    expect(replied.json()).toMatchObject({ status: 'answered', originalAnswer: { value: 48 }, amendedAnswer: { value: 24 }, reply: 'Calendar hours; we can commit to 24.' });

    const again = await call('POST', `/v1/supplier/response/clarifications/${clarification.id}/reply`, a.token, { reply: 'More' });
    expect([again.statusCode, problemOf(again).code]).toEqual([409, 'clarifications.already_replied']);

    // The submission evaluated stays as submitted; the live answer carries the amendment.
    const officerView = (await call('GET', `/v1/responses/${a.responseId}`, org.admin.token)).json();
    expect(officerView.submission.answers['b.hours'].value).toBe(48);
    expect(officerView.answers['b.hours'].value).toBe(24);
    const officerList = (await call('GET', `/v1/responses/${a.responseId}/clarifications`, org.admin.token)).json().items;
    expect(officerList[0]).toMatchObject({ originalAnswer: { value: 48 }, amendedAnswer: { value: 24 } });

    const events = await auditOf(org, a.responseId);
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['clarification.asked', 'clarification.replied']));
    // The audit log is readable with `audit:read` alone, so it names what was asked by its hash: an
    // officer's question may quote an answer the supplier marked confidential.
    const askedEvent = events.find((e) => e.action === 'clarification.asked')!;
    expect(JSON.stringify(askedEvent)).not.toContain('working hours or calendar hours');
    expect(askedEvent.details).toMatchObject({ clarificationId: clarification.id, questionKey: 'b.hours', questionSha256: createHash('sha256').update('Is 48 hours working hours or calendar hours?').digest('hex') });
    const outbox = (await call('GET', '/v1/outbox?limit=100', org.admin.token)).json().items;
    expect(outbox.some((m: { kind: string }) => m.kind === 'clarification')).toBe(true);
  });

  it('refuses an amendment the council did not allow, and keeps clarifications to their own supplier and council', async () => {
    const { org, a, b } = await setUp();
    await save(a.token, 'a.training', 'never');
    await save(a.token, 'b.hours', 48);
    await call('POST', '/v1/supplier/response/submit', a.token, { declaration: true });
    const clarification = (await call('POST', `/v1/responses/${a.responseId}/clarifications`, org.admin.token, { questionKey: 'b.hours', question: 'Why 48?' })).json();
    const amend = await call('POST', `/v1/supplier/response/clarifications/${clarification.id}/reply`, a.token, { reply: 'Because', amendedAnswer: { value: 24 } });
    expect([amend.statusCode, problemOf(amend).code]).toEqual([422, 'clarifications.amend_not_allowed']);

    expect((await call('GET', `/v1/supplier/response/clarifications/${clarification.id}`, b.token)).statusCode).toBe(404);
    expect((await call('POST', `/v1/supplier/response/clarifications/${clarification.id}/reply`, b.token, { reply: 'Not mine' })).statusCode).toBe(404);
    expect((await call('GET', '/v1/supplier/response/clarifications', b.token)).json().items).toEqual([]);
    const other = await seedOrganisation(ctx);
    expect((await call('GET', `/v1/responses/${a.responseId}/clarifications`, other.admin.token)).statusCode).toBe(404);
    expect((await call('POST', `/v1/responses/${a.responseId}/clarifications`, other.admin.token, { questionKey: 'b.hours', question: '?' })).statusCode).toBe(404);
    const unknown = await call('POST', `/v1/responses/${a.responseId}/clarifications`, org.admin.token, { questionKey: 'z.z', question: '?' });
    expect([unknown.statusCode, problemOf(unknown).code]).toEqual([422, 'clarifications.unknown_question']);
  });
});
