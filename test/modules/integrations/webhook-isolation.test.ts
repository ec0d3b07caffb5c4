import { and, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app';
import { createWebhookWorker, type WebhookWorker } from '../../../src/modules/integrations/webhooks.worker';
import { queryRows } from '../../../src/platform/db';
import { emitEvent } from '../../../src/platform/events';
import { outbox } from '../../../src/platform/mail';
import { bearer, testConfig, useTestApp, type TestContext } from '../../helpers/app';
import { seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { until } from '../../helpers/wait';
import { startReceiver, type Receiver } from './receiver';

const config = testConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true' });

async function register(ctx: TestContext, org: SeededOrganisation, receiver: Receiver) {
  const response = await ctx.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(org.admin.token), payload: { url: receiver.url, events: ['procurement.opened'], description: 'Contract system' } });
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json() as { id: string; secret: string };
  receiver.useSecret(body.secret);
  return body;
}

/**
 * One council's receiver hangs (it never answers; each attempt waits the whole 10 s timeout) while
 * another council's answers at once. Deliveries are per endpoint, so the healthy one's events
 * arrive as they happen instead of waiting behind the hanging one's attempts.
 */
describe('webhook delivery isolated per endpoint', () => {
  const ctx = useTestApp({ config: { WEBHOOK_ALLOW_LOOPBACK: 'true' } });
  let hanging: Receiver;
  let healthy: Receiver;
  let worker: WebhookWorker | undefined;
  beforeEach(async () => {
    ctx.clock.set(new Date());
    [hanging, healthy] = await Promise.all([startReceiver(), startReceiver()]);
  });
  afterEach(async () => {
    await worker?.stop();
    await Promise.all([hanging.close(), healthy.close()]);
  });

  it('a hanging endpoint of one council does not delay another council’s deliveries: healthy p99 under 2 s', async () => {
    const [slowOrg, fastOrg] = await Promise.all([seedOrganisation(ctx), seedOrganisation(ctx)]);
    await register(ctx, slowOrg, hanging);
    await register(ctx, fastOrg, healthy);
    hanging.answerNext(...Array.from({ length: 200 }, () => 'hang' as const));
    worker = createWebhookWorker({
      db: ctx.database.db,
      now: () => ctx.clock.now(),
      publicBaseUrl: 'https://aidd.example.gov.uk',
      secretsKey: config.secretsKey,
      timeoutMs: 10_000,
      allowLoopback: true,
      pollMs: 50,
    });
    worker.start();

    // Events arrive over a few seconds, the hanging council's first each time, as in production
    // where both councils are busy at once.
    const emittedAt = new Map<string, number>();
    const COUNT = 24;
    for (let i = 0; i < COUNT; i += 1) {
      await emitEvent({ db: ctx.database.db, organisationId: slowOrg.organisationId, type: 'procurement.opened', subject: { type: 'procurement', id: crypto.randomUUID() }, data: {}, now: ctx.clock.now() });
      const subject = crypto.randomUUID();
      emittedAt.set(subject, Date.now());
      await emitEvent({ db: ctx.database.db, organisationId: fastOrg.organisationId, type: 'procurement.opened', subject: { type: 'procurement', id: subject }, data: {}, now: ctx.clock.now() });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await until('every healthy delivery', () => healthy.acknowledged().length, (n) => n >= COUNT);

    const latencies = healthy
      .acknowledged()
      .map((r) => r.at - emittedAt.get((JSON.parse(r.body) as { data: { subject: { id: string } } }).data.subject.id)!)
      .sort((a, b) => a - b);
    expect(latencies).toHaveLength(COUNT);
    const p99 = latencies[Math.ceil(0.99 * latencies.length) - 1]!;
    // The hanging receiver was being tried meanwhile (so it really held attempts open).
    expect(hanging.received.length).toBeGreaterThan(0);
    expect(p99, `healthy latencies (ms): ${latencies.join(', ')}`).toBeLessThan(2_000);
  }, 180_000);

  it('an endpoint the worker disables is audited by the system and its admins are emailed once, however many attempts failed at once', async () => {
    const org = await seedOrganisation(ctx);
    const second = await seedUser(ctx, org, { role: 'admin', name: 'Second Admin' });
    await seedUser(ctx, org, { role: 'officer' });
    const endpoint = await register(ctx, org, hanging);
    hanging.answerNext(410, 410, 410);
    for (let i = 0; i < 3; i += 1)
      await emitEvent({ db: ctx.database.db, organisationId: org.organisationId, type: 'procurement.opened', subject: { type: 'procurement', id: crypto.randomUUID() }, data: {}, now: ctx.clock.now() });
    // The app's own worker, as it runs in production (so the wiring of the notice is what is tested).
    const app = await buildApp({ config: testConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_DELIVERY: 'true', WEBHOOK_POLL_MS: '50' }), database: ctx.database, now: () => ctx.clock.now(), logger: false });
    try {
      const read = async () => (await ctx.app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(org.admin.token) })).json() as { status: string; disabledReason: string | null };
      const disabled = await until('the endpoint disabled', read, (e) => e.status === 'disabled');
      expect(disabled.disabledReason).toBe('The receiver answered 410 Gone.');
      const audit = await queryRows<{ action: string; actor_type: string; actor_id: string }>(ctx.database.db, sql`select action, actor_type, actor_id from audit_events where subject_id = ${endpoint.id} order by seq`);
      expect(audit.map((a) => a.action)).toEqual(['webhook.created', 'webhook.disabled']);
      expect(audit[1]).toMatchObject({ actor_type: 'system', actor_id: 'webhook delivery' });
      const mails = await ctx.database.db.select().from(outbox).where(and(eq(outbox.organisationId, org.organisationId), eq(outbox.kind, 'webhook.disabled')));
      const admins = await queryRows<{ email: string }>(ctx.database.db, sql`select email from users where organisation_id = ${org.organisationId} and role = 'admin' order by email`);
      expect(admins.map((a) => a.email)).toContain(second.email);
      // One email to each admin (the officer gets none), however many attempts failed.
      expect(mails.map((m) => m.to).sort()).toEqual(admins.map((a) => a.email));
      expect(mails[0]!.text).toContain(hanging.url);
      expect(mails[0]!.text).toContain(`/webhooks/${endpoint.id}`);
    } finally {
      await app.close();
    }
  });
});

