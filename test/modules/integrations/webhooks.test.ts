import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app';
import { closeDueProcurements } from '../../../src/modules/procurements';
import { webhookDeliveries, webhookEndpoints } from '../../../src/modules/integrations/webhooks.table';
import { addressAllowed } from '../../../src/modules/integrations/webhooks.address';
import { newSigningSecret, signatureHeaders } from '../../../src/modules/integrations/webhooks.models';
import { assertDeliverableUrl } from '../../../src/modules/integrations/webhooks.usecases';
import { EVENT_URL_SCOPES } from '../../../src/modules/integrations/webhooks.events';
import { createWebhookWorker, type WebhookWorkerInput } from '../../../src/modules/integrations/webhooks.worker';
import { EVENT_TYPES, type EventType } from '../../../src/platform/events';
import { queryRows } from '../../../src/platform/db';
import { emitEvent } from '../../../src/platform/events';
import { bearer, problemOf, testConfig, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { startReceiver, type Receiver } from './receiver';
import { submittedResponses } from './world';

const config = testConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true' });
const ALL = ['procurement.opened', 'procurement.closed', 'procurement.cancelled', 'invitation.sent', 'response.submitted', 'response.withdrawn', 'evaluation.updated', 'evaluation.finalised', 'procurement.decided', 'report.generated', 'conditions.updated'];

function workerFor(ctx: TestContext, overrides: Partial<WebhookWorkerInput> = {}) {
  return createWebhookWorker({
    db: ctx.database.db,
    now: () => ctx.clock.now(),
    publicBaseUrl: 'https://aidd.example.gov.uk',
    secretsKey: config.secretsKey,
    timeoutMs: 2000,
    allowLoopback: true,
    pollMs: 50,
    ...overrides,
  });
}

/** Passes until one finds nothing to do. */
async function drain(worker: { runOnce(): Promise<{ swept: number; dispatched: number; attempted: number }> }): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const done = await worker.runOnce();
    if (done.swept + done.dispatched + done.attempted === 0) return;
  }
  throw new Error('the worker never ran out of work');
}

async function register(ctx: TestContext, org: SeededOrganisation, receiver: Receiver, events: string[] = ALL, url = receiver.url) {
  const response = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(org.admin.token), payload: { url, events, description: 'Contract system' } });
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json() as { id: string; secret: string; status: string };
  receiver.useSecret(body.secret);
  return body;
}

