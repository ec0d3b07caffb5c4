import type { Db } from '../db';
import { events } from './events.table';

/** Every event a webhook endpoint may subscribe to. */
export const EVENT_TYPES = [
  'procurement.opened',
  'procurement.closed',
  'procurement.cancelled',
  'invitation.sent',
  'response.submitted',
  'response.withdrawn',
  'evaluation.updated',
  'evaluation.finalised',
  'procurement.decided',
  'report.generated',
  'conditions.updated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export type EmitEventInput = {
  db: Db;
  organisationId: string;
  type: EventType;
  subject: { type: string; id: string };
  /**
   * Ids and flags only; never answers or scores, which receivers fetch with their own credentials.
   * `version` is the subject's version after the change (a number or an opaque string), sent on as the payload's `version`.
   */
  data: Record<string, string | number | boolean | null>;
  now: Date;
};

/** Records an event in the caller's transaction: it is delivered only if the change commits. */
export async function emitEvent({ db, organisationId, type, subject, data, now }: EmitEventInput): Promise<void> {
  await db.insert(events).values({ organisationId, type, subjectType: subject.type, subjectId: subject.id, data, occurredAt: now });
}
