import type { SupplierPrincipal } from '../../platform/auth';
import { inTransaction, type Db } from '../../platform/db';
import { canonicalJson, sha256Hex } from '../../platform/crypto';
import type { FieldProblem } from '../../platform/errors';
import type { ProcurementDto } from '../procurements';
import type { Question, QuestionnaireDefinition } from '../questionnaires';
import { assertWritable, lockForSupplierChange, questionsByKey, supplierActorId, supplierContext } from './responses.access';
import { answerErrors, responsesErrors } from './responses.errors';
import { checkAnswerValue } from './responses.models';
import * as repo from './responses.repository';
import type { AnswerValueJson } from './responses.table';

type SupplierCtx = { db: Db; now: Date; principal: SupplierPrincipal };

export type AnswerInput = { value: unknown; comment?: string | null | undefined; confidential?: boolean | undefined; confidentialReason?: string | null | undefined };

export type AnswerDto = { value: unknown; comment: string | null; confidential: boolean; confidentialReason: string | null; version: number; updatedAt: string };

export function toAnswerDto(row: repo.AnswerRow): AnswerDto {
  return { value: row.value, comment: row.comment, confidential: row.confidential, confidentialReason: row.confidentialReason, version: row.version, updatedAt: row.updatedAt.toISOString() };
}

/** An answer as it is stored: trimmed, and the reason kept only when the answer is confidential. */
export function normalise(input: AnswerInput) {
  return {
    value: (typeof input.value === 'string' ? input.value.trim() : input.value) as AnswerValueJson,
    comment: input.comment?.trim() || null,
    confidential: input.confidential ?? false,
    confidentialReason: input.confidential ? (input.confidentialReason?.trim() ?? null) : null,
  };
}

/** Every problem with one answer, each naming the question (its key is the problem's `code`). */
export function problemsOf({ question, input, path }: { question: Question; input: AnswerInput; path: string }): FieldProblem[] {
  const label = question.ref ? `${question.ref}: ` : '';
  const problems: FieldProblem[] = [];
  const message = checkAnswerValue(question, input.value);
  if (message) problems.push({ path: `${path}/value`, message: `${label}${message}`, code: question.key });
  if (input.confidential && !input.confidentialReason?.trim()) {
    problems.push({ path: `${path}/confidentialReason`, message: `${label}Enter why this answer is commercially confidential`, code: question.key });
  }
  return problems;
}

async function bump({ db, now, response }: { db: Db; now: Date; response: repo.ResponseRow }): Promise<number> {
  const bumped = await repo.bumpResponse({ db, id: response.id, now, ...(response.status === 'not_started' ? { status: 'in_progress' as const } : {}) });
  return bumped.version;
}

/**
 * The questionnaire each open procurement pins, by procurement, for the autosave. Not trusted: the
 * save statement writes only if the procurement is still open and still pins that questionnaire
 * (published questionnaires never change), so an entry gone stale costs a fresh read, never a wrong
 * save. Bounded, oldest out first.
 */
const saveContexts = new Map<string, { questionnaireId: string; definition: QuestionnaireDefinition }>();
const SAVE_CONTEXTS_MAX = 1_000;

function rememberSaveContext(procurementId: string, context: { questionnaireId: string; definition: QuestionnaireDefinition }): void {
  saveContexts.delete(procurementId);
  if (saveContexts.size >= SAVE_CONTEXTS_MAX) saveContexts.delete(saveContexts.keys().next().value!);
  saveContexts.set(procurementId, context);
}

/**
 * Saves one answer: checked against its question, honouring If-Match on the response, with the
 * previous state kept in the answer's history. Not an audit event: autosave stays light.
 *
 * This is the hot path (autosave), so it is shaped for it: once a procurement's questionnaire is
 * cached, a save is one statement, one round trip with no transaction around it, that bumps the
 * response (only if it and its procurement may change) and writes the answer with its history. When
 * the cached questionnaire does not know the question or the answer, or the statement refuses, the
 * save starts again from a fresh read, which says what is wrong in the order every other write
 * reports it: unknown question 404, stale 412, submitted, withdrawn, late or not open 409, invalid
 * value 422.
 */
