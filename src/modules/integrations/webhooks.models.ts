import { createHmac, randomBytes } from 'node:crypto';
import type { EventType } from '../../platform/events';

/**
 * When to try again after each failed attempt (Standard Webhooks' recommended schedule): at once,
 * then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. Eight attempts over about 27 hours.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** The wait before the next attempt after `attempts` failed ones; null when there is none left (after the eighth). */
export function retryDelay(attempts: number): number | null {
  return attempts >= 1 && attempts <= RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[attempts - 1]! : null;
}

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The three Standard Webhooks headers. The signature is HMAC-SHA256, keyed with the secret's
 * bytes, over `id.timestamp.body`; receivers check it and reject a timestamp more than a few
 * minutes off, which defeats replays. With several secrets (during a rotation) there is one
 * signature per secret, separated by spaces, and a receiver holding either accepts the message.
 */
export function signatureHeaders({ secrets, messageId, timestamp, body }: { secrets: string[]; messageId: string; timestamp: Date; body: string }): Record<string, string> {
  const seconds = Math.floor(timestamp.getTime() / 1000);
  const signatures = secrets.map((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    return `v1,${createHmac('sha256', key).update(`${messageId}.${seconds}.${body}`, 'utf8').digest('base64')}`;
  });
  return { 'webhook-id': messageId, 'webhook-timestamp': String(seconds), 'webhook-signature': signatures.join(' ') };
}

/** How long the old secret keeps signing after a rotation, so receivers can switch without losing a message. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export type EventRecord = { id: string; organisationId: string; type: string; subjectType: string; subjectId: string; data: Record<string, string | number | boolean | null>; occurredAt: Date };

/** Where a receiver fetches the current state of what the event is about, with its own credentials. */
export function resourcePath(event: Pick<EventRecord, 'type' | 'data'>): string {
  const d = event.data;
  switch (event.type as EventType) {
    case 'procurement.opened':
    case 'procurement.closed':
    case 'procurement.cancelled':
      return `/v1/procurements/${d.procurementId}`;
    case 'procurement.decided':
      return `/v1/procurements/${d.procurementId}/results`;
    case 'invitation.sent':
      return `/v1/procurements/${d.procurementId}/invitations`;
    case 'response.submitted':
    case 'response.withdrawn':
      return `/v1/responses/${d.responseId}`;
    case 'evaluation.updated':
      return d.withdrawn === true ? `/v1/scores?procurementId=${d.procurementId}` : `/v1/responses/${d.responseId}/evaluation`;
    case 'evaluation.finalised':
      return `/v1/responses/${d.responseId}/evaluation`;
    case 'conditions.updated':
      if (d.withdrawn === true) return `/v1/scores?procurementId=${d.procurementId}`;
      return `/v1/responses/${d.responseId}/conditions`;
    case 'report.generated':
      return d.kind === 'comparison' ? `/v1/procurements/${d.procurementId}/comparison.pdf` : d.kind === 'assessment_summary' ? `/v1/responses/${d.responseId}/assessment-summary.pdf` : `/v1/responses/${d.responseId}/report.pdf`;
    default:
      return '/v1/scores';
  }
}

/**
 * The payload's `links`: `self` is `url` (what the event is about, now), and the others are related
 * resources that the same scopes read (EVENT_URL_SCOPES), so a key fit for the event reads them all.
 */
export function eventLinks({ event, publicBaseUrl }: { event: Pick<EventRecord, 'type' | 'data'>; publicBaseUrl: string }): Record<string, string> {
  const d = event.data;
  const links: Record<string, string> = { self: resourcePath(event) };
  switch (event.type as EventType) {
    case 'invitation.sent':
      links.procurement = `/v1/procurements/${d.procurementId}`;
      break;
    case 'evaluation.updated':
    case 'evaluation.finalised':
    case 'conditions.updated':
    case 'procurement.decided':
      // The procurement's part of the scores feed, where each response's published scores sit.
      links.scores = `/v1/scores?procurementId=${d.procurementId}`;
      break;
    default:
      break;
  }
  return Object.fromEntries(Object.entries(links).map(([rel, path]) => [rel, `${publicBaseUrl}${path}`]));
}

/**
 * The thin payload: what happened, when, to what (and its `version` then), and where to read it.
 * No answers, scores or names travel in a webhook, so a leaked or misdirected delivery discloses next to nothing.
 */
export function eventPayload({ event, publicBaseUrl }: { event: EventRecord; publicBaseUrl: string }): string {
  const { version = null, ...data } = event.data;
  const links = eventLinks({ event, publicBaseUrl });
  return JSON.stringify({
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: { eventId: event.id, organisationId: event.organisationId, subject: { type: event.subjectType, id: event.subjectId }, ...data, version, url: links.self, links },
  });
}

/** The type of the message that `POST /v1/webhooks/{id}/test` sends; no endpoint subscribes to it, each may be sent one. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** A test message's body: shaped like every event's, about the endpoint itself. */
export function testEventPayload({ eventId, organisationId, endpointId, at, publicBaseUrl }: { eventId: string; organisationId: string; endpointId: string; at: Date; publicBaseUrl: string }): string {
  const self = `${publicBaseUrl}/v1/webhooks/${endpointId}`;
  return JSON.stringify({
    type: TEST_EVENT_TYPE,
    timestamp: at.toISOString(),
    data: { eventId, organisationId, subject: { type: 'webhook_endpoint', id: endpointId }, version: null, url: self, links: { self } },
  });
}

/**
 * A manual redelivery's body: the original's, plus `redeliveryOf` naming the first delivery. It goes
 * with its own `webhook-id`, so a receiver that drops ids it has seen takes it; the signature covers it.
 */
export function redeliveryPayload({ payload, redeliveryOf }: { payload: string; redeliveryOf: string }): string {
  return JSON.stringify({ ...(JSON.parse(payload) as Record<string, unknown>), redeliveryOf });
}

/** `webhook-id`: a first delivery's is its event's (every retry the same); a redelivery's is its own. */
export function messageIdOf(delivery: { id: string; eventId: string; redeliveryOf: string | null }): string {
  return delivery.redeliveryOf ? `msg_${delivery.id}` : `msg_${delivery.eventId}`;
}
