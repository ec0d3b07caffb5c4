import { calendarDay, fileSize, ukDay, ukDayNumber, ukDayTime } from '../../platform/format';
import {
  conditionWords,
  evaluateCondition,
  resolveVisibility,
  walkCondition,
  type AnswerValue,
  type Answers,
  type Question,
  type QuestionnaireDefinition,
} from '../questionnaires';

/**
 * Integrity flags: things about a response the panel should look at before relying on it (a file
 * given twice, a date that cannot be right, answers that contradict each other, a conflict, a late
 * amendment). Pure. A flag never changes a score: this returns flags only, and the panel records
 * what it did about each.
 */

/**
 * Below this many bytes an evidence file is too small to be what it claims. A Word, Excel or
 * OpenDocument file is a zip of several required parts and cannot be this small; a PDF with one
 * page of text rarely is; a PNG or JPEG this small is an icon, and plain text this short is a
 * paragraph, not a policy, report or certificate. Councils may set their own.
 */
export const MINIMUM_EVIDENCE_BYTES = 1024;

/** The rules, in the order their flags are listed. Codes are stable: stored decisions refer to them. */
export const INTEGRITY_RULES = [
  'conflict_declared',
  'evidence_reused',
  'evidence_too_small',
  'completion_date_in_future',
  'expiry_date_passed',
  'answers_inconsistent',
  'amended_after_submission',
] as const;
export type IntegrityRule = (typeof INTEGRITY_RULES)[number];

export type IntegrityFlag = {
  /** Stable for the same response and finding, so what the panel did about a flag can be kept against it. */
  id: string;
  rule: IntegrityRule;
  /** The rule that raised it, in words. */
  ruleText: string;
  /** The questions it is about, in questionnaire order; empty for a flag about the panel. */
  questionKeys: string[];
  /** What was found, in plain words, naming questions by their reference. */
  message: string;
};

/** An evidence file as frozen at submission (the shape a submission stores). */
export type IntegrityEvidence = { questionKey: string; sha256: string; sizeBytes: number; contentType: string; filename: string };

export type IntegrityInput = {
  definition: QuestionnaireDefinition;
  triage: Answers;
  /** The answers as submitted. */
  answers: Answers;
  /** Questions answered in confidence: messages name them, never quote their answer or file names. */
  confidential: ReadonlySet<string> | readonly string[];
  evidence: readonly IntegrityEvidence[];
  /** When the response was submitted; null for one not yet submitted, whose dates are read against `now`. */
  submittedAt: Date | null;
  now: Date;
  declarations: ReadonlyArray<{ userId: string; hasConflict: boolean; name?: string | undefined }>;
  /** Answers amended (through a clarification) and when. */
  amendments: ReadonlyArray<{ questionKey: string; at: Date }>;
  minimumEvidenceBytes?: number | undefined;
};

const RULE_TEXT: Record<Exclude<IntegrityRule, 'evidence_too_small' | 'answers_inconsistent'>, string> = {
  conflict_declared: 'A member of the evaluation panel has declared a conflict of interest (Procurement Act 2023 s.81).',
  evidence_reused: 'The same evidence file, by its SHA-256 fingerprint, is given for different questions.',
  completion_date_in_future: 'A date given for something said to be finished is after the day the response was submitted.',
  expiry_date_passed: 'A date given for when something expires is before the day the response was submitted.',
  amended_after_submission: 'An answer was amended after the response was submitted.',
};

const RULE_ORDER = new Map<IntegrityRule, number>(INTEGRITY_RULES.map((rule, i) => [rule, i]));
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A YYYY-MM-DD answer as a day count, or null when it is not a real date. */
function dayNumber(value: AnswerValue): number | null {
  if (typeof value !== 'string') return null;
  const match = DAY.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = Date.UTC(year, month - 1, day);
  const check = new Date(at);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return at / 86_400_000;
}

