import type { Db } from '../../platform/db';
import type { AnswerValue } from '../questionnaires';
import * as repo from './responses.repository';
import type { SubmittedEvidence } from './responses.table';

/** An answer amended in reply to a clarification, and the moderator's decision on it; the scoring engine reads it as it is. */
export type Amendment = {
  clarificationId: string;
  status: 'pending' | 'accepted' | 'rejected';
  /** The value before the amendment (as submitted, or as an earlier accepted amendment left it). */
  original: AnswerValue;
  amended: AnswerValue;
  /** The moderator's user id and reason, once decided. */
  decidedBy: string | null;
  reason: string | null;
};

/** What scoring reads of one response: the answers as submitted, with accepted clarification amendments on top. */
export type SubmittedResponse = {
  responseId: string;
  procurementId: string;
  /** The supplier acts as its invitation: its audit events name this id. */
  invitationId: string;
  supplierName: string;
  companyNumber: string | null;
  /** The invitation's contact email: where the council writes to the supplier. */
  contactEmail: string;
  status: repo.ResponseRow['status'];
  submittedAt: string | null;
  /** Submitted values by question key, each replaced by its amendment once the moderator accepted it. */
  answers: Record<string, AnswerValue>;
  /** Question keys whose value comes from an accepted clarification amendment. */
  amended: string[];
  /** The latest amendment of each amended question (pending, accepted or rejected), by question key. */
  amendments: Record<string, Amendment>;
  /** Evidence files per question key, as frozen at submission. */
  evidence: Record<string, number>;
  /** The evidence files as frozen at submission: ids, names, types, sizes and SHA-256. */
  evidenceFiles: SubmittedEvidence[];
  /** Each answer's comment and confidentiality, as submitted or as amended, by question key. */
  details: Record<string, { comment: string | null; confidential: boolean; confidentialReason: string | null }>;
  /** The council's clarification questions and the supplier's replies, oldest first. */
  clarifications: Array<{
    questionKey: string;
    question: string;
    askedAt: string;
    reply: string | null;
    repliedAt: string | null;
    amended: boolean;
    /** The amendment this reply made (every one, not only the latest of its question), with when it was decided; null when it amended nothing. */
    amendment: (Amendment & { decidedAt: string | null }) | null;
  }>;
};

const detailsOf = (a: { comment: string | null; confidential: boolean; confidentialReason: string | null }) => ({
  comment: a.comment,
  confidential: a.confidential,
  confidentialReason: a.confidentialReason,
});

function toSubmitted(
  found: { response: repo.ResponseRow; invitation: repo.InvitationRow },
  submission: repo.SubmissionRow | undefined,
  clarifications: repo.ClarificationRow[],
): SubmittedResponse {
  const answers: Record<string, AnswerValue> = Object.fromEntries(Object.entries(submission?.answers ?? {}).map(([key, a]) => [key, a.value as AnswerValue]));
  const details = Object.fromEntries(Object.entries(submission?.answers ?? {}).map(([key, a]) => [key, detailsOf(a)]));
  const amended: string[] = [];
  const amendments: Record<string, Amendment> = {};
  const byClarification = new Map<string, Amendment & { decidedAt: string | null }>();
  // Oldest first, so a later accepted amendment of the same answer wins; only accepted ones count.
  for (const c of [...clarifications].sort((a, b) => (a.repliedAt?.getTime() ?? 0) - (b.repliedAt?.getTime() ?? 0))) {
    if (!c.amendedAnswer || !submission) continue;
    const status = c.amendmentStatus ?? 'pending';
    amendments[c.questionKey] = {
      clarificationId: c.id,
      status,
      original: answers[c.questionKey],
      amended: c.amendedAnswer.value as AnswerValue,
      decidedBy: c.amendmentDecidedBy,
      reason: c.amendmentReason,
    };
    byClarification.set(c.id, { ...amendments[c.questionKey]!, decidedAt: c.amendmentDecidedAt?.toISOString() ?? null });
    if (status !== 'accepted') continue;
    answers[c.questionKey] = c.amendedAnswer.value as AnswerValue;
    details[c.questionKey] = detailsOf(c.amendedAnswer);
    if (!amended.includes(c.questionKey)) amended.push(c.questionKey);
  }
  const evidence: Record<string, number> = {};
  for (const file of submission?.evidence ?? []) evidence[file.questionKey] = (evidence[file.questionKey] ?? 0) + 1;
  return {
    responseId: found.response.id,
    procurementId: found.response.procurementId,
    invitationId: found.invitation.id,
    supplierName: found.invitation.supplierName,
    companyNumber: found.invitation.companyNumber,
    contactEmail: found.invitation.contactEmail,
    status: found.response.status,
    submittedAt: found.response.submittedAt?.toISOString() ?? null,
    answers,
    amended: amended.sort(),
    amendments,
    evidence,
    evidenceFiles: submission?.evidence ?? [],
    details,
    clarifications: [...clarifications]
      .sort((a, b) => a.askedAt.getTime() - b.askedAt.getTime())
      .map((c) => ({
        questionKey: c.questionKey,
        question: c.question,
        askedAt: c.askedAt.toISOString(),
        reply: c.reply,
        repliedAt: c.repliedAt?.toISOString() ?? null,
        amended: c.amendedAnswer !== null,
        amendment: byClarification.get(c.id) ?? null,
      })),
  };
}

