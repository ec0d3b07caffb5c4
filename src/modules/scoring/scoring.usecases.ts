import { recordAudit } from '../../platform/audit';
import { actorOf, type Principal } from '../../platform/auth';
import { canonicalJson, sha256Hex } from '../../platform/crypto';
import { inTransaction, lockOrganisation, type Db } from '../../platform/db';
import { getProcurement, procurementIdsOnPanel, transitionProcurement, type ProcurementDto } from '../procurements';
import { getQuestionnaire, type Answers, type QuestionnaireDefinition } from '../questionnaires';
import { decideAmendment as recordAmendmentDecision, downloadEvidenceForOfficer, responsesForScoring, submittedResponse, WITHHELD_NOTICE, withholdsConfidential, type SubmittedResponse } from '../responses';
import type { BlobStorage } from '../../platform/storage';
import { scoringErrors } from './scoring.errors';
import { activeGateways, evaluateResponse, questionsNeedingMarks, rankByScore, withholdConfidentialWorking, type Evaluation, type EvaluationInput, type Score } from './scoring.models';
import { feedItemOf, publishScore } from './scoring.feed';
import { integrityFlags, type IntegrityFlag } from './integrity.models';
import { gatewayOwnersOf, registerOf, type Condition } from './conditions.models';
import { rankingRobustness, type RankingRobustness } from './robustness.models';
import * as repo from './scoring.repository';

export type Ctx = { db: Db; now: Date; principal: Principal };
type EvidenceDownload = Awaited<ReturnType<typeof downloadEvidenceForOfficer>>;

export type Context = { procurement: ProcurementDto; definition: QuestionnaireDefinition; definitionHash: string };

async function procurementContext(ctx: Omit<Ctx, 'now'> & { now: Date }, procurementId: string): Promise<Context> {
  let procurement: ProcurementDto;
  try {
    procurement = await getProcurement({ ...ctx, id: procurementId });
  } catch {
    throw scoringErrors.procurementNotFound();
  }
  const questionnaire = await getQuestionnaire({ db: ctx.db, principal: ctx.principal, id: procurement.questionnaire.id });
  return { procurement, definition: questionnaire.definition, definitionHash: questionnaire.definitionHash };
}

export async function responseContext(ctx: Ctx, responseId: string): Promise<Context & { response: SubmittedResponse }> {
  const response = await submittedResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId });
  if (!response) throw scoringErrors.responseNotFound();
  return { ...(await procurementContext(ctx, response.procurementId)), response };
}

export const userIdOf = (principal: Principal): string | null => (principal.kind === 'user' ? principal.userId : null);
export const isOfficer = (principal: Principal) => principal.kind === 'user' && (principal.role === 'admin' || principal.role === 'officer');

export const audit = (ctx: Ctx, action: string, subject: { type: string; id: string }, details: Record<string, unknown>) =>
  recordAudit({ db: ctx.db, organisationId: ctx.principal.organisationId, actor: actorOf(ctx.principal), action, subject, details, now: ctx.now });

// ───────────────────────────────────────────── the stored evaluation

function inputFor({
  context,
  response,
  moderations,
  decisions,
}: {
  context: Context;
  response: SubmittedResponse;
  moderations: repo.ModerationRow[];
  decisions: repo.GatewayDecisionRow[];
}): EvaluationInput {
  return {
    definition: context.definition,
    definitionHash: context.definitionHash,
    riskTier: context.procurement.riskTier,
    weights: context.procurement.weights,
    triage: context.procurement.triage as Answers,
    answers: response.answers,
    evidence: response.evidence,
    // Only when there are any, so an evaluation without amendments keeps the inputs hash it had.
    ...(Object.keys(response.amendments).length > 0 ? { amendments: response.amendments } : {}),
    marks: Object.fromEntries(moderations.map((m) => [m.questionKey, { score: m.score as Score, rationale: m.rationale }])),
    gatewayDecisions: Object.fromEntries(
      decisions.map((d) => [d.questionKey, { outcome: d.outcome, rationale: d.rationale, ...(d.action ? { action: d.action } : {}), ...(d.dueDate ? { dueDate: d.dueDate } : {}) }]),
    ),
  };
}

/** What the panel has recorded on one response: the moderated marks and the gateway decisions. */
async function panelInputsOf(db: Db, responseId: string): Promise<{ moderations: repo.ModerationRow[]; decisions: repo.GatewayDecisionRow[] }> {
  // One after the other: inside a transaction `db` is a single client, which runs one query at a time.
  const moderations = await repo.moderationsOf({ db, responseIds: [responseId] });
  const decisions = await repo.gatewayDecisionsOf({ db, responseIds: [responseId] });
  return { moderations, decisions };
}

async function computeFor(db: Db, context: Context, response: SubmittedResponse): Promise<Evaluation> {
  return evaluateResponse(inputFor({ context, response, ...(await panelInputsOf(db, response.responseId)) }));
}

/** An evaluation to store for a response, with the response's gateway decisions when the caller read them. */
type StoreInput = { db: Db; organisationId: string; context: Context; response: SubmittedResponse; evaluation: Evaluation; decisions?: repo.GatewayDecisionRow[]; now: Date };

/**
 * Stores an evaluation and works out its conditions register, in the caller's transaction, from
 * the gateway decisions the caller read (or read here). Takes no lock.
 */
async function storeEvaluation({ db, organisationId, context, response, evaluation, decisions, now }: StoreInput): Promise<{ row: repo.EvaluationRow; conditions: Condition[] }> {
  const row = await repo.upsertEvaluation({
    db,
    values: {
      responseId: response.responseId,
      organisationId,
      procurementId: response.procurementId,
      evaluation,
      inputsHash: evaluation.inputsHash,
      overallScore: evaluation.overallScore,
      rating: evaluation.rating,
      provisional: evaluation.provisional,
      computedAt: now,
    },
  });
  const conditions = await registerFor({ db, context, response, evaluation, decisions });
  return { row, conditions };
}

/** Stores an evaluation and publishes it to the scores feed, in the caller's transaction (with the response's gateway decisions, when the caller read them). */
async function store(input: StoreInput) {
  const { db, organisationId, context, response, evaluation, now } = input;
  const { conditions } = await storeEvaluation(input);
  await publishScore({ db, organisationId, item: feedItemOf({ procurement: context.procurement, response, evaluation, conditions }), now });
}

/** A response's conditions register: raised by its evaluation, with what people recorded about each. */
export async function registerFor({
  db,
  context,
  response,
  evaluation,
  decisions,
}: {
  db: Db;
  context: Context;
  response: SubmittedResponse;
  evaluation: Evaluation;
  /** The response's gateway decisions, when the caller has them. */
  decisions?: repo.GatewayDecisionRow[] | undefined;
}): Promise<Condition[]> {
  // One after the other: inside a transaction `db` is a single client.
  const decided = decisions ?? (await repo.gatewayDecisionsOf({ db, responseIds: [response.responseId] }));
  const states = await repo.conditionStatesOf({ db, responseIds: [response.responseId] });
  return registerOf({ definition: context.definition, answers: response.answers, evaluation, decisions: decided, states });
}

/**
 * Brings one response's stored evaluation up to date, inside the caller's transaction: computed
 * when it is submitted, removed when it is not (withdrawn). Called whenever an input changes.
 */
