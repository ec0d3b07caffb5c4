import { isAnswered, resolveVisibility, type Answers, type AnswerValue, type Question, type QuestionnaireDefinition, type Visibility } from '../questionnaires';

/** How long after its deadline a supplier's link still opens (to read its submission and answer clarifications). */
export const INVITATION_GRACE_MS = 30 * 24 * 60 * 60 * 1000;

/** A supplier's own deadline: the procurement's, or a later one an officer granted it alone. */
export function supplierDeadline({ deadline, deadlineOverride }: { deadline: Date; deadlineOverride: Date | null }): Date {
  return deadlineOverride && deadlineOverride > deadline ? deadlineOverride : deadline;
}

export function invitationExpiry(input: { deadline: Date; deadlineOverride: Date | null }): Date {
  return new Date(supplierDeadline(input).getTime() + INVITATION_GRACE_MS);
}

export type SupplierQuestion = {
  key: string;
  ref: string | null;
  text: string;
  guidance: string;
  type: string;
  required: boolean;
  options: Array<{ value: string; label: string }> | null;
  limits: Record<string, number | boolean | string> | null;
  evidence: { requested: boolean; mandatory: boolean; description: string | null } | null;
};

export type SupplierSection = { key: string; ref: string | null; title: string; description: string | null; questions: SupplierQuestion[] };

/** How a question and a section are named to a person: by their reference, where they have one, and words. */
export const questionTitle = (q: { ref: string | null; text: string }) => (q.ref ? `${q.ref} ${q.text}` : q.text);
export const sectionTitle = (s: { ref: string | null; title: string }) => (s.ref ? `${s.ref}. ${s.title}` : s.title);

/** A question as a supplier sees it: its words, type, options and limits, never how it is marked. */
export function supplierQuestion(q: Question, required: boolean): SupplierQuestion {
  return {
    key: q.key,
    ref: q.ref ?? null,
    text: q.text,
    guidance: q.guidance,
    type: q.type,
    required,
    options: q.options ? q.options.map((o) => ({ value: o.value, label: o.label })) : null,
    limits: q.limits ?? null,
    evidence: q.evidence ? { requested: q.evidence.requested, mandatory: q.evidence.mandatory, description: q.evidence.description ?? null } : null,
  };
}

/**
 * The questionnaire as one supplier sees it: visible sections and questions only, and nothing of
 * how answers are marked (option scores, gateways, descriptors are for the published methodology).
 */
export function supplierView({ definition, visibility }: { definition: QuestionnaireDefinition; visibility: Visibility }): SupplierSection[] {
  const visible = new Set(visibility.visibleQuestions);
  const required = new Set(visibility.requiredQuestions);
  return definition.sections
    .map((section) => ({
      key: section.key,
      ref: section.ref ?? null,
      title: section.title,
      description: section.description ?? null,
      questions: section.questions
        .filter((q) => visible.has(q.key))
        .map((q) => supplierQuestion(q, required.has(q.key))),
    }))
    .filter((section) => section.questions.length > 0);
}

