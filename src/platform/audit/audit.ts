import { and, asc, desc, eq, gt, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../auth';
import { canonicalJson, sha256Hex } from '../crypto';
import { inTransaction, lockOrganisation, type Db } from '../db';
import { decodeCursor, toPage, type Page } from '../pagination';
import { auditEvents } from './audit.table';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditSubject = { type: string; id: string };

export type AuditEvent = {
  id: string;
  organisationId: string;
  seq: number;
  actor: Actor;
  action: string;
  subject: AuditSubject;
  details: Record<string, unknown>;
  createdAt: Date;
  prevHash: string;
  hash: string;
};

type Hashable = Omit<AuditEvent, 'id' | 'hash'>;

/** The hash of one row covers its content and the previous row's hash. */
export function hashAuditEvent(event: Hashable): string {
  const content = canonicalJson({
    organisationId: event.organisationId,
    seq: event.seq,
    actor: event.actor,
    action: event.action,
    subject: event.subject,
    details: event.details,
    createdAt: event.createdAt.toISOString(),
  });
  return sha256Hex(`${event.prevHash}\n${content}`);
}

/**
 * Appends one event to the organisation's chain, inside the caller's transaction so the record
 * and the change it records commit together. The advisory lock serialises writers of one chain.
 */
export async function recordAudit({
  db,
  organisationId,
  actor,
  action,
  subject,
  details = {},
  now = new Date(),
}: {
  db: Db;
  organisationId: string;
  actor: Actor;
  action: string;
  subject: AuditSubject;
  details?: Record<string, unknown>;
  now?: Date;
}): Promise<AuditEvent> {
  return inTransaction(db, async (tx) => {
    await lockOrganisation({ db: tx, organisationId });
    const [last] = await tx
      .select({ seq: auditEvents.seq, hash: auditEvents.hash, createdAt: auditEvents.createdAt })
      .from(auditEvents)
      .where(eq(auditEvents.organisationId, organisationId))
      .orderBy(desc(auditEvents.seq))
      .limit(1);
    // Time never runs backwards along a chain, even if a clock does.
    const createdAt = last && last.createdAt > now ? last.createdAt : new Date(Math.floor(now.getTime()));
    const event: Hashable = {
      organisationId,
      seq: (last?.seq ?? 0) + 1,
      actor,
      action,
      subject,
      details: JSON.parse(JSON.stringify(details)) as Record<string, unknown>,
      createdAt,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const hash = hashAuditEvent(event);
    const [row] = await tx
      .insert(auditEvents)
      .values({
        organisationId,
        seq: event.seq,
        actorType: actor.type,
        actorId: actor.id,
        action,
        subjectType: subject.type,
        subjectId: subject.id,
        details: event.details,
        createdAt,
        prevHash: event.prevHash,
        hash,
      })
      .returning({ id: auditEvents.id });
    return { ...event, id: row!.id, hash };
  });
}

type AuditRow = typeof auditEvents.$inferSelect;

export function toEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    organisationId: row.organisationId,
    seq: row.seq,
    actor: { type: row.actorType, id: row.actorId } as Actor,
    action: row.action,
    subject: { type: row.subjectType, id: row.subjectId },
    details: row.details,
    createdAt: row.createdAt,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

export type ChainVerification =
  | { ok: true; organisationId: string; checked: number; headHash: string }
  | { ok: false; organisationId: string; checked: number; firstBroken: { id: string; seq: number; reason: string } };

/** Walks one organisation's chain in order and names the first row that does not fit. */
export async function verifyAuditChain({ db, organisationId }: { db: Db; organisationId: string }): Promise<ChainVerification> {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  let afterSeq = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organisationId, organisationId), gt(auditEvents.seq, afterSeq)))
      .orderBy(asc(auditEvents.seq))
      .limit(1000);
    if (rows.length === 0) break;
    for (const row of rows) {
      const event = toEvent(row);
      const broken = (reason: string): ChainVerification => ({
        ok: false,
        organisationId,
        checked,
        firstBroken: { id: event.id, seq: event.seq, reason },
      });
      if (event.seq !== expectedSeq) return broken(`expected sequence number ${expectedSeq}, found ${event.seq}: a row is missing or out of order`);
      if (event.prevHash !== expectedPrev) return broken('its previous-hash does not match the row before it: a row was removed, inserted or reordered');
      if (hashAuditEvent(event) !== event.hash) return broken('its content does not match its hash: the row was edited');
      expectedPrev = event.hash;
      expectedSeq += 1;
      checked += 1;
      afterSeq = event.seq;
    }
  }
  return { ok: true, organisationId, checked, headHash: expectedPrev };
}

// `seq` is an int4 column: a cursor past its range is refused like any other bad cursor, not sent to the database.
const cursorShape = z.tuple([z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1)]);

export async function listAuditEvents({
  db,
  organisationId,
  limit,
  cursor,
  order,
  subjectId,
}: {
  db: Db;
  organisationId: string;
  limit: number;
  cursor?: string | undefined;
  order: 'asc' | 'desc';
  subjectId?: string | undefined;
}): Promise<Page<AuditEvent>> {
  const after = cursor ? decodeCursor(cursor, cursorShape)[0] : undefined;
  const conditions = [eq(auditEvents.organisationId, organisationId)];
  if (after !== undefined) conditions.push(order === 'asc' ? gt(auditEvents.seq, after) : lt(auditEvents.seq, after));
  if (subjectId) conditions.push(eq(auditEvents.subjectId, subjectId));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(order === 'asc' ? asc(auditEvents.seq) : desc(auditEvents.seq))
    .limit(limit + 1);
  return toPage({ rows, limit, keyOf: (row) => [row.seq], toItem: toEvent });
}

/** Every event about these subjects with one of these actions, oldest first: the trail a report prints. */
export async function auditTrail({ db, organisationId, subjectIds, actions }: { db: Db; organisationId: string; subjectIds: string[]; actions: readonly string[] }): Promise<AuditEvent[]> {
  if (subjectIds.length === 0 || actions.length === 0) return [];
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.organisationId, organisationId), inArray(auditEvents.subjectId, subjectIds), inArray(auditEvents.action, [...actions])))
    .orderBy(asc(auditEvents.seq));
  return rows.map(toEvent);
}

/** Organisations that have at least one audit event, for verifying every chain at once. */
export async function auditedOrganisations({ db }: { db: Db }): Promise<string[]> {
  const rows = await db.selectDistinct({ organisationId: auditEvents.organisationId }).from(auditEvents);
  return rows.map((r) => r.organisationId).sort();
}
