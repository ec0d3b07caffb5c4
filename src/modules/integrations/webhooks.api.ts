import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { documentErrors, documentWebhooks, withExample } from '../../platform/http/openapi';
import { pageSchema } from '../../platform/pagination';
import { closeDueProcurements } from '../procurements';
import { integrationsErrors } from './integrations.errors';
import { storeStageReleases } from './ocds.usecases';
import { createdWebhookSchema, createWebhookSchema, deliverySchema, enableWebhookSchema, webhookPageQuerySchema, webhookSchema } from './integrations.schemas';
import { webhookErrors } from './webhooks.errors';
import { WEBHOOK_EVENTS } from './webhooks.events';
import * as usecases from './webhooks.usecases';
import { createWebhookWorker } from './webhooks.worker';

/** Who manages webhooks, through the API and on the console's pages: admins, and API keys with `webhooks:manage`. */
export const WEBHOOK_MANAGERS = { roles: ['admin'], scopes: ['webhooks:manage'] } as const;
const MANAGERS = WEBHOOK_MANAGERS;
const idParams = z.object({ id: z.uuid() });

const SIGNING = [
  'Each delivery is a POST of a small JSON body `{type, timestamp, data}`; `data` holds ids, the subject’s `version` after the change, and a `url` (also `links.self`, beside related `links`) to fetch the current state with your own credentials. Nothing confidential is in it.',
  'Deliveries follow Standard Webhooks (standardwebhooks.com): headers `webhook-id` (the same on every retry of one message: use it to ignore duplicates; a redelivery you ask for is a new message with its own id and `redeliveryOf` in its body), `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` then base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64-decoded part of the secret after `whsec_`). Reject a timestamp more than 5 minutes from now.',
  'Answer 2xx within 10 s. Otherwise the delivery is tried again after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; after the last failure, or at once on 410 Gone, the endpoint is disabled. Redirects are not followed. Order is not guaranteed.',
].join('\n\n');

