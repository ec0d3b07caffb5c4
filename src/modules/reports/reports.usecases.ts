import { randomUUID } from 'node:crypto';
import { auditTrail, recordAudit, type AuditEvent } from '../../platform/audit';
import { emitEvent } from '../../platform/events';
import { actorOf, type Principal } from '../../platform/auth';
import { canonicalJson, sha256Hex } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import { readBlob, type BlobStorage } from '../../platform/storage';
import { contactFor, userNames } from '../accounts';
import type { SubmittedResponse } from '../responses';
import { evaluationRecord, listApprovals, procurementEvaluations, rankingRobustnessOf, type ProcurementEvaluations } from '../scoring';
import type { ReportDocument } from './reports.document';
import { reportErrors } from './reports.errors';
import { assessmentSummary, comparisonReport, evaluationReport, justificationProblems, justificationProblemText, TRAIL_ACTIONS, type AssessmentSummaryInput, type ComparisonRow, type ReportAmendment, type ReportAnswer, type ReportProcurement } from './reports.models';
import { publishedMethodologyUrl } from '../procurements';
import { SUPPLIER_DETAIL_QUESTIONS } from '../questionnaires';
import type { PdfRenderer } from '../../platform/pdf';
import type { ReportRenders } from './reports.once';
import * as repo from './reports.repository';
import type { ReportKind } from './reports.table';

type Ctx = { db: Db; now: Date; principal: Principal; storage: BlobStorage; renderer: PdfRenderer; renders: ReportRenders };

/**
 * Bump when the renderer draws the same document differently, so reports stored before are not
 * served as if the new layout had produced them.
 */
// 2: chart labels cut to their column, headings and table headers kept with what follows them.
const LAYOUT_VERSION = '2';

export type ReportFile = {
  id: string;
  kind: ReportKind;
  filename: string;
  sha256: string;
  evaluationHash: string;
  sizeBytes: number;
  pages: number;
  createdAt: string;
  /** True when an earlier request produced this very file. */
  reused: boolean;
  pdf: Buffer;
};

const blobKey = (id: string) => `reports/${id}`;

const toFile = (row: repo.ReportRow, pdf: Buffer, reused: boolean): ReportFile => ({
  id: row.id,
  kind: row.kind,
  filename: row.filename,
  sha256: row.sha256,
  evaluationHash: row.evaluationHash,
  sizeBytes: row.sizeBytes,
  pages: row.pages,
  createdAt: row.createdAt.toISOString(),
  reused,
  pdf,
});

type Report = { kind: ReportKind; subjectId: string; document: ReportDocument; evaluationHash: string };

/**
 * The file of this content, drawn once however many ask for it at the same moment: one request
 * draws and stores it, the others (on this instance, or on PostgreSQL any instance) get that file.
 */
async function produce(ctx: Ctx, report: Report): Promise<ReportFile> {
  // The models build documents in a fixed key order, so plain JSON is already canonical here, and
  // far cheaper than canonicalJson on a document of a few hundred kilobytes.
  const contentHash = sha256Hex(`${LAYOUT_VERSION}\n${JSON.stringify(report.document)}`);
  const scope = { organisationId: ctx.principal.organisationId, kind: report.kind, subjectId: report.subjectId, contentHash };
  // A file already stored needs no turn: only a cold request waits for the one drawing it.
  if (await repo.findReport({ db: ctx.db, ...scope })) return storedOrDrawn(ctx, { ...report, contentHash });
  return ctx.renders.once({ db: ctx.db, key: Object.values(scope).join(':'), work: (db) => storedOrDrawn({ ...ctx, db }, { ...report, contentHash }) });
}

/**
 * The stored file when this exact content was produced before; otherwise drawn (off the event
 * loop), then stored with its hashes and audited in one transaction (on PostgreSQL, the one holding
 * the report's lock, so the file is there for whoever takes the lock next).
 */
