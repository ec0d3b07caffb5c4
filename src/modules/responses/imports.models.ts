import type { ANSWERS_EXPORT_FORMAT, AnswerDto, AnswerInput } from './answers.usecases';
import { isAnswered, resolveVisibility, type Answers, type AnswerValue, type QuestionnaireDefinition } from '../questionnaires';
import { supplierQuestion, type SupplierQuestion } from './responses.models';
import { answersImportSchema } from './responses.schemas';
import { answerText } from './web.models';

/**
 * Filling a response from a file (an answer file exported from another bid, or the offline
 * workbook), as pure functions: reading the answer file, deciding which of its answers would be
 * applied (by default only to questions not answered yet), and the words the pages use for it.
 */

const FORMAT = 'aidd.answers/v1' satisfies typeof ANSWERS_EXPORT_FORMAT;

/** An answer file as the supplier API exports it (`aidd.answers/v1`), or why it is not one. */
export function readAnswerFile(text: string): { ok: true; answers: Record<string, AnswerInput> } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: false, message: 'The selected file is empty' };
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return { ok: false, message: 'The selected file is not an answer file: choose the .json file you downloaded from this service' };
  }
  const format = (document as { format?: unknown } | null)?.format;
  if (format !== undefined && format !== FORMAT) return { ok: false, message: `The selected file is in a format this service cannot read: it must be ${FORMAT}` };
  const parsed = answersImportSchema.safeParse(document);
  if (!parsed.success) return { ok: false, message: `The selected file is not an answer file in the ${FORMAT} format` };
  return { ok: true, answers: parsed.data.answers };
}

/** One answer the import would write, with the answer it would replace. */
export type PlannedAnswer = { key: string; question: SupplierQuestion; input: AnswerInput; current: AnswerDto | null };

export type ImportPlan = {
  /** What would be written, in questionnaire order. */
  fill: PlannedAnswer[];
  /** In the file but for a question this questionnaire (or this member of the bid team) does not have. */
  unknown: number;
  /** For a file question: those take uploads on the website. */
  files: number;
  /** For a question not asked in this procurement, even with the file's answers. */
  notAsked: number;
  /** Different from an answer the supplier already gave, which is kept (fill mode). */
  kept: number;
  /** The same as the answer already given. */
  unchanged: number;
};

const trimmed = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
const same = (a: AnswerInput, b: AnswerDto) =>
  JSON.stringify(trimmed(a.value)) === JSON.stringify(b.value) &&
  (a.comment?.trim() || null) === b.comment &&
  (a.confidential ?? false) === b.confidential &&
  (a.confidential ? a.confidentialReason?.trim() || null : null) === b.confidentialReason;

/**
 * Which of a file's answers to apply. By default only to questions with no answer yet; `replace`
 * also overwrites different ones. A question counts as asked when it is visible with the file's
 * answers in place (so a follow-up the file's own answers reveal is filled too).
 */
export function importPlan({
  definition,
  triage,
  reachable,
  current,
  values,
  incoming,
  replace,
}: {
  definition: QuestionnaireDefinition;
  triage: Answers;
  /** Keys of the questions this supplier may answer. */
  reachable: Set<string>;
  current: Record<string, AnswerDto>;
  /** The response's values as the rules read them (file questions: their files). */
  values: Record<string, AnswerValue>;
  incoming: Record<string, AnswerInput>;
  replace: boolean;
}): ImportPlan {
  const plan: ImportPlan = { fill: [], unknown: 0, files: 0, notAsked: 0, kept: 0, unchanged: 0 };
  const candidates = new Map<string, AnswerInput>();
  const questions = new Map(definition.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
  for (const [key, input] of Object.entries(incoming)) {
    const question = questions.get(key);
    if (!question || !reachable.has(key)) plan.unknown += 1;
    else if (question.type === 'file') plan.files += 1;
    else if (current[key] && isAnswered(current[key].value as AnswerValue)) {
      if (same(input, current[key])) plan.unchanged += 1;
      else if (!replace) plan.kept += 1;
      else candidates.set(key, input);
    } else candidates.set(key, input);
  }
  const merged: Record<string, AnswerValue> = { ...values };
  for (const [key, input] of candidates) merged[key] = input.value as AnswerValue;
  const visibility = resolveVisibility({ definition, triage, answers: merged });
  for (const section of definition.sections) {
    for (const q of section.questions) {
      const input = candidates.get(q.key);
      if (!input) continue;
      if (!visibility.isVisible(q.key)) {
        plan.notAsked += 1;
        continue;
      }
      plan.fill.push({ key: q.key, question: supplierQuestion(q, visibility.requiredQuestions.includes(q.key)), input, current: current[q.key] ?? null });
    }
  }
  return plan;
}

const asDto = (input: AnswerInput): AnswerDto => ({ value: input.value, comment: null, confidential: false, confidentialReason: null, version: 0, updatedAt: '' });
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** An answer as the preview shows it: the value as a person reads it, and whether it is confidential. */
export function plannedText(q: SupplierQuestion, input: AnswerInput): string {
  return answerText(q, asDto(input), []) + (input.confidential ? ' (commercially confidential)' : '');
}

/** The lines under the preview that say what the file holds that will not be filled in. */
export function planNotes(plan: ImportPlan): string[] {
  const notes: string[] = [];
  if (plan.unchanged > 0) notes.push(`${plural(plan.unchanged, 'answer is', 'answers are')} the same as the answer you have already given.`);
  if (plan.notAsked > 0) notes.push(`${plural(plan.notAsked, 'answer is', 'answers are')} for questions not asked in this procurement.`);
  if (plan.files > 0) notes.push(`${plural(plan.files, 'question asks', 'questions ask')} for files: upload them on the website.`);
  if (plan.unknown > 0) notes.push(`${plural(plan.unknown, 'answer is', 'answers are')} for questions this questionnaire does not have, so ${plan.unknown === 1 ? 'it is' : 'they are'} ignored.`);
  return notes;
}

/** The task list's banner after an import: says how many answers were written, and no more. */
export function filledNotice(filled: unknown): { type: 'success'; text: string } | null {
  if (typeof filled !== 'string' || !/^\d{1,4}$/.test(filled)) return null;
  const n = Number(filled);
  return { type: 'success', text: n === 0 ? 'No answers were changed: your file had nothing new.' : `${plural(n, 'answer was', 'answers were')} filled in from your file. Check ${n === 1 ? 'it' : 'them'} before you submit.` };
}
