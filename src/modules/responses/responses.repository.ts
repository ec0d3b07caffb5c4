import { and, asc, eq, sql } from 'drizzle-orm';
import { prepared, type Db } from '../../platform/db';
import { afterCreatedAtId, createdAtIdKey, toPage, type Page } from '../../platform/pagination';
import { procurements } from '../procurements';
import { invitations, responses } from './responses.table';

export type InvitationRow = typeof invitations.$inferSelect;
export type ResponseRow = typeof responses.$inferSelect;

export async function insertInvitation({ db, values }: { db: Db; values: typeof invitations.$inferInsert }): Promise<InvitationRow> {
  const [row] = await db.insert(invitations).values(values).returning();
  return row!;
}

export async function insertResponse({ db, values }: { db: Db; values: typeof responses.$inferInsert }): Promise<ResponseRow> {
  const [row] = await db.insert(responses).values(values).returning();
  return row!;
}

export async function findInvitation({ db, organisationId, id, forUpdate = false }: { db: Db; organisationId: string; id: string; forUpdate?: boolean }) {
  const query = db
    .select({ invitation: invitations, response: responses })
    .from(invitations)
    .innerJoin(responses, eq(responses.invitationId, invitations.id))
    .where(and(eq(invitations.organisationId, organisationId), eq(invitations.id, id)));
  const [row] = forUpdate ? await query.for('update', { of: invitations }) : await query;
  return row;
}

export async function listInvitations({ db, organisationId, procurementId, limit, cursor }: { db: Db; organisationId: string; procurementId: string; limit: number; cursor?: string | undefined }): Promise<Page<{ invitation: InvitationRow; response: ResponseRow }>> {
  const rows = await db
    .select({ invitation: invitations, response: responses })
    .from(invitations)
    .innerJoin(responses, eq(responses.invitationId, invitations.id))
    .where(and(eq(invitations.organisationId, organisationId), eq(invitations.procurementId, procurementId), afterCreatedAtId({ cursor, createdAt: invitations.createdAt, id: invitations.id })))
    .orderBy(asc(invitations.createdAt), asc(invitations.id))
    .limit(limit + 1);
  return toPage({ rows, limit, keyOf: (r) => createdAtIdKey(r.invitation), toItem: (r) => r });
}

export async function updateInvitation({ db, id, changes }: { db: Db; id: string; changes: Partial<typeof invitations.$inferInsert> }): Promise<InvitationRow> {
  const [row] = await db.update(invitations).set(changes).where(eq(invitations.id, id)).returning();
  return row!;
}

/** Every supplier request starts here: one prepared statement, by token hash. */
export async function findInvitationByTokenHash({ db, hash }: { db: Db; hash: string }) {
  const statement = prepared(db, 'invitation_by_token_hash', (handle) =>
    handle
      .select({
        invitationId: invitations.id,
        organisationId: invitations.organisationId,
        procurementId: invitations.procurementId,
        revokedAt: invitations.revokedAt,
        responseId: responses.id,
        deadlineOverride: responses.deadlineOverride,
        deadline: procurements.deadline,
      })
      .from(invitations)
      .innerJoin(responses, eq(responses.invitationId, invitations.id))
      .innerJoin(procurements, eq(procurements.id, invitations.procurementId))
      .where(eq(invitations.tokenHash, sql.placeholder('hash')))
      .prepare('invitation_by_token_hash'),
  );
  const [row] = await statement.execute({ hash });
  return row as
    | { invitationId: string; organisationId: string; procurementId: string; revokedAt: Date | null; responseId: string; deadlineOverride: Date | null; deadline: Date }
    | undefined;
}

export async function findResponse({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<ResponseRow | undefined> {
  const [row] = await db.select().from(responses).where(and(eq(responses.organisationId, organisationId), eq(responses.id, id)));
  return row;
}