async function storedOrDrawn(ctx: Ctx, { kind, subjectId, document, evaluationHash, contentHash }: Report & { contentHash: string }): Promise<ReportFile> {
  const organisationId = ctx.principal.organisationId;
  const scope = { organisationId, kind, subjectId, contentHash };
  const stored = await repo.findReport({ db: ctx.db, ...scope });
  const storedPdf = stored ? await readBlob(ctx.storage, blobKey(stored.id)) : undefined;
  if (stored && storedPdf) return toFile(stored, storedPdf, true);

  const { pdf, pages } = await ctx.renderer.render(document);
  // Blob storage is outside the transaction: the file is stored first, under the row's id to be,
  // and removed again if the row is not written.
  const id = randomUUID();
  await ctx.storage.put({ key: blobKey(id), body: pdf });
  let kept = false;
  try {
    const file = await inTransaction(ctx.db, async (tx) => {
      const row = await repo.insertReport({
        db: tx,
        values: { id, ...scope, evaluationHash, sha256: sha256Hex(pdf), filename: document.filename, sizeBytes: pdf.length, pages, createdAt: ctx.now },
      });
      if (!row) {
        // Another request stored the same content a moment ago: same content, same bytes.
        const first = (await repo.findReport({ db: tx, ...scope }))!;
        return toFile(first, (await readBlob(ctx.storage, blobKey(first.id))) ?? pdf, true);
      }
      await recordAudit({
        db: tx,
        organisationId,
        actor: actorOf(ctx.principal),
        action: 'report.generated',
        subject: { type: kind === 'comparison' ? 'procurement' : 'response', id: subjectId },
        details: { reportId: row.id, kind, filename: row.filename, sha256: row.sha256, sizeBytes: row.sizeBytes, pages, evaluationHash, contentHash },
        now: ctx.now,
      });
      await emitEvent({
        db: tx,
        organisationId,
        type: 'report.generated',
        subject: { type: kind === 'comparison' ? 'procurement' : 'response', id: subjectId },
        data: { reportId: row.id, kind, [kind === 'comparison' ? 'procurementId' : 'responseId']: subjectId, version: row.sha256 },
        now: ctx.now,
      });
      return toFile(row, pdf, false);
    });
    kept = !file.reused;
    return file;
  } finally {
    if (!kept) await ctx.storage.remove({ key: blobKey(id) }).catch(() => undefined);
  }
}

const reportProcurement = (p: { id: string; title: string; reference: string | null; riskTier: ReportProcurement['riskTier']; riskTierReason: string }): ReportProcurement => ({
  id: p.id,
  title: p.title,
  reference: p.reference,
  riskTier: p.riskTier,
  riskTierReason: p.riskTierReason,
});

/** The submitted values with each answer's comment and confidentiality. */
const reportAnswers = (response: SubmittedResponse): Record<string, ReportAnswer> =>
  Object.fromEntries(Object.entries(response.answers).map(([key, value]) => [key, { value, ...(response.details[key] ?? { comment: null, confidential: false, confidentialReason: null }) }]));

const councilOf = async (ctx: Ctx) => (await contactFor({ db: ctx.db, organisationId: ctx.principal.organisationId, userId: null })).council;

function actorName(event: AuditEvent, names: Map<string, string>, supplier: { invitationId: string; name: string }): string {
  switch (event.actor.type) {
    case 'user':
      return names.get(event.actor.id) ?? 'A former user';
    case 'supplier':
      return event.actor.id === supplier.invitationId ? supplier.name : 'Another supplier';
    case 'api_key':
      return 'An integration (API key)';
    case 'system':
      return 'The service';
  }
}

/** Every clarification amendment of the response, oldest first, with both scores and the decider named. */
function reportAmendments(record: Awaited<ReturnType<typeof evaluationRecord>>, named: (id: string) => string): ReportAmendment[] {
  const scores = new Map(record.amendmentScores.map((s) => [s.clarificationId, s]));
  const latest = new Map(Object.values(record.response.amendments).map((a) => [a.clarificationId, true]));
  return record.response.clarifications.flatMap((c) => {
    const a = c.amendment;
    if (!a) return [];
    return [
      {
        questionKey: c.questionKey,
        askedAt: c.askedAt,
        repliedAt: c.repliedAt,
        original: a.original,
        amended: a.amended,
        originalScore: scores.get(a.clarificationId)?.originalScore ?? null,
        amendedScore: scores.get(a.clarificationId)?.amendedScore ?? null,
        status: a.status,
        decidedBy: a.decidedBy ? named(a.decidedBy) : null,
        decidedAt: a.decidedAt,
        reason: a.reason,
        superseded: !latest.has(a.clarificationId),
      },
    ];
  });
}