export async function saveAnswer(ctx: SupplierCtx & { questionKey: string; input: AnswerInput; ifMatch?: number | undefined }): Promise<{ answer: AnswerDto; responseVersion: number }> {
  const cached = saveContexts.get(ctx.principal.procurementId);
  let refusedWith: string | undefined;
  if (cached) {
    const question = questionsByKey(cached.definition, ctx.principal).get(ctx.questionKey);
    if (question && acceptable(question, ctx.input)) {
      const saved = await writeDraft(ctx, question, cached.questionnaireId);
      if (saved) return saved;
      refusedWith = cached.questionnaireId;
    }
  }
  const { procurement, definition } = await supplierContext(ctx);
  if (procurement.status === 'open') rememberSaveContext(ctx.principal.procurementId, { questionnaireId: procurement.questionnaire.id, definition });
  const question = questionsByKey(definition, ctx.principal).get(ctx.questionKey);
  if (!question) throw answerErrors.questionNotFound(ctx.questionKey);
  if (!acceptable(question, ctx.input) || procurement.status !== 'open') {
    await explainRefusedSave(ctx, procurement);
    const message = checkAnswerValue(question, ctx.input.value);
    if (message) throw answerErrors.invalidValue(question.key, question.ref ?? null, message);
    throw answerErrors.reasonRequired();
  }
  // Refused already with this very questionnaire: only why is left to say.
  const saved = refusedWith === procurement.questionnaire.id ? undefined : await writeDraft(ctx, question, procurement.questionnaire.id);
  if (!saved) {
    await explainRefusedSave(ctx, procurement);
    // Nothing wrong any more by the time it was read: another save got in between.
    throw answerErrors.stale();
  }
  return saved;
}

/** Whether an answer may be saved to its question: no problem `problemsOf` would report. */
function acceptable(question: Question, input: AnswerInput): boolean {
  return problemsOf({ question, input, path: '' }).length === 0;
}

async function writeDraft(ctx: SupplierCtx & { input: AnswerInput; ifMatch?: number | undefined }, question: Question, questionnaireId: string) {
  const { principal } = ctx;
  const saved = await repo.saveDraftAnswer({
    db: ctx.db,
    values: { organisationId: principal.organisationId, responseId: principal.responseId, questionKey: question.key, ...normalise(ctx.input), updatedAt: ctx.now, updatedBy: supplierActorId(principal) },
    ifMatch: ctx.ifMatch,
    questionnaireId,
  });
  return saved && { answer: toAnswerDto(saved.answer), responseVersion: saved.responseVersion };
}

/** Throws what stops a supplier's save, in the order every write reports it (missing 404, stale 412, not writable 409); returns when nothing does. */
async function explainRefusedSave(ctx: SupplierCtx & { ifMatch?: number | undefined }, procurement: ProcurementDto): Promise<void> {
  const current = await repo.findResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.principal.responseId });
  if (!current) throw responsesErrors.invitationNotFound();
  if (ctx.ifMatch !== undefined && ctx.ifMatch !== current.version) throw answerErrors.stale();
  assertWritable(procurement, current, ctx.now);
}

export type BulkResult = { saved: Record<string, AnswerDto>; unchanged: string[]; ignored: string[]; responseVersion: number };

/**
 * Saves many answers at once, all or nothing: every answer is checked first and every problem is
 * reported together; only when there are none is anything written. An answer identical to the one
 * stored is left alone (no new version), so re-importing the same library is harmless.
 * `unknownKeys: 'ignore'` lets an answer library that covers other questionnaires be imported.
 */
