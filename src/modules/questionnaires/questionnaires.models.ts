import type { Condition, Operand, Question, QuestionnaireDefinition, RiskTier, Section } from './questionnaires.definition';
import { RISK_TIERS } from './questionnaires.definition';

/** An answer value as stored: 'yes'/'no', an option value, option values, a number, text, or a date string. */
export type AnswerValue = string | number | boolean | string[] | null | undefined;
export type Answers = Readonly<Record<string, AnswerValue>>;

export function isAnswered(value: AnswerValue): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * Evaluates a condition. `valueOf` gives the value an operand sees; a question that is hidden
 * reads as unanswered, so hiding propagates along chains of conditions.
 */
export function evaluateCondition(condition: Condition, valueOf: (operand: Operand) => AnswerValue): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, valueOf));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, valueOf));
  if ('not' in condition) return !evaluateCondition(condition.not, valueOf);
  if ('answered' in condition) return isAnswered(valueOf(condition.answered));
  if ('equals' in condition) {
    const value = valueOf(condition.equals);
    if (Array.isArray(value)) return value.length === 1 && value[0] === condition.equals.value;
    return isAnswered(value) && value === condition.equals.value;
  }
  if ('in' in condition) {
    const value = valueOf(condition.in);
    const allowed = condition.in.values as Array<string | number>;
    if (Array.isArray(value)) return value.some((v) => allowed.includes(v));
    return (typeof value === 'string' || typeof value === 'number') && allowed.includes(value);
  }
  if ('contains' in condition) {
    const value = valueOf(condition.contains);
    if (Array.isArray(value)) return value.includes(condition.contains.value);
    return typeof value === 'string' && value === condition.contains.value;
  }
  const [operator, operand] = Object.entries(condition)[0] as ['gt' | 'gte' | 'lt' | 'lte', Operand & { value: number }];
  const value = valueOf(operand);
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  switch (operator) {
    case 'gt':
      return value > operand.value;
    case 'gte':
      return value >= operand.value;
    case 'lt':
      return value < operand.value;
    case 'lte':
      return value <= operand.value;
  }
}

export type QuestionVisibility = { key: string; sectionKey: string; visible: boolean; required: boolean };
export type SectionVisibility = { key: string; visible: boolean; questions: QuestionVisibility[] };
export type Visibility = {
  sections: SectionVisibility[];
  /** Visible questions, in questionnaire order. */
  visibleQuestions: string[];
  /** Visible required questions: a hidden question is never required. */
  requiredQuestions: string[];
  isVisible(questionKey: string): boolean;
};

/**
 * Which sections and questions a supplier sees, given the council's triage answers and the
 * supplier's own answers. A question is visible when its section is visible and its own condition
 * holds; conditions read hidden questions as unanswered.
 */
export function resolveVisibility({ definition, triage, answers }: { definition: QuestionnaireDefinition; triage: Answers; answers: Answers }): Visibility {
  const questionIndex = new Map<string, { question: Question; section: Section }>();
  for (const section of definition.sections) for (const question of section.questions) questionIndex.set(question.key, { question, section });

  const sectionMemo = new Map<string, boolean>();
  const questionMemo = new Map<string, boolean>();
  const inProgress = new Set<string>();

  const valueOf = (operand: Operand): AnswerValue => {
    if ('triage' in operand) return triage[operand.triage];
    return questionVisible(operand.question) ? answers[operand.question] : undefined;
  };

  function sectionVisible(section: Section): boolean {
    const memo = sectionMemo.get(section.key);
    if (memo !== undefined) return memo;
    const marker = `section:${section.key}`;
    // Validation rejects cycles; if one slips through, treat the part in the cycle as hidden.
    if (inProgress.has(marker)) return false;
    inProgress.add(marker);
    const visible = section.showIf ? evaluateCondition(section.showIf, valueOf) : true;
    inProgress.delete(marker);
    sectionMemo.set(section.key, visible);
    return visible;
  }

  function questionVisible(key: string): boolean {
    const memo = questionMemo.get(key);
    if (memo !== undefined) return memo;
    const entry = questionIndex.get(key);
    if (!entry || inProgress.has(key)) return false;
    inProgress.add(key);
    const visible = sectionVisible(entry.section) && (entry.question.showIf ? evaluateCondition(entry.question.showIf, valueOf) : true);
    inProgress.delete(key);
    questionMemo.set(key, visible);
    return visible;
  }

  const sections = definition.sections.map((section) => ({
    key: section.key,
    visible: sectionVisible(section),
    questions: section.questions.map((question) => {
      const visible = questionVisible(question.key);
      return { key: question.key, sectionKey: section.key, visible, required: visible && question.required };
    }),
  }));
  const all = sections.flatMap((s) => s.questions);
  return {
    sections,
    visibleQuestions: all.filter((q) => q.visible).map((q) => q.key),
    requiredQuestions: all.filter((q) => q.required).map((q) => q.key),
    isVisible: (key) => questionVisible(key),
  };
}

