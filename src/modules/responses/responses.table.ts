import { boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { organisations } from '../accounts';
import { procurements } from '../procurements';

/** A supplier invited to a procurement. The token is stored only as its SHA-256. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    procurementId: uuid()
      .notNull()
      .references(() => procurements.id),
    supplierName: text().notNull(),
    contactEmail: text().notNull(),
    companyNumber: text(),
    tokenHash: text().notNull().unique('invitations_token_hash'),
    displayPrefix: text().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    tokenIssuedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('invitations_procurement').on(t.organisationId, t.procurementId, t.createdAt, t.id)],
);

/** What one invited supplier answers; exactly one per invitation. */
export const responses = pgTable(
  'responses',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid()
      .notNull()
      .references(() => organisations.id),
    procurementId: uuid()
      .notNull()
      .references(() => procurements.id),
    invitationId: uuid()
      .notNull()
      .references(() => invitations.id)
      .unique('responses_invitation'),
    status: text().$type<'not_started' | 'in_progress' | 'submitted' | 'reopened' | 'withdrawn'>().notNull(),
    /** Bumped on every change to the response or its answers: the ETag of GET /v1/supplier/response. */
    version: integer().notNull().default(1),
    /** A later deadline an officer granted this supplier alone. */
    deadlineOverride: timestamp({ withTimezone: true, precision: 3 }),
    submittedAt: timestamp({ withTimezone: true, precision: 3 }),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('responses_procurement').on(t.organisationId, t.procurementId)],
);

/** The current answer to one question of one response. */
export const answers = pgTable(
  'answers',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    questionKey: text().notNull(),
    value: jsonb().$type<AnswerValueJson>(),
    comment: text(),
    confidential: boolean().notNull().default(false),
    confidentialReason: text(),
    version: integer().notNull().default(1),
    updatedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    updatedBy: text().notNull(),
  },
  (t) => [unique('answers_response_question').on(t.responseId, t.questionKey)],
);

/** Every earlier state of an answer: nothing a supplier typed is lost, and who changed what is known. */
export const answerVersions = pgTable(
  'answer_versions',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    questionKey: text().notNull(),
    version: integer().notNull(),
    value: jsonb().$type<AnswerValueJson>(),
    comment: text(),
    confidential: boolean().notNull(),
    confidentialReason: text(),
    /** `saved` or `cleared` by the supplier while drafting; `amended` in reply to a clarification. */
    change: text().$type<'saved' | 'cleared' | 'amended'>().notNull(),
    changedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    changedBy: text().notNull(),
  },
  (t) => [index('answer_versions_response_question').on(t.responseId, t.questionKey, t.version)],
);

export type AnswerValueJson = string | number | boolean | string[] | null;

/**
 * The frozen snapshot of a submitted response: what the council evaluates. Later changes to the
 * draft tables (a clarification amendment, say) never alter it.
 */
export const submissions = pgTable(
  'submissions',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    /** A short reference the supplier can quote. */
    reference: text().notNull(),
    answers: jsonb().$type<Record<string, { value: AnswerValueJson; comment: string | null; confidential: boolean; confidentialReason: string | null }>>().notNull(),
    /** The evidence files as they were at submission; their bytes cannot change or go while submitted. */
    evidence: jsonb().$type<SubmittedEvidence[]>().notNull().default([]),
    responseVersion: integer().notNull(),
    idempotencyKey: text(),
    submittedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('submissions_response').on(t.responseId, t.submittedAt)],
);

export type SubmittedEvidence = { id: string; questionKey: string; filename: string; contentType: string; sizeBytes: number; sha256: string };

/** A file a supplier uploaded as evidence for one question; the bytes are in blob storage under `storageKey`. */
export const evidenceFiles = pgTable(
  'evidence_files',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    questionKey: text().notNull(),
    /** The name the supplier gave it, cleaned of any path. Shown, never trusted. */
    filename: text().notNull(),
    /** Found from the content, not the name or the declared type. */
    contentType: text().notNull(),
    sizeBytes: integer().notNull(),
    sha256: text().notNull(),
    storageKey: text().notNull(),
    uploadedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    uploadedBy: text().notNull(),
  },
  (t) => [index('evidence_files_response').on(t.responseId, t.questionKey, t.uploadedAt)],
);