export async function saveAnswers(
  ctx: SupplierCtx & { answers: Record<string, AnswerInput>; ifMatch?: number | undefined; unknownKeys: 'reject' | 'ignore'; pathPrefix: string },
): Promise<BulkResult> {
  return inTransaction(ctx.db, async (tx) => {
    const { response, questions, definition } = await lockForSupplierChange({ ...ctx, db: tx });
    const problems: FieldProblem[] = [];
    const ignored: string[] = [];
    const accepted: Array<[Question, AnswerInput]> = [];
    const everyQuestion = ctx.principal.teamMember ? questionsByKey(definition) : questions;
    for (const [key, input] of Object.entries(ctx.answers)) {
      const question = questions.get(key);
      if (!question) {
        if (ctx.unknownKeys === 'ignore') ignored.push(key);
        // Another section's question is not the colleague's to answer: not found, as for one answer.
        else if (everyQuestion.has(key)) throw answerErrors.questionNotFound(key);
        else problems.push({ path: `${ctx.pathPrefix}/${key}`, message: `There is no question "${key}" in this questionnaire`, code: key });
        continue;
      }
      problems.push(...problemsOf({ question, input, path: `${ctx.pathPrefix}/${key}` }));
      accepted.push([question, input]);
    }
    if (problems.length > 0) throw answerErrors.invalidValues(problems);

    const existing = new Map((await repo.answersOf({ db: tx, responseId: response.id })).map((row) => [row.questionKey, row]));
    const saved: Record<string, AnswerDto> = {};
    const unchanged: string[] = [];
    for (const [question, input] of accepted) {
      const normalised = normalise(input);
      const current = existing.get(question.key);
      if (current && sameAnswer(current, normalised)) {
        unchanged.push(question.key);
        continue;
      }
      const row = await repo.saveAnswerWithHistory({
        db: tx,
        values: { organisationId: ctx.principal.organisationId, responseId: response.id, questionKey: question.key, ...normalised, updatedAt: ctx.now, updatedBy: supplierActorId(ctx.principal) },
        change: 'saved',
      });
      saved[question.key] = toAnswerDto(row);
    }
    const responseVersion = Object.keys(saved).length > 0 ? await bump({ db: tx, now: ctx.now, response }) : response.version;
    return { saved, unchanged, ignored, responseVersion };
  });
}

function sameAnswer(row: repo.AnswerRow, input: ReturnType<typeof normalise>): boolean {
  return (
    JSON.stringify(row.value) === JSON.stringify(input.value) &&
    row.comment === input.comment &&
    row.confidential === input.confidential &&
    row.confidentialReason === input.confidentialReason
  );
}

/** Clears one answer; its history keeps what it was. */
export async function clearAnswer(ctx: SupplierCtx & { questionKey: string; ifMatch?: number | undefined }): Promise<{ responseVersion: number }> {
  return inTransaction(ctx.db, async (tx) => {
    const { response } = await lockForSupplierChange({ ...ctx, db: tx });
    const existing = await repo.findAnswer({ db: tx, responseId: response.id, questionKey: ctx.questionKey });
    if (!existing) return { responseVersion: response.version };
    await clearWithHistory({ ...ctx, db: tx, existing });
    return { responseVersion: (await repo.bumpResponse({ db: tx, id: response.id, now: ctx.now })).version };
  });
}

async function clearWithHistory({ db, now, principal, existing }: SupplierCtx & { existing: repo.AnswerRow }): Promise<void> {
  await repo.deleteAnswer({ db, id: existing.id });
  await repo.insertAnswerVersion({
    db,
    values: {
      organisationId: principal.organisationId,
      responseId: existing.responseId,
      questionKey: existing.questionKey,
      version: existing.version + 1,
      value: null,
      comment: null,
      confidential: false,
      confidentialReason: null,
      change: 'cleared',
      changedAt: now,
      changedBy: supplierActorId(principal),
    },
  });
}

type AnswerState = { value: unknown; comment?: string | null | undefined; confidential?: boolean | undefined; confidentialReason?: string | null | undefined };

/**
 * A short fingerprint of an answer as a person would compare it (or of no answer): what a form was
 * rendered with, so a save can tell what this page changed from what someone else changed since.
 * Line endings and the order of chosen options do not count as changes.
 */
export function answerFingerprint(answer: AnswerState | null | undefined): string {
  if (!answer || answer.value === null || answer.value === undefined) return 'none';
  const n = normalise(answer);
  const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : v);
  const value = Array.isArray(n.value) ? [...n.value].map(text).sort() : text(n.value);
  return sha256Hex(canonicalJson({ value, comment: text(n.comment), confidential: n.confidential, reason: text(n.confidentialReason) })).slice(0, 24);
}

/** One field of a section form: what the page was rendered with, and what came back. */
export type SectionChange = {
  key: string;
  /** `answerFingerprint` of the answer when the page was rendered. */
  base: string;
  /** What the form holds now; null for a blank field. */
  posted: AnswerInput | null;
  /** After a conflict was shown: the supplier chose to keep the answer someone else saved. */
  keepTheirs?: boolean | undefined;
};

export type SectionSaveResult =
  | { outcome: 'saved'; saved: string[]; cleared: string[]; responseVersion: number }
  | { outcome: 'conflict'; conflicts: Array<{ key: string; theirs: AnswerDto | null; base: string }> };

