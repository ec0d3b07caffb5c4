import { z } from 'zod';
import type { Scope } from '../../platform/auth';
import type { EventType } from '../../platform/events';
import type { WebhookEventDoc } from '../../platform/http/openapi';

/**
 * What each event's delivery body looks like (as `eventPayload` writes it), for the API description's
 * `webhooks`: ids and flags only, and the `url` to read the current state from with your own credentials.
 */
type Versioned = { version: z.ZodType; links: Record<string, string> };

/** A manual redelivery's body is the original's plus this; a first delivery has none. */
const redeliveryOf = z.uuid().optional().describe('Only in a redelivery someone asked for (a new message with its own `webhook-id`): the id of the first delivery it sends again.');

const payload = <T extends string, D extends z.ZodRawShape>(type: T, subject: string, data: D, { version, links }: Versioned) =>
  z.object({
    type: z.literal(type),
    timestamp: z.iso.datetime().describe('When it happened.'),
    data: z.object({
      eventId: z.uuid().describe('The event’s id; each endpoint’s delivery of it has its own `webhook-id`.'),
      organisationId: z.uuid(),
      subject: z.object({ type: z.literal(subject), id: z.string() }),
      ...data,
      version,
      url: z.string().describe('Where to read the current state (GET, with your own credentials): the same as `links.self`.'),
      links: z
        .object({ self: z.string().describe('The same as `url`.'), ...Object.fromEntries(Object.entries(links).map(([rel, what]) => [rel, z.string().describe(what)])) })
        .describe('Where to read what the event is about (`self`) and what goes with it, under the service’s public address; the scopes that read `url` read them all.'),
    }),
    redeliveryOf,
  });

const procurementId = z.uuid();
const responseId = z.uuid();
const procurementVersion = z.number().int().describe('The procurement’s `version` after the change (also its ETag): compare it with the one you hold to drop a delivery older than what you have read.');
const responseVersion = z.number().int().describe('The response’s `version` after the change (the ETag of the supplier’s own GET /v1/supplier/response): it grows with every change to the response or its answers.');
const feedVersion = z.iso.datetime().describe('The `updatedAt` of the response’s item in the scores feed (GET /v1/scores) after the change: it only grows, so a delivery with an older one is out of date.');
const reportVersion = z.string().describe('The PDF’s SHA-256, also its ETag: a report never changes, a new one is a new report.');
const scoresLink = { scores: 'The procurement’s part of the scores feed (GET /v1/scores?procurementId=…).' };
const procurementEvent = (type: EventType, links: Record<string, string> = {}) => payload(type, 'procurement', { procurementId }, { version: procurementVersion, links });
const responseEvent = (type: EventType) => payload(type, 'response', { procurementId, responseId }, { version: responseVersion, links: {} });
const evaluationEvent = <D extends z.ZodRawShape>(type: EventType, data: D) => payload(type, 'response', { procurementId, responseId, ...data }, { version: feedVersion, links: scoresLink });

