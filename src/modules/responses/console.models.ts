import { fileSize, fromUkWallTime, ukDayTime } from '../../platform/format';
import type { ClarificationDto } from './clarifications.usecases';
import { filenameWithKind } from './evidence.models';
import type { InvitationDto } from './invitations.usecases';
import { questionTitle, sectionTitle, type SupplierQuestion, type SupplierSection } from './responses.models';
import type { ResponseProgressDto } from './responses.usecases';
import { createInvitationSchema } from './responses.schemas';
import type { AnswerSnapshot } from './responses.table';
import { answerText } from './web.models';

/**
 * The officer console's pages about suppliers and their responses, as pure view models: what a
 * posted form says (with GOV.UK error messages), and how invitations, progress, answers and
 * clarifications read on the page. The use cases decide what is allowed; nothing here does.
 */

export type FormBody = Record<string, string | string[] | undefined>;
/** One entry of a GOV.UK error summary: the message, and the field it links to. */
export type PageError = { text: string; href: string };
export type ResponseStatus = ResponseProgressDto['status'];

// A NUL pasted into a field never gets here: the web's form parser drops it (platform/web).
const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
/** Browsers send a textarea's line breaks as CRLF; the service keeps LF, as the API does. */
const lines = (text: string) => text.replace(/\r\n?/g, '\n');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const procurementHref = (procurementId: string) => `/procurements/${procurementId}`;
export const suppliersHref = (procurementId: string) => `/procurements/${procurementId}/suppliers`;
export const supplierHref = (procurementId: string, invitationId: string, action: 'link' | 'new-link' | 'remind' | 'extend' | 'revoke') => `${suppliersHref(procurementId)}/${invitationId}/${action}`;
export const responseHref = (procurementId: string, responseId: string) => `/procurements/${procurementId}/responses/${responseId}`;
export const evidenceHref = (procurementId: string, responseId: string, evidenceId: string) => `${responseHref(procurementId, responseId)}/evidence/${evidenceId}`;
export const clarifyHref = (procurementId: string, responseId: string, questionKey: string) => `${responseHref(procurementId, responseId)}/clarify?question=${encodeURIComponent(questionKey)}`;
/** The element id of a question on the response page, for links back to it. */
export const questionAnchor = (questionKey: string) => `question-${questionKey.replace(/[^A-Za-z0-9_-]/g, '-')}`;

// ───────────────────────────────────────────── status

export const STATUS_TAGS: Record<ResponseStatus | 'revoked', { text: string; classes: string }> = {
  not_started: { text: 'Not started', classes: 'govuk-tag--grey' },
  in_progress: { text: 'In progress', classes: 'govuk-tag--light-blue' },
  submitted: { text: 'Submitted', classes: 'govuk-tag--green' },
  reopened: { text: 'Reopened', classes: 'govuk-tag--yellow' },
  withdrawn: { text: 'Withdrawn', classes: 'govuk-tag--orange' },
  revoked: { text: 'Link revoked', classes: 'govuk-tag--red' },
};

// ───────────────────────────────────────────── the suppliers page

export type SupplierCard = {
  invitationId: string;
  supplierName: string;
  status: { text: string; classes: string };
  rows: Array<{ key: { text: string }; value: { text: string } }>;
  /** Links in the card's header; GOV.UK adds the card's title (the supplier) for screen readers. */
  actions: Array<{ href: string; text: string }>;
};

/**
 * One card per invited supplier: its status and progress, and the actions that can apply now (an
 * officer's only, and only what the use cases would accept in this state: a reminder or more time
 * only while the procurement is open and the supplier has not submitted or withdrawn).
 */
