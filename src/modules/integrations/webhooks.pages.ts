import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/auth';
import { isAppError } from '../../platform/errors';
import type { EventType } from '../../platform/events';
import { ukDayTime } from '../../platform/format';
import { page, putFlash, takeFlash } from '../../platform/web';
import type { ConsoleDeps } from '../accounts';
import { createWebhookSchema } from './integrations.schemas';
import { WEBHOOK_MANAGERS } from './webhooks.api';
import {
  addressError,
  deliveryCards,
  endpointCards,
  endpointHref,
  endpointRows,
  endpointStatus,
  eventItems,
  readEndpointForm,
  schemaErrors,
  WEBHOOKS_PAGE,
  type EndpointFormValues,
  type FormBody,
  type PageError,
} from './webhooks.pages.models';
import * as usecases from './webhooks.usecases';

/**
 * The console's webhook pages (`/admin/webhooks`): the endpoints, adding one (its signing secret
 * shown once, on the next page), enabling and disabling, rotating the secret, deleting, and each
 * endpoint's delivery log with "send again". The same use cases as `/v1/webhooks`, with the signed-in
 * admin as principal; anyone the API would refuse gets the console's "Page not found".
 */

const PAGE_SIZE = 20;
const DELIVERIES_PAGE_SIZE = 10;
const MANAGERS: readonly Role[] = WEBHOOK_MANAGERS.roles;
const isId = (value: string) => z.uuid().safeParse(value).success;
const secretHref = (id: string) => `${endpointHref(id)}/secret`;

type Params = { id: string };
type DeliveryParams = { id: string; deliveryId: string };
type Notice = { type?: 'success'; text: string };
/** What the secret page shows once, carried to it in the sealed flash cookie. */
type ShownOnce = { secret: string; rotated: boolean; previousSecretExpiresAt: string | null };

const cursorOf = (request: FastifyRequest) => {
  const cursor = (request.query as { cursor?: unknown } | undefined)?.cursor;
  return typeof cursor === 'string' && cursor !== '' && cursor.length <= 512 ? cursor : undefined;
};

