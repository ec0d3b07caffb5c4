import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { decodeCursor, toPage, type Page } from '../pagination';
import { toEvent, type AuditEvent } from './audit';
import { auditEvents } from './audit.table';

/** What the audit log page narrows the list by; every part is optional. */
export type AuditFilter = {
  /** The actor's id: a user, an API key (or any other actor's id, as recorded). */
  actorId?: string | undefined;
  action?: string | undefined;
  /** From this moment, inclusive. */
  from?: Date | undefined;
  /** Up to this moment, exclusive. */
  until?: Date | undefined;
  /** Events about the procurement, its invitations and its responses. */
  procurementId?: string | undefined;
};

const cursorShape = z.tuple([z.number().int().min(1).max(2 ** 31 - 1)]);
const detail = (key: string) => sql`${auditEvents.details}->>${key}`;

/**
 * The ids the log itself ties to a procurement: the procurement, and each invitation and response
 * its `invitation.sent` events name (responses are created with their invitation). Events about
 * those subjects, or naming one of them in their details, are the procurement's events.
 */
async function procurementSubjects({ db, organisationId, procurementId }: { db: Db; organisationId: string; procurementId: string }): Promise<string[]> {
  const rows = await db
    .select({ subjectId: auditEvents.subjectId, responseId: detail('responseId') })
    .from(auditEvents)
    .where(and(eq(auditEvents.organisationId, organisationId), eq(auditEvents.action, 'invitation.sent'), sql`${detail('procurementId')} = ${procurementId}`));
  const ids = new Set([procurementId]);
  for (const row of rows) {
    ids.add(row.subjectId);
    if (typeof row.responseId === 'string') ids.add(row.responseId);
  }
  return [...ids];
}

async function conditionsOf({ db, organisationId, filter }: { db: Db; organisationId: string; filter: AuditFilter }): Promise<SQL[]> {
  const conditions = [eq(auditEvents.organisationId, organisationId)];
  if (filter.actorId) conditions.push(eq(auditEvents.actorId, filter.actorId));
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.from) conditions.push(gte(auditEvents.createdAt, filter.from));
  if (filter.until) conditions.push(lt(auditEvents.createdAt, filter.until));
  if (filter.procurementId) {
    const ids = await procurementSubjects({ db, organisationId, procurementId: filter.procurementId });
    conditions.push(
      or(
        inArray(auditEvents.subjectId, ids),
        sql`${detail('procurementId')} = ${filter.procurementId}`,
        inArray(detail('responseId'), ids),
        inArray(detail('invitationId'), ids),
      )!,
    );
  }
  return conditions;
}

/** One organisation's events matching the filter, newest first, a page at a time (`cursor` from `nextCursor`). */
export async function searchAuditEvents({
  db,
  organisationId,
  filter,
  limit,
  cursor,
}: {
  db: Db;
  organisationId: string;
  filter: AuditFilter;
  limit: number;
  cursor?: string | undefined;
}): Promise<Page<AuditEvent>> {
  const conditions = await conditionsOf({ db, organisationId, filter });
  if (cursor) conditions.push(lt(auditEvents.seq, decodeCursor(cursor, cursorShape)[0]));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1);
  return toPage({ rows, limit, keyOf: (row) => [row.seq], toItem: toEvent });
}

/** The actions the organisation's log holds, for choosing one. */
export async function auditedActions({ db, organisationId }: { db: Db; organisationId: string }): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.organisationId, organisationId)).orderBy(asc(auditEvents.action));
  return rows.map((r) => r.action);
}

/**
 * Suppliers' names by invitation id and by response id, as their `invitation.sent` events recorded
 * them: how a supplier actor, an invitation or a response is named on the page.
 */
export async function invitedSupplierNames({ db, organisationId, ids }: { db: Db; organisationId: string; ids: string[] }): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ invitationId: auditEvents.subjectId, responseId: detail('responseId'), name: detail('supplierName') })
    .from(auditEvents)
    .where(and(eq(auditEvents.organisationId, organisationId), eq(auditEvents.action, 'invitation.sent'), or(inArray(auditEvents.subjectId, ids), inArray(detail('responseId'), ids))));
  const names = new Map<string, string>();
  for (const row of rows) {
    if (typeof row.name !== 'string') continue;
    names.set(row.invitationId, row.name);
    if (typeof row.responseId === 'string') names.set(row.responseId, row.name);
  }
  return names;
}

/** One event of the organisation by id, or null. */
export async function findAuditEvent({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<AuditEvent | null> {
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.organisationId, organisationId), eq(auditEvents.id, id)));
  return row ? toEvent(row) : null;
}