export function supplierCards({
  procurementId,
  procurementStatus,
  invitations,
  progress,
  canManage,
}: {
  procurementId: string;
  procurementStatus: string;
  invitations: InvitationDto[];
  progress: ResponseProgressDto[];
  canManage: boolean;
}): SupplierCard[] {
  const byResponse = new Map(progress.map((p) => [p.responseId, p]));
  return invitations.map((invitation) => {
    const p = byResponse.get(invitation.responseId);
    const status = invitation.revokedAt ? 'revoked' : invitation.responseStatus;
    const rows = [
      { key: { text: 'Contact' }, value: { text: invitation.contactEmail } },
      ...(invitation.companyNumber ? [{ key: { text: 'Companies House number' }, value: { text: invitation.companyNumber } }] : []),
      { key: { text: 'Required questions answered' }, value: { text: p ? `${p.requiredAnswered} of ${p.requiredQuestions}` : 'Not known' } },
      { key: { text: 'Evidence files' }, value: { text: p ? String(p.evidenceFiles) : 'Not known' } },
      { key: { text: 'Last activity' }, value: { text: ukDayTime(p?.updatedAt ?? invitation.createdAt) } },
      ...(p?.submittedAt ? [{ key: { text: 'Submitted' }, value: { text: ukDayTime(p.submittedAt) } }] : []),
      { key: { text: 'Link issued' }, value: { text: invitation.revokedAt ? `${ukDayTime(invitation.tokenIssuedAt)}; revoked ${ukDayTime(invitation.revokedAt)}` : ukDayTime(invitation.tokenIssuedAt) } },
    ];
    const live = !invitation.revokedAt;
    const answering = invitation.responseStatus !== 'submitted' && invitation.responseStatus !== 'withdrawn';
    const action = (href: string, text: string) => ({ href, text });
    const actions = [
      action(responseHref(procurementId, invitation.responseId), invitation.responseStatus === 'submitted' ? 'Read response' : 'Read answers so far'),
      ...(canManage && live ? [action(supplierHref(procurementId, invitation.id, 'new-link'), 'Send a new link')] : []),
      ...(canManage && live && answering && procurementStatus === 'open'
        ? [action(supplierHref(procurementId, invitation.id, 'remind'), 'Send a reminder'), action(supplierHref(procurementId, invitation.id, 'extend'), 'Extend deadline')]
        : []),
      ...(canManage && live ? [action(supplierHref(procurementId, invitation.id, 'revoke'), 'Revoke')] : []),
    ];
    return { invitationId: invitation.id, supplierName: invitation.supplierName, status: STATUS_TAGS[status], rows, actions };
  });
}

/** A line under the heading: how many were invited, and how many have submitted. */
export function suppliersSummary(progress: ResponseProgressDto[]): string {
  if (progress.length === 0) return 'No suppliers invited yet.';
  const submitted = progress.filter((p) => p.status === 'submitted').length;
  return `${plural(progress.length, 'supplier')} invited; ${submitted} submitted.`;
}

export type InviteTyped = { supplierName: string; contactEmail: string; companyNumber: string };

/** The invite form: a name, an email address and an optional Companies House number, checked as the API checks them. */
export function readInviteForm(body: FormBody): { typed: InviteTyped; errors: PageError[]; input: { supplierName: string; contactEmail: string; companyNumber?: string } | null } {
  const typed = { supplierName: first(body.supplierName), contactEmail: first(body.contactEmail), companyNumber: first(body.companyNumber) };
  const errors: PageError[] = [];
  if (!typed.supplierName) errors.push({ href: '#supplierName', text: 'Enter the supplier’s name' });
  else if (typed.supplierName.length > 300) errors.push({ href: '#supplierName', text: 'The supplier’s name must be 300 characters or fewer' });
  const email = createInvitationSchema.shape.contactEmail.safeParse(typed.contactEmail);
  if (!typed.contactEmail) errors.push({ href: '#contactEmail', text: 'Enter the email address to send the invitation to' });
  else if (!email.success) errors.push({ href: '#contactEmail', text: 'Enter an email address in the correct format, like name@example.com' });
  if (typed.companyNumber && !createInvitationSchema.shape.companyNumber.safeParse(typed.companyNumber).success) {
    errors.push({ href: '#companyNumber', text: 'Enter a Companies House number of 8 letters and numbers, like 01234567 or SC123456' });
  }
  if (errors.length > 0 || !email.success) return { typed, errors, input: null };
  return { typed, errors, input: { supplierName: typed.supplierName, contactEmail: email.data, ...(typed.companyNumber ? { companyNumber: typed.companyNumber.toUpperCase() } : {}) } };
}

// ───────────────────────────────────────────── dates typed into forms

export type DateTyped = { day: string; month: string; year: string };

/**
 * A GOV.UK date input (`<prefix>-day`, `-month`, `-year`) and, optionally, a 24-hour time field,
 * read as UK time. Returns the moment, or the GOV.UK message for what is wrong.
 */
