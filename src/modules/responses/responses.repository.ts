import { and, asc, desc, eq, inArray, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { prepared, preparedRows, queryRows, type Db } from '../../platform/db';
import { afterCreatedAtId, createdAtIdKey, toPage, type Page } from '../../platform/pagination';
import { procurements } from '../procurements';
import { answers, answerVersions, clarifications, evidenceFiles, invitations, responses, submissions, pendingAnswers, supplierSessions, teamMembers } from './responses.table';

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

/** What a supplier's access is checked against: its invitation, response and deadlines. */
const invitationAccess = {
  invitationId: invitations.id,
  organisationId: invitations.organisationId,
  procurementId: invitations.procurementId,
  revokedAt: invitations.revokedAt,
  responseId: responses.id,
  deadlineOverride: responses.deadlineOverride,
  deadline: procurements.deadline,
};
export type InvitationAccess = { invitationId: string; organisationId: string; procurementId: string; revokedAt: Date | null; responseId: string; deadlineOverride: Date | null; deadline: Date };

/** Every supplier request starts here: one prepared statement, by token hash. */
export async function findInvitationByTokenHash({ db, hash }: { db: Db; hash: string }): Promise<InvitationAccess | undefined> {
  const statement = prepared(db, 'invitation_by_token_hash', (handle) =>
    handle
      .select(invitationAccess)
      .from(invitations)
      .innerJoin(responses, eq(responses.invitationId, invitations.id))
      .innerJoin(procurements, eq(procurements.id, invitations.procurementId))
      .where(eq(invitations.tokenHash, sql.placeholder('hash')))
      .prepare('invitation_by_token_hash'),
  );
  const [row] = await statement.execute({ hash });
  return row as InvitationAccess | undefined;
}

export async function findResponse({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<ResponseRow | undefined> {
  const [row] = await db.select().from(responses).where(and(eq(responses.organisationId, organisationId), eq(responses.id, id)));
  return row;
}

export type AnswerRow = typeof answers.$inferSelect;

/** Locks the response so writes to one response take turns and its version check holds. */
export async function lockResponse({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<ResponseRow | undefined> {
  const [row] = await db.select().from(responses).where(and(eq(responses.organisationId, organisationId), eq(responses.id, id))).for('update');
  return row;
}

export async function bumpResponse({ db, id, now, status }: { db: Db; id: string; now: Date; status?: ResponseRow['status'] }): Promise<ResponseRow> {
  const [row] = await db
    .update(responses)
    .set({ version: sql`${responses.version} + 1`, updatedAt: now, ...(status ? { status } : {}) })
    .where(eq(responses.id, id))
    .returning();
  return row!;
}

/** A response's answers: a prepared statement, as every page of the web form and every supplier read needs them. */
export async function answersOf({ db, responseId }: { db: Db; responseId: string }): Promise<AnswerRow[]> {
  const statement = prepared(db, 'answers_of_response', (handle) =>
    handle.select().from(answers).where(eq(answers.responseId, sql.placeholder('responseId'))).prepare('answers_of_response'),
  );
  return statement.execute({ responseId });
}

export async function findAnswer({ db, responseId, questionKey }: { db: Db; responseId: string; questionKey: string }): Promise<AnswerRow | undefined> {
  const [row] = await db.select().from(answers).where(and(eq(answers.responseId, responseId), eq(answers.questionKey, questionKey)));
  return row;
}

export async function deleteAnswer({ db, id }: { db: Db; id: string }): Promise<void> {
  await db.delete(answers).where(eq(answers.id, id));
}

export async function insertAnswerVersion({ db, values }: { db: Db; values: typeof answerVersions.$inferInsert }): Promise<void> {
  await db.insert(answerVersions).values(values);
}

export async function answerHistory({ db, responseId, questionKey }: { db: Db; responseId: string; questionKey: string }) {
  return db.select().from(answerVersions).where(and(eq(answerVersions.responseId, responseId), eq(answerVersions.questionKey, questionKey))).orderBy(asc(answerVersions.version));
}

export type SubmissionRow = typeof submissions.$inferSelect;

export async function insertSubmission({ db, values }: { db: Db; values: typeof submissions.$inferInsert }): Promise<SubmissionRow> {
  const [row] = await db.insert(submissions).values(values).returning();
  return row!;
}

export async function latestSubmission({ db, responseId }: { db: Db; responseId: string }): Promise<SubmissionRow | undefined> {
  const [row] = await db.select().from(submissions).where(eq(submissions.responseId, responseId)).orderBy(desc(submissions.submittedAt)).limit(1);
  return row;
}

export async function setResponseStatus({ db, id, now, status, submittedAt }: { db: Db; id: string; now: Date; status: ResponseRow['status']; submittedAt?: Date }): Promise<ResponseRow> {
  const [row] = await db
    .update(responses)
    .set({ status, version: sql`${responses.version} + 1`, updatedAt: now, ...(submittedAt ? { submittedAt } : {}) })
    .where(eq(responses.id, id))
    .returning();
  return row!;
}

export async function responsesOfProcurement({ db, organisationId, procurementId }: { db: Db; organisationId: string; procurementId: string }) {
  return db
    .select({ response: responses, invitation: invitations })
    .from(responses)
    .innerJoin(invitations, eq(invitations.id, responses.invitationId))
    .where(and(eq(responses.organisationId, organisationId), eq(responses.procurementId, procurementId)))
    .orderBy(asc(invitations.createdAt), asc(invitations.id));
}

export async function answersOfResponses({ db, responseIds }: { db: Db; responseIds: string[] }): Promise<AnswerRow[]> {
  if (responseIds.length === 0) return [];
  return db.select().from(answers).where(inArray(answers.responseId, responseIds));
}

/** A response with its invitation; the plain read is a prepared statement (every supplier page makes it), the locking one is not. */
export async function findResponseWithInvitation({ db, organisationId, id, forUpdate = false }: { db: Db; organisationId: string; id: string; forUpdate?: boolean }) {
  const select = (handle: Db, organisation: string | Placeholder, response: string | Placeholder) =>
    handle
      .select({ response: responses, invitation: invitations })
      .from(responses)
      .innerJoin(invitations, eq(invitations.id, responses.invitationId))
      .where(and(eq(responses.organisationId, organisation), eq(responses.id, response)));
  if (forUpdate) {
    const [locked] = await select(db, organisationId, id).for('update', { of: responses });
    return locked;
  }
  const statement = prepared(db, 'response_with_invitation', (handle) =>
    select(handle, sql.placeholder('organisationId'), sql.placeholder('id')).prepare('response_with_invitation'),
  );
  const [row] = await statement.execute({ organisationId, id });
  return row;
}

export type EvidenceRow = typeof evidenceFiles.$inferSelect;

export async function insertEvidence({ db, values }: { db: Db; values: typeof evidenceFiles.$inferInsert }): Promise<EvidenceRow> {
  const [row] = await db.insert(evidenceFiles).values(values).returning();
  return row!;
}

/** A response's evidence files, in the order pages list them: a prepared statement, like `answersOf`. */
export async function evidenceOf({ db, responseId }: { db: Db; responseId: string }): Promise<EvidenceRow[]> {
  const statement = prepared(db, 'evidence_of_response', (handle) =>
    handle
      .select()
      .from(evidenceFiles)
      .where(eq(evidenceFiles.responseId, sql.placeholder('responseId')))
      .orderBy(asc(evidenceFiles.questionKey), asc(evidenceFiles.uploadedAt), asc(evidenceFiles.id))
      .prepare('evidence_of_response'),
  );
  return statement.execute({ responseId });
}

export async function evidenceOfResponses({ db, responseIds }: { db: Db; responseIds: string[] }): Promise<EvidenceRow[]> {
  if (responseIds.length === 0) return [];
  return db.select().from(evidenceFiles).where(inArray(evidenceFiles.responseId, responseIds));
}

export async function findEvidence({ db, responseId, id }: { db: Db; responseId: string; id: string }): Promise<EvidenceRow | undefined> {
  const [row] = await db.select().from(evidenceFiles).where(and(eq(evidenceFiles.responseId, responseId), eq(evidenceFiles.id, id)));
  return row;
}

export async function deleteEvidence({ db, id }: { db: Db; id: string }): Promise<void> {
  await db.delete(evidenceFiles).where(eq(evidenceFiles.id, id));
}

export type ClarificationRow = typeof clarifications.$inferSelect;

export async function insertClarification({ db, values }: { db: Db; values: typeof clarifications.$inferInsert }): Promise<ClarificationRow> {
  const [row] = await db.insert(clarifications).values(values).returning();
  return row!;
}

export async function clarificationsOf({ db, responseId }: { db: Db; responseId: string }): Promise<ClarificationRow[]> {
  return db.select().from(clarifications).where(eq(clarifications.responseId, responseId)).orderBy(asc(clarifications.askedAt), asc(clarifications.id));
}

export async function findClarification({ db, responseId, id, forUpdate = false }: { db: Db; responseId: string; id: string; forUpdate?: boolean }): Promise<ClarificationRow | undefined> {
  const query = db.select().from(clarifications).where(and(eq(clarifications.responseId, responseId), eq(clarifications.id, id)));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export async function updateClarification({ db, id, changes }: { db: Db; id: string; changes: Partial<typeof clarifications.$inferInsert> }): Promise<ClarificationRow> {
  const [row] = await db.update(clarifications).set(changes).where(eq(clarifications.id, id)).returning();
  return row!;
}

export async function setDeadlineOverride({ db, id, deadline, now }: { db: Db; id: string; deadline: Date; now: Date }): Promise<ResponseRow> {
  const [row] = await db
    .update(responses)
    .set({ deadlineOverride: deadline, updatedAt: now, version: sql`${responses.version} + 1` })
    .where(eq(responses.id, id))
    .returning();
  return row!;
}

type AnswerValues = Pick<typeof answers.$inferInsert, 'organisationId' | 'responseId' | 'questionKey' | 'value' | 'comment' | 'confidential' | 'confidentialReason' | 'updatedAt' | 'updatedBy'>;

/** What an answer's upsert binds, as values or as placeholders filled per execution (the prepared autosave). */
type UpsertParams = Record<'organisationId' | 'questionKey' | 'valueJson' | 'comment' | 'confidential' | 'confidentialReason' | 'updatedAt' | 'updatedBy', unknown>;

const UPSERT_PARAMS: Array<keyof UpsertParams> = ['organisationId', 'questionKey', 'valueJson', 'comment', 'confidential', 'confidentialReason', 'updatedAt', 'updatedBy'];

function upsertParams(values: Omit<AnswerValues, 'responseId'>): UpsertParams {
  return {
    organisationId: values.organisationId,
    questionKey: values.questionKey,
    valueJson: JSON.stringify(values.value ?? null),
    comment: values.comment ?? null,
    confidential: values.confidential ?? false,
    confidentialReason: values.confidentialReason ?? null,
    updatedAt: values.updatedAt.toISOString(),
    updatedBy: values.updatedBy,
  };
}

/**
 * The upsert of one answer and its history row, as the tail of a statement: `source` is a `from`
 * clause whose rows say which response to write to (its `response_id` column), so an answer is
 * written only where the source yields a row.
 */
function answerUpsert({ params: p, change, source }: { params: UpsertParams; change: 'saved' | 'amended'; source: SQL }): SQL {
  return sql`saved as (
      insert into answers (organisation_id, response_id, question_key, value, comment, confidential, confidential_reason, version, updated_at, updated_by)
      select ${p.organisationId}, source.response_id, ${p.questionKey}, ${p.valueJson}::jsonb, ${p.comment},
             ${p.confidential}, ${p.confidentialReason}, 1, ${p.updatedAt}::timestamptz, ${p.updatedBy}
      from ${source}
      on conflict (response_id, question_key) do update set
        value = excluded.value, comment = excluded.comment, confidential = excluded.confidential, confidential_reason = excluded.confidential_reason,
        version = answers.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
      returning *
    ), history as (
      insert into answer_versions (organisation_id, response_id, question_key, version, value, comment, confidential, confidential_reason, change, changed_at, changed_by)
      select organisation_id, response_id, question_key, version, value, comment, confidential, confidential_reason, ${change}, updated_at, updated_by from saved
    )`;
}

function toAnswerRow(r: Record<string, unknown>): AnswerRow {
  return {
    id: r.id as string,
    organisationId: r.organisation_id as string,
    responseId: r.response_id as string,
    questionKey: r.question_key as string,
    // Both drivers hand jsonb back parsed.
    value: r.value as AnswerRow['value'],
    comment: r.comment as string | null,
    confidential: r.confidential as boolean,
    confidentialReason: r.confidential_reason as string | null,
    version: Number(r.version),
    updatedAt: new Date(r.updated_at as string | Date),
    updatedBy: r.updated_by as string,
  };
}

/** Upserts an answer and writes its history row in one statement, inside the caller's transaction (which holds the response). */
export async function saveAnswerWithHistory({ db, values, change }: { db: Db; values: AnswerValues; change: 'saved' | 'amended' }): Promise<AnswerRow> {
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`with ${answerUpsert({ params: upsertParams(values), change, source: sql`(select ${values.responseId}::uuid as response_id) as source` })}
    select id, organisation_id, response_id, question_key, value, comment, confidential, confidential_reason, version, updated_at, updated_by from saved`,
  );
  return toAnswerRow(row!);
}

const placeholders = <K extends string>(keys: K[]) => Object.fromEntries(keys.map((key) => [key, sql.placeholder(key)])) as Record<K, unknown>;

/**
 * An autosave in one statement, so one round trip and no transaction around it: bumps the response's
 * version (taking its row lock) only if it is still a draft, its procurement is open and still pins
 * the questionnaire the answer was checked against, before its deadline (the later of the
 * procurement's and its own extension) and, with If-Match, at the version the supplier last read;
 * then writes the answer and its history only if that bump happened. Undefined when it did not: the
 * caller reads why. Checking the procurement here, not before, lets the caller keep the context it
 * checked the answer with (a cached one may be stale; then nothing is written). A named prepared
 * statement: PostgreSQL parses and plans it once per connection.
 */
export async function saveDraftAnswer({ db, values, ifMatch, questionnaireId }: { db: Db; values: AnswerValues; ifMatch: number | undefined; questionnaireId: string }): Promise<{ answer: AnswerRow; responseVersion: number } | undefined> {
  const [row] = await preparedRows<Record<string, unknown>>({
    db,
    name: 'save_draft_answer',
    build: () => {
      const p = placeholders(['responseId', 'organisationId', 'ifMatch', 'now', 'questionnaireId', ...UPSERT_PARAMS]);
      return sql`with bumped as (
      update responses set version = responses.version + 1, updated_at = ${p.now}::timestamptz,
        status = case when responses.status = 'not_started' then 'in_progress' else responses.status end
      from procurements
      where responses.id = ${p.responseId} and responses.organisation_id = ${p.organisationId}
        and responses.status in ('not_started', 'in_progress', 'reopened')
        and (${p.ifMatch}::integer is null or responses.version = ${p.ifMatch}::integer)
        and procurements.id = responses.procurement_id and procurements.status = 'open' and procurements.questionnaire_id = ${p.questionnaireId}
        and greatest(responses.deadline_override, procurements.deadline) > ${p.now}::timestamptz
      returning responses.id as response_id, responses.version
    ), ${answerUpsert({ params: p, change: 'saved', source: sql`bumped as source` })}
    select saved.id, saved.organisation_id, saved.response_id, saved.question_key, saved.value, saved.comment, saved.confidential, saved.confidential_reason,
           saved.version, saved.updated_at, saved.updated_by, bumped.version as response_version
    from saved, bumped`;
    },
    values: { responseId: values.responseId, ifMatch: ifMatch ?? null, now: values.updatedAt.toISOString(), questionnaireId, ...upsertParams(values) },
  });
  return row ? { answer: toAnswerRow(row), responseVersion: Number(row.response_version) } : undefined;
}

/** The latest submission of each response, keyed by response id. */
export async function latestSubmissionsOf({ db, responseIds }: { db: Db; responseIds: string[] }): Promise<Map<string, SubmissionRow>> {
  if (responseIds.length === 0) return new Map();
  const rows = await db.select().from(submissions).where(inArray(submissions.responseId, responseIds)).orderBy(asc(submissions.submittedAt));
  // Ordered oldest first, so the last one written per response is the latest.
  return new Map(rows.map((row) => [row.responseId, row]));
}

export async function clarificationsOfResponses({ db, responseIds }: { db: Db; responseIds: string[] }): Promise<ClarificationRow[]> {
  if (responseIds.length === 0) return [];
  return db.select().from(clarifications).where(inArray(clarifications.responseId, responseIds)).orderBy(asc(clarifications.askedAt), asc(clarifications.id));
}

export async function insertSession({ db, values }: { db: Db; values: typeof supplierSessions.$inferInsert }): Promise<void> {
  await db.insert(supplierSessions).values(values);
}

/** A session with the invitation it acts for (and the bid-team colleague, if one opened it), read on every page of the web form: one prepared statement. */
export async function findSessionByTokenHash({ db, hash }: { db: Db; hash: string }) {
  const statement = prepared(db, 'supplier_session_by_hash', (handle) =>
    handle
      .select({
        sessionId: supplierSessions.id,
        csrfToken: supplierSessions.csrfToken,
        createdAt: supplierSessions.createdAt,
        expiresAt: supplierSessions.expiresAt,
        absoluteExpiresAt: supplierSessions.absoluteExpiresAt,
        teamMemberId: supplierSessions.teamMemberId,
        teamMemberSections: teamMembers.sections,
        teamMemberRevokedAt: teamMembers.revokedAt,
        ...invitationAccess,
      })
      .from(supplierSessions)
      .innerJoin(invitations, eq(invitations.id, supplierSessions.invitationId))
      .innerJoin(responses, eq(responses.invitationId, invitations.id))
      .innerJoin(procurements, eq(procurements.id, invitations.procurementId))
      .leftJoin(teamMembers, eq(teamMembers.id, supplierSessions.teamMemberId))
      .where(eq(supplierSessions.tokenHash, sql.placeholder('hash')))
      .prepare('supplier_session_by_hash'),
  );
  const [row] = await statement.execute({ hash });
  return row;
}

/** Moves a session's idle expiry on, after activity. */
export async function slideSession({ db, id, expiresAt }: { db: Db; id: string; expiresAt: Date }): Promise<void> {
  await db.update(supplierSessions).set({ expiresAt }).where(eq(supplierSessions.id, id));
}

/** A bid-team colleague's link, with the lead's invitation it answers for. */
export async function findTeamMemberByTokenHash({ db, hash }: { db: Db; hash: string }) {
  const [row] = await db
    .select({ teamMemberId: teamMembers.id, teamMemberSections: teamMembers.sections, teamMemberRevokedAt: teamMembers.revokedAt, ...invitationAccess })
    .from(teamMembers)
    .innerJoin(invitations, eq(invitations.id, teamMembers.invitationId))
    .innerJoin(responses, eq(responses.invitationId, invitations.id))
    .innerJoin(procurements, eq(procurements.id, invitations.procurementId))
    .where(eq(teamMembers.tokenHash, hash));
  return row;
}

export async function deleteSession({ db, hash }: { db: Db; hash: string }): Promise<void> {
  await db.delete(supplierSessions).where(eq(supplierSessions.tokenHash, hash));
}

export type PendingRow = typeof pendingAnswers.$inferSelect;

export async function insertPending({ db, values }: { db: Db; values: typeof pendingAnswers.$inferInsert }): Promise<PendingRow> {
  const [row] = await db.insert(pendingAnswers).values(values).returning();
  return row!;
}

/** What is waiting for one supplier (the lead, or one colleague): never another's. */
export async function pendingFor({ db, invitationId, teamMemberId }: { db: Db; invitationId: string; teamMemberId: string | null }): Promise<PendingRow[]> {
  return db
    .select()
    .from(pendingAnswers)
    .where(and(eq(pendingAnswers.invitationId, invitationId), teamMemberId ? eq(pendingAnswers.teamMemberId, teamMemberId) : sql`${pendingAnswers.teamMemberId} is null`))
    .orderBy(asc(pendingAnswers.createdAt), asc(pendingAnswers.id));
}

export async function deletePending({ db, id }: { db: Db; id: string }): Promise<boolean> {
  const deleted = await db.delete(pendingAnswers).where(eq(pendingAnswers.id, id)).returning({ id: pendingAnswers.id });
  return deleted.length > 0;
}

export async function deleteExpiredPending({ db, now }: { db: Db; now: Date }): Promise<void> {
  await db.delete(pendingAnswers).where(sql`${pendingAnswers.expiresAt} <= ${now}`);
}

/** The invitation an ended session's form names, to keep what it posted: live invitations only. */
export async function invitationAccessById({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<InvitationAccess | undefined> {
  const [row] = await db
    .select(invitationAccess)
    .from(invitations)
    .innerJoin(responses, eq(responses.invitationId, invitations.id))
    .innerJoin(procurements, eq(procurements.id, invitations.procurementId))
    .where(and(eq(invitations.organisationId, organisationId), eq(invitations.id, id)));
  return row as InvitationAccess | undefined;
}

export type TeamMemberRow = typeof teamMembers.$inferSelect;

export async function insertTeamMember({ db, values }: { db: Db; values: typeof teamMembers.$inferInsert }): Promise<TeamMemberRow> {
  const [row] = await db.insert(teamMembers).values(values).returning();
  return row!;
}

/** The lead's bid team, oldest first, revoked colleagues included. */
export async function teamOf({ db, invitationId }: { db: Db; invitationId: string }): Promise<TeamMemberRow[]> {
  return db.select().from(teamMembers).where(eq(teamMembers.invitationId, invitationId)).orderBy(asc(teamMembers.createdAt), asc(teamMembers.id));
}

export async function findTeamMember({ db, invitationId, id, forUpdate = false }: { db: Db; invitationId: string; id: string; forUpdate?: boolean }): Promise<TeamMemberRow | undefined> {
  const query = db.select().from(teamMembers).where(and(eq(teamMembers.invitationId, invitationId), eq(teamMembers.id, id)));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

/** Revokes a colleague's link and ends every session it opened. */
export async function revokeTeamMember({ db, id, now }: { db: Db; id: string; now: Date }): Promise<TeamMemberRow> {
  const [row] = await db.update(teamMembers).set({ revokedAt: now }).where(eq(teamMembers.id, id)).returning();
  await db.delete(supplierSessions).where(eq(supplierSessions.teamMemberId, id));
  return row!;
}

/** Per procurement of the organisation: invitations not revoked, and how many of them have submitted (a reopened response had). */
export async function supplierCountsOf({ db, organisationId, procurementIds }: { db: Db; organisationId: string; procurementIds: string[] }): Promise<{ procurementId: string; invited: number; submitted: number }[]> {
  if (procurementIds.length === 0) return [];
  return db
    .select({
      procurementId: invitations.procurementId,
      invited: sql<number>`count(*)::int`,
      submitted: sql<number>`(count(*) filter (where ${responses.status} in ('submitted', 'reopened')))::int`,
    })
    .from(invitations)
    .innerJoin(responses, eq(responses.invitationId, invitations.id))
    .where(and(eq(invitations.organisationId, organisationId), inArray(invitations.procurementId, procurementIds), sql`${invitations.revokedAt} is null`))
    .groupBy(invitations.procurementId);
}
