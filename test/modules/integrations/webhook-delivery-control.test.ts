import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookWorker, type WebhookWorkerInput } from '../../../src/modules/integrations/webhooks.worker';
import { queryRows } from '../../../src/platform/db';
import { emitEvent } from '../../../src/platform/events';
import { bearer, problemOf, testConfig, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedOrganisation, type SeededOrganisation } from '../../helpers/factories';
import { startReceiver, type Receiver } from './receiver';
import { submittedResponses } from './world';

/**
 * What an admin controls about delivery: sending a delivery again (a new message), a test event,
 * enabling an endpoint with or without what it missed (and at what pace the backlog goes), the log
 * of a deleted endpoint, and the page sizes of the lists.
 */

const config = testConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true' });
const BASE = 'https://aidd.example.gov.uk';

function workerFor(ctx: TestContext, overrides: Partial<WebhookWorkerInput> = {}) {
  return createWebhookWorker({ db: ctx.database.db, now: () => ctx.clock.now(), publicBaseUrl: BASE, secretsKey: config.secretsKey, timeoutMs: 2000, allowLoopback: true, pollMs: 50, ...overrides });
}

/** Passes until one finds nothing to do. */
async function drain(worker: { runOnce(): Promise<{ swept: number; dispatched: number; attempted: number }> }): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const done = await worker.runOnce();
    if (done.swept + done.dispatched + done.attempted === 0) return;
  }
  throw new Error('the worker never ran out of work');
}

async function register(ctx: TestContext, org: SeededOrganisation, receiver: Receiver, events: string[] = ['response.submitted']) {
  const response = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(org.admin.token), payload: { url: receiver.url, events, description: 'Contract system' } });
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json() as { id: string; secret: string };
  receiver.useSecret(body.secret);
  return body;
}

type Delivery = { id: string; eventId: string; eventType: string; redeliveryOf: string | null; status: string; attempts: number; completedAt: string | null };