export function readUkDateTime(body: FormBody, prefix: string, { time, label }: { time?: string; label: string }): { typed: DateTyped & { time: string }; at: Date | null; error: PageError | null } {
  const typed = { day: first(body[`${prefix}-day`]), month: first(body[`${prefix}-month`]), year: first(body[`${prefix}-year`]), time: time === undefined ? first(body[`${prefix}-time`]) : time };
  const fail = (text: string, field = 'day') => ({ typed, at: null, error: { href: `#${prefix}-${field}`, text } });
  if (!typed.day && !typed.month && !typed.year) return fail(`Enter ${label}`);
  const missing = (['day', 'month', 'year'] as const).filter((part) => !typed[part]);
  if (missing.length > 0) return fail(`${label[0]!.toUpperCase()}${label.slice(1)} must include a ${missing.join(' and ')}`, missing[0]);
  const numbers = [typed.day, typed.month, typed.year].map((part) => (/^\d{1,4}$/.test(part) ? Number(part) : NaN));
  const [day, month, year] = numbers as [number, number, number];
  if (numbers.some(Number.isNaN) || year < 1000) return fail(`${label[0]!.toUpperCase()}${label.slice(1)} must be a real date`);
  const clock = /^(\d{1,2})[:.](\d{2})$/.exec(typed.time);
  if (!clock || Number(clock[1]) > 23 || Number(clock[2]) > 59) return fail('Enter a time using the 24-hour clock, like 17:00', 'time');
  const at = fromUkWallTime({ year, month, day, hour: Number(clock[1]), minute: Number(clock[2]) });
  return at ? { typed, at, error: null } : fail(`${label[0]!.toUpperCase()}${label.slice(1)} must be a real date`);
}

export type ExtendTyped = DateTyped & { time: string; reason: string };

/** The extension form: the supplier's new deadline (UK date and time) and why it has longer. */
export function readExtendForm(body: FormBody): { typed: ExtendTyped; errors: PageError[]; input: { deadline: Date; reason: string } | null } {
  const when = readUkDateTime(body, 'deadline', { label: 'the new deadline' });
  const reason = lines(first(body.reason));
  const typed = { ...when.typed, reason };
  const errors: PageError[] = when.error ? [when.error] : [];
  if (!reason) errors.push({ href: '#reason', text: 'Enter why this supplier is given more time' });
  else if (reason.length > 2000) errors.push({ href: '#reason', text: 'The reason must be 2,000 characters or fewer' });
  return { typed, errors, input: errors.length === 0 && when.at ? { deadline: when.at, reason } : null };
}

// ───────────────────────────────────────────── a response, read by the council

export type ClarificationTyped = DateTyped & { question: string; allowAmend: boolean };

/** The clarification form: the question to the supplier, whether it may amend its answer, and an optional reply-by day (5pm UK time). */
export function readClarificationForm(body: FormBody): { typed: ClarificationTyped; errors: PageError[]; input: { question: string; allowAmend: boolean; replyBy?: Date } | null } {
  const question = lines(first(body.question));
  const allowAmend = first(body.allowAmend) === 'yes';
  const errors: PageError[] = [];
  if (!question) errors.push({ href: '#question', text: 'Enter your question to the supplier' });
  else if (question.length > 5000) errors.push({ href: '#question', text: 'Your question must be 5,000 characters or fewer' });
  const anyDate = ['day', 'month', 'year'].some((part) => first(body[`replyBy-${part}`]) !== '');
  const replyBy = anyDate ? readUkDateTime(body, 'replyBy', { time: '17:00', label: 'the reply-by date' }) : null;
  if (replyBy?.error) errors.push(replyBy.error);
  const typed = { question, allowAmend, day: first(body['replyBy-day']), month: first(body['replyBy-month']), year: first(body['replyBy-year']) };
  if (errors.length > 0) return { typed, errors, input: null };
  return { typed, errors, input: { question, allowAmend, ...(replyBy?.at ? { replyBy: replyBy.at } : {}) } };
}

export type EvidenceLine = { id: string; questionKey: string; filename: string; contentType: string; sizeBytes: number; sha256: string };

