import { isKeyWithout, type Principal, type SupplierPrincipal } from '../../platform/auth';
import type { Db } from '../../platform/db';
import { getProcurement, getProcurementWithDefinition, type ProcurementDto } from '../procurements';
import type { Question, QuestionnaireDefinition } from '../questionnaires';
import { answerErrors, responsesErrors, teamErrors } from './responses.errors';
import { confidentialKeys, supplierDeadline } from './responses.models';
import * as repo from './responses.repository';

/** Council staff and API keys with `responses:read`: the answers and evidence. Evaluators read them only through evaluation, after declaring. */
export const RESPONSE_READERS = { roles: ['admin', 'officer', 'viewer'], scopes: ['responses:read'] } as const;

// Evaluators see responses only through evaluation (after declaring conflicts of interest), not progress.
/** Each supplier's progress, procurement-level and without answers (those need responses:read): council staff other than the panel's evaluators, and keys with procurements:read. */
export const PROGRESS_READERS = { roles: ['admin', 'officer', 'viewer'], scopes: ['procurements:read'] } as const;

/**
 * Whether answers the supplier marked confidential are withheld from this caller: from an API key
 * without `responses:read-confidential`. Council staff see them by role, suppliers their own.
 */
export const withholdsConfidential = (principal: Principal): boolean => isKeyWithout(principal, 'responses:read-confidential');

/** The questions of a response whose answer is confidential live, as last submitted, or where a clarification keeps it. */
export async function confidentialQuestions({ db, responseId }: { db: Db; responseId: string }): Promise<Set<string>> {
  const live = await repo.answersOf({ db, responseId });
  const submission = await repo.latestSubmission({ db, responseId });
  const clarifications = await repo.clarificationsOf({ db, responseId });
  return confidentialKeys([
    ...live.map((answer) => [answer.questionKey, answer] as const),
    ...Object.entries(submission?.answers ?? {}),
    ...clarifications.flatMap((c) => [[c.questionKey, c.originalAnswer] as const, [c.questionKey, c.amendedAnswer] as const]),
  ]);
}

/** The response's procurement and pinned questionnaire, read with the supplier's own principal. */
export async function supplierContext({ db, now, principal }: { db: Db; now: Date; principal: SupplierPrincipal }): Promise<{ procurement: ProcurementDto; definition: QuestionnaireDefinition }> {
  // The questionnaire is read once (its definition is cached by hash), not once for the procurement and again here.
  return getProcurementWithDefinition({ db, now, principal, id: principal.procurementId });
}

export function effectiveDeadline(procurement: ProcurementDto, response: repo.ResponseRow): Date {
  return supplierDeadline({ deadline: new Date(procurement.deadline), deadlineOverride: response.deadlineOverride });
}

/** Why a supplier's response cannot change now, if it cannot. */
export function assertWritable(procurement: ProcurementDto, response: repo.ResponseRow, now: Date): void {
  if (response.status === 'submitted') throw answerErrors.alreadySubmitted();
  if (response.status === 'withdrawn') throw answerErrors.withdrawn();
  if (effectiveDeadline(procurement, response) <= now) throw answerErrors.deadlinePassed();
  if (procurement.status !== 'open') throw answerErrors.notOpen(procurement.status);
}

/**
 * The questionnaire's questions by key; given a supplier, only those it may reach: every one for the
 * lead, its own sections' for a bid-team colleague (another section's question is not found for it).
 */
export function questionsByKey(definition: QuestionnaireDefinition, principal?: SupplierPrincipal): ReadonlyMap<string, Question> {
  const byKey = (sections: QuestionnaireDefinition['sections']) => new Map(sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
  const only = principal?.teamMember?.sections;
  if (only) return byKey(definition.sections.filter((s) => only.includes(s.key)));
  let every = everyQuestion.get(definition);
  if (!every) {
    every = byKey(definition.sections);
    if (Object.isFrozen(definition)) everyQuestion.set(definition, every);
  }
  return every;
}

// Cached definitions are frozen (questionnaires.usecases): without this, every autosave built the same map of 150 questions again.
const everyQuestion = new WeakMap<QuestionnaireDefinition, ReadonlyMap<string, Question>>();

/** Refuses a bid-team colleague what only the lead supplier may do (submit, reply to the council, manage the team). */
export function assertLead(principal: SupplierPrincipal, what: string): void {
  if (principal.teamMember) throw teamErrors.leadOnly(what);
}

/**
 * What every supplier change starts with, in order: lock the response (so changes take turns),
 * check If-Match, and check the response may still change. Must run inside a transaction.
 */
export async function lockForSupplierChange(ctx: { db: Db; now: Date; principal: SupplierPrincipal; ifMatch?: number | undefined; questionKey?: string | undefined }) {
  const response = await repo.lockResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.principal.responseId });
  if (!response) throw responsesErrors.invitationNotFound();
  const { procurement, definition } = await supplierContext(ctx);
  const questions = questionsByKey(definition, ctx.principal);
  // An unknown question (for a bid-team colleague, also another section's) is a 404 before
  // anything else, so a typo in a key never reads as a conflict.
  if (ctx.questionKey !== undefined && !questions.has(ctx.questionKey)) throw answerErrors.questionNotFound(ctx.questionKey);
  if (ctx.ifMatch !== undefined && ctx.ifMatch !== response.version) throw answerErrors.stale();
  assertWritable(procurement, response, ctx.now);
  return { response, procurement, definition, questions };
}

/** The procurement, read as the caller; any failure to read it is this module's 404. */
export async function procurementOf(ctx: { db: Db; now: Date; principal: Principal }, id: string): Promise<ProcurementDto> {
  try {
    return await getProcurement({ ...ctx, id });
  } catch {
    throw responsesErrors.procurementNotFound();
  }
}

/** Who changed a supplier's answer or file, as history records it: the bid-team colleague when one did, else the invitation (the lead). */
export const supplierActorId = (principal: SupplierPrincipal): string => principal.teamMember?.id ?? principal.invitationId;