export async function refreshEvaluation({ db, organisationId, responseId, now }: { db: Db; organisationId: string; responseId: string; now: Date }): Promise<void> {
  const principal: Principal = { kind: 'system', organisationId, name: 'scoring' };
  const response = await submittedResponse({ db, organisationId, responseId });
  if (!response) return;
  const context = await procurementContext({ db, now, principal }, response.procurementId);
  if (response.status !== 'submitted') {
    await repo.deleteEvaluation({ db, responseId });
    // The feed keeps the response, marked withdrawn, so integrators learn it no longer counts.
    await publishScore({ db, organisationId, item: feedItemOf({ procurement: context.procurement, response, evaluation: null, conditions: [] }), now });
    return;
  }
  // The decisions serve both the evaluation and its conditions register.
  const { moderations, decisions } = await panelInputsOf(db, response.responseId);
  await store({ db, organisationId, context, response, evaluation: evaluateResponse(inputFor({ context, response, moderations, decisions })), decisions, now });
}

/**
 * The evaluation as the API answers it: the engine's result, plus what the engine does not take
 * (who owns each condition, and the moderator's sign-off).
 */
export type EvaluationDto = Omit<Evaluation, 'gateways'> & {
  gateways: Array<Evaluation['gateways'][number] & { owner?: string }>;
  responseId: string;
  procurementId: string;
  supplierName: string;
  computedAt: string;
  finalisedAt: string | null;
  finalisedBy: string | null;
};

/** The extra facts of an evaluation's answer, read beside the stored evaluation. */
async function answerOf({ db, evaluation, response, computedAt }: { db: Db; evaluation: Evaluation; response: SubmittedResponse; computedAt: Date }): Promise<EvaluationDto> {
  // One after the other: inside a transaction both share one connection.
  const decisions = await repo.gatewayDecisionsOf({ db, responseIds: [response.responseId] });
  const finalisation = await repo.findFinalisation({ db, responseId: response.responseId });
  return answerWith({ evaluation, response, computedAt, decisions, finalisation: finalisation ?? null });
}

function answerWith({
  evaluation,
  response,
  computedAt,
  decisions,
  finalisation,
}: {
  evaluation: Evaluation;
  response: SubmittedResponse;
  computedAt: Date;
  decisions: repo.GatewayDecisionRow[];
  finalisation: repo.FinalisationRow | null;
}): EvaluationDto {
  const owners = gatewayOwnersOf(decisions);
  return {
    ...evaluation,
    gateways: evaluation.gateways.map((g) => (g.outcome === 'conditional' && Object.hasOwn(owners, g.questionKey) ? { ...g, owner: owners[g.questionKey]! } : g)),
    responseId: response.responseId,
    procurementId: response.procurementId,
    supplierName: response.supplierName,
    computedAt: computedAt.toISOString(),
    finalisedAt: finalisation?.finalisedAt.toISOString() ?? null,
    finalisedBy: finalisation?.finalisedBy ?? null,
  };
}

/**
 * The stored evaluation. With `recompute`, it is computed again from the stored inputs and
 * `matchesStored` says whether the two are identical, byte for byte: anyone can check.
 */
export async function getEvaluation(ctx: Ctx & { responseId: string; recompute: boolean }): Promise<EvaluationDto & { matchesStored?: boolean }> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  await assertMayReadEvaluations(ctx, context.procurement);
  const stored = await repo.findEvaluation({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId: response.responseId });
  if (!stored || response.status !== 'submitted') throw scoringErrors.notSubmitted();
  // The working quotes answers: an API key without responses:read-confidential gets the numbers only for confidential ones.
  const shown = (evaluation: Evaluation) =>
    answerOf({
      db: ctx.db,
      response,
      computedAt: stored.computedAt,
      evaluation: withholdsConfidential(ctx.principal) ? withholdConfidentialWorking(evaluation, new Set(Object.keys(response.details).filter((key) => response.details[key]?.confidential)), WITHHELD_NOTICE) : evaluation,
    });
  if (!ctx.recompute) return shown(stored.evaluation);
  const fresh = await computeFor(ctx.db, context, response);
  return { ...(await shown(fresh)), matchesStored: canonicalJson(fresh) === canonicalJson(stored.evaluation) };
}

/** Recomputes and stores every submitted response of a procurement; says how many changed. */
export async function recomputeProcurement(ctx: Ctx & { procurementId: string }): Promise<{ recomputed: number; changed: number }> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const context = await procurementContext(scoped, ctx.procurementId);
    const responses = (await responsesForScoring({ db: tx, organisationId: ctx.principal.organisationId, procurementId: context.procurement.id })).filter((r) => r.status === 'submitted');
    const ids = responses.map((r) => r.responseId);
    const [moderations, decisions, stored] = await Promise.all([
      repo.moderationsOf({ db: tx, responseIds: ids }),
      repo.gatewayDecisionsOf({ db: tx, responseIds: ids }),
      repo.evaluationsOf({ db: tx, organisationId: ctx.principal.organisationId, procurementId: context.procurement.id }),
    ]);
    // jsonb does not keep key order, so both sides are compared in canonical form.
    const storedJson = new Map(stored.map((e) => [e.responseId, canonicalJson(e.evaluation)]));
    let changed = 0;
    for (const response of responses) {
      const decided = decisions.filter((d) => d.responseId === response.responseId);
      const evaluation = evaluateResponse(inputFor({ context, response, moderations: moderations.filter((m) => m.responseId === response.responseId), decisions: decided }));
      if (storedJson.get(response.responseId) !== canonicalJson(evaluation)) {
        changed += 1;
        await store({ db: tx, organisationId: ctx.principal.organisationId, context, response, evaluation, decisions: decided, now: ctx.now });
      } else {
        // The scores are the same, but a published fact (a reference, say) may not be.
        const conditions = await registerFor({ db: tx, context, response, evaluation, decisions: decided });
        await publishScore({ db: tx, organisationId: ctx.principal.organisationId, item: feedItemOf({ procurement: context.procurement, response, evaluation, conditions }), now: ctx.now });
      }
    }
    return { recomputed: responses.length, changed };
  });
}

// ───────────────────────────────────────────── who may do what

export function panelRole(procurement: ProcurementDto, principal: Principal): 'evaluator' | 'moderator' | null {
  const userId = userIdOf(principal);
  if (!userId) return null;
  if (procurement.moderatorId === userId) return 'moderator';
  if (procurement.evaluatorIds.includes(userId)) return 'evaluator';
  return null;
}

async function assertDeclared(ctx: Ctx, procurement: ProcurementDto): Promise<void> {
  const declaration = await repo.findDeclaration({ db: ctx.db, procurementId: procurement.id, userId: userIdOf(ctx.principal)! });
  if (!declaration) throw scoringErrors.declarationRequired();
  if (declaration.hasConflict && !declaration.mitigatedAt) throw scoringErrors.conflictUnmitigated();
}

/** A panel member (evaluator or moderator) who has declared, and whose conflict, if any, is mitigated. */
export async function assertPanel(ctx: Ctx, procurement: ProcurementDto, role: 'evaluator' | 'moderator' | 'either'): Promise<'evaluator' | 'moderator'> {
  const actual = panelRole(procurement, ctx.principal);
  if (!actual) throw scoringErrors.notOnPanel();
  if (role !== 'either' && actual !== role) throw role === 'moderator' ? scoringErrors.notModerator() : scoringErrors.notOnPanel();
  await assertDeclared(ctx, procurement);
  return actual;
}

