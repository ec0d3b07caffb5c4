import type { FieldProblem } from '../../platform/errors';
import { calendarDay, ukDayNumber } from '../../platform/format';
import type { AnswerDto, AnswerInput } from './answers.usecases';
import type { EvidenceDto } from './evidence.usecases';
import { isAnswered, type AnswerValue, type QuestionnaireDefinition } from '../questionnaires';
import { supplierQuestion, type SupplierQuestion, type SupplierSection } from './responses.models';

/**
 * The supplier web form's pure parts: reading a posted section form into answers, turning the
 * answering rules' problems into GOV.UK error messages tied to fields, and shaping each question
 * for its GOV.UK component. The rules themselves stay in `checkAnswerValue`; nothing here decides
 * whether a value is acceptable.
 */

export type FormBody = Record<string, string | string[] | undefined>;

/** One error on the page: the field it links to (an element id) and the message, GOV.UK style. */
export type FieldError = { key: string; href: string; text: string };

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
const all = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]);

/** Field names: the question key for the value; suffixes for the date parts and the confidentiality fields. */
export const fieldNames = (key: string) => ({ value: key, day: `${key}-day`, month: `${key}-month`, year: `${key}-year`, confidential: `${key}--confidential`, reason: `${key}--reason` });

/** What the supplier typed, as typed, so a page with errors shows it back unchanged. */
export type Typed = Record<string, { value: string | string[]; day?: string; month?: string; year?: string; confidential: boolean; reason: string }>;

/**
 * Reads a posted section. Blank fields are not answers: a blank field whose question had an answer
 * is listed in `cleared`. Numbers go to the rules as numbers when they parse, as typed when not, so
 * the rules' own message ("Enter a number") is what the supplier sees.
 */
export function readSectionForm({ questions, body, current }: { questions: SupplierQuestion[]; body: FormBody; current: Record<string, AnswerDto> }): {
  answers: Record<string, AnswerInput>;
  cleared: string[];
  typed: Typed;
} {
  const answers: Record<string, AnswerInput> = {};
  const cleared: string[] = [];
  const typed: Typed = {};
  for (const q of questions) {
    if (q.type === 'file') continue;
    const names = fieldNames(q.key);
    const confidential = first(body[names.confidential]) === 'yes';
    const reason = first(body[names.reason]);
    let value: unknown;
    let blank: boolean;
    if (q.type === 'multi_choice') {
      const chosen = all(body[names.value]);
      typed[q.key] = { value: chosen, confidential, reason };
      blank = chosen.length === 0;
      value = chosen;
    } else if (q.type === 'date') {
      const [day, month, year] = [first(body[names.day]), first(body[names.month]), first(body[names.year])];
      typed[q.key] = { value: '', day, month, year, confidential, reason };
      blank = !day && !month && !year;
      value = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    } else {
      const text = first(body[names.value]);
      typed[q.key] = { value: text, confidential, reason };
      blank = text === '';
      const number = Number(text.replace(/,/g, ''));
      value = q.type === 'number' && text !== '' && Number.isFinite(number) ? number : text;
    }
    if (blank) {
      if (current[q.key] !== undefined && current[q.key]!.value !== null) cleared.push(q.key);
      continue;
    }
    answers[q.key] = { value, confidential, confidentialReason: confidential ? reason : null, comment: current[q.key]?.comment ?? null };
  }
  return { answers, cleared, typed };
}

/** The answering rules' problems (from a 422), as errors on this page's fields, in question order. */
export function fieldErrors({ questions, problems }: { questions: SupplierQuestion[]; problems: FieldProblem[] }): FieldError[] {
  const errors: FieldError[] = [];
  for (const q of questions) {
    for (const problem of problems.filter((p) => p.code === q.key)) {
      // The rules prefix each message with the question's reference for API callers; the page shows it by the field.
      const message = q.ref && problem.message.startsWith(`${q.ref}: `) ? problem.message.slice(q.ref.length + 2) : problem.message;
      const onReason = problem.path.endsWith('/confidentialReason');
      errors.push({ key: q.key, href: `#${onReason ? fieldNames(q.key).reason : hrefOf(q)}`, text: onReason ? `Enter why your answer to “${q.text}” is commercially confidential` : webMessage(q, message) });
    }
  }
  return errors;
}

/** The element an error links to: the input itself, the first option, or the day of a date. */
function hrefOf(q: SupplierQuestion): string {
  return q.type === 'date' ? fieldNames(q.key).day : q.key;
}

/** The rules speak to API callers too ("Select one of: a, b"); a page speaks to a person. */
function webMessage(q: SupplierQuestion, message: string): string {
  if (q.type === 'yes_no' || q.type === 'single_choice') return 'Select an answer';
  if (q.type === 'date') return 'Enter a real date, for example 27 3 2027';
  return message;
}