export type QuestionView = {
  key: string;
  anchor: string;
  title: string;
  rows: Array<{ key: { text: string }; value: { text?: string; html?: string } }>;
  confidential: string | null;
  files: Array<{ href: string; text: string; size: string; sha256: string }>;
  clarifications: ClarificationView[];
  askHref: string | null;
};

export type ClarificationView = {
  id: string;
  heading: string;
  rows: Array<{ key: { text: string }; value: { text: string } }>;
  awaiting: boolean;
};

const asAnswer = (snapshot: AnswerSnapshot | null | undefined, at: string) => (snapshot ? { ...snapshot, version: 0, updatedAt: at } : undefined);

/** A clarification as the council reads it: what was asked, the answer it was about, the reply and any amended answer. */
export function clarificationView(c: ClarificationDto, question: SupplierQuestion | undefined): ClarificationView {
  const shown = (snapshot: AnswerSnapshot | null) => (question ? answerText(question, asAnswer(snapshot, c.askedAt), []) : String(snapshot?.value ?? 'Not answered'));
  const rows = [
    { key: { text: 'Question' }, value: { text: c.question } },
    { key: { text: 'Answer asked about' }, value: { text: c.originalAnswer ? shown(c.originalAnswer) : 'Not answered' } },
    { key: { text: 'Amended answer allowed' }, value: { text: c.allowAmend ? 'Yes' : 'No' } },
    ...(c.replyBy ? [{ key: { text: 'Reply by' }, value: { text: ukDayTime(c.replyBy) } }] : []),
    { key: { text: 'Reply' }, value: { text: c.reply ?? 'Not replied yet' } },
    ...(c.repliedAt ? [{ key: { text: 'Replied' }, value: { text: ukDayTime(c.repliedAt) } }] : []),
    ...(c.amendedAnswer ? [{ key: { text: 'Amended answer' }, value: { text: `${shown(c.amendedAnswer)}${c.amendedAnswer.confidential ? ' (marked commercially confidential)' : ''}` } }] : []),
  ];
  return { id: c.id, heading: `Clarification asked ${ukDayTime(c.askedAt)}`, rows, awaiting: c.status === 'awaiting_reply' };
}

/**
 * The response's visible sections with each answer as a person reads it: its comment, whether the
 * supplier marked it commercially confidential (and why), its evidence files to download, the
 * clarifications asked about it, and where to ask one.
 */
export function responseSections({
  procurementId,
  responseId,
  sections,
  answers,
  files,
  clarifications,
  at,
  canAsk,
}: {
  procurementId: string;
  responseId: string;
  sections: SupplierSection[];
  answers: Record<string, AnswerSnapshot>;
  files: EvidenceLine[];
  clarifications: ClarificationDto[];
  /** When these answers were given (the submission's time), for the answer text. */
  at: string;
  canAsk: boolean;
}): { sections: Array<{ key: string; title: string; questions: QuestionView[] }>; otherClarifications: ClarificationView[] } {
  const placed = new Set<string>();
  const views = sections.map((section) => ({
    key: section.key,
    title: sectionTitle(section),
    questions: section.questions.map((q): QuestionView => {
      const answer = answers[q.key];
      const mine = files.filter((f) => f.questionKey === q.key);
      const asked = clarifications.filter((c) => c.questionKey === q.key);
      for (const c of asked) placed.add(c.id);
      const rows: QuestionView['rows'] = [];
      if (q.type !== 'file') rows.push({ key: { text: 'Answer' }, value: { text: answerText(q, asAnswer(answer, at), []) } });
      if (answer?.comment) rows.push({ key: { text: 'Comment' }, value: { text: answer.comment } });
      return {
        key: q.key,
        anchor: questionAnchor(q.key),
        title: questionTitle(q),
        rows,
        confidential: answer?.confidential ? (answer.confidentialReason ?? 'No reason given') : null,
        files: mine.map((f) => ({ href: evidenceHref(procurementId, responseId, f.id), text: filenameWithKind(f), size: fileSize(f.sizeBytes), sha256: f.sha256 })),
        clarifications: asked.map((c) => clarificationView(c, q)),
        askHref: canAsk ? clarifyHref(procurementId, responseId, q.key) : null,
      };
    }),
  }));
  return { sections: views, otherClarifications: clarifications.filter((c) => !placed.has(c.id)).map((c) => clarificationView(c, undefined)) };
}