/** Council staff and API keys (scope checked by the route) read evaluations; of the panel, only the declared moderator. */
export async function assertMayReadEvaluations(ctx: Ctx, procurement: ProcurementDto): Promise<void> {
  if (ctx.principal.kind === 'api_key') return;
  if (ctx.principal.kind === 'user' && ['admin', 'officer', 'viewer'].includes(ctx.principal.role)) return;
  await assertPanel(ctx, procurement, 'moderator');
}

function assertEvaluating(procurement: ProcurementDto): void {
  if (procurement.status !== 'evaluating') throw scoringErrors.notEvaluating(procurement.status);
}

/** Once the moderator has finalised a response's evaluation, the panel's inputs to it are fixed. */
async function assertNotFinalised(db: Db, responseId: string): Promise<void> {
  if (await repo.findFinalisation({ db, responseId })) throw scoringErrors.finalised();
}

// ───────────────────────────────────────────── declarations

export type DeclarationDto = {
  id: string;
  procurementId: string;
  userId: string;
  hasConflict: boolean;
  details: string;
  declaredAt: string;
  mitigation: string | null;
  mitigatedAt: string | null;
  mayEvaluate: boolean;
};

const toDeclarationDto = (row: repo.DeclarationRow): DeclarationDto => ({
  id: row.id,
  procurementId: row.procurementId,
  userId: row.userId,
  hasConflict: row.hasConflict,
  details: row.details,
  declaredAt: row.declaredAt.toISOString(),
  mitigation: row.mitigation,
  mitigatedAt: row.mitigatedAt?.toISOString() ?? null,
  mayEvaluate: !row.hasConflict || row.mitigatedAt !== null,
});

/** A panel member declares, once, whether they have a conflict of interest in this procurement. */
export async function declare(ctx: Ctx & { procurementId: string; hasConflict: boolean; details: string }): Promise<DeclarationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { procurement } = await procurementContext(scoped, ctx.procurementId);
    if (!panelRole(procurement, ctx.principal)) throw scoringErrors.notOnPanel();
    const userId = userIdOf(ctx.principal)!;
    if (await repo.findDeclaration({ db: tx, procurementId: procurement.id, userId })) throw scoringErrors.alreadyDeclared();
    const row = await repo.insertDeclaration({
      db: tx,
      values: { organisationId: ctx.principal.organisationId, procurementId: procurement.id, userId, hasConflict: ctx.hasConflict, details: ctx.details.trim(), declaredAt: ctx.now },
    });
    await audit(scoped, 'evaluation.declared', { type: 'procurement', id: procurement.id }, { declarationId: row.id, userId, hasConflict: row.hasConflict, details: row.details });
    return toDeclarationDto(row);
  });
}

export async function listDeclarations(ctx: Ctx & { procurementId: string }): Promise<DeclarationDto[]> {
  const { procurement } = await procurementContext(ctx, ctx.procurementId);
  return (await repo.declarationsOf({ db: ctx.db, procurementId: procurement.id })).map(toDeclarationDto);
}

/** An officer records how a declared conflict is mitigated; the evaluator may then take part. */
export async function mitigate(ctx: Ctx & { procurementId: string; declarationId: string; mitigation: string }): Promise<DeclarationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { procurement } = await procurementContext(scoped, ctx.procurementId);
    const row = (await repo.declarationsOf({ db: tx, procurementId: procurement.id })).find((d) => d.id === ctx.declarationId);
    if (!row) throw scoringErrors.declarationNotFound();
    const updated = await repo.updateDeclaration({ db: tx, id: row.id, changes: { mitigation: ctx.mitigation.trim(), mitigatedBy: actorOf(ctx.principal).id, mitigatedAt: ctx.now } });
    await audit(scoped, 'evaluation.conflict_mitigated', { type: 'procurement', id: procurement.id }, { declarationId: row.id, userId: row.userId, mitigation: updated.mitigation });
    return toDeclarationDto(updated);
  });
}

// ───────────────────────────────────────────── the panel's view of a response, and marks

export type MarkDto = { questionKey: string; evaluatorId: string; score: number; justification: string; updatedAt: string };
const toMarkDto = (row: repo.MarkRow): MarkDto => ({ questionKey: row.questionKey, evaluatorId: row.evaluatorId, score: row.score, justification: row.justification, updatedAt: row.updatedAt.toISOString() });

export type PanelViewDto = {
  responseId: string;
  procurementId: string;
  supplierName: string;
  answers: Record<string, unknown>;
  amended: string[];
  evidence: Record<string, number>;
  evidenceFiles: SubmittedResponse['evidenceFiles'];
  questionsToMark: string[];
  gateways: string[];
  yourRole: 'evaluator' | 'moderator';
  yourMarksSubmitted: boolean;
};

function panelViewOf({ context, response, role, marksSubmitted }: { context: Context; response: SubmittedResponse; role: 'evaluator' | 'moderator'; marksSubmitted: boolean }): PanelViewDto {
  const { procurement, definition } = context;
  const visibilityInput = { definition, triage: procurement.triage as Answers, answers: response.answers, evidence: response.evidence };
  return {
    responseId: response.responseId,
    procurementId: procurement.id,
    supplierName: response.supplierName,
    answers: response.answers,
    amended: response.amended,
    evidence: response.evidence,
    evidenceFiles: response.evidenceFiles,
    questionsToMark: questionsNeedingMarks(visibilityInput),
    gateways: activeGateways({ ...visibilityInput, riskTier: procurement.riskTier }),
    yourRole: role,
    yourMarksSubmitted: marksSubmitted,
  };
}

/** What a declared panel member sees of a submitted response: its answers and what they must mark. */
export async function panelView(ctx: Ctx & { responseId: string }): Promise<PanelViewDto> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  const role = await assertPanel(ctx, context.procurement, 'either');
  if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
  const marksSubmitted = Boolean(await repo.findMarkSubmission({ db: ctx.db, responseId: response.responseId, evaluatorId: userIdOf(ctx.principal)! }));
  return panelViewOf({ context, response, role, marksSubmitted });
}

/** One evidence file of a submitted response, for a declared panel member: only files frozen in the submission. */
export async function panelEvidence(ctx: Ctx & { responseId: string; evidenceId: string; storage: BlobStorage }): Promise<EvidenceDownload> {
  const { response, procurement } = await responseContext(ctx, ctx.responseId);
  await assertPanel(ctx, procurement, 'either');
  if (!response.evidenceFiles.some((f) => f.id === ctx.evidenceId)) throw scoringErrors.evidenceNotFound();
  return downloadEvidenceForOfficer({ db: ctx.db, principal: ctx.principal, storage: ctx.storage, responseId: response.responseId, id: ctx.evidenceId });
}

/**
 * An evaluator's own mark on one manual question, while their set is not yet submitted. Once it is,
 * the score is fixed, but the evaluator may still reword the justification (the same score, new
 * text), even after finalising and the decision: the justification explains the mark in each
 * bidder's assessment summary, which is refused while one does not refer to the tender, and no
 * score or evaluation depends on its wording. Audited with both texts.
 */