const deliveriesOf = async (ctx: TestContext, org: SeededOrganisation, endpointId: string) => {
  const response = await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpointId}/deliveries?limit=100`, headers: bearer(org.admin.token) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items as Array<{ id: string; eventType: string; status: string; attempts: number; log: Array<{ outcome: string; statusCode: number | null; error: string | null }> }>;
};

describe('webhooks', () => {
  const ctx = useTestApp({ config: { WEBHOOK_ALLOW_LOOPBACK: 'true' } });
  let receiver: Receiver;
  beforeEach(async () => {
    // Receivers reject a signature timestamp more than five minutes from their own clock.
    ctx.clock.set(new Date());
    receiver = await startReceiver();
  });
  afterEach(async () => receiver.close());

  it('delivers each subscribed event once, signed as Standard Webhooks, with a thin payload', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver, ['procurement.opened', 'invitation.sent', 'response.submitted', 'evaluation.updated', 'evaluation.finalised']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const other = await startReceiver();
    const closedOnly = await register(ctx, org, other, ['procurement.closed']);
    const { procurementId, responses } = await submittedResponses(ctx, org, ['Alpha AI']);
    await drain(workerFor(ctx));

    expect(receiver.received.map((r) => JSON.parse(r.body).type).sort()).toEqual(['evaluation.finalised', 'evaluation.updated', 'invitation.sent', 'procurement.opened', 'response.submitted']);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(5);
    expect(other.received).toEqual([]);
    await other.close();
    const submitted = JSON.parse(receiver.received.find((r) => JSON.parse(r.body).type === 'response.submitted')!.body);
    expect(submitted).toEqual({
      type: 'response.submitted',
      timestamp: expect.any(String),
      data: {
        eventId: expect.any(String),
        organisationId: org.organisationId,
        subject: { type: 'response', id: responses[0]!.responseId },
        procurementId,
        responseId: responses[0]!.responseId,
        version: expect.any(Number),
        url: `https://aidd.example.gov.uk/v1/responses/${responses[0]!.responseId}`,
        links: { self: `https://aidd.example.gov.uk/v1/responses/${responses[0]!.responseId}` },
      },
    });
    expect(receiver.received[0]!.id).toMatch(/^msg_/);
    // Thin: no names, scores or answers travel.
    for (const r of receiver.received) expect(r.body).not.toMatch(/Alpha AI|overallScore|b\.hours/);

    const log = await deliveriesOf(ctx, org, endpoint.id);
    expect(log).toHaveLength(5);
    expect(log.every((d) => d.status === 'succeeded' && d.attempts === 1 && d.log.length === 1 && d.log[0]!.statusCode === 200)).toBe(true);
    expect(await deliveriesOf(ctx, org, closedOnly.id)).toEqual([]);

    // The secret is shown once: not in reads, not stored in the clear, not in the audit log.
    const read = await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(org.admin.token) });
    expect(read.body).not.toContain(endpoint.secret.slice(6));
    const [row] = await ctx.database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    expect(JSON.stringify(row)).not.toContain(endpoint.secret.slice(6));
    const audit = await queryRows<{ details: unknown }>(ctx.database.db, sql`select details from audit_events where subject_id = ${endpoint.id}`);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(endpoint.secret.slice(6));
  });

  it('sends every kind of event, each from the change that makes it, and each event’s URL and links read with the scopes documented for it', async () => {
    const org = await seedOrganisation(ctx);
    await register(ctx, org, receiver, ALL);
    const worker = workerFor(ctx);
    const keys = new Map<string, string>();
    const versions: Array<[string, unknown]> = [];
    let read = 0;
    /** Delivers what is waiting and reads each new event's URL, as a receiver would on arrival, with a key holding exactly the scopes documented for that event. */
    const deliverAndRead = async () => {
      await drain(worker);
      for (const r of receiver.received.slice(read)) {
        const event = JSON.parse(r.body) as { type: EventType; data: { url: string; version: unknown; links: Record<string, string> } };
        const scopes = [...EVENT_URL_SCOPES[event.type]];
        const token = keys.get(scopes.join()) ?? (await seedApiKey(ctx, org, { scopes })).token;
        keys.set(scopes.join(), token);
        expect(event.data.links.self, event.type).toBe(event.data.url);
        for (const [rel, url] of Object.entries(event.data.links)) {
          expect(url, `${event.type} links.${rel}`).toMatch(/^https:\/\/aidd\.example\.gov\.uk\/v1\//);
          const answer = await ctx.app.inject({ method: 'GET', url: url.replace('https://aidd.example.gov.uk', ''), headers: bearer(token) });
          expect(answer.statusCode, `${event.type} links.${rel} ${url} with ${scopes.join(', ')}: ${answer.body.slice(0, 200)}`).toBe(200);
          // The version is the subject's after the change: what `self` shows now is that one or a later one.
          if (rel === 'self' && event.type.startsWith('procurement.') && event.type !== 'procurement.decided') expect((answer.json() as { version: number }).version).toBeGreaterThanOrEqual(event.data.version as number);
        }
        versions.push([event.type, event.data.version]);
      }
      read = receiver.received.length;
    };
    const { procurementId, responses } = await submittedResponses(ctx, org, ['Alpha AI', 'Beta AI']);
    const post = async (url: string, payload?: object, token = org.admin.token) => {
      const response = await ctx.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
      expect(response.statusCode, response.body).toBeLessThan(300);
    };
    await deliverAndRead();
    // A supplier withdraws while the procurement is open.
    await post('/v1/supplier/response/withdraw', { reason: 'We cannot meet the hosting requirement.' }, responses[1]!.token);
    await deliverAndRead();
    await post(`/v1/procurements/${procurementId}/close`);
    await post(`/v1/procurements/${procurementId}/start-evaluation`);
    await post(`/v1/procurements/${procurementId}/decision`, { outcome: 'award', responseId: responses[0]!.responseId, rationale: 'Highest score; every gateway passed.' });
    const report = await ctx.app.inject({ method: 'GET', url: `/v1/responses/${responses[0]!.responseId}/report.pdf`, headers: bearer(org.admin.token) });
    expect(report.statusCode).toBe(200);
    await deliverAndRead();
    // Another procurement is cancelled while open.
    const { procurementId: cancelledId } = await submittedResponses(ctx, org, []);
    await post(`/v1/procurements/${cancelledId}/cancel`, { reason: 'The service is no longer needed.' });
    await deliverAndRead();

    const types = receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, string | boolean> });
    expect([...new Set(types.map((t) => t.type))].sort()).toEqual([...ALL].sort());
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const reportEvent = types.find((t) => t.type === 'report.generated')!;
    expect(reportEvent.data).toMatchObject({ kind: 'evaluation', responseId: responses[0]!.responseId, url: `https://aidd.example.gov.uk/v1/responses/${responses[0]!.responseId}/report.pdf` });
    expect(types.find((t) => t.type === 'procurement.decided')!.data.url).toBe(`https://aidd.example.gov.uk/v1/procurements/${procurementId}/results`);
    const withdrawn = types.filter((t) => t.type === 'response.withdrawn');
    expect(withdrawn.map((t) => t.data)).toEqual([expect.objectContaining({ procurementId, responseId: responses[1]!.responseId, url: `https://aidd.example.gov.uk/v1/responses/${responses[1]!.responseId}` })]);
    // The withdrawal moves the response's feed item too: that update points at the feed, not at an evaluation no longer read.
    expect(types.filter((t) => t.type === 'evaluation.updated' && t.data.withdrawn === true).map((t) => t.data.url)).toEqual([`https://aidd.example.gov.uk/v1/scores?procurementId=${procurementId}`]);
    const cancelled = types.filter((t) => t.type === 'procurement.cancelled');
    expect(cancelled.map((t) => t.data)).toEqual([expect.objectContaining({ procurementId: cancelledId, url: `https://aidd.example.gov.uk/v1/procurements/${cancelledId}` })]);
    // Each event carries its subject's version: a number for procurements and responses, the feed's
    // `updatedAt` for evaluations and conditions, the PDF's SHA-256 for a report, none for an invitation.
    for (const [type, version] of versions) {
      if (type.startsWith('procurement.') || type.startsWith('response.')) expect([type, typeof version]).toEqual([type, 'number']);
      else if (type === 'invitation.sent') expect([type, version]).toEqual([type, null]);
      else if (type === 'report.generated') expect([type, version]).toEqual([type, expect.stringMatching(/^[0-9a-f]{64}$/)]);
      else expect([type, version]).toEqual([type, expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
    }
    // A procurement's events come with its version growing: opened, closed (then evaluating), decided.
    const versionOf = (type: string) => types.find((t) => t.type === type && t.data.procurementId === procurementId)!.data.version as unknown as number;
    expect(versionOf('procurement.opened')).toBeLessThan(versionOf('procurement.closed'));
    expect(versionOf('procurement.closed')).toBeLessThan(versionOf('procurement.decided'));
    // Each update of one evaluation has its own feed position (deliveries may arrive in any order).
    const feedVersions = types.filter((t) => t.type === 'evaluation.updated' && t.data.responseId === responses[0]!.responseId).map((t) => String(t.data.version));
    expect(new Set(feedVersions).size).toBe(feedVersions.length);
  });

  it('sends a burst of updates of one evaluation as one delivery, the newest, saying how many it stands for', async () => {
    const org = await seedOrganisation(ctx);
    await register(ctx, org, receiver, ['evaluation.updated', 'response.submitted']);
    const worker = workerFor(ctx, { coalesceMs: 5_000 });
    const emit = (responseId: string) =>
      emitEvent({ db: ctx.database.db, organisationId: org.organisationId, type: 'evaluation.updated', subject: { type: 'response', id: responseId }, data: { procurementId: org.organisationId, responseId }, now: ctx.clock.now() });
    const [one, two] = [crypto.randomUUID(), crypto.randomUUID()];
    await emit(one);
    await emitEvent({ db: ctx.database.db, organisationId: org.organisationId, type: 'response.submitted', subject: { type: 'response', id: two }, data: { procurementId: org.organisationId, responseId: two }, now: ctx.clock.now() });
    ctx.clock.advance(1_000);
    await emit(one);
    await emit(two);
    // Inside the window nothing of the burst goes; other events are not held.
    await drain(worker);
    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['response.submitted']);
    ctx.clock.advance(3_000);
    await emit(one); // 4 s after the first: still inside its burst
    ctx.clock.advance(1_500); // the first update is now 5.5 s old: the burst goes, newest first
    await drain(worker);
    const updates = receiver.received.slice(1).map((r) => JSON.parse(r.body) as { timestamp: string; data: { responseId: string; coalesced: number } });
    // The second evaluation's only update is 4.5 s old, so it still waits; the first's three go as one.
    expect(updates.map((u) => [u.data.responseId, u.data.coalesced, u.timestamp])).toEqual([[one, 3, new Date(ctx.clock.now().getTime() - 1_500).toISOString()]]);
    ctx.clock.advance(1_000);
    await drain(worker);
    expect(receiver.received.slice(2).map((r) => JSON.parse(r.body).data)).toEqual([expect.objectContaining({ responseId: two, coalesced: 1 })]);
    // Every event of the burst is dispatched: nothing is sent twice later.
    ctx.clock.advance(60_000);
    await drain(worker);
    expect(receiver.received).toHaveLength(3);
  });

  it('retries a receiver that fails, which then gets the event exactly once more, and redelivers on request as a new message', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver, ['response.submitted']);
    await submittedResponses(ctx, org, ['Alpha AI']);
    receiver.answerNext(500);
    const worker = workerFor(ctx);
    await drain(worker);
    expect(receiver.received.map((r) => r.status)).toEqual([500]);
    // Not due yet: nothing more until the first retry delay (5 s) has passed.
    ctx.clock.advance(4_000);
    await drain(worker);
    expect(receiver.received).toHaveLength(1);
    ctx.clock.advance(1_000);
    await drain(worker);
    expect(receiver.received.map((r) => r.status)).toEqual([500, 200]);
    expect(receiver.received[1]!.id).toBe(receiver.received[0]!.id);
    expect(receiver.acknowledged()).toHaveLength(1);
    ctx.clock.advance(86_400_000);
    await drain(worker);
    expect(receiver.received).toHaveLength(2);
    const [delivery] = await deliveriesOf(ctx, org, endpoint.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(delivery!.log.map((l) => [l.outcome, l.statusCode])).toEqual([
      ['failed', 500],
      ['succeeded', 200],
    ]);

    // Dispatched events are let go after 30 days; the delivery keeps what it needs.
    const eventsNow = async () => (await queryRows<{ count: number }>(ctx.database.db, sql`select count(*)::int as count from events where organisation_id = ${org.organisationId}`))[0]!.count;
    expect(await eventsNow()).toBeGreaterThan(0);
    ctx.clock.advance(31 * 86_400_000);
    await drain(workerFor(ctx));
    expect(await eventsNow()).toBe(0);
    ctx.clock.set(new Date()); // a month later the receiver would rightly reject the old timestamp; back to now
    const again = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/redeliver`, headers: bearer(org.admin.token) });
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json()).toMatchObject({ id: expect.not.stringMatching(delivery!.id), redeliveryOf: delivery!.id, status: 'pending' });
    await drain(worker);
    expect(receiver.received).toHaveLength(3);
    expect(receiver.received[2]).toMatchObject({ verified: true, status: 200 });
    expect(receiver.received[2]!.id).not.toBe(receiver.received[0]!.id);
    expect(JSON.parse(receiver.received[2]!.body)).toEqual({ ...JSON.parse(receiver.received[0]!.body), redeliveryOf: delivery!.id });
  });

  it('rotates the signing secret: for a day both secrets sign, then only the new one', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver, ['response.submitted']);
    const world = await submittedResponses(ctx, org, ['Alpha AI']);
    const worker = workerFor(ctx);
    await drain(worker);
    const rotated = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/rotate-secret`, headers: bearer(org.admin.token) });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret, secretPrefix, previousSecretExpiresAt } = rotated.json() as { secret: string; secretPrefix: string; previousSecretExpiresAt: string };
    expect(secret).not.toBe(endpoint.secret);
    expect(secretPrefix).toBe(secret.slice(0, 12));
    expect(Date.parse(previousSecretExpiresAt) - ctx.clock.now().getTime()).toBe(86_400_000);

    const submitAnother = async (name: string) => {
      const { seedInvitation } = await import('../../helpers/factories');
      const invitation = await seedInvitation(ctx, org, world.procurementId, { supplierName: name });
      await ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/import', headers: bearer(invitation.token), payload: { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 20 } } } });
      await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/submit', headers: bearer(invitation.token), payload: { declaration: true } });
    };
    await submitAnother('Beta Bots');
    await drain(worker);
    const during = receiver.received[1]!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // The receiver still holding the old secret accepts it, and so does one with the new secret.
    expect(during.verified).toBe(true);
    expect(() => new Webhook(secret).verify(during.body, during.headers as Record<string, string>)).not.toThrow();

    ctx.clock.advance(86_400_001);
    await submitAnother('Gamma');
    await drain(worker);
    expect(String(receiver.received[2]!.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it('disables an endpoint that answers 410 Gone, and resumes its waiting deliveries when it is enabled', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver, ['response.submitted']);
    const world = await submittedResponses(ctx, org, ['Alpha AI']);
    receiver.answerNext(410);
    const worker = workerFor(ctx);
    await drain(worker);
    const read = await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(org.admin.token) });
    expect(read.json()).toMatchObject({ status: 'disabled', disabledReason: expect.stringContaining('410') });
    expect((await deliveriesOf(ctx, org, endpoint.id))[0]).toMatchObject({ status: 'failed', attempts: 1 });

    // While disabled, a new event waits.
    const { seedInvitation } = await import('../../helpers/factories');
    const invitation = await seedInvitation(ctx, org, world.procurementId, { supplierName: 'Beta Bots' });
    await ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/import', headers: bearer(invitation.token), payload: { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 20 } } } });
    await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/submit', headers: bearer(invitation.token), payload: { declaration: true } });
    ctx.clock.advance(60_000);
    await drain(worker);
    expect(receiver.received).toHaveLength(1);
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/enable`, headers: bearer(org.admin.token) })).json()).toMatchObject({ status: 'enabled', disabledReason: null });
    await drain(worker);
    expect(receiver.received).toHaveLength(2);
    expect(JSON.parse(receiver.received[1]!.body).data.responseId).toBe(invitation.responseId);
  });

  it('closes a procurement at its deadline without anyone reading it, and says so with procurement.closed', async () => {
    const org = await seedOrganisation(ctx);
    await register(ctx, org, receiver, ['procurement.closed']);
    const { procurementId } = await submittedResponses(ctx, org, ['Alpha AI']);
    const deadline = Date.parse('2026-12-10T17:00:00.000Z'); // the factory's default
    const worker = workerFor(ctx, { sweep: () => closeDueProcurements({ db: ctx.database.db, now: ctx.clock.now() }) });
    await drain(worker);
    expect(receiver.received).toEqual([]);
    ctx.clock.set(new Date(deadline + 1000));
    // The receiver checks timestamps against the real clock, so this one only counts the delivery.
    receiver.useSecret(newSigningSecret());
    await drain(worker);
    expect(receiver.received.map((r) => JSON.parse(r.body))).toEqual([expect.objectContaining({ type: 'procurement.closed', data: expect.objectContaining({ procurementId }) })]);
    const [row] = await queryRows<{ status: string }>(ctx.database.db, sql`select status from procurements where id = ${procurementId}`);
    expect(row!.status).toBe('closed');
  });

  it('never lets two workers running at once deliver the same attempt', async () => {
    const slow = await startReceiver({ delayMs: 15 });
    const org = await seedOrganisation(ctx);
    await register(ctx, org, slow);
    await submittedResponses(ctx, org, Array.from({ length: 8 }, (_, i) => `Supplier ${i}`));
    const [{ count }] = (await queryRows<{ count: number }>(ctx.database.db, sql`select count(*)::int as count from events where organisation_id = ${org.organisationId}`)) as [{ count: number }];
    expect(count).toBeGreaterThan(20);
    const one = workerFor(ctx, { batch: 3 });
    const two = workerFor(ctx, { batch: 3 });
    await Promise.all([drain(one), drain(two), drain(one), drain(two)]);
    expect(slow.received).toHaveLength(count);
    expect(new Set(slow.received.map((r) => r.id)).size).toBe(count);
    expect(slow.received.every((r) => r.verified)).toBe(true);
    const attempts = await queryRows<{ attempts: number }>(ctx.database.db, sql`select attempts from ${webhookDeliveries}`);
    expect(attempts.every((a) => a.attempts === 1)).toBe(true);
    await slow.close();
  });

  it('a service stopped in the middle of a delivery that outlasts the shutdown grace delivers it once it starts again', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver, ['response.submitted']);
    await submittedResponses(ctx, org, ['Alpha AI']);
    receiver.answerNext('hang');
    // A 2.5 s grace leaves 0.5 s for attempts in flight; the rest is kept for recording them and closing.
    const running = { config: testConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_DELIVERY: 'true', WEBHOOK_POLL_MS: '50', SHUTDOWN_GRACE_MS: '2500' }), database: ctx.database, now: () => ctx.clock.now(), logger: false as const };
    const first = await buildApp(running);
    await receiver.waitFor(1);
    const closing = performance.now();
    await first.close(); // the receiver has the request but never answers
    expect(performance.now() - closing).toBeLessThan(2500);
    const [interrupted] = await deliveriesOf(ctx, org, endpoint.id);
    expect(interrupted).toMatchObject({ status: 'pending', attempts: 0 });
    expect(interrupted!.log.map((l) => l.outcome)).toEqual(['interrupted']);

    const second = await buildApp(running);
    await receiver.waitFor(2);
    await expect.poll(async () => (await deliveriesOf(ctx, org, endpoint.id))[0]?.status).toBe('succeeded');
    await second.close();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.id).toBe(receiver.received[0]!.id);
    expect(receiver.acknowledged()).toHaveLength(1);
    expect((await deliveriesOf(ctx, org, endpoint.id))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('a worker that dies in the middle of an attempt holds its delivery only until its lease, the attempt timeout plus 2 s, runs out', async () => {
    const org = await seedOrganisation(ctx);
    // A host name, so that every attempt asks DNS first.
    const endpoint = await register(ctx, org, receiver, ['response.submitted'], `http://localhost:${receiver.port}/hook`);
    await submittedResponses(ctx, org, ['Alpha AI']);
    // This worker claims the delivery and then never gets further, and never beats again, as a
    // crashed process would not: it hangs in DNS, and its heartbeat is an hour away.
    const dead = workerFor(ctx, { timeoutMs: 60_000, heartbeatMs: 3_600_000, resolve: () => new Promise(() => undefined) });
    void dead.runOnce();
    await expect.poll(async () => (await deliveriesOf(ctx, org, endpoint.id))[0]?.status).toBe('delivering');
    const alive = workerFor(ctx);
    ctx.clock.advance(60_000 + 2000 - 1);
    await drain(alive);
    expect(receiver.received).toEqual([]); // the lease is still the dead worker's
    ctx.clock.advance(2);
    await drain(alive);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.acknowledged()).toHaveLength(1);
    expect((await deliveriesOf(ctx, org, endpoint.id))[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    await dead.stop();
  });

  it('keeps its lease with a heartbeat while an attempt runs long, so another worker never takes it', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver, ['response.submitted']);
    await submittedResponses(ctx, org, ['Alpha AI']);
    receiver.answerNext('hold');
    const slow = workerFor(ctx, { timeoutMs: 20_000, leaseMs: 600 });
    const pass = slow.runOnce();
    await receiver.waitFor(1);
    const leaseOf = async () => (await queryRows<{ leaseUntil: Date }>(ctx.database.db, sql`select lease_until as "leaseUntil" from webhook_deliveries`))[0]!.leaseUntil;
    // Long past any lease the claim took: only a heartbeat since then keeps the delivery.
    ctx.clock.advance(120_000);
    await expect.poll(async () => new Date(await leaseOf()).getTime() > ctx.clock.now().getTime(), { timeout: 10_000 }).toBe(true);
    const other = workerFor(ctx);
    await drain(other);
    expect(receiver.received).toHaveLength(1);
    receiver.release();
    expect(await pass).toMatchObject({ attempted: 1 });
    await drain(other);
    expect(receiver.received).toHaveLength(1);
    expect((await deliveriesOf(ctx, org, endpoint.id))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('closing the app lets the attempts in flight finish and claims no more, so none is sent twice after a restart', async () => {
    const slow = await startReceiver({ delayMs: 400 });
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, slow);
    await submittedResponses(ctx, org, Array.from({ length: 6 }, (_, i) => `Supplier ${i}`));
    const running = { config: testConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_DELIVERY: 'true', WEBHOOK_POLL_MS: '50' }), database: ctx.database, now: () => ctx.clock.now(), logger: false as const };
    const first = await buildApp(running);
    await slow.waitFor(10); // a whole batch is at the receiver, each held 400 ms
    await first.close();
    const atClose = slow.received.length;
    expect.soft(slow.received.filter((r) => !r.answered).length, 'attempts cut off unanswered').toBe(0);
    const afterFirst = await deliveriesOf(ctx, org, endpoint.id);
    expect.soft(afterFirst.filter((d) => d.status === 'succeeded')).toHaveLength(atClose);
    expect(afterFirst.filter((d) => d.status === 'delivering')).toEqual([]);

    const second = await buildApp(running);
    await expect.poll(async () => (await deliveriesOf(ctx, org, endpoint.id)).every((d) => d.status === 'succeeded'), { timeout: 20_000 }).toBe(true);
    await second.close();
    const deliveries = await deliveriesOf(ctx, org, endpoint.id);
    const ids = slow.received.map((r) => r.id);
    expect(ids.length - new Set(ids).size, `${ids.length} requests for ${new Set(ids).size} webhook-ids`).toBe(0);
    expect(new Set(ids).size).toBe(deliveries.length);
    expect(deliveries.every((d) => d.attempts === 1)).toBe(true);
    await slow.close();
  });

  it('refuses private, link-local and metadata addresses when registering and again when delivering', async () => {
    const org = await seedOrganisation(ctx);
    for (const url of ['http://10.0.0.8/hook', 'http://169.254.169.254/latest/meta-data', 'http://192.168.1.20/', 'http://100.100.100.200/', 'http://[fd00:ec2::254]/', 'http://[::ffff:10.0.0.1]/', 'http://0.0.0.0:8080/']) {
      const response = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(org.admin.token), payload: { url, events: ['response.submitted'] } });
      expect([url, response.statusCode, problemOf(response).code]).toEqual([url, 422, 'webhooks.address_not_allowed']);
    }
    const bad = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(org.admin.token), payload: { url: 'ftp://example.com/', events: ['nope'] } });
    expect(problemOf(bad)).toMatchObject({ status: 422, code: 'request.validation_failed' });
    expect(problemOf(bad).errors!.map((e) => e.path).sort()).toEqual(['/body/events/0', '/body/url']);
    // Loopback only because this app's development setting allows it; a production policy refuses it and plain http.
    const production = { allowLoopback: false, requireHttps: true, resolve: async () => [{ address: '127.0.0.1', family: 4 }] };
    await expect(assertDeliverableUrl({ url: 'https://localhost/hook', policy: production })).rejects.toMatchObject({ code: 'webhooks.address_not_allowed' });
    await expect(assertDeliverableUrl({ url: 'http://hooks.example.com/', policy: production })).rejects.toMatchObject({ code: 'webhooks.https_required' });

    // Registered while allowed; refused at delivery by a worker that does not allow loopback, and
    // by one whose DNS now answers with a private address: nothing reaches the receiver.
    const endpoint = await register(ctx, org, receiver, ['response.submitted'], `http://localhost:${receiver.port}/hook`);
    await submittedResponses(ctx, org, ['Alpha AI']);
    await drain(workerFor(ctx, { allowLoopback: false }));
    ctx.clock.advance(5_000);
    await drain(workerFor(ctx, { resolve: async () => [{ address: '10.1.2.3', family: 4 }] }));
    expect(receiver.received).toEqual([]);
    const [delivery] = await deliveriesOf(ctx, org, endpoint.id);
    expect(delivery!.log.map((l) => l.error)).toEqual([expect.stringMatching(/localhost resolves to (127\.0\.0\.1|::1), which webhooks may not reach/), 'localhost resolves to 10.1.2.3, which webhooks may not reach']);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2 });
  });

  it.each([
    ['an empty URL', ''],
    ['words', 'not a url'],
    ['a relative path', '/relative'],
    ['a scheme without a host', 'http://'],
    ['an unclosed IPv6 address', 'https://[::1'],
    ['a user name in the URL', 'https://user:pass@hooks.example.com/'],
  ])('refuses %s as a webhook URL with 422 at /body/url, and registers nothing', async (_name, url) => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(org.admin.token), payload: { url, events: ['response.submitted'] } });
    expect(response.statusCode, response.body).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('request.validation_failed');
    expect(problem.errors!.map((e) => e.path)).toEqual(['/body/url']);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(org.admin.token) })).json().items).toEqual([]);
  });

  it('refuses a field it does not know, like every other endpoint', async () => {
    const org = await seedOrganisation(ctx);
    const response = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(org.admin.token), payload: { url: receiver.url, events: ['response.submitted'], secret: 'whsec_mine' } });
    expect(response.statusCode, response.body).toBe(422);
    expect(problemOf(response)).toMatchObject({ code: 'request.validation_failed', errors: [expect.objectContaining({ message: expect.stringContaining('secret') })] });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(org.admin.token) })).json().items).toEqual([]);
  });

  it('keeps each council’s endpoints and deliveries to itself, and needs webhooks:manage', async () => {
    const a = await seedOrganisation(ctx);
    const b = await seedOrganisation(ctx);
    const endpoint = await register(ctx, a, receiver, ['response.submitted']);
    await submittedResponses(ctx, b, ['Beta Bots']); // B's events never reach A's endpoint
    await drain(workerFor(ctx));
    expect(receiver.received).toEqual([]);
    await submittedResponses(ctx, a, ['Alpha AI']);
    await drain(workerFor(ctx));
    const [delivery] = await deliveriesOf(ctx, a, endpoint.id);
    const asB = (method: 'GET' | 'POST' | 'DELETE', url: string) => ctx.app.inject({ method, url, headers: bearer(b.admin.token) });
    for (const [method, url] of [
      ['GET', `/v1/webhooks/${endpoint.id}`],
      ['GET', `/v1/webhooks/${endpoint.id}/deliveries`],
      ['POST', `/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/redeliver`],
      ['POST', `/v1/webhooks/${endpoint.id}/enable`],
      ['POST', `/v1/webhooks/${endpoint.id}/test`],
      ['DELETE', `/v1/webhooks/${endpoint.id}`],
    ] as const) {
      expect([url, (await asB(method, url)).statusCode]).toEqual([url, 404]);
    }
    expect((await asB('GET', '/v1/webhooks')).json().items).toEqual([]);

    const manager = await seedApiKey(ctx, a, { scopes: ['webhooks:manage'] });
    const reader = await seedApiKey(ctx, a, { scopes: ['scores:read'] });
    const officer = await seedUser(ctx, a, { role: 'officer' });
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(manager.token) })).json().items).toHaveLength(1);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(reader.token) })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(officer.token) })).statusCode).toBe(403);

    // Deleted: gone from reads, what was waiting is marked failed, and nothing more is sent to it.
    receiver.answerNext(500);
    ctx.clock.advance(1000);
    await submittedResponses(ctx, a, ['Delta']);
    await drain(workerFor(ctx));
    const waiting = () => queryRows<{ status: string }>(ctx.database.db, sql`select status from webhook_deliveries where endpoint_id = ${endpoint.id} order by created_at, id`);
    expect((await waiting()).map((d) => d.status)).toEqual(['succeeded', 'pending']);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(manager.token) })).statusCode).toBe(204);
    expect((await waiting()).map((d) => d.status)).toEqual(['succeeded', 'failed']);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(a.admin.token) })).statusCode).toBe(404);
    ctx.clock.advance(60_000);
    await submittedResponses(ctx, a, ['Gamma']);
    await drain(workerFor(ctx));
    expect(receiver.received).toHaveLength(2); // the first delivery, and Delta's failed attempt
  });
});