export type AnswerSnapshot = { value: AnswerValueJson; comment: string | null; confidential: boolean; confidentialReason: string | null };

/**
 * A council's question to a supplier about one answer, and the supplier's reply. The answer as it
 * stood when asked, the reply and any amended answer are all kept here, side by side; the frozen
 * submission is never changed.
 */
export const clarifications = pgTable(
  'clarifications',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    responseId: uuid()
      .notNull()
      .references(() => responses.id),
    questionKey: text().notNull(),
    question: text().notNull(),
    allowAmend: boolean().notNull(),
    replyBy: timestamp({ withTimezone: true, precision: 3 }),
    /** The answer as it stood when the question was asked (the submitted one, if submitted). */
    originalAnswer: jsonb().$type<AnswerSnapshot | null>(),
    askedBy: text().notNull(),
    askedAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    reply: text(),
    amendedAnswer: jsonb().$type<AnswerSnapshot | null>(),
    repliedAt: timestamp({ withTimezone: true, precision: 3 }),
    /**
     * With an amended answer: `pending` until the moderator accepts it (it then counts in the
     * evaluation) or rejects it (the answer as submitted keeps counting), with who, when and why.
     */
    amendmentStatus: text().$type<'pending' | 'accepted' | 'rejected'>(),
    amendmentReason: text(),
    amendmentDecidedBy: text(),
    amendmentDecidedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('clarifications_response').on(t.responseId, t.askedAt, t.id)],
);

/**
 * A colleague the lead supplier added to its bid team: its own link (token stored only as its
 * SHA-256), for the named sections only. The lead can revoke it; revoking the invitation ends it too.
 */
export const teamMembers = pgTable(
  'team_members',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    /** The lead's invitation this colleague answers for. */
    invitationId: uuid()
      .notNull()
      .references(() => invitations.id),
    name: text().notNull(),
    email: text().notNull(),
    /** The section keys this colleague may read and answer. */
    sections: jsonb().$type<string[]>().notNull(),
    tokenHash: text().notNull().unique('team_members_token_hash'),
    displayPrefix: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('team_members_invitation').on(t.invitationId, t.createdAt)],
);

/**
 * A supplier's session in the web form, started from its invitation link so the token does not
 * stay in the address bar. The cookie holds a random secret; only its SHA-256 is kept here, with
 * the CSRF token every form posts back. `expiresAt` slides with activity; `absoluteExpiresAt` does not.
 */
export const supplierSessions = pgTable(
  'supplier_sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    tokenHash: text().notNull().unique('supplier_sessions_token_hash'),
    invitationId: uuid()
      .notNull()
      .references(() => invitations.id),
    /** Set when a bid-team colleague's link started the session. */
    teamMemberId: uuid().references(() => teamMembers.id),
    csrfToken: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    absoluteExpiresAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [index('supplier_sessions_invitation').on(t.invitationId)],
);

/**
 * Answers that reached the service but are not applied yet: a form posted after its session
 * ended, or an answer file or workbook waiting for the supplier to confirm. Sealed with
 * SECRETS_KEY (supplier answers are confidential); deleted once applied or discarded, or after 24 hours.
 */
export const pendingAnswers = pgTable(
  'pending_answers',
  {
    id: uuid().primaryKey().defaultRandom(),
    organisationId: uuid().notNull(),
    invitationId: uuid()
      .notNull()
      .references(() => invitations.id),
    teamMemberId: uuid().references(() => teamMembers.id),
    kind: text().$type<'expired_session' | 'answer_file' | 'workbook'>().notNull(),
    sealed: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('pending_answers_invitation').on(t.invitationId, t.createdAt)],
);