export function registerWebhooksApi(app: FastifyInstance, { database, now, config, mailer }: AppDeps): void {
  const policy = usecases.urlPolicyOf(config);
  if (config.webhooks.deliver) {
    const worker = createWebhookWorker({
      db: database.db,
      now,
      publicBaseUrl: config.publicBaseUrl,
      secretsKey: config.secretsKey,
      timeoutMs: config.webhooks.timeoutMs,
      coalesceMs: config.webhooks.coalesceMs,
      allowLoopback: config.webhooks.allowLoopback,
      pollMs: config.webhooks.pollMs,
      ratePerSecond: config.webhooks.ratePerSecond,
      logger: app.log,
      mailer,
      onDisabled: (disabled) => usecases.noticeEndpointDisabled({ ...disabled, publicBaseUrl: config.publicBaseUrl }),
      // Deadlines pass on the clock, not on a request: the worker closes what is due, so
      // `procurement.closed` goes out at the deadline (reads still close lazily as before).
      sweep: () => closeDueProcurements({ db: database.db, now: now() }),
      // A procurement's OCDS release is stored when it changes stage, not only when someone reads it.
      onDispatched: (dispatched) => storeStageReleases({ db: database.db, now: now(), dispatched, ocidPrefix: config.ocdsOcidPrefix, publicBaseUrl: config.publicBaseUrl }),
    });
    app.addHook('onReady', async () => worker.start());
    // Once shutdown begins nothing more is claimed, and attempts in flight finish while requests do;
    // onClose (before the database closes) waits for them, keeping 2 s of the grace to record and close.
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= worker.stop({ drainMs: Math.max(0, config.shutdownGraceMs - 2_000) }));
    app.addHook('preClose', async () => void stop());
    app.addHook('onClose', async () => stop());
  }

  documentErrors(app, integrationsErrors, webhookErrors);
  documentWebhooks(app, WEBHOOK_EVENTS);
  const r = zodApp(app);
  const ctx = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request) });

  r.post(
    '/v1/webhooks',
    {
      config: { access: MANAGERS },
      schema: {
        tags: ['webhooks'],
        operationId: 'createWebhook',
        summary: 'Register a webhook endpoint',
        description: `The response holds the signing secret, once.\n\n${SIGNING}`,
        body: withExample(createWebhookSchema, {
          url: 'https://contracts.example-council.gov.uk/hooks/aidd',
          events: ['response.submitted', 'evaluation.finalised', 'procurement.decided'],
          description: 'Contract register',
        }),
        responseHeaders: { 201: ['Location'] },
        response: { 201: createdWebhookSchema },
      },
    },
    async (request, reply) => {
      const created = await usecases.createEndpoint({ ...ctx(request), ...request.body, policy, secretsKey: config.secretsKey });
      return reply.code(201).header('location', `/v1/webhooks/${created.id}`).send(created);
    },
  );
  r.get(
    '/v1/webhooks',
    { config: { access: MANAGERS }, schema: { tags: ['webhooks'], operationId: 'listWebhooks', summary: 'The webhook endpoints', querystring: webhookPageQuerySchema, response: { 200: pageSchema(webhookSchema) } } },
    async (request) => usecases.listEndpoints({ ...ctx(request), ...request.query }),
  );
  r.get(
    '/v1/webhooks/:id',
    { config: { access: MANAGERS }, schema: { tags: ['webhooks'], operationId: 'getWebhook', summary: 'One webhook endpoint', description: 'A deleted endpoint is not found here (404); its delivery log stays readable for 30 days.', params: idParams, response: { 200: webhookSchema } } },
    async (request) => usecases.getEndpoint({ ...ctx(request), id: request.params.id }),
  );
  r.delete(
    '/v1/webhooks/:id',
    { config: { access: MANAGERS }, schema: { tags: ['webhooks'], operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint', description: 'Nothing more is sent to it; what was waiting is marked failed. Its delivery log can be read for 30 days more, then the endpoint is gone (404).', params: idParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await usecases.deleteEndpoint({ ...ctx(request), id: request.params.id });
      return reply.code(204).send(null);
    },
  );
  r.post(
    '/v1/webhooks/:id/enable',
    {
      config: { access: MANAGERS },
      schema: {
        tags: ['webhooks'],
        operationId: 'enableWebhook',
        summary: 'Enable a disabled endpoint',
        description:
          'Deliveries that were waiting go out again, oldest first, at most `WEBHOOK_RATE_PER_SECOND` (10 by default) started per second, so the receiver is not flooded. With `{"skipMissed": true}` they are marked `skipped` instead and never sent (`skipped` in the answer says how many). The body may be left out.',
        params: idParams,
        body: enableWebhookSchema.nullish(),
        response: { 200: webhookSchema.extend({ skipped: z.number().int().describe('How many waiting deliveries were marked skipped.') }) },
      },
    },
    async (request) => usecases.enableEndpoint({ ...ctx(request), id: request.params.id, policy, skipMissed: request.body?.skipMissed ?? false }),
  );
  r.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      config: { access: MANAGERS },
      schema: {
        tags: ['webhooks'],
        operationId: 'rotateWebhookSecret',
        summary: 'Replace the signing secret',
        description: 'The new secret is in the answer, once. For 24 hours each delivery carries two signatures, one per secret (`webhook-signature: v1,… v1,…`), so a receiver that still holds the old one accepts it; then only the new one signs.',
        params: idParams,
        response: { 200: createdWebhookSchema.extend({ previousSecretExpiresAt: z.iso.datetime().describe('Until when the old secret still signs.') }) },
      },
    },
    async (request) => usecases.rotateSecret({ ...ctx(request), id: request.params.id, secretsKey: config.secretsKey }),
  );
  r.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: { access: MANAGERS },
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: 'The delivery log',
        description: 'Every delivery to the endpoint, oldest first, each with every attempt: when, how long, the status code or error, and the start of the answer. Still readable for 30 days after the endpoint is deleted; then 404.',
        params: idParams,
        querystring: webhookPageQuerySchema,
        response: { 200: pageSchema(deliverySchema) },
      },
    },
    async (request) => usecases.listDeliveries({ ...ctx(request), id: request.params.id, ...request.query }),
  );
  r.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: { access: MANAGERS },
      schema: {
        tags: ['webhooks'],
        operationId: 'redeliverWebhookDelivery',
        summary: 'Send a delivery again',
        description:
          'Queues a new message, to go at once: the same event and body plus `redeliveryOf` (the id of the first delivery), with its own `webhook-id`, so a receiver that ignores ids it has seen still takes it. The answer is the new delivery; the one asked for is left as it was. 409 `webhooks.delivery_in_progress` while an attempt of it is under way; 409 `webhooks.endpoint_deleted` when the endpoint has been deleted.',
        params: z.object({ id: z.uuid(), deliveryId: z.uuid() }),
        response: { 202: deliverySchema, ...problemResponses(409) },
      },
    },
    async (request, reply) => reply.code(202).send(await usecases.redeliver({ ...ctx(request), id: request.params.id, deliveryId: request.params.deliveryId })),
  );
  r.post(
    '/v1/webhooks/:id/test',
    {
      config: { access: MANAGERS },
      schema: {
        tags: ['webhooks'],
        operationId: 'sendWebhookTestEvent',
        summary: 'Send a test event',
        description: 'Queues a `webhook.test` message to this endpoint only, signed like every delivery, to check that your receiver is reached and verifies it. The answer is its delivery, which the delivery log shows; on a disabled endpoint it waits until the endpoint is enabled.',
        params: idParams,
        response: { 202: deliverySchema },
      },
    },
    async (request, reply) => reply.code(202).send(await usecases.sendTestEvent({ ...ctx(request), id: request.params.id, publicBaseUrl: config.publicBaseUrl })),
  );
}