/** One response of the caller's organisation, as scoring reads it; undefined when there is none. */
export async function submittedResponse({ db, organisationId, responseId }: { db: Db; organisationId: string; responseId: string }): Promise<SubmittedResponse | undefined> {
  const found = await repo.findResponseWithInvitation({ db, organisationId, id: responseId });
  if (!found) return undefined;
  const submission = found.response.status === 'submitted' ? await repo.latestSubmission({ db, responseId }) : undefined;
  return toSubmitted(found, submission, submission ? await repo.clarificationsOf({ db, responseId }) : []);
}

/** Every response of a procurement (any status), as scoring reads them, in invitation order. Three queries, whatever the count. */
export async function responsesForScoring({ db, organisationId, procurementId }: { db: Db; organisationId: string; procurementId: string }): Promise<SubmittedResponse[]> {
  const rows = await repo.responsesOfProcurement({ db, organisationId, procurementId });
  const submittedIds = rows.filter((r) => r.response.status === 'submitted').map((r) => r.response.id);
  const [submissions, clarifications] = await Promise.all([repo.latestSubmissionsOf({ db, responseIds: submittedIds }), repo.clarificationsOfResponses({ db, responseIds: submittedIds })]);
  return rows.map((row) => {
    const submission = submissions.get(row.response.id);
    return toSubmitted(row, submission, submission ? clarifications.filter((c) => c.responseId === row.response.id) : []);
  });
}

/**
 * Records the moderator's decision on a clarification's amended answer, in the caller's transaction:
 * `not_found` for a clarification not of this response, `no_amendment` when the reply amended
 * nothing, `decided` when a decision is already recorded (each amendment is decided once).
 */
export async function decideAmendment({
  db,
  responseId,
  clarificationId,
  status,
  reason,
  decidedBy,
  now,
}: {
  db: Db;
  responseId: string;
  clarificationId: string;
  status: 'accepted' | 'rejected';
  reason: string;
  decidedBy: string;
  now: Date;
}): Promise<{ outcome: 'not_found' | 'no_amendment' | 'decided' } | { outcome: 'ok'; questionKey: string; original: unknown; amended: unknown }> {
  const row = await repo.findClarification({ db, responseId, id: clarificationId, forUpdate: true });
  if (!row) return { outcome: 'not_found' };
  if (!row.amendedAnswer) return { outcome: 'no_amendment' };
  if ((row.amendmentStatus ?? 'pending') !== 'pending') return { outcome: 'decided' };
  await repo.updateClarification({ db, id: row.id, changes: { amendmentStatus: status, amendmentReason: reason, amendmentDecidedBy: decidedBy, amendmentDecidedAt: now } });
  return { outcome: 'ok', questionKey: row.questionKey, original: row.originalAnswer?.value ?? null, amended: row.amendedAnswer.value };
}