export function integrityFlags(input: IntegrityInput): { flags: IntegrityFlag[] } {
  const { definition, triage, answers, submittedAt, now } = input;
  const minimumBytes = input.minimumEvidenceBytes ?? MINIMUM_EVIDENCE_BYTES;
  const confidential = new Set(input.confidential);
  const questions = new Map<string, { question: Question; index: number }>();
  definition.sections.forEach((s) => s.questions.forEach((question) => questions.set(question.key, { question, index: questions.size })));
  const visibility = resolveVisibility({ definition, triage, answers });
  const visible = (key: string) => questions.has(key) && visibility.isVisible(key);
  const order = (key: string) => questions.get(key)?.index ?? Number.MAX_SAFE_INTEGER;
  const byOrder = (keys: Iterable<string>) => [...new Set(keys)].sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  // Named as the evaluation's working names them: the reference, or the words when there is none.
  const nameOf = (key: string) => {
    const q = questions.get(key)?.question;
    if (!q) return 'a question no longer in the questionnaire';
    if (q.ref) return q.ref;
    return `"${q.text.length > 60 ? `${q.text.slice(0, 57)}…` : q.text}"`;
  };
  const list = (names: string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

  const flags: IntegrityFlag[] = [];

  input.declarations
    .filter((d) => d.hasConflict)
    .forEach((d) =>
      flags.push({
        id: `conflict_declared:${d.userId}`,
        rule: 'conflict_declared',
        ruleText: RULE_TEXT.conflict_declared,
        questionKeys: [],
        message: `${d.name ?? 'A member of the panel'} declared a conflict of interest in this procurement.`,
      }),
    );

  const files = input.evidence.filter((f) => visible(f.questionKey));
  const byHash = new Map<string, Set<string>>();
  for (const file of files) byHash.set(file.sha256, (byHash.get(file.sha256) ?? new Set()).add(file.questionKey));
  for (const [sha256, keys] of byHash) {
    if (keys.size < 2) continue;
    const questionKeys = byOrder(keys);
    flags.push({
      id: `evidence_reused:${sha256}`,
      rule: 'evidence_reused',
      ruleText: RULE_TEXT.evidence_reused,
      questionKeys,
      message: `The same file (SHA-256 ${sha256.slice(0, 12)}…) is given as evidence for ${list(questionKeys.map(nameOf))}.`,
    });
  }

  const smallRuleText = `An evidence file is smaller than ${minimumBytes.toLocaleString('en-GB')} bytes, too small to be the document it claims to be.`;
  for (const file of files) {
    if (file.sizeBytes >= minimumBytes) continue;
    const which = confidential.has(file.questionKey) ? 'A file' : `The file "${file.filename}"`;
    flags.push({
      id: `evidence_too_small:${file.questionKey}:${file.sha256}`,
      rule: 'evidence_too_small',
      ruleText: smallRuleText,
      questionKeys: [file.questionKey],
      message: `${which} given as evidence for ${nameOf(file.questionKey)} is ${fileSize(file.sizeBytes)}, under the ${minimumBytes.toLocaleString('en-GB')}-byte minimum for evidence.`,
    });
  }

  // A date answer is a UK calendar day, so it is compared with the UK day of submission (or of today,
  // for a response not yet submitted): a test finished "today" is not in the future, even in BST.
  const referenceDay = ukDayNumber(submittedAt ?? now);
  const referenceWords = submittedAt ? `the response was submitted on ${ukDay(submittedAt)}` : `today, ${ukDay(now)}`;
  for (const [key, { question }] of questions) {
    const meaning = question.type === 'date' ? question.date?.of : undefined;
    if (!meaning || !visible(key)) continue;
    const value = answers[key];
    const day = dayNumber(value);
    if (day === null) continue;
    const rule = meaning === 'completion' ? 'completion_date_in_future' : 'expiry_date_passed';
    if (meaning === 'completion' ? day <= referenceDay : day >= referenceDay) continue;
    const given = confidential.has(key) ? 'a date' : calendarDay(value as string);
    flags.push({
      id: `${rule}:${key}`,
      rule,
      ruleText: RULE_TEXT[rule],
      questionKeys: [key],
      message:
        meaning === 'completion'
          ? `The answer to ${nameOf(key)} gives ${given} for something said to be finished, which is after ${referenceWords}.`
          : `The answer to ${nameOf(key)} gives ${given} as the expiry date, which is before ${referenceWords}: it had already expired.`,
    });
  }

  // A hidden question reads as unanswered, as in the scoring, so a rule never fires on an answer nobody is asked to give.
  const words = conditionWords(definition);
  const valueOf = (operand: { question: string } | { triage: string }): AnswerValue =>
    'triage' in operand ? triage[operand.triage] : visible(operand.question) ? answers[operand.question] : undefined;
  for (const rule of definition.consistency ?? []) {
    if (!evaluateCondition(rule.when, valueOf)) continue;
    const keys: string[] = [];
    walkCondition(rule.when, [], (operand) => {
      if ('question' in operand) keys.push(operand.question);
    });
    const questionKeys = byOrder(keys);
    flags.push({
      id: `answers_inconsistent:${rule.key}`,
      rule: 'answers_inconsistent',
      ruleText: `The questionnaire's consistency rule "${rule.key}", published with its method: flagged for the panel when ${words(rule.when)}.`,
      questionKeys,
      message: `${rule.message} (${list(questionKeys.map(nameOf))})`,
    });
  }

  if (submittedAt) {
    const late = new Map<string, Date[]>();
    for (const amendment of input.amendments) {
      if (amendment.at.getTime() <= submittedAt.getTime()) continue;
      late.set(amendment.questionKey, [...(late.get(amendment.questionKey) ?? []), amendment.at]);
    }
    for (const [key, times] of late) {
      const last = new Date(Math.max(...times.map((t) => t.getTime())));
      const count = times.length === 1 ? 'was amended' : `was amended ${times.length} times`;
      flags.push({
        id: `amended_after_submission:${key}`,
        rule: 'amended_after_submission',
        ruleText: RULE_TEXT.amended_after_submission,
        questionKeys: [key],
        message: `The answer to ${nameOf(key)} ${count} after the response was submitted on ${ukDayTime(submittedAt)}, last on ${ukDayTime(last)}.`,
      });
    }
  }

  // Sorted by rule, then questionnaire order, then id: the same input gives the same list, whatever the order of its arrays.
  const rank = (flag: IntegrityFlag) => (flag.questionKeys.length === 0 ? -1 : order(flag.questionKeys[0]!));
  flags.sort((a, b) => RULE_ORDER.get(a.rule)! - RULE_ORDER.get(b.rule)! || rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { flags };
}
