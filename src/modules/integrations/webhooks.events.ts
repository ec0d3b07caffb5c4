import { z } from 'zod';
import type { Scope } from '../../platform/auth';
import type { EventType } from '../../platform/events';
import type { WebhookEventDoc } from '../../platform/http/openapi';

/**
 * What each event's delivery body looks like (as `eventPayload` writes it), for the API description's
 * `webhooks`: ids and flags only, and the `url` to read the current state from with your own credentials.
 */
const payload = <T extends EventType, D extends z.ZodRawShape>(type: T, subject: string, data: D) =>
  z.object({
    type: z.literal(type),
    timestamp: z.iso.datetime().describe('When it happened.'),
    data: z.object({
      eventId: z.uuid().describe('The event’s id; each endpoint’s delivery of it has its own `webhook-id`.'),
      organisationId: z.uuid(),
      subject: z.object({ type: z.literal(subject), id: z.string() }),
      ...data,
      url: z.string().describe('Where to read the current state (GET, with your own credentials).'),
    }),
  });

const procurementId = z.uuid();
const responseId = z.uuid();
const procurementEvent = (type: EventType) => payload(type, 'procurement', { procurementId });
const responseEvent = (type: EventType) => payload(type, 'response', { procurementId, responseId });

const EVENTS: Record<EventType, WebhookEventDoc> = {
  'procurement.opened': {
    summary: 'A procurement opened to suppliers',
    description: '`url` is the procurement.',
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
    payload: payload('invitation.sent', 'invitation', { procurementId, invitationId: z.uuid(), responseId, emailed: z.boolean(), resent: z.boolean() }),
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
    payload: payload('evaluation.updated', 'response', { procurementId, responseId, withdrawn: z.literal(true).optional().describe('Present when the response was withdrawn.'), coalesced: z.number().int().min(1).optional().describe('How many updates of this evaluation this delivery stands for; absent when updates are sent one by one.') }),
  },
  'evaluation.finalised': {
    summary: 'A response’s evaluation has nothing outstanding',
    description: 'Every mark and gateway decision is in. `url` is the evaluation.',
    component: 'EvaluationFinalisedEvent',
    payload: responseEvent('evaluation.finalised'),
  },
  'procurement.decided': {
    summary: 'The decision was recorded',
    description: '`url` is the results.',
    component: 'ProcurementDecidedEvent',
    payload: procurementEvent('procurement.decided'),
  },
  'conditions.updated': {
    summary: 'A response’s conditions register changed',
    description: 'A condition was raised or no longer arises (its evaluation changed, or the response was withdrawn: then `withdrawn` is true and `url` is the procurement’s part of the scores feed), or someone recorded its owner, due date or status. `url` is the register (needs `scores:read`).',
    component: 'ConditionsUpdatedEvent',
    payload: payload('conditions.updated', 'response', { procurementId, responseId, withdrawn: z.literal(true).optional().describe('Present when the response was withdrawn.') }),
  },
  'report.generated': {
    summary: 'A new PDF report was made',
    description: '`kind` says which; a comparison is about a procurement (`procurementId`), the others about a response (`responseId`). `url` is the PDF.',
    component: 'ReportGeneratedEvent',
    payload: z.union([
      payload('report.generated', 'procurement', { reportId: z.uuid(), kind: z.literal('comparison'), procurementId }),
      payload('report.generated', 'response', { reportId: z.uuid(), kind: z.enum(['evaluation', 'assessment_summary']), responseId }),
    ]),
  },
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

/** Each event as the API description shows it, saying which scopes read its `url`. */
export const WEBHOOK_EVENTS: Record<EventType, WebhookEventDoc> = Object.fromEntries(
  Object.entries(EVENTS).map(([type, doc]) => [type, { ...doc, description: `${doc.description} Reading \`url\` with an API key needs ${scopeWords(EVENT_URL_SCOPES[type as EventType])}.` }]),
) as Record<EventType, WebhookEventDoc>;

