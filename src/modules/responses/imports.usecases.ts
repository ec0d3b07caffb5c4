import { createHash } from 'node:crypto';
import type { SupplierPrincipal } from '../../platform/auth';
import type { Db } from '../../platform/db';
import type { FieldProblem } from '../../platform/errors';
import type { Answers } from '../questionnaires';
import { problemsOf, saveAnswers, toAnswerDto, type AnswerInput, type BulkResult } from './answers.usecases';
import { importPlan, type ImportPlan } from './imports.models';
import { questionsByKey, supplierContext } from './responses.access';
import { answerValues } from './responses.models';
import * as repo from './responses.repository';

/**
 * Filling a response from a file: what it would change (shown to the supplier before anything is
 * written), every problem the answering rules find with it, and applying it through `saveAnswers`,
 * so the same rules hold and it is all or nothing.
 */

type SupplierCtx = { db: Db; now: Date; principal: SupplierPrincipal };

export type ImportPreview = ImportPlan & {
  /** The answering rules' problems with what would be written: while there are any, nothing can be. */
  problems: FieldProblem[];
  /** Names exactly what would be written, so a confirmation applies what the supplier saw and nothing else. */
  fingerprint: string;
};

/** What applying `answers` would write now, and what the rules say about it. */
export async function previewImport(ctx: SupplierCtx & { answers: Record<string, AnswerInput>; replace: boolean }): Promise<ImportPreview> {
  const { procurement, definition } = await supplierContext(ctx);
  const rows = await repo.answersOf({ db: ctx.db, responseId: ctx.principal.responseId });
  const files = await repo.evidenceOf({ db: ctx.db, responseId: ctx.principal.responseId });
  const reachable = questionsByKey(definition, ctx.principal);
  const plan = importPlan({
    definition,
    triage: procurement.triage as Answers,
    reachable: new Set(reachable.keys()),
    current: Object.fromEntries(rows.map((r) => [r.questionKey, toAnswerDto(r)])),
    values: answerValues({ definition, answers: rows, evidence: files }),
    incoming: ctx.answers,
    replace: ctx.replace,
  });
  const problems = plan.fill.flatMap((p) => problemsOf({ question: reachable.get(p.key)!, input: p.input, path: `/answers/${p.key}` }));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(plan.fill.map((p) => [p.key, p.input, p.current?.version ?? 0])))
    .digest('base64url')
    .slice(0, 22);
  return { ...plan, problems, fingerprint };
}

/** The rules' problems with each answer for a question this supplier may answer (file questions and unknown keys aside). */
export async function checkImportedAnswers(ctx: SupplierCtx & { answers: Record<string, AnswerInput> }): Promise<FieldProblem[]> {
  const { definition } = await supplierContext(ctx);
  const questions = questionsByKey(definition, ctx.principal);
  return Object.entries(ctx.answers).flatMap(([key, input]) => {
    const question = questions.get(key);
    return question && question.type !== 'file' ? problemsOf({ question, input, path: `/answers/${key}` }) : [];
  });
}

/** Writes what the preview showed, all or nothing (422 `answers.invalid_values` with every problem). */
export async function applyImport(ctx: SupplierCtx & { preview: ImportPreview }): Promise<BulkResult> {
  return saveAnswers({ ...ctx, answers: Object.fromEntries(ctx.preview.fill.map((p) => [p.key, p.input])), unknownKeys: 'reject', pathPrefix: '/answers' });
}
