import { recordAudit } from '../../platform/audit';
import { actorOf, type Principal } from '../../platform/auth';
import { canonicalJson } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import { getProcurement, transitionProcurement, type ProcurementDto } from '../procurements';
import { getQuestionnaire, type Answers, type QuestionnaireDefinition } from '../questionnaires';
import { downloadEvidenceForOfficer, responsesForScoring, submittedResponse, WITHHELD_NOTICE, withholdsConfidential, type SubmittedResponse } from '../responses';
import type { BlobStorage } from '../../platform/storage';
import { scoringErrors } from './scoring.errors';
import { activeGateways, evaluateResponse, questionsNeedingMarks, rankByScore, withholdConfidentialWorking, type Evaluation, type EvaluationInput, type Score } from './scoring.models';
import { feedItemOf, publishScore } from './scoring.feed';
import * as repo from './scoring.repository';

type Ctx = { db: Db; now: Date; principal: Principal };
type EvidenceDownload = Awaited<ReturnType<typeof downloadEvidenceForOfficer>>;

type Context = { procurement: ProcurementDto; definition: QuestionnaireDefinition; definitionHash: string };

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

async function responseContext(ctx: Ctx, responseId: string): Promise<Context & { response: SubmittedResponse }> {
  const response = await submittedResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId });
  if (!response) throw scoringErrors.responseNotFound();
  return { ...(await procurementContext(ctx, response.procurementId)), response };
}

const userIdOf = (principal: Principal): string | null => (principal.kind === 'user' ? principal.userId : null);
const isOfficer = (principal: Principal) => principal.kind === 'user' && (principal.role === 'admin' || principal.role === 'officer');

const audit = (ctx: Ctx, action: string, subject: { type: string; id: string }, details: Record<string, unknown>) =>
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
    marks: Object.fromEntries(moderations.map((m) => [m.questionKey, { score: m.score as Score, rationale: m.rationale }])),
    gatewayDecisions: Object.fromEntries(
      decisions.map((d) => [d.questionKey, { outcome: d.outcome, rationale: d.rationale, ...(d.action ? { action: d.action } : {}), ...(d.dueDate ? { dueDate: d.dueDate } : {}) }]),
    ),
  };
}

async function computeFor(db: Db, context: Context, response: SubmittedResponse): Promise<Evaluation> {
  const [moderations, decisions] = await Promise.all([repo.moderationsOf({ db, responseIds: [response.responseId] }), repo.gatewayDecisionsOf({ db, responseIds: [response.responseId] })]);
  return evaluateResponse(inputFor({ context, response, moderations, decisions }));
}

/** Stores an evaluation and publishes it to the scores feed, in the caller's transaction. */
async function store({ db, organisationId, context, response, evaluation, now }: { db: Db; organisationId: string; context: Context; response: SubmittedResponse; evaluation: Evaluation; now: Date }) {
  await repo.upsertEvaluation({
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
  await publishScore({ db, organisationId, item: feedItemOf({ procurement: context.procurement, response, evaluation }), now });
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
    await publishScore({ db, organisationId, item: feedItemOf({ procurement: context.procurement, response, evaluation: null }), now });
    return;
  }
  await store({ db, organisationId, context, response, evaluation: await computeFor(db, context, response), now });
}

export type EvaluationDto = Evaluation & { responseId: string; procurementId: string; supplierName: string; computedAt: string };

/**
 * The stored evaluation. With `recompute`, it is computed again from the stored inputs and
 * `matchesStored` says whether the two are identical, byte for byte: anyone can check.
 */
export async function getEvaluation(ctx: Ctx & { responseId: string; recompute: boolean }): Promise<EvaluationDto & { matchesStored?: boolean }> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  await assertMayReadEvaluations(ctx, context.procurement);
  const stored = await repo.findEvaluation({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId: response.responseId });
  if (!stored || response.status !== 'submitted') throw scoringErrors.notSubmitted();
  const base = { responseId: response.responseId, procurementId: response.procurementId, supplierName: response.supplierName, computedAt: stored.computedAt.toISOString() };
  // The working quotes answers: an API key without responses:read-confidential gets the numbers only for confidential ones.
  const shown = (evaluation: Evaluation) =>
    withholdsConfidential(ctx.principal) ? withholdConfidentialWorking(evaluation, new Set(Object.keys(response.details).filter((key) => response.details[key]?.confidential)), WITHHELD_NOTICE) : evaluation;
  if (!ctx.recompute) return { ...shown(stored.evaluation), ...base };
  const fresh = await computeFor(ctx.db, context, response);
  return { ...shown(fresh), ...base, matchesStored: canonicalJson(fresh) === canonicalJson(stored.evaluation) };
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
      const evaluation = evaluateResponse(
        inputFor({ context, response, moderations: moderations.filter((m) => m.responseId === response.responseId), decisions: decisions.filter((d) => d.responseId === response.responseId) }),
      );
      if (storedJson.get(response.responseId) !== canonicalJson(evaluation)) {
        changed += 1;
        await store({ db: tx, organisationId: ctx.principal.organisationId, context, response, evaluation, now: ctx.now });
      } else {
        // The scores are the same, but a published fact (a reference, say) may not be.
        await publishScore({ db: tx, organisationId: ctx.principal.organisationId, item: feedItemOf({ procurement: context.procurement, response, evaluation }), now: ctx.now });
      }
    }
    return { recomputed: responses.length, changed };
  });
}