export async function putMark(ctx: Ctx & { responseId: string; questionKey: string; score: number; justification: string }): Promise<MarkDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, procurement, definition } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, procurement, 'evaluator');
    const evaluatorId = userIdOf(ctx.principal)!;
    if (await repo.findMarkSubmission({ db: tx, responseId: response.responseId, evaluatorId })) {
      const [own] = (await repo.marksOf({ db: tx, responseId: response.responseId, evaluatorId })).filter((m) => m.questionKey === ctx.questionKey);
      if (!own || own.score !== ctx.score || (procurement.status !== 'evaluating' && procurement.status !== 'decided')) throw scoringErrors.marksSubmitted();
      const justification = ctx.justification.trim();
      if (justification === own.justification) return toMarkDto(own);
      const row = await repo.upsertMark({ db: tx, values: { ...own, justification, updatedAt: ctx.now } });
      await audit(scoped, 'evaluation.justification_reworded', { type: 'response', id: response.responseId }, { questionKey: ctx.questionKey, evaluatorId, score: own.score, previous: own.justification, justification });
      return toMarkDto(row);
    }
    assertEvaluating(procurement);
    if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
    await assertNotFinalised(tx, response.responseId);
    const markable = questionsNeedingMarks({ definition, triage: procurement.triage as Answers, answers: response.answers, evidence: response.evidence });
    if (!markable.includes(ctx.questionKey)) throw scoringErrors.notMarkable(ctx.questionKey);
    const row = await repo.upsertMark({
      db: tx,
      values: { organisationId: ctx.principal.organisationId, responseId: response.responseId, questionKey: ctx.questionKey, evaluatorId, score: ctx.score, justification: ctx.justification.trim(), updatedAt: ctx.now },
    });
    await audit(scoped, 'evaluation.marked', { type: 'response', id: response.responseId }, { questionKey: ctx.questionKey, evaluatorId, score: row.score, justification: row.justification });
    return toMarkDto(row);
  });
}

/**
 * Marks are blind: an evaluator sees only their own until they submit their set; then, like the
 * moderator and council staff, everyone's, side by side.
 */
export async function listMarks(ctx: Ctx & { responseId: string }): Promise<{ marks: MarkDto[]; submittedBy: string[]; blind: boolean }> {
  const { response, procurement } = await responseContext(ctx, ctx.responseId);
  const userId = userIdOf(ctx.principal);
  const role = isOfficer(ctx.principal) && !panelRole(procurement, ctx.principal) ? 'officer' : await assertPanel(ctx, procurement, 'either');
  return visibleMarks({ db: ctx.db, responseId: response.responseId, role, userId });
}

/** The marks a reader may see: an evaluator only their own until their set is submitted; everyone else all of them. */
async function visibleMarks({ db, responseId, role, userId }: { db: Db; responseId: string; role: 'officer' | 'evaluator' | 'moderator'; userId: string | null }) {
  const submittedBy = (await repo.markSubmissionsOf({ db, responseId })).map((s) => s.evaluatorId).sort();
  const blind = role === 'evaluator' && !submittedBy.includes(userId!);
  const rows = await repo.marksOf({ db, responseId, evaluatorId: blind ? userId! : undefined });
  return { marks: rows.map(toMarkDto), submittedBy, blind };
}

/** An evaluator submits their set: every question to mark must have their mark. */
export async function submitMarks(ctx: Ctx & { responseId: string }): Promise<{ submittedAt: string; marks: number }> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, procurement, definition } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, procurement, 'evaluator');
    assertEvaluating(procurement);
    await assertNotFinalised(tx, response.responseId);
    const evaluatorId = userIdOf(ctx.principal)!;
    const own = await repo.marksOf({ db: tx, responseId: response.responseId, evaluatorId });
    const existing = await repo.findMarkSubmission({ db: tx, responseId: response.responseId, evaluatorId });
    if (existing) return { submittedAt: existing.submittedAt.toISOString(), marks: own.length };
    const markable = questionsNeedingMarks({ definition, triage: procurement.triage as Answers, answers: response.answers, evidence: response.evidence });
    const marked = new Set(own.map((m) => m.questionKey));
    const missing = markable.filter((key) => !marked.has(key));
    if (missing.length > 0) throw scoringErrors.marksIncomplete(missing.map((key) => ({ path: `/marks/${key}`, message: 'Mark this question', code: key })));
    await repo.insertMarkSubmission({ db: tx, values: { organisationId: ctx.principal.organisationId, responseId: response.responseId, evaluatorId, submittedAt: ctx.now } });
    await audit(scoped, 'evaluation.marks_submitted', { type: 'response', id: response.responseId }, { evaluatorId, marks: own.length });
    return { submittedAt: ctx.now.toISOString(), marks: own.length };
  });
}

// ───────────────────────────────────────────── moderation and gateway decisions

async function refreshed(ctx: Ctx, response: SubmittedResponse): Promise<EvaluationDto> {
  await refreshEvaluation({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId: response.responseId, now: ctx.now });
  const stored = (await repo.findEvaluation({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId: response.responseId }))!;
  return answerOf({ db: ctx.db, evaluation: stored.evaluation, response, computedAt: stored.computedAt });
}

/** What a moderator's change starts from, read once in the change's transaction. */
type PanelChange = Context & { response: SubmittedResponse; moderations: repo.ModerationRow[]; decisions: repo.GatewayDecisionRow[] };

/**
 * The moderator, the response open to change (submitted, evaluating, not finalised), and the inputs
 * of its evaluation, read under the organisation's lock.
 *
 * Every writer of an evaluation's inputs (the panel's changes here; submission, withdrawal and
 * amendments in responses) holds that lock from its reading of the inputs to its commit, so the
 * evaluation a change stores includes every change committed before it: two tabs moderating two
 * questions of one response at once both count. The lock also makes the finalisation check hold
 * until the change commits. What does not depend on other changes (the response, the procurement,
 * the questionnaire, the panel and the declaration) is read before it, to keep the lock short.
 */
async function beginPanelChange(ctx: Ctx & { responseId: string }): Promise<PanelChange> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  await assertPanel(ctx, context.procurement, 'moderator');
  assertEvaluating(context.procurement);
  if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
  await lockOrganisation({ db: ctx.db, organisationId: ctx.principal.organisationId });
  await assertNotFinalised(ctx.db, response.responseId);
  return { ...context, response, ...(await panelInputsOf(ctx.db, response.responseId)) };
}

/**
 * A moderator's change, after its row is written: the evaluation computed once from the inputs the
 * change holds, stored, audited and published, and answered without being read back.
 */
async function settlePanelChange(
  ctx: Ctx,
  { change, action, details }: { change: PanelChange; action: string; details: Record<string, unknown> },
): Promise<EvaluationDto> {
  const { response, moderations, decisions, ...context } = change;
  const organisationId = ctx.principal.organisationId;
  const evaluation = evaluateResponse(inputFor({ context, response, moderations, decisions }));
  const { row, conditions } = await storeEvaluation({ db: ctx.db, organisationId, context, response, evaluation, decisions, now: ctx.now });
  await audit(ctx, action, { type: 'response', id: response.responseId }, details);
  await publishScore({ db: ctx.db, organisationId, item: feedItemOf({ procurement: context.procurement, response, evaluation, conditions }), now: ctx.now });
  // Not finalised: beginPanelChange checked, under the lock this transaction holds.
  return answerWith({ evaluation: row.evaluation, response, computedAt: row.computedAt, decisions, finalisation: null });
}