export type SectionStatus = 'not_started' | 'in_progress' | 'completed';

export type TaskListSection = { key: string; title: string; href: string; status: SectionStatus; answered: number; total: number };

const answered = (answer: AnswerDto | undefined) => answer !== undefined && isAnswered(answer.value as AnswerValue);

/**
 * Each visible section with how many of its questions have an answer (a file question: a file).
 * Completed means nothing in it still blocks a submission, as the submit check counts it (`missing`).
 */
export function taskList({ sections, answers, evidence, missing }: { sections: SupplierSection[]; answers: Record<string, AnswerDto>; evidence: EvidenceDto[]; missing: Array<{ code: string }> }): TaskListSection[] {
  const withFiles = new Set(evidence.map((e) => e.questionKey));
  const blocking = new Set(missing.map((m) => m.code));
  return sections.map((section) => {
    const count = section.questions.filter((q) => (q.type === 'file' ? withFiles.has(q.key) : answered(answers[q.key]))).length;
    const status: SectionStatus = count === 0 ? 'not_started' : section.questions.some((q) => blocking.has(q.key)) ? 'in_progress' : 'completed';
    return { key: section.key, title: section.ref ? `${section.ref}. ${section.title}` : section.title, href: `/respond/sections/${encodeURIComponent(section.key)}`, status, answered: count, total: section.questions.length };
  });
}

/** "closes in 3 days" / "closes today" / "has closed", counted in UK calendar days. */
export function closesIn({ deadline, now }: { deadline: Date; now: Date }): string {
  if (deadline <= now) return 'has closed';
  const days = ukDayNumber(deadline) - ukDayNumber(now);
  if (days === 0) return 'closes today';
  if (days === 1) return 'closes tomorrow';
  return `closes in ${days} days`;
}

/** The answer as a person reads it on the check-your-answers page. */
export function answerText(q: SupplierQuestion, answer: AnswerDto | undefined, files: EvidenceDto[]): string {
  if (q.type === 'file') return files.length === 0 ? 'No files uploaded' : files.map((f) => f.filename).join(', ');
  if (!answered(answer)) return 'Not answered';
  const label = (v: unknown) => q.options?.find((o) => o.value === v)?.label ?? String(v);
  const value = answer!.value;
  if (Array.isArray(value)) return value.map(label).join(', ');
  if (q.type === 'date' && typeof value === 'string') return calendarDay(value);
  if (q.type === 'number' && typeof q.limits?.unit === 'string') return `${String(value)} ${q.limits.unit}`;
  return label(value);
}

/**
 * The page's questions for one section: the visible ones, with each follow-up that a choice in the
 * same section reveals (a condition `equals {question, value}` on a radios question) moved inside
 * that choice, so GOV.UK's conditional reveal shows it as soon as it is chosen. Follow-ups are on
 * the page even while hidden by the rules; an answer to one that stays hidden is kept but never
 * submitted (submission takes only visible questions).
 */
export function sectionLayout({ definition, section, visible }: { definition: QuestionnaireDefinition; section: SupplierSection; visible: SupplierQuestion[] }): {
  top: SupplierQuestion[];
  reveals: Map<string, Map<string, SupplierQuestion[]>>;
  all: SupplierQuestion[];
} {
  const defined = definition.sections.find((s) => s.key === section.key);
  const shown = new Map(visible.map((q) => [q.key, q]));
  const reveals = new Map<string, Map<string, SupplierQuestion[]>>();
  const nested = new Set<string>();
  for (const q of defined?.questions ?? []) {
    const condition = q.showIf as { equals?: { question?: string; value?: unknown } } | undefined;
    const parentKey = condition?.equals?.question;
    const value = condition?.equals?.value;
    const parent = parentKey ? shown.get(parentKey) : undefined;
    if (!parent || typeof value !== 'string' || (parent.type !== 'yes_no' && parent.type !== 'single_choice') || !parent.options?.some((o) => o.value === value)) continue;
    const byValue = reveals.get(parent.key) ?? new Map<string, SupplierQuestion[]>();
    byValue.set(value, [...(byValue.get(value) ?? []), shown.get(q.key) ?? supplierQuestion(q, q.required)]);
    reveals.set(parent.key, byValue);
    nested.add(q.key);
  }
  const top = visible.filter((q) => !nested.has(q.key));
  const expand = (q: SupplierQuestion): SupplierQuestion[] => [q, ...[...(reveals.get(q.key)?.values() ?? [])].flat().flatMap(expand)];
  const all = top.flatMap(expand);
  return { top, reveals, all };
}