/** The question shape the value rules need (the definition's Question). */
type QuestionForValue = {
  text: string;
  type: string;
  options?: Array<{ value: string }> | undefined;
  limits?: { minLength?: number | undefined; maxLength?: number | undefined; min?: number | undefined; max?: number | undefined; integer?: boolean | undefined; maxSelections?: number | undefined } | undefined;
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isRealDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Checks one answer value against its question's type and limits. Returns a message in the GOV.UK
 * style ("Enter…", "Select…"), or null when the value is acceptable.
 */
export function checkAnswerValue(question: QuestionForValue, value: unknown): string | null {
  const limits = question.limits ?? {};
  const options = new Set((question.options ?? []).map((o) => o.value));
  switch (question.type) {
    case 'yes_no':
    case 'single_choice':
      return typeof value === 'string' && options.has(value) ? null : `Select one of: ${[...options].join(', ')}`;
    case 'multi_choice': {
      if (!Array.isArray(value) || value.length === 0) return 'Select at least one option';
      const unknown = value.filter((v) => typeof v !== 'string' || !options.has(v));
      if (unknown.length > 0) return `${unknown.map(String).join(', ')} is not an option; select from: ${[...options].join(', ')}`;
      if (new Set(value).size !== value.length) return 'Select each option once';
      if (limits.maxSelections !== undefined && value.length > limits.maxSelections) return `Select ${limits.maxSelections} options or fewer`;
      return null;
    }
    case 'short_text':
    case 'long_text': {
      if (typeof value !== 'string' || value.trim() === '') return 'Enter an answer';
      if (limits.maxLength !== undefined && value.length > limits.maxLength) return `Answer must be ${limits.maxLength} characters or fewer`;
      if (limits.minLength !== undefined && value.trim().length < limits.minLength) return `Answer must be ${limits.minLength} characters or more`;
      return null;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'Enter a number';
      if (limits.integer && !Number.isInteger(value)) return 'Enter a whole number';
      if (limits.min !== undefined && value < limits.min) return `Enter a number of ${limits.min} or more`;
      if (limits.max !== undefined && value > limits.max) return `Enter a number of ${limits.max} or less`;
      return null;
    }
    case 'date':
      return typeof value === 'string' && isRealDate(value) ? null : 'Enter a real date in the format YYYY-MM-DD';
    case 'url': {
      if (typeof value !== 'string') return 'Enter a web address starting with https:// or http://';
      try {
        const url = new URL(value);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Enter a web address starting with https:// or http://';
      } catch {
        return 'Enter a web address starting with https:// or http://';
      }
      if (limits.maxLength !== undefined && value.length > limits.maxLength) return `Web address must be ${limits.maxLength} characters or fewer`;
      return null;
    }
    case 'email':
      return typeof value === 'string' && value.length <= 320 && EMAIL.test(value) ? null : 'Enter an email address in the correct format, like name@example.com';
    case 'file':
      return 'This question takes evidence files only: upload them instead of typing an answer';
    default:
      return 'This question cannot take an answer';
  }
}

/**
 * Answer values as the questionnaire's rules read them. A file question has no typed value: it is
 * answered by its evidence files, so its value here is the list of their ids. Evidence attached to
 * any other question never stands in for its answer.
 */
export function answerValues({
  definition,
  answers,
  evidence,
}: {
  definition: QuestionnaireDefinition;
  answers: Array<{ questionKey: string; value: unknown }>;
  evidence: Array<{ id: string; questionKey: string }>;
}): Record<string, AnswerValue> {
  const fileQuestions = new Set(definition.sections.flatMap((s) => s.questions.filter((q) => q.type === 'file').map((q) => q.key)));
  const values: Record<string, AnswerValue> = Object.fromEntries(answers.map((a) => [a.questionKey, a.value as AnswerValue]));
  for (const file of evidence) {
    if (!fileQuestions.has(file.questionKey)) continue;
    const current = values[file.questionKey];
    values[file.questionKey] = Array.isArray(current) ? [...current, file.id] : [file.id];
  }
  return values;
}

type QuestionForCompleteness = { key: string; ref?: string | undefined; type: string; evidence?: { mandatory: boolean } | undefined };

/**
 * What still stops a submission: every visible required question without an answer, and every
 * visible question whose evidence is mandatory but has no file. Each item names its question.
 */
export function missingForSubmission({
  questions,
  visibility,
  values,
  evidenceKeys,
}: {
  questions: Map<string, QuestionForCompleteness>;
  visibility: Visibility;
  values: Record<string, AnswerValue>;
  evidenceKeys: Set<string>;
}): Array<{ path: string; message: string; code: string }> {
  const label = (q: QuestionForCompleteness) => (q.ref ? `${q.ref}: ` : '');
  const missing: Array<{ path: string; message: string; code: string }> = [];
  for (const key of visibility.requiredQuestions) {
    const q = questions.get(key)!;
    if (isAnswered(values[key])) continue;
    missing.push(
      q.type === 'file'
        ? { path: `/evidence/${key}`, message: `${label(q)}Upload the evidence asked for`, code: key }
        : { path: `/answers/${key}`, message: `${label(q)}Answer this question`, code: key },
    );
  }
  for (const key of visibility.visibleQuestions) {
    const q = questions.get(key)!;
    if (q.type !== 'file' && q.evidence?.mandatory && !evidenceKeys.has(key)) {
      missing.push({ path: `/evidence/${key}`, message: `${label(q)}Upload the evidence asked for`, code: key });
    }
  }
  return missing;
}

/**
 * Where a response stands: its answer values as the rules read them, what is visible, and what
 * still stops a submission. One computation for the supplier's view, submission, progress and reminders.
 */
export function completenessOf({
  definition,
  triage,
  answers,
  evidence,
}: {
  definition: QuestionnaireDefinition;
  triage: Answers;
  answers: Array<{ questionKey: string; value: unknown }>;
  evidence: Array<{ id: string; questionKey: string }>;
}): { values: Record<string, AnswerValue>; visibility: Visibility; missing: Array<{ path: string; message: string; code: string }> } {
  const values = answerValues({ definition, answers, evidence });
  const visibility = resolveVisibility({ definition, triage, answers: values });
  const questions = new Map(definition.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
  const missing = missingForSubmission({ questions, visibility, values, evidenceKeys: new Set(evidence.map((e) => e.questionKey)) });
  return { values, visibility, missing };
}

/** An answer as the council holds it: its value, the supplier's comment and whether (and why) it is confidential. */
export type AnswerLike = { value: unknown; comment: string | null; confidential: boolean; confidentialReason: string | null };

/**
 * What stands in for an answer the supplier marked confidential, for a caller not allowed to read
 * those (an API key without `responses:read-confidential`): the flag, and nothing of the answer.
 */
export const WITHHELD_ANSWER = { value: null, comment: null, confidential: true, confidentialReason: null, redacted: true } as const;
export const WITHHELD_NOTICE = 'Withheld: the supplier marked this answer confidential.';
export const WITHHELD_CLARIFICATION = 'Withheld: this clarification is about an answer the supplier marked confidential.';

/** The answer, or the withheld marker when it is confidential; other fields (its version, its time) stay. */
export function redactAnswer<T extends AnswerLike>(answer: T): T & { redacted?: true } {
  return answer.confidential ? { ...answer, ...WITHHELD_ANSWER } : answer;
}

/** The questions whose answer is confidential anywhere it is kept (live, as submitted, as amended): their files and clarifications are withheld. */
export function confidentialKeys(answers: Iterable<readonly [questionKey: string, answer: { confidential: boolean } | null | undefined]>): Set<string> {
  const keys = new Set<string>();
  for (const [key, answer] of answers) if (answer?.confidential) keys.add(key);
  return keys;
}

/**
 * A response without what is confidential: each confidential answer (live and as submitted) withheld
 * by its own flag, and the files of every question in `confidential` left out of both lists.
 */
export function redactResponse<
  R extends { answers: Record<string, AnswerLike>; evidence: Array<{ questionKey: string }>; submission: { answers: Record<string, unknown>; evidence: Array<{ questionKey: string }> } | null },
>(response: R, confidential: ReadonlySet<string>): R {
  const open = <F extends { questionKey: string }>(files: F[]) => files.filter((file) => !confidential.has(file.questionKey));
  const redactAll = <A>(answers: Record<string, A>) => Object.fromEntries(Object.entries(answers).map(([key, answer]) => [key, redactAnswer(answer as AnswerLike)])) as Record<string, A>;
  return {
    ...response,
    answers: redactAll(response.answers),
    evidence: open(response.evidence),
    submission: response.submission && { ...response.submission, answers: redactAll(response.submission.answers), evidence: open(response.submission.evidence) },
  };
}

/**
 * A clarification about a question in `confidential`: the question (which may quote the answer) and
 * the reply withheld, the answers it keeps redacted by their own flags. Any other is unchanged.
 */
export function redactClarification<C extends { questionKey: string; question: string; reply: string | null; originalAnswer: AnswerLike | null; amendedAnswer: AnswerLike | null }>(
  clarification: C,
  confidential: ReadonlySet<string>,
): C & { redacted?: true } {
  if (!confidential.has(clarification.questionKey)) return clarification;
  return {
    ...clarification,
    question: WITHHELD_CLARIFICATION,
    reply: null,
    originalAnswer: clarification.originalAnswer && redactAnswer(clarification.originalAnswer),
    amendedAnswer: clarification.amendedAnswer && redactAnswer(clarification.amendedAnswer),
    redacted: true,
  };
}