/** `rows` with `row` in place of the one for the same question. */
const replacing = <T extends { questionKey: string }>(rows: T[], row: T): T[] => [...rows.filter((r) => r.questionKey !== row.questionKey), row];

/**
 * The moderator's mark: the consensus for a manual question, or an override of an automatic
 * score (the evaluation shows it as one). The evaluation is recomputed in the same transaction.
 */
export async function moderate(ctx: Ctx & { responseId: string; questionKey: string; score: number; rationale: string }): Promise<EvaluationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const change = await beginPanelChange(scoped);
    const current = evaluateResponse(inputFor({ context: change, ...change }));
    const question = current.questions.find((q) => q.key === ctx.questionKey);
    if (!question || question.status === 'hidden' || question.status === 'not_applicable' || question.status === 'not_scored') throw scoringErrors.notScoreable(ctx.questionKey);
    const isOverride = question.status !== 'pending_mark' && question.automaticScore !== null;
    const row = await repo.upsertModeration({
      db: tx,
      values: {
        organisationId: ctx.principal.organisationId,
        responseId: change.response.responseId,
        questionKey: ctx.questionKey,
        score: ctx.score,
        rationale: ctx.rationale.trim(),
        moderatorId: userIdOf(ctx.principal)!,
        updatedAt: ctx.now,
      },
    });
    return settlePanelChange(scoped, {
      change: { ...change, moderations: replacing(change.moderations, row) },
      action: isOverride ? 'evaluation.score_overridden' : 'evaluation.moderated',
      details: { questionKey: ctx.questionKey, score: ctx.score, previousScore: question.score, rationale: ctx.rationale.trim() },
    });
  });
}

/**
 * The moderator decides a gateway: pass, fail, or conditional with an action, an owner and a due
 * date. The owner stays in the decision row: it changes no score, so the engine never sees it.
 */
export async function decideGateway(
  ctx: Ctx & { responseId: string; questionKey: string; outcome: 'pass' | 'fail' | 'conditional'; rationale: string; action?: string | undefined; owner?: string | undefined; dueDate?: string | undefined },
): Promise<EvaluationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const change = await beginPanelChange(scoped);
    const { procurement, definition } = change;
    const gateways = activeGateways({ definition, triage: procurement.triage as Answers, answers: change.response.answers, riskTier: procurement.riskTier });
    if (!gateways.includes(ctx.questionKey)) throw scoringErrors.notGateway(ctx.questionKey);
    const conditional = ctx.outcome === 'conditional';
    if (conditional && (!ctx.action?.trim() || !ctx.owner?.trim() || !ctx.dueDate)) throw scoringErrors.conditionNeedsAction();
    const row = await repo.upsertGatewayDecision({
      db: tx,
      values: {
        organisationId: ctx.principal.organisationId,
        responseId: change.response.responseId,
        questionKey: ctx.questionKey,
        outcome: ctx.outcome,
        rationale: ctx.rationale.trim(),
        action: conditional ? ctx.action!.trim() : null,
        owner: conditional ? ctx.owner!.trim() : null,
        dueDate: conditional ? ctx.dueDate! : null,
        decidedBy: userIdOf(ctx.principal)!,
        updatedAt: ctx.now,
      },
    });
    return settlePanelChange(scoped, {
      change: { ...change, decisions: replacing(change.decisions, row) },
      action: 'evaluation.gateway_decided',
      details: {
        questionKey: ctx.questionKey,
        outcome: ctx.outcome,
        rationale: ctx.rationale.trim(),
        ...(conditional ? { action: ctx.action!.trim(), owner: ctx.owner!.trim(), dueDate: ctx.dueDate } : {}),
      },
    });
  });
}

// ───────────────────────────────────────────── finalising an evaluation

export type FinalisationDto = { responseId: string; procurementId: string; finalisedBy: string; finalisedAt: string };
const toFinalisationDto = (row: repo.FinalisationRow): FinalisationDto => ({
  responseId: row.responseId,
  procurementId: row.procurementId,
  finalisedBy: row.finalisedBy,
  finalisedAt: row.finalisedAt.toISOString(),
});

/**
 * The moderator signs off one response's evaluation once nothing is outstanding. A second call
 * answers the record already made, so a retried request or a second tab is harmless.
 */
export async function finaliseEvaluation(ctx: Ctx & { responseId: string }): Promise<FinalisationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, ...context } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, context.procurement, 'moderator');
    // Under the lock every change to the inputs takes (see beginPanelChange): the evaluation judged
    // here is the last one, and a second call waits for the first and answers its record.
    await lockOrganisation({ db: tx, organisationId: ctx.principal.organisationId });
    const existing = await repo.findFinalisation({ db: tx, responseId: response.responseId });
    if (existing) return toFinalisationDto(existing);
    assertEvaluating(context.procurement);
    if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
    // Judged on a fresh computation, so a stale stored copy can never let an outstanding item through.
    const evaluation = await computeFor(tx, context, response);
    if (evaluation.provisional) throw scoringErrors.notReadyToFinalise(evaluation.outstanding);
    const row = await repo.insertFinalisation({
      db: tx,
      values: { responseId: response.responseId, organisationId: ctx.principal.organisationId, procurementId: response.procurementId, finalisedBy: userIdOf(ctx.principal)!, finalisedAt: ctx.now },
    });
    await audit(scoped, 'evaluation.finalised', { type: 'response', id: response.responseId }, {
      finalisedBy: row.finalisedBy,
      inputsHash: evaluation.inputsHash,
      overallScore: evaluation.overallScore,
      rating: evaluation.rating,
    });
    return toFinalisationDto(row);
  });
}

/** Everything the moderation pages show of one response, for its declared moderator only. */
export async function moderationRecord(ctx: Ctx & { responseId: string }): Promise<
  Context & {
    response: SubmittedResponse;
    evaluation: EvaluationDto;
    marks: MarkDto[];
    submittedBy: string[];
    decisions: repo.GatewayDecisionRow[];
    moderations: repo.ModerationRow[];
  }
> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  await assertPanel(ctx, context.procurement, 'moderator');
  const stored = await repo.findEvaluation({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId: response.responseId });
  if (!stored || response.status !== 'submitted') throw scoringErrors.notSubmitted();
  const [marks, submissions, decisions, moderations] = await Promise.all([
    repo.marksOf({ db: ctx.db, responseId: response.responseId }),
    repo.markSubmissionsOf({ db: ctx.db, responseId: response.responseId }),
    repo.gatewayDecisionsOf({ db: ctx.db, responseIds: [response.responseId] }),
    repo.moderationsOf({ db: ctx.db, responseIds: [response.responseId] }),
  ]);
  return {
    ...context,
    response,
    evaluation: await answerOf({ db: ctx.db, evaluation: stored.evaluation, response, computedAt: stored.computedAt }),
    marks: marks.map(toMarkDto),
    submittedBy: submissions.map((s) => s.evaluatorId).sort(),
    decisions,
    moderations,
  };
}

// ───────────────────────────────────────────── results, comparison, decision