/** The evaluation report of one submitted response, for council staff and the moderator. */
export async function evaluationReportFile(ctx: Ctx & { responseId: string }): Promise<ReportFile> {
  const record = await evaluationRecord(ctx);
  const { response, procurement } = record;
  const organisationId = ctx.principal.organisationId;
  const trail = await auditTrail({ db: ctx.db, organisationId, subjectIds: [response.responseId, response.invitationId, procurement.id], actions: TRAIL_ACTIONS });
  const names = await userNames({
    db: ctx.db,
    organisationId,
    ids: [
      ...record.marks.map((m) => m.evaluatorId),
      ...record.moderations.map((m) => m.moderatorId),
      ...trail.filter((e) => e.actor.type === 'user').map((e) => e.actor.id),
      ...response.clarifications.flatMap((c) => (c.amendment?.decidedBy ? [c.amendment.decidedBy] : [])),
      ...record.flags.flatMap((f) => (f.action ? [f.action.recordedBy] : [])),
      ...(record.finalisation ? [record.finalisation.finalisedBy] : []),
      ...record.conditions.flatMap((c) => (c.updatedBy ? [c.updatedBy] : [])),
      ...procurement.evaluatorIds,
      ...(procurement.moderatorId ? [procurement.moderatorId] : []),
    ],
  });
  const named = (id: string) => names.get(id) ?? 'A former user';
  // The sign-offs are the procurement's: a new one changes the document, so its content hash, so a new file is drawn.
  const approvals = (await listApprovals({ ...ctx, procurementId: procurement.id })).items;
  const supplier = { invitationId: response.invitationId, name: response.supplierName };
  const document = evaluationReport({
    council: await councilOf(ctx),
    procurement: reportProcurement(procurement),
    definition: record.definition,
    supplierName: response.supplierName,
    submittedAt: response.submittedAt,
    evaluation: record.evaluation,
    computedAt: record.computedAt,
    answers: reportAnswers(response),
    amended: response.amended,
    evidence: response.evidenceFiles,
    marks: record.marks.map((m) => ({ questionKey: m.questionKey, evaluator: named(m.evaluatorId), score: m.score, justification: m.justification, at: m.updatedAt.toISOString() })),
    moderations: record.moderations.map((m) => ({ questionKey: m.questionKey, moderator: named(m.moderatorId), score: m.score, rationale: m.rationale, at: m.updatedAt.toISOString() })),
    clarifications: response.clarifications,
    amendments: reportAmendments(record, named),
    integrityFlags: record.flags.map((f) => ({ ruleText: f.ruleText, questionKeys: f.questionKeys, message: f.message, action: f.action ? { text: f.action.text, by: named(f.action.recordedBy), at: f.action.recordedAt } : null })),
    conditions: record.conditions.map((c) => ({
      number: c.number,
      source: c.source,
      text: c.text,
      owner: c.owner,
      dueDate: c.dueDate,
      status: c.status,
      reason: c.reason,
      updated: c.updatedBy && c.updatedAt ? { by: named(c.updatedBy), at: c.updatedAt } : null,
    })),
    finalisation: record.finalisation ? { by: named(record.finalisation.finalisedBy), at: record.finalisation.finalisedAt } : null,
    trail: trail.map((e) => ({ at: e.createdAt.toISOString(), who: actorName(e, names, supplier), action: e.action, details: e.details })),
    approvals: approvals.map((a) => ({ role: a.role, userId: a.userId, name: a.name, at: a.createdAt, comment: a.comment })),
    panel: { evaluators: procurement.evaluatorIds.map((id) => ({ id, name: named(id) })), moderator: procurement.moderatorId ? { id: procurement.moderatorId, name: named(procurement.moderatorId) } : null },
  });
  return produce(ctx, { kind: 'evaluation', subjectId: response.responseId, document, evaluationHash: record.evaluation.inputsHash });
}

function comparisonRows(all: ProcurementEvaluations, named: (id: string) => string): ComparisonRow[] {
  const rows = all.items.map((item, order) => {
    const stored = item.status === 'submitted' ? all.evaluations.get(item.responseId) : undefined;
    const finalisation = item.finalisedAt ? { by: named(item.finalisedBy ?? ''), at: item.finalisedAt } : null;
    return { order, row: { supplierName: item.supplierName, status: item.status, rank: item.rank, evaluation: stored?.evaluation ?? null, computedAt: stored?.computedAt ?? null, finalisation } };
  });
  // Best first; the unranked (a gateway not passed, or not evaluated) after, in invitation order.
  return rows.sort((a, b) => (a.row.rank ?? Infinity) - (b.row.rank ?? Infinity) || a.order - b.order).map((r) => r.row);
}

/** Every evaluated response of a procurement side by side. */
export async function comparisonReportFile(ctx: Ctx & { procurementId: string }): Promise<ReportFile> {
  const all = await procurementEvaluations(ctx);
  const names = await userNames({ db: ctx.db, organisationId: ctx.principal.organisationId, ids: all.items.flatMap((r) => (r.finalisedBy ? [r.finalisedBy] : [])) });
  const rows = comparisonRows(all, (id) => names.get(id) ?? 'A former user');
  const evaluated = rows.filter((r) => r.evaluation !== null);
  if (evaluated.length === 0) throw reportErrors.nothingToCompare();
  const decision = all.decision;
  const robustness = await rankingRobustnessOf({ db: ctx.db, all });
  const document = comparisonReport({
    council: await councilOf(ctx),
    procurement: reportProcurement(all.procurement),
    definition: all.definition,
    rows,
    decision: decision ? { outcome: decision.outcome, decidedAt: decision.decidedAt, supplierName: all.items.find((r) => r.responseId === decision.responseId)?.supplierName ?? null } : null,
    robustness,
  });
  const evaluationHash = sha256Hex(canonicalJson(evaluated.map((r) => r.evaluation!.inputsHash)));
  return produce(ctx, { kind: 'comparison', subjectId: all.procurement.id, document, evaluationHash });
}

