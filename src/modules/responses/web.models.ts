import type { FieldProblem } from '../../platform/errors';
import { calendarDay, ukDayNumber } from '../../platform/format';
import type { AnswerDto, SectionChange } from './answers.usecases';
import type { EvidenceDto } from './evidence.usecases';
import { isAnswered, type AnswerValue, type QuestionnaireDefinition } from '../questionnaires';
import { supplierQuestion, type SupplierQuestion, type SupplierSection } from './responses.models';
import { namesList } from './team.models';

/**
 * The supplier web form's pure parts: reading a posted section form into answers, turning the
 * answering rules' problems into GOV.UK error messages tied to fields, and shaping each question
 * for its GOV.UK component. The rules themselves stay in `checkAnswerValue`; nothing here decides
 * whether a value is acceptable.
 */

export type FormBody = Record<string, string | string[] | undefined>;

/** One error on the page: the field it links to (an element id) and the message, GOV.UK style. */
export type FieldError = { key: string; href: string; text: string };

// A NUL pasted into a field never gets here: the web's form parser drops it (platform/web).
const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
const all = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]);

/** Field names: the question key for the value; suffixes for the date parts, the comment, the confidentiality fields, and the form's own bookkeeping. */
export const fieldNames = (key: string) => ({
  value: key,
  day: `${key}-day`,
  month: `${key}-month`,
  year: `${key}-year`,
  comment: `${key}--comment`,
  confidential: `${key}--confidential`,
  reason: `${key}--reason`,
  /** The answer's fingerprint when the page was rendered (see `answerFingerprint`). */
  base: `${key}--base`,
  /** Present when the page showed a conflict on this answer; `keep` is the supplier's choice. */
  conflict: `${key}--conflict`,
  keep: `${key}--keep`,
});

/** What the supplier typed, as typed, so a page with errors shows it back unchanged. */
export type Typed = Record<string, { value: string | string[]; day?: string; month?: string; year?: string; comment: string; confidential: boolean; reason: string; keep: string }>;

/** Browsers send a textarea's line breaks as CRLF; the service keeps LF, as the API does. */
const lines = (text: string) => text.replace(/\r\n?/g, '\n');

/**
 * Reads a posted section into one change per question: what the page was rendered with (its
 * `base`) and what the field holds now (null when blank). Numbers go to the rules as numbers when
 * they parse, as typed when not, so the rules decide. Also returns what was typed (to show back),
 * conflicts the supplier has not chosen on, and comments or reasons typed for a blank answer.
 */
export function readSectionForm({ questions, body }: { questions: SupplierQuestion[]; body: FormBody }): {
  changes: SectionChange[];
  typed: Typed;
  bases: Record<string, string>;
  unresolved: string[];
  strayComments: string[];
} {
  const changes: SectionChange[] = [];
  const typed: Typed = {};
  const bases: Record<string, string> = {};
  const unresolved: string[] = [];
  const strayComments: string[] = [];
  for (const q of questions) {
    if (q.type === 'file') continue;
    const names = fieldNames(q.key);
    // A question the page did not carry (a form from before it was shown) is not touched.
    if (body[names.base] === undefined) continue;
    const base = first(body[names.base]);
    bases[q.key] = base;
    const confidential = first(body[names.confidential]) === 'yes';
    const reason = lines(first(body[names.reason]));
    const comment = lines(first(body[names.comment]));
    const keep = first(body[names.keep]);
    let value: unknown;
    let blank: boolean;
    if (q.type === 'multi_choice') {
      const chosen = all(body[names.value]);
      typed[q.key] = { value: chosen, comment, confidential, reason, keep };
      blank = chosen.length === 0;
      value = chosen;
    } else if (q.type === 'date') {
      const [day, month, year] = [first(body[names.day]), first(body[names.month]), first(body[names.year])];
      typed[q.key] = { value: '', day, month, year, comment, confidential, reason, keep };
      blank = !day && !month && !year;
      value = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
    } else {
      const text = lines(first(body[names.value]));
      typed[q.key] = { value: text, comment, confidential, reason, keep };
      blank = text === '';
      const number = Number(text.replace(/,/g, ''));
      value = q.type === 'number' && text !== '' && Number.isFinite(number) ? number : text;
    }
    if (blank && (comment !== '' || (confidential && reason !== ''))) strayComments.push(q.key);
    const conflictShown = body[names.conflict] !== undefined;
    if (conflictShown && keep !== 'theirs' && keep !== 'mine') unresolved.push(q.key);
    changes.push({
      key: q.key,
      base,
      posted: blank ? null : { value, comment: comment || null, confidential, confidentialReason: confidential ? reason : null },
      keepTheirs: conflictShown && keep === 'theirs',
    });
  }
  return { changes, typed, bases, unresolved, strayComments };
}

/** The answering rules' problems (from a 422), as errors on this page's fields, in question order. */
export function fieldErrors({ questions, problems }: { questions: SupplierQuestion[]; problems: FieldProblem[] }): FieldError[] {
  const errors: FieldError[] = [];
  for (const q of questions) {
    for (const problem of problems.filter((p) => p.code === q.key)) {
      // The rules prefix each message with the question's reference for API callers; the page shows it by the field.
      const message = q.ref && problem.message.startsWith(`${q.ref}: `) ? problem.message.slice(q.ref.length + 2) : problem.message;
      const onReason = problem.path.endsWith('/confidentialReason');
      errors.push({ key: q.key, href: `#${onReason ? fieldNames(q.key).reason : hrefOf(q)}`, text: onReason ? `Enter why your answer to ${questionName(q)} is commercially confidential` : webMessage(q, message) });
    }
  }
  return errors;
}