export type ResultRow = {
  responseId: string;
  supplierName: string;
  status: SubmittedResponse['status'];
  overallScore: number | null;
  rating: string | null;
  gatewaysPassed: boolean | null;
  provisional: boolean | null;
  /** When the moderator finalised the evaluation; null until then. */
  finalisedAt: string | null;
  /** The user id of the moderator who finalised it; null until then. */
  finalisedBy: string | null;
  rank: number | null;
};

export type DecisionDto = { outcome: 'award' | 'no_award'; responseId: string | null; rationale: string; decidedAt: string };

type StoredEvaluation = { evaluation: Evaluation; computedAt: string };

/** A procurement's responses with their stored evaluations, ranked, and the decision if one is recorded. */
export type ProcurementEvaluations = {
  procurement: ProcurementDto;
  definition: QuestionnaireDefinition;
  /** The stored hash of the definition, which stands for it in each evaluation's input. */
  definitionHash: string;
  responses: SubmittedResponse[];
  /** Stored evaluations of submitted responses, by response id. */
  evaluations: Map<string, StoredEvaluation>;
  items: ResultRow[];
  decision: DecisionDto | null;
};

/**
 * Rank only among submitted responses that passed every gateway (a conditional pass counts as
 * passed), by overall score, highest first; equal scores share a rank.
 */
export async function procurementEvaluations(ctx: Ctx & { procurementId: string }): Promise<ProcurementEvaluations> {
  const { procurement, definition, definitionHash } = await procurementContext(ctx, ctx.procurementId);
  const responses = await responsesForScoring({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: procurement.id });
  const evaluations = new Map<string, StoredEvaluation>();
  const finalised = new Map((await repo.finalisationsOf({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: procurement.id })).map((f) => [f.responseId, f]));
  for (const row of await repo.evaluationsOf({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: procurement.id }))
    evaluations.set(row.responseId, { evaluation: row.evaluation, computedAt: row.computedAt.toISOString() });
  const rows = responses.map((r) => {
    const e = r.status === 'submitted' ? evaluations.get(r.responseId)?.evaluation : undefined;
    return {
      responseId: r.responseId,
      supplierName: r.supplierName,
      status: r.status,
      overallScore: e ? e.overallScore : null,
      rating: e ? e.rating : null,
      gatewaysPassed: e ? e.gateways.every((g) => g.outcome === 'pass' || g.outcome === 'conditional') : null,
      provisional: e ? e.provisional : null,
      finalisedAt: e ? (finalised.get(r.responseId)?.finalisedAt.toISOString() ?? null) : null,
      finalisedBy: e ? (finalised.get(r.responseId)?.finalisedBy ?? null) : null,
    };
  });
  const items: ResultRow[] = rankByScore(rows, (r) => r.gatewaysPassed === true);
  const decision = await repo.findProcurementDecision({ db: ctx.db, procurementId: procurement.id });
  return {
    procurement,
    definition,
    definitionHash,
    responses,
    evaluations,
    items,
    decision: decision ? { outcome: decision.outcome, responseId: decision.responseId, rationale: decision.rationale, decidedAt: decision.decidedAt.toISOString() } : null,
  };
}

/** One row per response, ranked (see `procurementEvaluations`), and the decision. */
export async function results(ctx: Ctx & { procurementId: string }): Promise<{ items: ResultRow[]; decision: DecisionDto | null }> {
  const { items, decision } = await procurementEvaluations(ctx);
  return { items, decision };
}

/**
 * Would the winner change with one mark a point lower or higher, or one section weight 20% lower or
 * higher? Worked out (`rankingRobustness`) on each ranked response's engine input, built as its
 * stored evaluation's was (`inputFor`), from what `procurementEvaluations` already read.
 */
export async function rankingRobustnessOf(ctx: Pick<Ctx, 'db'> & { all: ProcurementEvaluations }): Promise<RankingRobustness> {
  const { all } = ctx;
  const ranked = all.items.filter((r) => r.rank !== null).sort((a, b) => a.rank! - b.rank!);
  if (ranked.length < 2) return { applies: false, ranked: ranked.length };
  const responseIds = ranked.map((r) => r.responseId);
  const moderations = await repo.moderationsOf({ db: ctx.db, responseIds });
  const decisions = await repo.gatewayDecisionsOf({ db: ctx.db, responseIds });
  const context: Context = { procurement: all.procurement, definition: all.definition, definitionHash: all.definitionHash };
  const byId = new Map(all.responses.map((r) => [r.responseId, r]));
  return rankingRobustness({
    responses: ranked.map((r) => ({
      id: r.responseId,
      name: r.supplierName,
      input: inputFor({ context, response: byId.get(r.responseId)!, moderations: moderations.filter((m) => m.responseId === r.responseId), decisions: decisions.filter((d) => d.responseId === r.responseId) }),
    })),
  });
}

/** Both scores of one clarification amendment: what the answer scored before it, and would score with it. */
export type AmendmentScores = { clarificationId: string; originalScore: Score | null; amendedScore: Score | null };

/** Everything the evaluation report shows of one response, for a caller who may read its evaluation. */
export async function evaluationRecord(ctx: Ctx & { responseId: string }): Promise<
  Context & {
    response: SubmittedResponse;
    evaluation: Evaluation;
    computedAt: string;
    marks: repo.MarkRow[];
    moderations: repo.ModerationRow[];
    flags: IntegrityFlagDto[];
    finalisation: FinalisationDto | null;
    amendmentScores: AmendmentScores[];
    conditions: Condition[];
  }
> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  await assertMayReadEvaluations(ctx, context.procurement);
  const stored = await repo.findEvaluation({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId: response.responseId });
  if (!stored || response.status !== 'submitted') throw scoringErrors.notSubmitted();
  const [marks, moderations] = await Promise.all([repo.marksOf({ db: ctx.db, responseId: response.responseId }), repo.moderationsOf({ db: ctx.db, responseIds: [response.responseId] })]);
  const flags = await withActions(ctx.db, response.responseId, await computeFlags(ctx, context, response));
  const finalisation = await repo.findFinalisation({ db: ctx.db, responseId: response.responseId });
  const conditions = await registerFor({ db: ctx.db, context, response, evaluation: stored.evaluation });
  return {
    ...context,
    response,
    evaluation: stored.evaluation,
    conditions,
    computedAt: stored.computedAt.toISOString(),
    marks,
    moderations,
    flags,
    finalisation: finalisation ? toFinalisationDto(finalisation) : null,
    amendmentScores: amendmentScoresOf({ context, response, evaluation: stored.evaluation, moderations }),
  };
}

/**
 * Both scores of every amendment of the response. The latest of each question is scored in the
 * stored evaluation; an earlier one it replaced is scored alone by the same engine, as it stood.
 */
function amendmentScoresOf({ context, response, evaluation, moderations }: { context: Context; response: SubmittedResponse; evaluation: Evaluation; moderations: repo.ModerationRow[] }): AmendmentScores[] {
  return response.clarifications.flatMap(({ questionKey, amendment }) => {
    if (!amendment) return [];
    const { decidedAt: _decidedAt, ...asScored } = amendment;
    const latest = evaluation.questions.find((q) => q.key === questionKey)?.amendment;
    const scored =
      latest?.clarificationId === amendment.clarificationId
        ? latest
        : evaluateResponse({ ...inputFor({ context, response, moderations, decisions: [] }), amendments: { [questionKey]: asScored } }).questions.find((q) => q.key === questionKey)?.amendment;
    return [{ clarificationId: amendment.clarificationId, originalScore: scored?.originalScore ?? null, amendedScore: scored?.amendedScore ?? null }];
  });
}