async function deliveriesOf(ctx: TestContext, org: SeededOrganisation, endpointId: string): Promise<Delivery[]> {
  const response = await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpointId}/deliveries`, headers: bearer(org.admin.token) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items as Delivery[];
}

/** A `response.submitted` event for a response that need not exist: enough to queue a delivery. */
const emitSubmitted = (ctx: TestContext, org: SeededOrganisation, responseId = crypto.randomUUID()) =>
  emitEvent({ db: ctx.database.db, organisationId: org.organisationId, type: 'response.submitted', subject: { type: 'response', id: responseId }, data: { procurementId: org.organisationId, responseId, version: 2 }, now: ctx.clock.now() });

/** What a receiver that drops repeats by `webhook-id` (as the README's does) processes. */
const processed = (receiver: Receiver) => {
  const seen = new Set<string>();
  return receiver.acknowledged().filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
};

const auditOf = (ctx: TestContext, endpointId: string) =>
  queryRows<{ action: string; details: Record<string, unknown> }>(ctx.database.db, sql`select action, details from audit_events where subject_id = ${endpointId} order by seq`);

describe('webhook delivery control', () => {
  const ctx = useTestApp({ config: { WEBHOOK_ALLOW_LOOPBACK: 'true' } });
  let receiver: Receiver;
  beforeEach(async () => {
    // Receivers reject a signature timestamp more than five minutes from their own clock.
    ctx.clock.set(new Date());
    receiver = await startReceiver();
  });
  afterEach(async () => receiver.close());

  /** An endpoint the receiver turned off with 410 Gone, then `count` events queued for it while disabled, oldest first. */
  async function disabledWithBacklog(org: SeededOrganisation, count: number) {
    const endpoint = await register(ctx, org, receiver);
    receiver.answerNext(410);
    await emitSubmitted(ctx, org);
    await drain(workerFor(ctx));
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(org.admin.token) })).json()).toMatchObject({ status: 'disabled' });
    const missed: string[] = [];
    for (let i = 0; i < count; i += 1) {
      ctx.clock.advance(1_000);
      const responseId = crypto.randomUUID();
      missed.push(responseId);
      await emitSubmitted(ctx, org, responseId);
    }
    await drain(workerFor(ctx)); // fanned out, and waiting: nothing goes to a disabled endpoint
    expect(receiver.received).toHaveLength(1);
    return { endpoint, missed };
  }

  it('sends a delivery again as a new message, with its own webhook-id and redeliveryOf, which a receiver that drops repeats by id takes', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver);
    await submittedResponses(ctx, org, ['Alpha AI']);
    await drain(workerFor(ctx));
    const [first] = await deliveriesOf(ctx, org, endpoint.id);
    expect(processed(receiver)).toHaveLength(1);

    ctx.clock.advance(1_000);
    const again = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/deliveries/${first!.id}/redeliver`, headers: bearer(org.admin.token) });
    expect(again.statusCode, again.body).toBe(202);
    const redelivery = again.json() as Delivery;
    expect(redelivery).toMatchObject({ eventId: first!.eventId, eventType: 'response.submitted', redeliveryOf: first!.id, status: 'pending', attempts: 0 });
    expect(redelivery.id).not.toBe(first!.id);
    await drain(workerFor(ctx));

    // The receiver that ignores ids it has seen takes it: a new id, verified, and the body says what it repeats.
    const taken = processed(receiver);
    expect(taken).toHaveLength(2);
    expect(taken[1]!.verified).toBe(true);
    expect(taken[1]!.id).toBe(`msg_${redelivery.id}`);
    expect(JSON.parse(taken[1]!.body)).toEqual({ ...JSON.parse(taken[0]!.body), redeliveryOf: first!.id });

    // Sending the redelivery again still names the first delivery, which keeps its own state.
    ctx.clock.advance(1_000);
    const third = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/deliveries/${redelivery.id}/redeliver`, headers: bearer(org.admin.token) });
    expect(third.json()).toMatchObject({ redeliveryOf: first!.id });
    await drain(workerFor(ctx));
    expect(processed(receiver)).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(3);
    const log = await deliveriesOf(ctx, org, endpoint.id);
    expect(log.map((d) => [d.redeliveryOf, d.status, d.attempts])).toEqual([
      [null, 'succeeded', 1],
      [first!.id, 'succeeded', 1],
      [first!.id, 'succeeded', 1],
    ]);
    expect((await auditOf(ctx, endpoint.id)).filter((a) => a.action === 'webhook.redelivery_requested').map((a) => a.details)).toEqual([
      expect.objectContaining({ deliveryId: redelivery.id, redeliveryOf: first!.id, requested: first!.id }),
      expect.objectContaining({ redeliveryOf: first!.id, requested: redelivery.id }),
    ]);
  });

  it('enabling with skipMissed marks what waited skipped and sends none of it; what happens afterwards goes out', async () => {
    const org = await seedOrganisation(ctx);
    const { endpoint } = await disabledWithBacklog(org, 3);
    for (const payload of [{ skipMissed: 'yes' }, { skipMissed: true, also: 1 }]) {
      const refused = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/enable`, headers: bearer(org.admin.token), payload });
      expect([refused.statusCode, problemOf(refused).code]).toEqual([422, 'request.validation_failed']);
    }
    const enabled = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/enable`, headers: bearer(org.admin.token), payload: { skipMissed: true } });
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(enabled.json()).toMatchObject({ status: 'enabled', skipped: 3 });
    await drain(workerFor(ctx));
    expect(receiver.received).toHaveLength(1); // only the 410 before
    const log = await deliveriesOf(ctx, org, endpoint.id);
    expect(log.map((d) => d.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
    expect(log.slice(1).every((d) => d.completedAt === ctx.clock.now().toISOString() && d.attempts === 0)).toBe(true);
    expect((await auditOf(ctx, endpoint.id)).find((a) => a.action === 'webhook.enabled')!.details).toMatchObject({ skipMissed: true, skipped: 3, previousStatus: 'disabled' });

    ctx.clock.advance(1_000);
    const later = crypto.randomUUID();
    await emitSubmitted(ctx, org, later);
    await drain(workerFor(ctx));
    expect(receiver.received.slice(1).map((r) => JSON.parse(r.body).data.responseId)).toEqual([later]);
  });

  it('enabling without skipping sends the backlog oldest first, no faster than the rate bound', async () => {
    const org = await seedOrganisation(ctx);
    const { endpoint, missed } = await disabledWithBacklog(org, 12);
    const enabled = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/enable`, headers: bearer(org.admin.token) });
    expect(enabled.json()).toMatchObject({ status: 'enabled', skipped: 0 });
    const rate = 5;
    const worker = workerFor(ctx, { ratePerSecond: rate });
    worker.start();
    try {
      await receiver.waitFor(1 + missed.length, 60_000);
    } finally {
      await worker.stop({ drainMs: 5_000 });
    }
    const backlog = receiver.received.slice(1);
    expect(backlog.every((r) => r.verified)).toBe(true);
    expect(backlog.map((r) => JSON.parse(r.body).data.responseId)).toEqual(missed);
    // Starts are at least 1000/rate ms apart at the worker. Measured at the receiver, a request held up
    // on its way may arrive close to the next one, so a second may hold one more than the rate; a
    // backlog sent at once (4 in flight, no bound) would put all twelve in the first second. Slower always passes.
    const at = backlog.map((r) => r.at);
    const busiest = Math.max(...at.map((start) => at.filter((t) => t >= start && t < start + 1_000).length));
    expect(busiest, `arrivals (ms after the first): ${at.map((t) => t - at[0]!).join(', ')}`).toBeLessThanOrEqual(rate + 1);
    expect(at[at.length - 1]! - at[0]!).toBeGreaterThanOrEqual(((missed.length - 1 - rate) * 1_000) / rate);
  });

  it('sends a test event to that endpoint only, signed, and shows it in the log', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver);
    const other = await startReceiver();
    await register(ctx, org, other);
    const queued = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/test`, headers: bearer(org.admin.token) });
    expect(queued.statusCode, queued.body).toBe(202);
    const test = queued.json() as Delivery;
    expect(test).toMatchObject({ id: expect.any(String), eventType: 'webhook.test', redeliveryOf: null, status: 'pending' });
    await drain(workerFor(ctx));
    expect(other.received).toEqual([]);
    await other.close();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.verified).toBe(true);
    const body = JSON.parse(receiver.received[0]!.body);
    expect(body).toEqual({
      type: 'webhook.test',
      timestamp: ctx.clock.now().toISOString(),
      // Made by the app, so under its own PUBLIC_BASE_URL.
      data: { eventId: test.eventId, organisationId: org.organisationId, subject: { type: 'webhook_endpoint', id: endpoint.id }, version: null, url: `${config.publicBaseUrl}/v1/webhooks/${endpoint.id}`, links: { self: `${config.publicBaseUrl}/v1/webhooks/${endpoint.id}` } },
    });
    const manager = await seedApiKey(ctx, org, { scopes: ['webhooks:manage'] });
    expect((await ctx.app.inject({ method: 'GET', url: body.data.links.self.replace(config.publicBaseUrl, ''), headers: bearer(manager.token) })).statusCode).toBe(200);
    expect(await deliveriesOf(ctx, org, endpoint.id)).toEqual([expect.objectContaining({ id: test.id, eventType: 'webhook.test', status: 'succeeded', attempts: 1 })]);
    expect((await auditOf(ctx, endpoint.id)).map((a) => a.action)).toContain('webhook.test_requested');
  });

  it('keeps a deleted endpoint’s log readable for 30 days, then not found; nothing can be sent to it', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver);
    await submittedResponses(ctx, org, ['Alpha AI']);
    await drain(workerFor(ctx));
    const [delivery] = await deliveriesOf(ctx, org, endpoint.id);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(org.admin.token) })).statusCode).toBe(204);

    ctx.clock.advance(29 * 86_400_000);
    expect(await deliveriesOf(ctx, org, endpoint.id)).toEqual([expect.objectContaining({ id: delivery!.id, status: 'succeeded' })]);
    expect((await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(org.admin.token) })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(org.admin.token) })).json().items).toEqual([]);
    const again = await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/redeliver`, headers: bearer(org.admin.token) });
    expect([again.statusCode, problemOf(again).code]).toEqual([409, 'webhooks.endpoint_deleted']);
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/test`, headers: bearer(org.admin.token) })).statusCode).toBe(404);

    // Thirty days after the deletion (moved back in the database, as time would), it is gone.
    ctx.clock.set(new Date());
    await ctx.database.db.execute(sql`update webhook_endpoints set deleted_at = ${new Date(ctx.clock.now().getTime() - 30 * 86_400_000 - 60_000)} where id = ${endpoint.id}`);
    const gone = await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}/deliveries`, headers: bearer(org.admin.token) });
    expect([gone.statusCode, problemOf(gone).code]).toEqual([404, 'webhooks.not_found']);
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/redeliver`, headers: bearer(org.admin.token) })).statusCode).toBe(404);
    expect(receiver.received).toHaveLength(1);
  });

  it('answers another council 404 on every route it added, and changes nothing of ours', async () => {
    const a = await seedOrganisation(ctx);
    const b = await seedOrganisation(ctx);
    const { endpoint } = await disabledWithBacklog(a, 2);
    const [delivery] = await deliveriesOf(ctx, a, endpoint.id);
    const asB = (method: 'GET' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(b.admin.token), ...(payload ? { payload } : {}) });
    const routes = [
      ['POST', `/v1/webhooks/${endpoint.id}/test`, undefined],
      ['POST', `/v1/webhooks/${endpoint.id}/enable`, { skipMissed: true }],
      ['POST', `/v1/webhooks/${endpoint.id}/deliveries/${delivery!.id}/redeliver`, undefined],
      ['GET', `/v1/webhooks/${endpoint.id}/deliveries?limit=500`, undefined],
    ] as const;
    for (const [method, url, payload] of routes) {
      const response = await asB(method, url, payload);
      expect([url, response.statusCode, problemOf(response).code]).toEqual([url, 404, 'webhooks.not_found']);
    }
    expect((await deliveriesOf(ctx, a, endpoint.id)).map((d) => d.status)).toEqual(['failed', 'pending', 'pending']);
    // Deleted, its log is ours alone too.
    expect((await ctx.app.inject({ method: 'DELETE', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(a.admin.token) })).statusCode).toBe(204);
    for (const [method, url, payload] of routes) expect([url, (await asB(method, url, payload)).statusCode]).toEqual([url, 404]);
    expect(await deliveriesOf(ctx, a, endpoint.id)).toHaveLength(3);
  });

  it('pages the webhook lists with the scores feed’s bounds: 500 at most, 501 refused with 400', async () => {
    const org = await seedOrganisation(ctx);
    const endpoint = await register(ctx, org, receiver);
    for (const list of ['/v1/scores', '/v1/webhooks', `/v1/webhooks/${endpoint.id}/deliveries`]) {
      expect([list, (await ctx.app.inject({ method: 'GET', url: `${list}?limit=500`, headers: bearer(org.admin.token) })).statusCode]).toEqual([list, 200]);
      for (const limit of ['501', '0']) {
        const refused = await ctx.app.inject({ method: 'GET', url: `${list}?limit=${limit}`, headers: bearer(org.admin.token) });
        expect([list, limit, refused.statusCode, problemOf(refused).code]).toEqual([list, limit, 400, 'request.validation_failed']);
      }
    }
    // The API description says the same of each: same minimum, maximum and default.
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: unknown }> }>> };
    const limitOf = (path: string) => {
      const { minimum, maximum, default: byDefault } = document.paths[path]!.get!.parameters!.find((p) => p.name === 'limit')!.schema as Record<string, unknown>;
      return { minimum, maximum, default: byDefault };
    };
    expect(limitOf('/v1/webhooks')).toEqual(limitOf('/v1/scores'));
    expect(limitOf('/v1/webhooks/{id}/deliveries')).toEqual(limitOf('/v1/scores'));
    expect(limitOf('/v1/scores')).toMatchObject({ minimum: 1, maximum: 500, default: 100 });
  });
});