/** Who the supplier is, from its own answers (the questions the questionnaires module names) and its invitation's email. */
function supplierDetails(response: SubmittedResponse): AssessmentSummaryInput['supplier'] {
  const answered = (keys: readonly string[]) => {
    const value = keys.map((key) => response.answers[key]).find((v) => typeof v === 'string' && v.trim() !== '');
    return typeof value === 'string' ? value.trim() : null;
  };
  return {
    legalName: answered(SUPPLIER_DETAIL_QUESTIONS.legalName),
    postalAddress: answered(SUPPLIER_DETAIL_QUESTIONS.postalAddress),
    email: response.contactEmail,
    identifier: answered(SUPPLIER_DETAIL_QUESTIONS.identifier),
  };
}

/**
 * The Procurement Act 2023 s.50 assessment summary for one bidder, once the decision is recorded.
 * It is built from this bidder's own answers only; of the successful tender it shows scores,
 * never answers. The bidder's own confidential answers are shown, marked: they are its own. Refused
 * (409 `reports.justification_missing`) while a mark evaluators gave has no justification that refers to the tender.
 */
export async function assessmentSummaryFile(ctx: Ctx & { responseId: string; publicBaseUrl: string }): Promise<ReportFile> {
  const record = await evaluationRecord(ctx);
  // Checked before the decision, so the panel learns of a justification to improve while it still can.
  const evaluatorNames = await userNames({ db: ctx.db, organisationId: ctx.principal.organisationId, ids: record.marks.map((m) => m.evaluatorId) });
  const marks = record.marks.map((m) => ({ questionKey: m.questionKey, evaluator: evaluatorNames.get(m.evaluatorId) ?? 'A former user', score: m.score, justification: m.justification, at: m.updatedAt.toISOString() }));
  const moderatorNames = await userNames({ db: ctx.db, organisationId: ctx.principal.organisationId, ids: record.moderations.map((m) => m.moderatorId) });
  const moderations = record.moderations.map((m) => ({ questionKey: m.questionKey, moderator: moderatorNames.get(m.moderatorId) ?? 'A former user', score: m.score, rationale: m.rationale, at: m.updatedAt.toISOString() }));
  const problems = justificationProblems({ definition: record.definition, evaluation: record.evaluation, marks, moderations });
  if (problems.length > 0) throw reportErrors.justificationMissing(problems.map((p) => ({ questionKey: p.questionKey, text: justificationProblemText(p) })));
  const all = await procurementEvaluations({ ...ctx, procurementId: record.procurement.id });
  const decision = all.decision;
  if (!decision) throw reportErrors.notDecided();
  const own = all.items.find((r) => r.responseId === record.response.responseId);
  const successful = decision.outcome === 'award' && decision.responseId === record.response.responseId;
  const winnerRow = decision.outcome === 'award' && !successful ? all.items.find((r) => r.responseId === decision.responseId) : undefined;
  const winnerEvaluation = winnerRow ? all.evaluations.get(winnerRow.responseId)?.evaluation : undefined;
  const { response } = record;
  const document = assessmentSummary({
    council: await councilOf(ctx),
    procurement: reportProcurement(record.procurement),
    definition: record.definition,
    supplierName: response.supplierName,
    evaluation: record.evaluation,
    computedAt: record.computedAt,
    answers: reportAnswers(response),
    moderations,
    marks,
    supplier: supplierDetails(response),
    methodologyUrl: publishedMethodologyUrl({ baseUrl: ctx.publicBaseUrl, procurementId: record.procurement.id }),
    rank: own?.rank ?? null,
    rankedCount: all.items.filter((r) => r.rank !== null).length,
    decision: {
      outcome: decision.outcome,
      decidedAt: decision.decidedAt,
      rationale: decision.rationale,
      successful,
      winner:
        winnerRow && winnerEvaluation
          ? {
              supplierName: winnerRow.supplierName,
              overallScore: winnerEvaluation.overallScore,
              sections: winnerEvaluation.sections.map((s) => ({ key: s.key, score: s.score, effectiveWeight: s.effectiveWeight, weightedContribution: s.weightedContribution })),
              questions: winnerEvaluation.questions.map((q) => ({ key: q.key, score: q.score })),
            }
          : null,
    },
  });
  return produce(ctx, { kind: 'assessment_summary', subjectId: response.responseId, document, evaluationHash: record.evaluation.inputsHash });
}
