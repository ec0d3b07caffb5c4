import { z } from 'zod';
import { EVENT_TYPES } from '../../platform/events';

export const feedItemSchema = z.object({
  responseId: z.uuid(),
  procurementId: z.uuid(),
  procurementReference: z.string().nullable(),
  supplierName: z.string(),
  companyNumber: z.string().nullable(),
  status: z.enum(['submitted', 'withdrawn']),
  overallScore: z.number().nullable().describe('0–100, one decimal; null when withdrawn or nothing is scored yet.'),
  rating: z.string().nullable(),
  riskTier: z.string().describe('The procurement’s risk tier the response was scored at.'),
  gatewaysPassed: z.boolean().nullable().describe('Every gateway passed (a conditional pass counts); null when withdrawn.'),
  final: z.boolean().describe('No mark or gateway decision is outstanding.'),
  sections: z.array(z.object({ key: z.string(), ref: z.string().nullable(), title: z.string(), weight: z.number(), score: z.number().nullable() })),
  conditions: z
    .array(
      z.object({
        id: z.string(),
        number: z.number().int(),
        source: z.enum(['gateway', 'exception', 'evidence', 'residual_risk', 'overall_risk']),
        ref: z.string().nullable(),
        text: z.string(),
        owner: z.string().nullable(),
        dueDate: z.string().nullable(),
        status: z.enum(['open', 'met', 'waived']),
      }),
    )
    .describe('The conditions register (GET /v1/responses/{id}/conditions): what must be agreed or done before, or after, contract; empty when withdrawn.'),
  questionnaireKey: z.string(),
  questionnaireVersion: z.string(),
  scoringMethodVersion: z.string(),
  updatedAt: z.iso.datetime(),
});

export const eventTypeSchema = z.enum(EVENT_TYPES);

/** Credentials in a URL end up in logs and audit records; the signing secret is how a receiver trusts us. */
function withoutCredentials(value: string): boolean {
  // zod runs this even when the URL check above failed: one that does not parse is reported there, once.
  if (!URL.canParse(value)) return true;
  const { username, password } = new URL(value);
  return !username && !password;
}

export const createWebhookSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
      .max(2000)
      .refine(withoutCredentials, 'must not carry a user name or password')
      .describe('Where to POST events. https:// in production. Must resolve to a public address.'),
    events: z.array(eventTypeSchema).min(1).max(EVENT_TYPES.length).describe('The events to send.'),
    description: z.string().trim().max(500).default(''),
  })
  .strict();

export const webhookSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  events: z.array(eventTypeSchema),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable(),
  secretPrefix: z.string().describe('The start of the signing secret, to tell which one a receiver holds.'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const createdWebhookSchema = webhookSchema.extend({
  secret: z.string().describe('The signing secret (`whsec_…`). Shown once: store it where your receiver can read it.'),
});

export const deliverySchema = z.object({
  id: z.uuid(),
  eventId: z.uuid().describe('The event delivered; a test message’s is its own.'),
  eventType: z.string().describe('The event’s type, or `webhook.test` for a test message.'),
  redeliveryOf: z.uuid().nullable().describe('For a manual redelivery (a new message with its own `webhook-id`): the first delivery it sends again. Null otherwise.'),
  status: z.enum(['pending', 'delivering', 'succeeded', 'failed', 'skipped']),
  attempts: z.number().int(),
  nextAttemptAt: z.iso.datetime().nullable().describe('When it is tried next, while pending.'),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
  log: z.array(
    z.object({
      attempt: z.number().int(),
      startedAt: z.iso.datetime(),
      durationMs: z.number().int(),
      statusCode: z.number().int().nullable(),
      outcome: z.enum(['succeeded', 'failed', 'interrupted']),
      error: z.string().nullable(),
      responseExcerpt: z.string().nullable(),
    }),
  ),
});

/**
 * `limit` and `cursor` of the webhook lists (endpoints, deliveries): the same bounds as the scores
 * feed (GET /v1/scores), so an integrator pages every list of this module alike.
 */
export const webhookPageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Items per page, 1 to 500.'),
  cursor: z.string().max(512).optional().describe('The `nextCursor` of the previous page.'),
});

export const enableWebhookSchema = z
  .object({
    skipMissed: z.boolean().default(false).describe('Mark every delivery waiting for the endpoint `skipped` instead of sending it, so the receiver gets only what happens from now on. By default what was missed is sent, oldest first, at a steady pace.'),
  })
  .strict();