/**
 * The inherent risk tier from the council's triage answers: the first rule that matches, else the
 * default. `reason` is the rule's own text (every trigger of the tier); `trigger` names only the
 * triage answers that matched, which is what a reader of this procurement needs.
 */
export function computeRiskTier({ definition, triage }: { definition: QuestionnaireDefinition; triage: Answers }): { tier: RiskTier; reason: string; trigger: string } {
  const valueOf = (operand: Operand) => ('triage' in operand ? triage[operand.triage] : undefined);
  for (const rule of definition.triage.tierRules) {
    if (!evaluateCondition(rule.when, valueOf)) continue;
    const clauses = [...new Set(matchedClauses(rule.when, valueOf, definition))];
    const trigger = clauses.length === 0 ? rule.reason : `Set by the triage answer${clauses.length === 1 ? '' : 's'}: ${clauses.join('; ')}.`;
    return { tier: rule.tier, reason: rule.reason, trigger };
  }
  const reason = 'No rule for a higher tier matched the triage answers.';
  return { tier: definition.triage.defaultTier, reason, trigger: reason };
}

/** The comparisons of a condition that hold and make it hold, each in words ("“Which kinds of data…?” includes “Special category data”"). */
function matchedClauses(condition: Condition, valueOf: (operand: Operand) => AnswerValue, definition: QuestionnaireDefinition): string[] {
  if ('all' in condition) return condition.all.flatMap((c) => matchedClauses(c, valueOf, definition));
  if ('any' in condition) return condition.any.filter((c) => evaluateCondition(c, valueOf)).flatMap((c) => matchedClauses(c, valueOf, definition));
  // A negation holds because something is absent: there is no answer to name.
  if ('not' in condition || !evaluateCondition(condition, valueOf)) return [];
  const [operator, operand] = Object.entries(condition)[0] as [string, Operand & { value?: unknown; values?: unknown[] }];
  const key = 'triage' in operand ? operand.triage : operand.question;
  const question = definition.triage.questions.find((q) => q.key === key);
  const asked = question ? `“${question.text}”` : key;
  const label = (v: unknown) => {
    if (question?.type === 'yes_no' && (v === 'yes' || v === 'no')) return v === 'yes' ? 'Yes' : 'No';
    const option = question?.options?.find((o) => o.value === v)?.label;
    return `“${option ?? String(v)}”`;
  };
  const value = valueOf(operand);
  switch (operator) {
    case 'answered':
      return [`${asked} is answered`];
    case 'equals':
      return [`${asked}: ${label(operand.value)}`];
    case 'in':
    case 'contains': {
      const wanted = operator === 'in' ? (operand.values ?? []) : [operand.value];
      const chosen = (Array.isArray(value) ? value : [value]).filter((v) => wanted.includes(v));
      return [`${asked}${Array.isArray(value) ? ' includes ' : ': '}${chosen.map(label).join(' and ')}`];
    }
    default:
      return [`${asked}: ${String(value)}`];
  }
}

/** True when `tier` is at least `minimum` (gateways marked "High+" and the evidence rule use this). */
export function tierAtLeast(tier: RiskTier, minimum: RiskTier): boolean {
  return RISK_TIERS.indexOf(tier) >= RISK_TIERS.indexOf(minimum);
}

export function countQuestions(definition: QuestionnaireDefinition): number {
  return definition.sections.reduce((n, s) => n + s.questions.length, 0);
}

/** Bumps the minor part of a semantic version: 1.4.2 → 1.5.0. */
export function nextMinorVersion(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${(minor ?? 0) + 1}.0`;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