describe('webhook signing and address rules', () => {
  it('the README’s table of events says, for every event, the scopes that read its URL', async () => {
    const readme = await readFile(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    const rows = new Map([...readme.matchAll(/^\| `([a-z_.]+)` \| [^|]+ \| (.+) \|$/gm)].map((m) => [m[1]!, [...m[2]!.matchAll(/`([a-z:-]+)`/g)].map((x) => x[1])]));
    for (const type of EVENT_TYPES) expect(rows.get(type), type).toEqual([...EVENT_URL_SCOPES[type]]);
  });

  it('signs exactly as the standardwebhooks package does', () => {
    const secret = newSigningSecret();
    const body = JSON.stringify({ type: 'evaluation.updated', data: { responseId: 'r' } });
    const at = new Date();
    const headers = signatureHeaders({ secrets: [secret], messageId: 'msg_1', timestamp: at, body });
    expect(headers['webhook-signature']).toBe(new Webhook(secret).sign('msg_1', at, body));
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
  });

  it('allows public addresses and refuses the rest, loopback only when allowed', () => {
    const cases: Array<[string, boolean, boolean]> = [
      ['93.184.215.14', true, true],
      ['2606:4700:4700::1111', true, true],
      ['127.0.0.1', false, true],
      ['::1', false, true],
      ['10.20.30.40', false, false],
      ['172.31.255.1', false, false],
      ['172.32.0.1', true, true],
      ['192.168.0.1', false, false],
      ['169.254.169.254', false, false],
      ['100.100.100.200', false, false],
      ['fe80::1', false, false],
      ['fd00:ec2::254', false, false],
      ['::ffff:169.254.169.254', false, false],
      ['::ffff:127.0.0.1', false, true],
      ['224.0.0.1', false, false],
      ['0.0.0.0', false, false],
    ];
    for (const [address, strict, loopbackAllowed] of cases) {
      expect([address, addressAllowed({ address, allowLoopback: false })]).toEqual([address, strict]);
      expect([address, addressAllowed({ address, allowLoopback: true })]).toEqual([address, loopbackAllowed]);
    }
  });
});