export function registerWebhookPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, config, now, staff } = deps;
  const db = database.db;
  const guard = { preHandler: staff.requireStaff };
  const policy = usecases.urlPolicyOf(config);

  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });
  const flashBinding = (request: FastifyRequest, path: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: path, now: now() });
  const leave = (request: FastifyRequest, reply: FastifyReply, path: string, value: unknown) => putFlash(reply, { ...flashBinding(request, path), secure: config.cookieSecure, value });
  const noticeFor = (request: FastifyRequest, reply: FastifyReply, path: string) => takeFlash<Notice>(request, reply, flashBinding(request, path));
  const common = (request: FastifyRequest) => staff.common(request, 'admin');

  /** Whether the page may go on: a role the API refuses, or an id that is not one, gets "Page not found". */
  function allowed(request: FastifyRequest, reply: FastifyReply): boolean {
    const params = request.params as Partial<DeliveryParams>;
    if (!MANAGERS.includes(staff.staffOf(request).user.role) || (params.id !== undefined && !isId(params.id)) || (params.deliveryId !== undefined && !isId(params.deliveryId))) {
      void staff.notFound(request, reply);
      return false;
    }
    return true;
  }

  /** For a POST: the role and ids, then the form's CSRF token. */
  function allowedPost(request: FastifyRequest<{ Body: FormBody }>, reply: FastifyReply): boolean {
    if (!allowed(request, reply)) return false;
    if (!staff.csrfOk(request, request.body?._csrf)) {
      void staff.csrfRefused(request, reply);
      return false;
    }
    return true;
  }

  /** Runs a use case about one endpoint; another organisation's (or a deleted) endpoint or delivery is "Page not found". */
  async function orNotFound<T>(request: FastifyRequest, reply: FastifyReply, run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch (error) {
      if (isAppError(error) && error.status === 404) {
        await staff.notFound(request, reply);
        return null;
      }
      throw error;
    }
  }

  web.get(WEBHOOKS_PAGE, guard, async (request, reply) => {
    if (!allowed(request, reply)) return reply;
    const cursor = cursorOf(request);
    let listed;
    try {
      listed = await usecases.listEndpoints({ ...ctxOf(request), limit: PAGE_SIZE, cursor });
    } catch (error) {
      // A cursor edited by hand shows the first page rather than an error.
      if (!isAppError(error) || error.code !== 'pagination.invalid_cursor') throw error;
      return reply.redirect(WEBHOOKS_PAGE, 303);
    }
    const last = await usecases.lastDeliveries({ ...ctxOf(request), endpointIds: listed.items.map((e) => e.id) });
    return page(request, reply, 'console/admin/webhooks.njk', {
      ...common(request),
      title: 'Webhooks',
      notice: noticeFor(request, reply, WEBHOOKS_PAGE),
      cards: endpointCards({ endpoints: listed.items, last }),
      firstHref: cursor ? WEBHOOKS_PAGE : null,
      nextHref: listed.nextCursor ? `${WEBHOOKS_PAGE}?cursor=${encodeURIComponent(listed.nextCursor)}` : null,
      backLink: { href: '/admin', text: 'Back to administration' },
    });
  });

  const showNewForm = (request: FastifyRequest, reply: FastifyReply, values: EndpointFormValues, errors: PageError[], status = 200) => {
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    return page(
      request,
      reply,
      'console/admin/webhook-new.njk',
      {
        ...common(request),
        title: 'Add a webhook endpoint',
        errors,
        values,
        events: eventItems(values.events),
        fieldErrors: { url: fieldError('#url'), description: fieldError('#description'), events: fieldError('#events') },
        httpsOnly: policy.requireHttps,
        backLink: { href: WEBHOOKS_PAGE, text: 'Back to webhooks' },
      },
      status,
    );
  };

  web.get(`${WEBHOOKS_PAGE}/new`, guard, async (request, reply) => {
    if (!allowed(request, reply)) return reply;
    return showNewForm(request, reply, { url: '', description: '', events: [] }, []);
  });

  web.post<{ Body: FormBody }>(`${WEBHOOKS_PAGE}/new`, guard, async (request, reply) => {
    if (!allowedPost(request, reply)) return reply;
    const values = readEndpointForm(request.body);
    const parsed = createWebhookSchema.safeParse(values);
    if (!parsed.success) return showNewForm(request, reply, values, schemaErrors(parsed.error.issues, values), 422);
    let created;
    try {
      created = await usecases.createEndpoint({ ...ctxOf(request), url: parsed.data.url, events: parsed.data.events as EventType[], description: parsed.data.description, policy, secretsKey: config.secretsKey });
    } catch (error) {
      const onField = isAppError(error) ? addressError(error) : null;
      if (onField) return showNewForm(request, reply, values, [onField], 422);
      throw error;
    }
    leave(request, reply, secretHref(created.id), { secret: created.secret, rotated: false, previousSecretExpiresAt: null } satisfies ShownOnce);
    return reply.redirect(secretHref(created.id), 303);
  });

  web.get<{ Params: Params }>(`${WEBHOOKS_PAGE}/:id/secret`, guard, async (request, reply) => {
    if (!allowed(request, reply)) return reply;
    const endpoint = await orNotFound(request, reply, () => usecases.getEndpoint({ ...ctxOf(request), id: request.params.id }));
    if (!endpoint) return reply;
    const shown = takeFlash<ShownOnce>(request, reply, flashBinding(request, secretHref(endpoint.id)));
    return page(request, reply, 'console/admin/webhook-secret.njk', {
      ...common(request),
      title: shown ? (shown.rotated ? 'New signing secret' : 'Webhook endpoint added') : 'Signing secret',
      endpoint: { url: endpoint.url, href: endpointHref(endpoint.id), secretPrefix: endpoint.secretPrefix },
      secret: shown?.secret ?? null,
      previousSecretExpiresAt: shown?.previousSecretExpiresAt ? ukDayTime(shown.previousSecretExpiresAt) : null,
      rotateHref: `${endpointHref(endpoint.id)}/rotate`,
    });
  });

  web.get<{ Params: Params }>(`${WEBHOOKS_PAGE}/:id`, guard, async (request, reply) => {
    if (!allowed(request, reply)) return reply;
    const endpoint = await orNotFound(request, reply, () => usecases.getEndpoint({ ...ctxOf(request), id: request.params.id }));
    if (!endpoint) return reply;
    const cursor = cursorOf(request);
    let deliveries;
    try {
      deliveries = await usecases.listDeliveries({ ...ctxOf(request), id: endpoint.id, limit: DELIVERIES_PAGE_SIZE, cursor, newestFirst: true });
    } catch (error) {
      if (!isAppError(error) || error.code !== 'pagination.invalid_cursor') throw error;
      return reply.redirect(endpointHref(endpoint.id), 303);
    }
    const href = endpointHref(endpoint.id);
    return page(request, reply, 'console/admin/webhook.njk', {
      ...common(request),
      title: endpoint.description || 'Webhook endpoint',
      pageTitle: `Webhook endpoint ${endpoint.url}`,
      notice: noticeFor(request, reply, href),
      endpoint: { id: endpoint.id, url: endpoint.url, enabled: endpoint.status === 'enabled', status: endpointStatus(endpoint), rows: endpointRows(endpoint) },
      actions: { enable: `${href}/enable`, disable: `${href}/disable`, rotate: `${href}/rotate`, delete: `${href}/delete`, test: `${href}/test` },
      deliveries: deliveryCards({ deliveries: deliveries.items, now: now() }).map((card) => ({ ...card, redeliverHref: `${href}/deliveries/${card.id}/redeliver` })),
      firstHref: cursor ? href : null,
      nextHref: deliveries.nextCursor ? `${href}?cursor=${encodeURIComponent(deliveries.nextCursor)}` : null,
      backLink: { href: WEBHOOKS_PAGE, text: 'Back to webhooks' },
    });
  });

  web.post<{ Params: Params; Body: FormBody }>(`${WEBHOOKS_PAGE}/:id/enable`, guard, async (request, reply) => {
    if (!allowedPost(request, reply)) return reply;
    const href = endpointHref(request.params.id);
    // Radios on the endpoint's page: send what was missed (the default, as before) or skip it.
    const skipMissed = request.body?.missed === 'skip';
    try {
      const done = await orNotFound(request, reply, () => usecases.enableEndpoint({ ...ctxOf(request), id: request.params.id, policy, skipMissed }));
      if (!done) return reply;
      const text = skipMissed
        ? `The endpoint is enabled. ${done.skipped === 1 ? 'The delivery that was waiting has been marked skipped' : `The ${done.skipped} deliveries that were waiting have been marked skipped`} and will not be sent; what happens from now on is sent.`
        : 'The endpoint is enabled. Deliveries that were waiting go out now, oldest first, a few a second.';
      leave(request, reply, href, { type: 'success', text } satisfies Notice);
    } catch (error) {
      const refused = isAppError(error) ? addressError(error) : null;
      if (!refused) throw error;
      leave(request, reply, href, { text: `The endpoint has not been enabled. ${refused.text}. Delete it and add the right address.` } satisfies Notice);
    }
    return reply.redirect(href, 303);
  });

  web.post<{ Params: Params; Body: FormBody }>(`${WEBHOOKS_PAGE}/:id/disable`, guard, async (request, reply) => {
    if (!allowedPost(request, reply)) return reply;
    const session = staff.staffOf(request);
    const done = await orNotFound(request, reply, () => usecases.disableEndpoint({ ...ctxOf(request), id: request.params.id, reason: `Disabled by ${session.user.name}.` }));
    if (!done) return reply;
    const href = endpointHref(done.id);
    leave(request, reply, href, { type: 'success', text: 'The endpoint is disabled. Nothing is sent to it until it is enabled again; events that happen meanwhile wait for it.' } satisfies Notice);
    return reply.redirect(href, 303);
  });

  const confirmPage = (request: FastifyRequest, reply: FastifyReply, what: 'rotate' | 'delete', endpoint: usecases.EndpointDto) =>
    page(request, reply, 'console/admin/webhook-confirm.njk', {
      ...common(request),
      title: what === 'rotate' ? 'Replace the signing secret?' : 'Delete this webhook endpoint?',
      what,
      endpoint: { url: endpoint.url, secretPrefix: endpoint.secretPrefix },
      action: `${endpointHref(endpoint.id)}/${what}`,
      cancelHref: endpointHref(endpoint.id),
      backLink: { href: endpointHref(endpoint.id), text: 'Back to the endpoint' },
    });

  for (const what of ['rotate', 'delete'] as const) {
    web.get<{ Params: Params }>(`${WEBHOOKS_PAGE}/:id/${what}`, guard, async (request, reply) => {
      if (!allowed(request, reply)) return reply;
      const endpoint = await orNotFound(request, reply, () => usecases.getEndpoint({ ...ctxOf(request), id: request.params.id }));
      if (!endpoint) return reply;
      return confirmPage(request, reply, what, endpoint);
    });
  }

  web.post<{ Params: Params; Body: FormBody }>(`${WEBHOOKS_PAGE}/:id/rotate`, guard, async (request, reply) => {
    if (!allowedPost(request, reply)) return reply;
    const rotated = await orNotFound(request, reply, () => usecases.rotateSecret({ ...ctxOf(request), id: request.params.id, secretsKey: config.secretsKey }));
    if (!rotated) return reply;
    leave(request, reply, secretHref(rotated.id), { secret: rotated.secret, rotated: true, previousSecretExpiresAt: rotated.previousSecretExpiresAt } satisfies ShownOnce);
    return reply.redirect(secretHref(rotated.id), 303);
  });

  web.post<{ Params: Params; Body: FormBody }>(`${WEBHOOKS_PAGE}/:id/delete`, guard, async (request, reply) => {
    if (!allowedPost(request, reply)) return reply;
    const endpoint = await orNotFound(request, reply, () => usecases.getEndpoint({ ...ctxOf(request), id: request.params.id }));
    if (!endpoint) return reply;
    const deleted = await orNotFound(request, reply, async () => {
      await usecases.deleteEndpoint({ ...ctxOf(request), id: endpoint.id });
      return true;
    });
    if (!deleted) return reply;
    leave(request, reply, WEBHOOKS_PAGE, { type: 'success', text: `The webhook endpoint${endpoint.description ? ` “${endpoint.description}”` : ''} has been deleted. Nothing more is sent to it; what was waiting is marked failed.` } satisfies Notice);
    return reply.redirect(WEBHOOKS_PAGE, 303);
  });

  web.post<{ Params: DeliveryParams; Body: FormBody }>(`${WEBHOOKS_PAGE}/:id/deliveries/:deliveryId/redeliver`, guard, async (request, reply) => {
    if (!allowedPost(request, reply)) return reply;
    const href = endpointHref(request.params.id);
    try {
      const endpoint = await orNotFound(request, reply, () => usecases.getEndpoint({ ...ctxOf(request), id: request.params.id }));
      if (!endpoint) return reply;
      const queued = await orNotFound(request, reply, () => usecases.redeliver({ ...ctxOf(request), id: endpoint.id, deliveryId: request.params.deliveryId }));
      if (!queued) return reply;
      const when = endpoint.status === 'enabled' ? 'It goes out in a moment as a new message, with its own webhook-id.' : 'It goes out as a new message, with its own webhook-id, once the endpoint is enabled.';
      leave(request, reply, href, { type: 'success', text: `The ${queued.eventType} delivery has been queued to send again. ${when}` } satisfies Notice);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'webhooks.delivery_in_progress') throw error;
      leave(request, reply, href, { text: 'That delivery is being sent right now. Wait for the attempt to finish, then try again if it failed.' } satisfies Notice);
    }
    return reply.redirect(href, 303);
  });

  web.post<{ Params: Params; Body: FormBody }>(`${WEBHOOKS_PAGE}/:id/test`, guard, async (request, reply) => {
    if (!allowedPost(request, reply)) return reply;
    const endpoint = await orNotFound(request, reply, () => usecases.getEndpoint({ ...ctxOf(request), id: request.params.id }));
    if (!endpoint) return reply;
    const queued = await orNotFound(request, reply, () => usecases.sendTestEvent({ ...ctxOf(request), id: endpoint.id, publicBaseUrl: config.publicBaseUrl }));
    if (!queued) return reply;
    const when = endpoint.status === 'enabled' ? 'It goes out in a moment; its outcome shows in the delivery log below.' : 'It goes out once the endpoint is enabled.';
    leave(request, reply, endpointHref(endpoint.id), { type: 'success', text: `A test event (webhook.test) has been queued. ${when}` } satisfies Notice);
    return reply.redirect(endpointHref(endpoint.id), 303);
  });
}