/**
 * Saves a section form. Only what this page changed is written: a field still holding what it was
 * rendered with is left alone (another tab may have answered it since), and a field is cleared only
 * when it had an answer when rendered and is blank now. When someone else changed the same answer
 * since the page was rendered, nothing at all is written and each such answer is returned, so the
 * supplier sees both and chooses. Problems with values are all reported (422), and nothing is written.
 */
export async function saveSectionAnswers(ctx: SupplierCtx & { changes: SectionChange[] }): Promise<SectionSaveResult> {
  return inTransaction(ctx.db, async (tx) => {
    const { response, questions } = await lockForSupplierChange({ ...ctx, db: tx });
    const existing = new Map((await repo.answersOf({ db: tx, responseId: response.id })).map((row) => [row.questionKey, row]));
    const writes: Array<{ question: Question; posted: AnswerInput | null; current: repo.AnswerRow | undefined }> = [];
    const conflicts: Array<{ key: string; theirs: AnswerDto | null; base: string }> = [];
    const problems: FieldProblem[] = [];
    for (const change of ctx.changes) {
      const question = questions.get(change.key);
      if (!question) {
        problems.push({ path: `/answers/${change.key}`, message: `There is no question "${change.key}" in this questionnaire`, code: change.key });
        continue;
      }
      const mine = answerFingerprint(change.posted);
      if (mine === change.base || change.keepTheirs) continue;
      const current = existing.get(change.key);
      const theirs = answerFingerprint(current);
      if (theirs === mine) continue;
      if (theirs !== change.base) {
        conflicts.push({ key: change.key, theirs: current ? toAnswerDto(current) : null, base: theirs });
        continue;
      }
      if (change.posted) problems.push(...problemsOf({ question, input: change.posted, path: `/answers/${change.key}` }));
      writes.push({ question, posted: change.posted, current });
    }
    if (problems.length > 0) throw answerErrors.invalidValues(problems);
    if (conflicts.length > 0) return { outcome: 'conflict', conflicts };
    const saved: string[] = [];
    const cleared: string[] = [];
    for (const { question, posted, current } of writes) {
      if (posted) {
        await repo.saveAnswerWithHistory({
          db: tx,
          values: { organisationId: ctx.principal.organisationId, responseId: response.id, questionKey: question.key, ...normalise(posted), updatedAt: ctx.now, updatedBy: supplierActorId(ctx.principal) },
          change: 'saved',
        });
        saved.push(question.key);
      } else if (current) {
        await clearWithHistory({ ...ctx, db: tx, existing: current });
        cleared.push(question.key);
      }
    }
    const responseVersion = writes.length > 0 ? await bump({ db: tx, now: ctx.now, response }) : response.version;
    return { outcome: 'saved', saved, cleared, responseVersion };
  });
}

export const ANSWERS_EXPORT_FORMAT = 'aidd.answers/v1';

export type AnswersExport = {
  format: typeof ANSWERS_EXPORT_FORMAT;
  exportedAt: string;
  questionnaire: { id: string; key: string; version: string; title: string };
  answers: Record<string, { value: unknown; comment: string | null; confidential: boolean; confidentialReason: string | null }>;
};

/** The supplier's answers keyed by question key: a document it can keep and import elsewhere. */
export async function exportAnswers(ctx: SupplierCtx): Promise<AnswersExport> {
  const response = await repo.findResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.principal.responseId });
  if (!response) throw responsesErrors.invitationNotFound();
  const { procurement, definition } = await supplierContext(ctx);
  const reachable = questionsByKey(definition, ctx.principal);
  const rows = (await repo.answersOf({ db: ctx.db, responseId: response.id })).filter((r) => reachable.has(r.questionKey));
  return {
    format: ANSWERS_EXPORT_FORMAT,
    exportedAt: ctx.now.toISOString(),
    questionnaire: procurement.questionnaire,
    answers: Object.fromEntries(rows.map((r) => [r.questionKey, { value: r.value, comment: r.comment, confidential: r.confidential, confidentialReason: r.confidentialReason }])),
  };
}

/**
 * Fills the response from an answer document (an export, or the supplier's own library): every
 * answer is checked and every problem reported; nothing is saved unless all are valid. Keys this
 * questionnaire does not have are listed as ignored, not refused, since a library covers many.
 */
export async function importAnswers(ctx: SupplierCtx & { answers: Record<string, AnswerInput>; ifMatch?: number | undefined }): Promise<BulkResult> {
  return saveAnswers({ ...ctx, unknownKeys: 'ignore', pathPrefix: '/body/answers' });
}