// ───────────────────────────────────────────── who may do what

function panelRole(procurement: ProcurementDto, principal: Principal): 'evaluator' | 'moderator' | null {
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
async function assertPanel(ctx: Ctx, procurement: ProcurementDto, role: 'evaluator' | 'moderator' | 'either'): Promise<'evaluator' | 'moderator'> {
  const actual = panelRole(procurement, ctx.principal);
  if (!actual) throw scoringErrors.notOnPanel();
  if (role !== 'either' && actual !== role) throw role === 'moderator' ? scoringErrors.notModerator() : scoringErrors.notOnPanel();
  await assertDeclared(ctx, procurement);
  return actual;
}

/** Council staff and API keys (scope checked by the route) read evaluations; of the panel, only the declared moderator. */
async function assertMayReadEvaluations(ctx: Ctx, procurement: ProcurementDto): Promise<void> {
  if (ctx.principal.kind === 'api_key') return;
  if (ctx.principal.kind === 'user' && ['admin', 'officer', 'viewer'].includes(ctx.principal.role)) return;
  await assertPanel(ctx, procurement, 'moderator');
}

function assertEvaluating(procurement: ProcurementDto): void {
  if (procurement.status !== 'evaluating') throw scoringErrors.notEvaluating(procurement.status);
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

/** What a declared panel member sees of a submitted response: its answers and what they must mark. */
export async function panelView(ctx: Ctx & { responseId: string }): Promise<PanelViewDto> {
  const { response, procurement, definition } = await responseContext(ctx, ctx.responseId);
  const role = await assertPanel(ctx, procurement, 'either');
  if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
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
    yourMarksSubmitted: Boolean(await repo.findMarkSubmission({ db: ctx.db, responseId: response.responseId, evaluatorId: userIdOf(ctx.principal)! })),
  };
}

/** One evidence file of a submitted response, for a declared panel member: only files frozen in the submission. */
export async function panelEvidence(ctx: Ctx & { responseId: string; evidenceId: string; storage: BlobStorage }): Promise<EvidenceDownload> {
  const { response, procurement } = await responseContext(ctx, ctx.responseId);
  await assertPanel(ctx, procurement, 'either');
  if (!response.evidenceFiles.some((f) => f.id === ctx.evidenceId)) throw scoringErrors.evidenceNotFound();
  return downloadEvidenceForOfficer({ db: ctx.db, principal: ctx.principal, storage: ctx.storage, responseId: response.responseId, id: ctx.evidenceId });
}

/** An evaluator's own mark on one manual question, while their set is not yet submitted. */
export async function putMark(ctx: Ctx & { responseId: string; questionKey: string; score: number; justification: string }): Promise<MarkDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, procurement, definition } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, procurement, 'evaluator');
    assertEvaluating(procurement);
    if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
    const evaluatorId = userIdOf(ctx.principal)!;
    if (await repo.findMarkSubmission({ db: tx, responseId: response.responseId, evaluatorId })) throw scoringErrors.marksSubmitted();
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
  const submittedBy = (await repo.markSubmissionsOf({ db: ctx.db, responseId: response.responseId })).map((s) => s.evaluatorId).sort();
  const blind = role === 'evaluator' && !submittedBy.includes(userId!);
  const rows = await repo.marksOf({ db: ctx.db, responseId: response.responseId, evaluatorId: blind ? userId! : undefined });
  return { marks: rows.map(toMarkDto), submittedBy, blind };
}

/** An evaluator submits their set: every question to mark must have their mark. */
export async function submitMarks(ctx: Ctx & { responseId: string }): Promise<{ submittedAt: string; marks: number }> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, procurement, definition } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, procurement, 'evaluator');
    assertEvaluating(procurement);
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
  return { ...stored.evaluation, responseId: response.responseId, procurementId: response.procurementId, supplierName: response.supplierName, computedAt: stored.computedAt.toISOString() };
}

/**
 * The moderator's mark: the consensus for a manual question, or an override of an automatic
 * score (the evaluation shows it as one). The evaluation is recomputed in the same transaction.
 */