const EVENTS: Record<EventType, WebhookEventDoc> = {
  'procurement.opened': {
    summary: 'A procurement opened to suppliers',
    description: '`url` is the procurement; `version` its version.',
    component: 'ProcurementOpenedEvent',
    payload: procurementEvent('procurement.opened'),
  },
  'procurement.closed': {
    summary: 'A procurement closed to answers',
    description: 'At its deadline (or the latest extended one), or when an officer closed it. `url` is the procurement.',
    component: 'ProcurementClosedEvent',
    payload: procurementEvent('procurement.closed'),
  },
  'procurement.cancelled': {
    summary: 'A procurement was cancelled',
    description: 'An officer cancelled it (from draft, open, closed or evaluating); the reason is in the audit log. `url` is the procurement.',
    component: 'ProcurementCancelledEvent',
    payload: procurementEvent('procurement.cancelled'),
  },
  'invitation.sent': {
    summary: 'A supplier was invited, or sent a new link',
    description: '`emailed` says whether the link went by email (not while the procurement is a draft); `resent` that it replaced an earlier link. `url` lists the procurement’s invitations.',
    component: 'InvitationSentEvent',
    payload: payload(
      'invitation.sent',
      'invitation',
      { procurementId, invitationId: z.uuid(), responseId, emailed: z.boolean(), resent: z.boolean() },
      { version: z.null().describe('An invitation has no version: `resent` tells a new link from the first.'), links: { procurement: 'The procurement.' } },
    ),
  },
  'response.submitted': {
    summary: 'A supplier submitted its response',
    description: '`url` is the response (answers need `responses:read`).',
    component: 'ResponseSubmittedEvent',
    payload: responseEvent('response.submitted'),
  },
  'response.withdrawn': {
    summary: 'A supplier withdrew its response',
    description: 'A draft, or a submission while the procurement was open. Its answers stay on record; it is no longer evaluated. `url` is the response.',
    component: 'ResponseWithdrawnEvent',
    payload: responseEvent('response.withdrawn'),
  },
  'evaluation.updated': {
    summary: 'A response’s scores changed',
    description:
      'Its place in the scores feed (GET /v1/scores) moved: a mark, moderation, gateway decision or withdrawal. When the update is the response’s withdrawal, `withdrawn` is true and `url` is the procurement’s part of the scores feed, where the item now says `withdrawn` (the evaluation of a withdrawn response is not read). Updates of one evaluation within a short window (`WEBHOOK_COALESCE_MS`, 2 s by default) are sent as one, the newest; `coalesced` says how many it stands for. `url` is the evaluation, as it is now.',
    component: 'EvaluationUpdatedEvent',
    payload: evaluationEvent('evaluation.updated', {
      withdrawn: z.literal(true).optional().describe('Present when the response was withdrawn.'),
      coalesced: z.number().int().min(1).optional().describe('How many updates of this evaluation this delivery stands for; absent when updates are sent one by one.'),
    }),
  },
  'evaluation.finalised': {
    summary: 'A response’s evaluation has nothing outstanding',
    description: 'Every mark and gateway decision is in. `url` is the evaluation.',
    component: 'EvaluationFinalisedEvent',
    payload: evaluationEvent('evaluation.finalised', {}),
  },
  'procurement.decided': {
    summary: 'The decision was recorded',
    description: '`url` is the results.',
    component: 'ProcurementDecidedEvent',
    payload: procurementEvent('procurement.decided', scoresLink),
  },
  'conditions.updated': {
    summary: 'A response’s conditions register changed',
    description: 'A condition was raised or no longer arises (its evaluation changed, or the response was withdrawn: then `withdrawn` is true and `url` is the procurement’s part of the scores feed), or someone recorded its owner, due date or status. `url` is the register (needs `scores:read`).',
    component: 'ConditionsUpdatedEvent',
    payload: evaluationEvent('conditions.updated', { withdrawn: z.literal(true).optional().describe('Present when the response was withdrawn.') }),
  },
  'report.generated': {
    summary: 'A new PDF report was made',
    description: '`kind` says which; a comparison is about a procurement (`procurementId`), the others about a response (`responseId`). `url` is the PDF.',
    component: 'ReportGeneratedEvent',
    payload: z.union([
      payload('report.generated', 'procurement', { reportId: z.uuid(), kind: z.literal('comparison'), procurementId }, { version: reportVersion, links: {} }),
      payload('report.generated', 'response', { reportId: z.uuid(), kind: z.enum(['evaluation', 'assessment_summary']), responseId }, { version: reportVersion, links: {} }),
    ]),
  },
};

/** The message `POST /v1/webhooks/{id}/test` sends: no endpoint subscribes to it, and nothing happened. */
const TEST_EVENT: WebhookEventDoc = {
  summary: 'A test message someone asked for',
  description:
    'Sent only when an admin or a key with `webhooks:manage` asks for it (POST /v1/webhooks/{id}/test, or “Send test event” in the console), to that endpoint only: check that your receiver is reached and verifies the signature. Nothing happened; `subject` and `url` are the endpoint (reading it needs `webhooks:manage`). Answer 2xx as for any event.',
  component: 'WebhookTestEvent',
  payload: payload('webhook.test', 'webhook_endpoint', {}, { version: z.null(), links: {} }),
};

/**
 * The scopes an API key needs to read each event's `url`, as the README's table says (a test reads
 * every event's URL with a key holding exactly these). An evaluation report reproduces confidential
 * answers, so its `report.generated` needs `responses:read-confidential` too; the other reports do not.
 */
export const EVENT_URL_SCOPES: Record<EventType, readonly Scope[]> = {
  'procurement.opened': ['procurements:read'],
  'procurement.closed': ['procurements:read'],
  'procurement.cancelled': ['procurements:read'],
  'invitation.sent': ['procurements:read'],
  'response.submitted': ['responses:read'],
  'response.withdrawn': ['responses:read'],
  'evaluation.updated': ['scores:read'],
  'evaluation.finalised': ['scores:read'],
  'procurement.decided': ['scores:read'],
  'report.generated': ['reports:read', 'responses:read-confidential'],
  'conditions.updated': ['scores:read'],
};

const scopeWords = (scopes: readonly Scope[]) => scopes.map((s) => `\`${s}\``).join(' and ');

/** Each event as the API description shows it, saying which scopes read its `url` (and `links`), and the test message. */
export const WEBHOOK_EVENTS: Record<EventType | 'webhook.test', WebhookEventDoc> = {
  ...(Object.fromEntries(
    Object.entries(EVENTS).map(([type, doc]) => [type, { ...doc, description: `${doc.description} Reading \`url\` and \`links\` with an API key needs ${scopeWords(EVENT_URL_SCOPES[type as EventType])}.` }]),
  ) as Record<EventType, WebhookEventDoc>),
  'webhook.test': TEST_EVENT,
};

