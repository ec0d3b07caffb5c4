import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEventWords } from '../../../src/platform/audit';
import { events } from '../../../src/platform/events/events.table';
import { problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedOrganisation } from '../../helpers/factories';
import { evaluatingWorld } from './evaluating-world';

/**
 * The conditions register over the API: raised by the evaluation, owned, met or waived by people,
 * guarded against a second tab, audited, in the scores feed and announced by `conditions.updated`.
 * Beta Bots (scored automatically, high tier) is the response.
 */

type ConditionJson = { id: string; number: number; source: string; ref: string | null; text: string; owner: string | null; dueDate: string | null; status: string; reason: string | null; version: number };

async function world(ctx: TestContext) {
  const w = await evaluatingWorld(ctx);
  expect((await w.declare()).statusCode).toBe(201);
  const url = `/v1/responses/${w.b.responseId}/conditions`;
  const list = async (token = w.org.admin.token) => {
    const res = await w.call('GET', url, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().conditions as ConditionJson[];
  };
  const put = (id: string, body: object, token = w.org.admin.token) => w.call('PUT', `${url}/${encodeURIComponent(id)}`, token, body);
  const conditionEvents = () =>
    ctx.database.db
      .select({ type: events.type })
      .from(events)
      .where(and(eq(events.subjectId, w.b.responseId), eq(events.type, 'conditions.updated')))
      .orderBy(asc(events.occurredAt));
  const feedItem = async () => (await w.call('GET', `/v1/scores?procurementId=${w.procurementId}`, w.org.admin.token)).json().items.find((i: { responseId: string }) => i.responseId === w.b.responseId);
  return { ...w, url, list, put, conditionEvents, feedItem };
}

describe('the conditions register over the API', () => {
  const ctx = useTestApp();

  it('lists what the evaluation raises, numbered, and adds a conditional gateway with its owner and due date', async () => {
    const w = await world(ctx);
    const before = await w.list();
    // High tier: section A (critical) carries at least medium residual risk.
    expect(before.map((c) => c.id)).toContain('residual_risk:a');
    expect(before.every((c) => c.status === 'open' && c.version === 0)).toBe(true);
    const eventsBefore = (await w.conditionEvents()).length;

    const decided = await w.call('PUT', `/v1/responses/${w.b.responseId}/gateways/a.training`, w.moderator.token, {
      outcome: 'conditional',
      rationale: 'Never training is fine, but the DPA must say so.',
      action: 'Add "no training on council data" to the DPA',
      owner: 'Information governance team',
      dueDate: '2027-01-31',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    const after = await w.list();
    expect(after[0]).toMatchObject({
      id: 'gateway:a.training',
      number: 1,
      source: 'gateway',
      text: 'Add "no training on council data" to the DPA (gateway Do you train on our data?)',
      owner: 'Information governance team',
      dueDate: '2027-01-31',
      status: 'open',
    });
    expect(after.map((c) => c.number)).toEqual(after.map((_, i) => i + 1));
    expect((await w.conditionEvents()).length).toBe(eventsBefore + 1);
    // The scores feed carries the register, without who changed what.
    expect((await w.feedItem()).conditions).toEqual(after.map(({ id, number, source, ref, text, owner, dueDate, status }) => ({ id, number, source, ref, text, owner, dueDate, status })));
  });

  it('records met and waived with the version read; refuses a stale tab, a waiver without a reason and an unknown condition', async () => {
    const w = await world(ctx);
    const eventsBefore = (await w.conditionEvents()).length;
    ctx.clock.advance(1000);
    const met = await w.put('residual_risk:a', { status: 'met', owner: 'Head of digital', dueDate: '2027-03-01', reason: 'Quarterly review agreed in the contract.', version: 0 });
    expect(met.statusCode, met.body).toBe(200);
    const condition = met.json().conditions.find((c: ConditionJson) => c.id === 'residual_risk:a');
    expect(condition).toMatchObject({ status: 'met', owner: 'Head of digital', dueDate: '2027-03-01', reason: 'Quarterly review agreed in the contract.', version: 1, updatedBy: w.org.admin.id, updatedAt: ctx.clock.now().toISOString() });
    expect((await w.conditionEvents()).length).toBe(eventsBefore + 1);
    expect((await w.feedItem()).conditions.find((c: ConditionJson) => c.id === 'residual_risk:a').status).toBe('met');

    // A second tab that read version 0 is refused, and the first tab's record stands.
    const stale = await w.put('residual_risk:a', { status: 'open', version: 0 });
    expect([stale.statusCode, problemOf(stale).code]).toEqual([409, 'conditions.stale']);
    const noReason = await w.put('residual_risk:a', { status: 'waived', reason: '   ', version: 1 });
    expect([noReason.statusCode, problemOf(noReason).code]).toEqual([422, 'conditions.reason_required']);
    const unknown = await w.put('gateway:nowhere', { status: 'met', version: 0 });
    expect([unknown.statusCode, problemOf(unknown).code]).toEqual([404, 'conditions.not_found']);
    const badDate = await w.put('residual_risk:a', { status: 'met', dueDate: '31/01/2027', version: 1 });
    expect(badDate.statusCode).toBe(422);
    expect((await w.list()).find((c) => c.id === 'residual_risk:a')).toMatchObject({ status: 'met', version: 1, reason: 'Quarterly review agreed in the contract.' });

    // Omitted owner and due date are kept; a waiver records its reason; reopening clears it.
    const waived = await w.put('residual_risk:a', { status: 'waived', reason: 'Accepted by the board on 2 Feb.', version: 1 });
    expect(waived.json().conditions.find((c: ConditionJson) => c.id === 'residual_risk:a')).toMatchObject({ status: 'waived', owner: 'Head of digital', dueDate: '2027-03-01', reason: 'Accepted by the board on 2 Feb.', version: 2 });
    const reopened = await w.put('residual_risk:a', { status: 'open', owner: null, reason: 'ignored', version: 2 });
    expect(reopened.json().conditions.find((c: ConditionJson) => c.id === 'residual_risk:a')).toMatchObject({ status: 'open', owner: null, reason: null, version: 3 });

    const audit = (await w.call('GET', `/v1/audit-events?subjectId=${w.b.responseId}&limit=100`, w.org.admin.token)).json().items.filter((e: { action: string }) => e.action === 'evaluation.condition_updated');
    expect(audit.map((e: { details: { status: string } }) => e.details.status).sort()).toEqual(['met', 'open', 'waived']);
    // The console's audit page and the report's appendix say it in words.
    const waivedEvent = audit.find((e: { details: { status: string } }) => e.details.status === 'waived');
    expect(auditEventWords({ action: waivedEvent.action, details: waivedEvent.details })).toBe('Condition 1: waived (Accepted by the board on 2 Feb.), owner Head of digital, due 2027-03-01');
  });

  it('lets one of two simultaneous changes from the same version through', async () => {
    const w = await world(ctx);
    const results = await Promise.all([w.put('residual_risk:a', { status: 'met', version: 0 }), w.put('residual_risk:a', { status: 'waived', reason: 'Board.', version: 0 })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect((await w.list()).find((c) => c.id === 'residual_risk:a')!.version).toBe(1);
  });

  it('can still be updated once the evaluation is finalised', async () => {
    const w = await world(ctx);
    expect((await w.call('POST', `/v1/responses/${w.b.responseId}/evaluation/finalise`, w.moderator.token)).statusCode).toBe(200);
    const met = await w.put('residual_risk:a', { status: 'met', reason: 'Controls in place.', version: 0 }, w.moderator.token);
    expect(met.statusCode, met.body).toBe(200);
  });

  it('is read by whoever reads the evaluation, changed by officers and the moderator, and hidden from other organisations', async () => {
    const w = await world(ctx);
    const reader = await seedApiKey(ctx, w.org, { scopes: ['scores:read'] });
    expect((await w.call('GET', w.url, reader.token)).statusCode).toBe(200);
    const keyWrite = await w.put('residual_risk:a', { status: 'met', version: 0 }, reader.token);
    expect(keyWrite.statusCode).toBe(403);
    const noScope = await seedApiKey(ctx, w.org, { scopes: ['procurements:read'] });
    expect((await w.call('GET', w.url, noScope.token)).statusCode).toBe(403);
    // An evaluator is not the moderator.
    const evaluator = await w.put('residual_risk:a', { status: 'met', version: 0 }, w.e1.token);
    expect([evaluator.statusCode, problemOf(evaluator).code]).toEqual([403, 'evaluations.not_moderator']);
    const other = await seedOrganisation(ctx);
    expect((await w.call('GET', w.url, other.admin.token)).statusCode).toBe(404);
    expect((await w.put('residual_risk:a', { status: 'met', version: 0 }, other.admin.token)).statusCode).toBe(404);
    expect((await w.list()).find((c) => c.id === 'residual_risk:a')!.version).toBe(0);
  });
});