export async function moderate(ctx: Ctx & { responseId: string; questionKey: string; score: number; rationale: string }): Promise<EvaluationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, ...context } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, context.procurement, 'moderator');
    assertEvaluating(context.procurement);
    if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
    const current = await computeFor(tx, context, response);
    const question = current.questions.find((q) => q.key === ctx.questionKey);
    if (!question || question.status === 'hidden' || question.status === 'not_applicable' || question.status === 'not_scored') throw scoringErrors.notScoreable(ctx.questionKey);
    const isOverride = question.status !== 'pending_mark' && question.automaticScore !== null;
    await repo.upsertModeration({
      db: tx,
      values: {
        organisationId: ctx.principal.organisationId,
        responseId: response.responseId,
        questionKey: ctx.questionKey,
        score: ctx.score,
        rationale: ctx.rationale.trim(),
        moderatorId: userIdOf(ctx.principal)!,
        updatedAt: ctx.now,
      },
    });
    await audit(scoped, isOverride ? 'evaluation.score_overridden' : 'evaluation.moderated', { type: 'response', id: response.responseId }, {
      questionKey: ctx.questionKey,
      score: ctx.score,
      previousScore: question.score,
      rationale: ctx.rationale.trim(),
    });
    return refreshed(scoped, response);
  });
}

/** The moderator decides a gateway: pass, fail, or conditional with an action and a due date. */
export async function decideGateway(
  ctx: Ctx & { responseId: string; questionKey: string; outcome: 'pass' | 'fail' | 'conditional'; rationale: string; action?: string | undefined; dueDate?: string | undefined },
): Promise<EvaluationDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const { response, procurement, definition } = await responseContext(scoped, ctx.responseId);
    await assertPanel(scoped, procurement, 'moderator');
    assertEvaluating(procurement);
    if (response.status !== 'submitted') throw scoringErrors.notSubmitted();
    const gateways = activeGateways({ definition, triage: procurement.triage as Answers, answers: response.answers, riskTier: procurement.riskTier });
    if (!gateways.includes(ctx.questionKey)) throw scoringErrors.notGateway(ctx.questionKey);
    const conditional = ctx.outcome === 'conditional';
    if (conditional && (!ctx.action?.trim() || !ctx.dueDate)) throw scoringErrors.conditionNeedsAction();
    await repo.upsertGatewayDecision({
      db: tx,
      values: {
        organisationId: ctx.principal.organisationId,
        responseId: response.responseId,
        questionKey: ctx.questionKey,
        outcome: ctx.outcome,
        rationale: ctx.rationale.trim(),
        action: conditional ? ctx.action!.trim() : null,
        dueDate: conditional ? ctx.dueDate! : null,
        decidedBy: userIdOf(ctx.principal)!,
        updatedAt: ctx.now,
      },
    });
    await audit(scoped, 'evaluation.gateway_decided', { type: 'response', id: response.responseId }, {
      questionKey: ctx.questionKey,
      outcome: ctx.outcome,
      rationale: ctx.rationale.trim(),
      ...(conditional ? { action: ctx.action, dueDate: ctx.dueDate } : {}),
    });
    return refreshed(scoped, response);
  });
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
  rank: number | null;
};

export type DecisionDto = { outcome: 'award' | 'no_award'; responseId: string | null; rationale: string; decidedAt: string };

type StoredEvaluation = { evaluation: Evaluation; computedAt: string };

/** A procurement's responses with their stored evaluations, ranked, and the decision if one is recorded. */
export type ProcurementEvaluations = {
  procurement: ProcurementDto;
  definition: QuestionnaireDefinition;
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
  const { procurement, definition } = await procurementContext(ctx, ctx.procurementId);
  const responses = await responsesForScoring({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: procurement.id });
  const evaluations = new Map<string, StoredEvaluation>();
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
    };
  });
  const items: ResultRow[] = rankByScore(rows, (r) => r.gatewaysPassed === true);
  const decision = await repo.findProcurementDecision({ db: ctx.db, procurementId: procurement.id });
  return {
    procurement,
    definition,
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

/** Everything the evaluation report shows of one response, for a caller who may read its evaluation. */
export async function evaluationRecord(ctx: Ctx & { responseId: string }): Promise<
  Context & { response: SubmittedResponse; evaluation: Evaluation; computedAt: string; marks: repo.MarkRow[]; moderations: repo.ModerationRow[] }
> {
  const { response, ...context } = await responseContext(ctx, ctx.responseId);
  await assertMayReadEvaluations(ctx, context.procurement);
  const stored = await repo.findEvaluation({ db: ctx.db, organisationId: ctx.principal.organisationId, responseId: response.responseId });
  if (!stored || response.status !== 'submitted') throw scoringErrors.notSubmitted();
  const [marks, moderations] = await Promise.all([repo.marksOf({ db: ctx.db, responseId: response.responseId }), repo.moderationsOf({ db: ctx.db, responseIds: [response.responseId] })]);
  return { ...context, response, evaluation: stored.evaluation, computedAt: stored.computedAt.toISOString(), marks, moderations };
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