export type ComparisonDto = {
  suppliers: Array<{ responseId: string; supplierName: string }>;
  sections: Array<{ key: string; ref: string | null; title: string; weight: number; scores: Array<number | null> }>;
  questions: Array<{ key: string; ref: string | null; section: string; scores: Array<number | null>; statuses: string[] }>;
};

/** Section × supplier and question × supplier matrices of the evaluated responses, for side-by-side review. */
export async function comparison(ctx: Ctx & { procurementId: string }): Promise<ComparisonDto> {
  const all = await procurementEvaluations(ctx);
  const evaluated = all.responses.filter((r) => r.status === 'submitted' && all.evaluations.has(r.responseId));
  const evaluations = evaluated.map((r) => all.evaluations.get(r.responseId)!.evaluation);
  const first = evaluations[0];
  if (!first) return { suppliers: [], sections: [], questions: [] };
  return {
    suppliers: evaluated.map((r) => ({ responseId: r.responseId, supplierName: r.supplierName })),
    sections: first.sections.map((s) => ({ key: s.key, ref: s.ref, title: s.title, weight: s.weight, scores: evaluations.map((e) => e.sections.find((x) => x.key === s.key)?.score ?? null) })),
    questions: first.questions.map((q) => ({
      key: q.key,
      ref: q.ref,
      section: q.section,
      scores: evaluations.map((e) => e.questions.find((x) => x.key === q.key)?.score ?? null),
      statuses: evaluations.map((e) => e.questions.find((x) => x.key === q.key)?.status ?? 'hidden'),
    })),
  };
}

/**
 * Records the council's decision and moves the procurement to `decided`, in one transaction. An
 * award goes to a submitted response that passed every gateway, and only once no evaluation is
 * provisional, so the decision rests on final, moderated scores.
 */
export async function recordDecision(ctx: Ctx & { procurementId: string; outcome: 'award' | 'no_award'; responseId?: string | undefined; rationale: string }): Promise<{ procurement: ProcurementDto; decision: DecisionDto }> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { procurement } = await procurementContext(scoped, ctx.procurementId);
    if (await repo.findProcurementDecision({ db: tx, procurementId: procurement.id })) throw scoringErrors.alreadyDecided();
    assertEvaluating(procurement);
    const { items } = await results({ ...scoped, procurementId: procurement.id });
    if (ctx.outcome === 'award') {
      const provisional = items.filter((r) => r.provisional).length;
      if (provisional > 0) throw scoringErrors.provisional(provisional);
      const winner = items.find((r) => r.responseId === ctx.responseId);
      if (!winner) throw scoringErrors.cannotAward('Name a response of this procurement in responseId.');
      if (winner.status !== 'submitted' || !winner.gatewaysPassed) throw scoringErrors.cannotAward('Only a submitted response that passed every gateway can be awarded.');
    }
    const row = await repo.insertProcurementDecision({
      db: tx,
      values: {
        procurementId: procurement.id,
        organisationId: ctx.principal.organisationId,
        outcome: ctx.outcome,
        responseId: ctx.outcome === 'award' ? ctx.responseId! : null,
        rationale: ctx.rationale.trim(),
        decidedBy: actorOf(ctx.principal).id,
        decidedAt: ctx.now,
      },
    });
    await audit(scoped, 'procurement.decision_recorded', { type: 'procurement', id: procurement.id }, {
      outcome: row.outcome,
      responseId: row.responseId,
      rationale: row.rationale,
      ranking: items.filter((r) => r.rank !== null).map((r) => ({ responseId: r.responseId, rank: r.rank, overallScore: r.overallScore })),
    });
    const updated = await transitionProcurement({ ...scoped, id: procurement.id, transition: 'decide' });
    return { procurement: updated, decision: { outcome: row.outcome, responseId: row.responseId, rationale: row.rationale, decidedAt: row.decidedAt.toISOString() } };
  });
}

// ───────────────────────────────────────────── the panel's own pages (read-only)

export type PanelResponseSummary = { responseId: string; supplierName: string; toMark: number; marked: number; submitted: boolean };
export type MyPanelDto = {
  procurement: ProcurementDto;
  role: 'evaluator' | 'moderator';
  declaration: DeclarationDto | null;
  /** Submitted responses, with this member's own progress; empty until they may see responses (declared, and any conflict mitigated). */
  responses: PanelResponseSummary[];
};

async function panelResponses(ctx: Ctx, context: Context, userId: string): Promise<PanelResponseSummary[]> {
  const submitted = (await responsesForScoring({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: context.procurement.id })).filter((r) => r.status === 'submitted');
  const out: PanelResponseSummary[] = [];
  for (const r of submitted) {
    const markable = questionsNeedingMarks({ definition: context.definition, triage: context.procurement.triage as Answers, answers: r.answers, evidence: r.evidence });
    // Only this member's own marks are counted: the list never tells one evaluator about another's.
    const own = new Set((await repo.marksOf({ db: ctx.db, responseId: r.responseId, evaluatorId: userId })).map((m) => m.questionKey));
    const submission = await repo.findMarkSubmission({ db: ctx.db, responseId: r.responseId, evaluatorId: userId });
    out.push({ responseId: r.responseId, supplierName: r.supplierName, toMark: markable.length, marked: markable.filter((k) => own.has(k)).length, submitted: Boolean(submission) });
  }
  return out;
}

/** The procurements of the signed-in user's council where they are an evaluator or the moderator, newest first, with what they still have to do. */
export async function myPanels(ctx: Ctx): Promise<MyPanelDto[]> {
  const userId = userIdOf(ctx.principal);
  if (!userId) return [];
  const ids = await procurementIdsOnPanel({ db: ctx.db, organisationId: ctx.principal.organisationId, userId });
  const out: MyPanelDto[] = [];
  for (const id of ids) {
    const context = await procurementContext(ctx, id);
    const role = panelRole(context.procurement, ctx.principal);
    if (!role) continue;
    const row = await repo.findDeclaration({ db: ctx.db, procurementId: id, userId });
    const declaration = row ? toDeclarationDto(row) : null;
    out.push({ procurement: context.procurement, role, declaration, responses: declaration?.mayEvaluate ? await panelResponses(ctx, context, userId) : [] });
  }
  return out;
}

/** One panel membership: the procurement, the member's role and declaration, and (once they may) its submitted responses. Refuses anyone not on the panel. */
export async function myPanel(ctx: Ctx & { procurementId: string }): Promise<MyPanelDto & { definition: QuestionnaireDefinition }> {
  const context = await procurementContext(ctx, ctx.procurementId);
  const role = panelRole(context.procurement, ctx.principal);
  if (!role) throw scoringErrors.notOnPanel();
  const userId = userIdOf(ctx.principal)!;
  const row = await repo.findDeclaration({ db: ctx.db, procurementId: context.procurement.id, userId });
  const declaration = row ? toDeclarationDto(row) : null;
  return { procurement: context.procurement, definition: context.definition, role, declaration, responses: declaration?.mayEvaluate ? await panelResponses(ctx, context, userId) : [] };
}