/** The element an error links to: the input itself, the first option, or the day of a date. */
function hrefOf(q: SupplierQuestion): string {
  return q.type === 'date' ? fieldNames(q.key).day : q.key;
}

/** How an error names its question: by reference where it has one ("question 4.2"), else by its words. */
const questionName = (q: SupplierQuestion) => (q.ref ? `question ${q.ref}` : `“${q.text}”`);

/** A number that fits the question's limits, to show as an example. */
function exampleNumber(q: SupplierQuestion): number {
  const min = typeof q.limits?.min === 'number' ? q.limits.min : undefined;
  const max = typeof q.limits?.max === 'number' ? q.limits.max : undefined;
  if (max !== undefined && max < 24) return max;
  if (min !== undefined && min > 24) return min;
  return 24;
}

/**
 * The rules speak to API callers too ("Select one of: a, b"); a page speaks to a person, GOV.UK
 * style: each message names its question, so two errors in one summary never read the same, and
 * says what to enter with an example.
 */
export function webMessage(q: SupplierQuestion, message: string): string {
  const name = questionName(q);
  const unit = typeof q.limits?.unit === 'string' ? q.limits.unit : null;
  switch (q.type) {
    case 'yes_no':
    case 'single_choice':
      return `Select an answer to ${name}`;
    case 'multi_choice':
      if (/or fewer$/.test(message)) return `${message} for ${name}`;
      return `Select at least one option for ${name}`;
    case 'date':
      return `Enter a real date for ${name}, like 27 3 2027`;
    case 'number': {
      const more = /^Enter a number of (.+) or more$/.exec(message);
      if (more) return `The number for ${name} must be ${more[1]} or more`;
      const less = /^Enter a number of (.+) or less$/.exec(message);
      if (less) return `The number for ${name} must be ${less[1]} or less`;
      const what = unit ? `the number of ${unit}` : 'a number';
      if (message === 'Enter a whole number') return `Enter ${unit ? `a whole number of ${unit}` : 'a whole number'} for ${name}, like ${exampleNumber(q)}`;
      return `Enter ${what} for ${name}, like ${exampleNumber(q)}`;
    }
    case 'url':
      if (/characters or fewer$/.test(message)) return `The web address for ${name} must be ${message.replace(/^Web address must be /, '')}`;
      return `Enter a web address for ${name}, starting with https://, like https://www.example.com/policy`;
    case 'email':
      return `Enter an email address for ${name} in the correct format, like name@example.com`;
    case 'short_text':
    case 'long_text': {
      const limit = /^Answer must be (\d+) characters or (fewer|more)$/.exec(message);
      if (limit) return `Your answer to ${name} must be ${limit[1]} characters or ${limit[2]}`;
      return `Enter your answer to ${name}`;
    }
    default:
      return `${message} (${name})`;
  }
}

export type SectionStatus = 'not_started' | 'in_progress' | 'completed';

/** `assignedTo`: the bid-team colleagues who have the section ("Jo Bloggs and Sam Patel"), for the lead; null when none. */
/** `required`: the required answers and mandatory files in the section (what can block a submission); `done`: how many of them are there. */
export type TaskListSection = { key: string; title: string; href: string; status: SectionStatus; answered: number; total: number; done: number; required: number; assignedTo: string | null };

const answered = (answer: AnswerDto | undefined) => answer !== undefined && isAnswered(answer.value as AnswerValue);

/**
 * Each visible section with how many of its questions have an answer (a file question: a file).
 * Completed means nothing in it still blocks a submission, as the submit check counts it (`missing`).
 */
export function taskList({
  sections,
  answers,
  evidence,
  missing,
  assignees = new Map(),
}: {
  sections: SupplierSection[];
  answers: Record<string, AnswerDto>;
  evidence: EvidenceDto[];
  missing: Array<{ code: string }>;
  assignees?: Map<string, string[]>;
}): TaskListSection[] {
  const withFiles = new Set(evidence.map((e) => e.questionKey));
  const blocking = new Set(missing.map((m) => m.code));
  return sections.map((section) => {
    const count = section.questions.filter((q) => (q.type === 'file' ? withFiles.has(q.key) : answered(answers[q.key]))).length;
    const status: SectionStatus = count === 0 ? 'not_started' : section.questions.some((q) => blocking.has(q.key)) ? 'in_progress' : 'completed';
    // Counted as `missing` counts: a required question (a file question's answer is its file), and a question's mandatory evidence.
    const required = section.questions.reduce((n, q) => n + (q.required ? 1 : 0) + (q.type !== 'file' && q.evidence?.mandatory ? 1 : 0), 0);
    const done = required - missing.filter((m) => section.questions.some((q) => q.key === m.code)).length;
    return { key: section.key, title: section.ref ? `${section.ref}. ${section.title}` : section.title, href: `/respond/sections/${encodeURIComponent(section.key)}`, status, answered: count, total: section.questions.length, done, required, assignedTo: assignees.has(section.key) ? namesList(assignees.get(section.key)!) : null };
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