/**
 * Everything a declared panel member's marking pages show of one submitted response: what
 * `panelView` gives, the definition to lay it out, each answer's comment and confidentiality, and
 * the marks `listMarks` would give them (their own only, until their set is submitted). The same
 * checks as those two, on one read of the response: the marking page is read once per question,
 * and a 150-question submission is worth reading once, not three times.
 */
export async function panelWorkspace(ctx: Ctx & { responseId: string }): Promise<{
  view: PanelViewDto;
  procurement: ProcurementDto;
  definition: QuestionnaireDefinition;
  details: SubmittedResponse['details'];
  submittedAt: string | null;
  marks: { marks: MarkDto[]; submittedBy: string[]; blind: boolean };
}> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  const role = await assertPanel(ctx, context.procurement, 'either');
  if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
  const userId = userIdOf(ctx.principal)!;
  const marks = await visibleMarks({ db: ctx.db, responseId: response.responseId, role, userId });
  return {
    view: panelViewOf({ context, response, role, marksSubmitted: marks.submittedBy.includes(userId) }),
    procurement: context.procurement,
    definition: context.definition,
    details: response.details,
    submittedAt: response.submittedAt,
    marks,
  };
}

// ───────────────────────────────────────────── clarification amendments

/**
 * The moderator accepts or rejects an answer a supplier amended in reply to a clarification, saying
 * why it is (or is not) a clarification rather than a new tender. Accepted, the amendment counts in
 * the evaluation; rejected, the answer as submitted keeps counting. The audit event names both
 * answers by hash (the log is readable with `audit:read` alone) and both scores.
 */
export async function decideAmendment(ctx: Ctx & { responseId: string; clarificationId: string; decision: 'accept' | 'reject'; reason: string }): Promise<EvaluationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, procurement } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, procurement, 'moderator');
    assertEvaluating(procurement);
    if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
    // Under the lock every change to the evaluation's inputs takes (see beginPanelChange).
    await lockOrganisation({ db: tx, organisationId: ctx.principal.organisationId });
    await assertNotFinalised(tx, response.responseId);
    const status = ctx.decision === 'accept' ? 'accepted' : 'rejected';
    const recorded = await recordAmendmentDecision({
      db: tx,
      responseId: response.responseId,
      clarificationId: ctx.clarificationId,
      status,
      reason: ctx.reason.trim(),
      decidedBy: userIdOf(ctx.principal)!,
      now: ctx.now,
    });
    if (recorded.outcome !== 'ok') {
      const refusals = { not_found: scoringErrors.clarificationNotFound, no_amendment: scoringErrors.noAmendment, decided: scoringErrors.amendmentDecided };
      throw refusals[recorded.outcome]();
    }
    const evaluation = await refreshed(scoped, response);
    const question = evaluation.questions.find((q) => q.key === recorded.questionKey);
    const hash = (value: unknown) => sha256Hex(canonicalJson(value ?? null));
    await audit(scoped, `evaluation.amendment_${status}`, { type: 'response', id: response.responseId }, {
      clarificationId: ctx.clarificationId,
      questionKey: recorded.questionKey,
      // The question's number as the questionnaire prints it, so the log reads without the definition.
      questionRef: question?.ref ?? null,
      originalAnswerSha256: hash(recorded.original),
      amendedAnswerSha256: hash(recorded.amended),
      originalScore: question?.amendment?.originalScore ?? null,
      amendedScore: question?.amendment?.amendedScore ?? null,
      reason: ctx.reason.trim(),
    });
    return evaluation;
  });
}

// ───────────────────────────────────────────── integrity flags

export type IntegrityFlagDto = IntegrityFlag & { action: { text: string; recordedBy: string; recordedAt: string } | null };

/** The flags of one submitted response, from what scoring reads of it; pure apart from the declarations read. */
async function computeFlags(ctx: Ctx, context: Context, response: SubmittedResponse): Promise<IntegrityFlag[]> {
  const declarations = await repo.declarationsOf({ db: ctx.db, procurementId: context.procurement.id });
  return integrityFlags({
    definition: context.definition,
    triage: context.procurement.triage as Answers,
    answers: response.answers,
    confidential: Object.entries(response.details).flatMap(([key, d]) => (d.confidential ? [key] : [])),
    evidence: response.evidenceFiles,
    submittedAt: response.submittedAt ? new Date(response.submittedAt) : null,
    now: ctx.now,
    declarations: declarations.map((d) => ({ userId: d.userId, hasConflict: d.hasConflict })),
    amendments: response.clarifications.flatMap((c) => (c.amended && c.repliedAt ? [{ questionKey: c.questionKey, at: new Date(c.repliedAt) }] : [])),
  }).flags;
}

/**
 * Integrity flags of a submitted response, each with the rule that raised it and what the panel
 * did about it. They never change a score. Read by whoever may read the evaluation, and by every
 * declared panel member (an evaluator marking blind sees no score in them).
 */
export async function integrityFlagsOf(ctx: Ctx & { responseId: string }): Promise<{ flags: IntegrityFlagDto[] }> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  if (panelRole(context.procurement, ctx.principal)) await assertPanel(ctx, context.procurement, 'either');
  else await assertMayReadEvaluations(ctx, context.procurement);
  if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
  return { flags: await withActions(ctx.db, response.responseId, await computeFlags(ctx, context, response)) };
}

/** Each flag with what the panel recorded about it, if anything. */
async function withActions(db: Db, responseId: string, flags: IntegrityFlag[]): Promise<IntegrityFlagDto[]> {
  const byFlag = new Map((await repo.flagActionsOf({ db, responseId })).map((a) => [a.flagId, a]));
  return flags.map((flag) => {
    const action = byFlag.get(flag.id);
    return { ...flag, action: action ? { text: action.action, recordedBy: action.recordedBy, recordedAt: action.recordedAt.toISOString() } : null };
  });
}

/** The moderator records what the panel did about a flag (replacing an earlier record), audited. */
export async function recordFlagAction(ctx: Ctx & { responseId: string; flagId: string; action: string }): Promise<{ flags: IntegrityFlagDto[] }> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, ...context } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, context.procurement, 'moderator');
    assertEvaluating(context.procurement);
    if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
    await assertNotFinalised(tx, response.responseId);
    const flags = await computeFlags(scoped, context, response);
    const flag = flags.find((f) => f.id === ctx.flagId);
    if (!flag) throw scoringErrors.flagNotFound();
    await repo.upsertFlagAction({
      db: tx,
      values: { responseId: response.responseId, flagId: flag.id, organisationId: ctx.principal.organisationId, action: ctx.action.trim(), recordedBy: userIdOf(ctx.principal)!, recordedAt: ctx.now },
    });
    const refs = new Map(context.definition.sections.flatMap((s) => s.questions.map((q) => [q.key, q.ref ?? null] as const)));
    await audit(scoped, 'evaluation.flag_action_recorded', { type: 'response', id: response.responseId }, {
      flagId: flag.id,
      rule: flag.rule,
      ruleText: flag.ruleText,
      questionKeys: flag.questionKeys,
      questionRefs: flag.questionKeys.map((key) => refs.get(key) ?? null),
      action: ctx.action.trim(),
    });
    return { flags: await withActions(tx, response.responseId, flags) };
  });
}
