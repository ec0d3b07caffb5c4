import { calendarDay, ukDayTime } from '../../platform/format';
import type { QuestionnaireDefinition } from '../questionnaires';
import type { EvaluationDto, MarkDto } from './scoring.usecases';

/**
 * The moderator's pages as pure view models: marks side by side with their spread, the consensus,
 * override and gateway forms (read and checked here, decided by the use cases), and what is still
 * outstanding before the evaluation can be finalised.
 */

export type FormBody = Record<string, string | string[] | undefined>;
export type PageError = { text: string; href: string };

/** A spread of this many points or more between evaluators' marks is shown as one to discuss. */
export const HIGH_SPREAD = 2;

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
const lines = (text: string) => text.replace(/\r\n?/g, '\n');

export const moderationHref = (procurementId: string, responseId: string) => `/evaluations/${procurementId}/responses/${responseId}/moderation`;
export const questionHref = (base: string, key: string) => `${base}/questions/${encodeURIComponent(key)}`;
export const gatewayHref = (base: string, key: string) => `${base}/gateways/${encodeURIComponent(key)}`;

type Question = QuestionnaireDefinition['sections'][number]['questions'][number];

export function findQuestion(definition: QuestionnaireDefinition, key: string): Question | undefined {
  for (const section of definition.sections) for (const question of section.questions) if (question.key === key) return question;
  return undefined;
}

const titleOf = (question: Question | undefined, key: string) => (question ? `${question.ref ? `${question.ref} ` : ''}${question.text}` : key);

/** Evaluators' submitted marks for one question, side by side, the spread, and who has not submitted. */
export function marksSideBySide({ questionKey, marks, evaluatorIds, submittedBy, names }: { questionKey: string; marks: MarkDto[]; evaluatorIds: string[]; submittedBy: string[]; names: ReadonlyMap<string, string> }) {
  const nameOf = (id: string) => names.get(id) ?? 'A former panel member';
  // Only submitted marks count: an evaluator's draft may still change, and the spread is for discussion.
  const submitted = marks.filter((m) => m.questionKey === questionKey && submittedBy.includes(m.evaluatorId));
  const rows = submitted.map((m) => ({ evaluator: nameOf(m.evaluatorId), score: m.score, justification: m.justification })).sort((x, y) => x.evaluator.localeCompare(y.evaluator));
  const scores = submitted.map((m) => m.score);
  const spread = scores.length > 1 ? Math.max(...scores) - Math.min(...scores) : null;
  return {
    rows,
    spread,
    highSpread: spread !== null && spread >= HIGH_SPREAD,
    notSubmitted: evaluatorIds.filter((id) => !submittedBy.includes(id)).map(nameOf),
  };
}

const STATUS_TAG = {
  consensus: { text: 'Consensus recorded', classes: 'govuk-tag--green' },
  needed: { text: 'Consensus needed', classes: 'govuk-tag--yellow' },
} as const;

/** The overview: questions the evaluators mark, gateways (pending first), and what is outstanding. */
export function moderationOverview({
  base,
  evaluation,
  definition,
  marks,
  evaluatorIds,
  submittedBy,
  names,
}: {
  base: string;
  evaluation: EvaluationDto;
  definition: QuestionnaireDefinition;
  marks: MarkDto[];
  evaluatorIds: string[];
  submittedBy: string[];
  names: ReadonlyMap<string, string>;
}) {
  const manual = evaluation.questions.filter((q) => q.status === 'pending_mark' || (q.status === 'scored' && findQuestion(definition, q.key)?.scoring.method === 'manual'));
  const questions = manual.map((q) => {
    const side = marksSideBySide({ questionKey: q.key, marks, evaluatorIds, submittedBy, names });
    const done = q.status === 'scored';
    return {
      href: questionHref(base, q.key),
      title: titleOf(findQuestion(definition, q.key), q.key),
      tag: done ? STATUS_TAG.consensus : STATUS_TAG.needed,
      consensus: done ? `Consensus mark ${q.score} of 4` : null,
      spread: side.spread === null ? 'Fewer than two submitted marks' : `Spread ${side.spread} (${side.rows.map((r) => r.score).join(', ')})`,
      highSpread: side.highSpread,
    };
  });
  const gateways = [...evaluation.gateways]
    .sort((a, b) => Number(b.outcome === 'pending') - Number(a.outcome === 'pending'))
    .map((g) => ({
      href: gatewayHref(base, g.questionKey),
      title: titleOf(findQuestion(definition, g.questionKey), g.questionKey),
      tag: GATEWAY_TAGS[g.outcome],
      decidedBy: g.decidedBy === 'moderator' ? 'Decided by the moderator' : 'Decided by the rule',
      reason: g.reason,
      condition: g.outcome === 'conditional' ? conditionText(g) : null,
    }));
  return {
    questions,
    notSubmitted: evaluatorIds.filter((id) => !submittedBy.includes(id)).map((id) => names.get(id) ?? 'A former panel member'),
    gateways,
    outstanding: evaluation.outstanding,
    canFinalise: !evaluation.provisional && evaluation.finalisedAt === null,
    finalised: evaluation.finalisedAt ? `Finalised on ${ukDayTime(evaluation.finalisedAt)}` : null,
  };
}

export const GATEWAY_TAGS: Record<'pass' | 'fail' | 'conditional' | 'pending', { text: string; classes: string }> = {
  pending: { text: 'Decision needed', classes: 'govuk-tag--yellow' },
  pass: { text: 'Passed', classes: 'govuk-tag--green' },
  conditional: { text: 'Passed with conditions', classes: 'govuk-tag--blue' },
  fail: { text: 'Failed', classes: 'govuk-tag--red' },
};

function conditionText(g: { action?: string; owner?: string; dueDate?: string }): string {
  return [g.action, g.owner ? `Owner: ${g.owner}` : null, g.dueDate ? `Due ${calendarDay(g.dueDate)}` : null].filter(Boolean).join('. ');
}

/** One gateway as it stands, for the top of its page: outcome (as a tag), who decided, why, and any condition. */
export function gatewayRows(g: EvaluationDto['gateways'][number]) {
  const tag = GATEWAY_TAGS[g.outcome];
  return [
    { key: { text: 'Now' }, value: { html: `<strong class="govuk-tag ${tag.classes}">${tag.text}</strong>` } },
    { key: { text: 'Decided by' }, value: { text: g.decidedBy === 'moderator' ? 'The moderator' : 'The rule' } },
    { key: { text: 'Reason' }, value: { text: g.reason } },
    ...(g.action ? [{ key: { text: 'Action' }, value: { text: g.action } }] : []),
    ...(g.owner ? [{ key: { text: 'Owner' }, value: { text: g.owner } }] : []),
    ...(g.dueDate ? [{ key: { text: 'Due' }, value: { text: calendarDay(g.dueDate) } }] : []),
  ];
}

/** The supplier's answer in words: option labels for choices, the text or number otherwise. */
export function answerText(question: Question, value: string | number | boolean | string[] | null | undefined): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return 'Not answered';
  const label = (v: string) => question.options?.find((o) => o.value === v)?.label ?? v;
  if (Array.isArray(value)) return value.map(label).join('; ');
  return typeof value === 'string' ? label(value) : String(value);
}

/** The 0–4 radios, each with its label and descriptor, as govukRadios items. */
export function markChoices({ definition, question, checked }: { definition: QuestionnaireDefinition; question: Question; checked: string }) {
  const descriptors = question.scoring.method === 'manual' ? question.scoring.descriptors : null;
  return [0, 1, 2, 3, 4].map((value) => {
    const scale = definition.scale.find((s) => s.value === value);
    const descriptor = descriptors ? descriptors[value as 0 | 1 | 2 | 3 | 4] : scale?.descriptor;
    return { value: String(value), text: `${value} – ${scale?.label ?? ''}`.replace(/ – $/, ''), hint: descriptor ? { text: descriptor } : undefined, checked: checked === String(value) };
  });
}

export type MarkTyped = { score: string; rationale: string };

/** The consensus or override form: a mark 0–4 and a required rationale. */
export function readMarkForm(body: FormBody): { typed: MarkTyped; errors: PageError[]; input: { score: number; rationale: string } | null } {
  const typed = { score: first(body.score), rationale: lines(first(body.rationale)) };
  const errors: PageError[] = [];
  if (!/^[0-4]$/.test(typed.score)) errors.push({ href: '#score', text: 'Select a mark from 0 to 4' });
  if (!typed.rationale) errors.push({ href: '#rationale', text: 'Enter the rationale for this mark' });
  else if (typed.rationale.length > 10_000) errors.push({ href: '#rationale', text: 'The rationale must be 10,000 characters or fewer' });
  return { typed, errors, input: errors.length === 0 ? { score: Number(typed.score), rationale: typed.rationale } : null };
}

export type GatewayTyped = { outcome: string; rationale: string; action: string; owner: string; day: string; month: string; year: string };
type GatewayInput = { outcome: 'pass' | 'fail' | 'conditional'; rationale: string; action?: string; owner?: string; dueDate?: string };

/** The gateway form: an outcome, a rationale, and for a conditional pass an action, an owner and a due date. */
export function readGatewayForm(body: FormBody): { typed: GatewayTyped; errors: PageError[]; input: GatewayInput | null } {
  const typed: GatewayTyped = {
    outcome: first(body.outcome),
    rationale: lines(first(body.rationale)),
    action: lines(first(body.action)),
    owner: first(body.owner),
    day: first(body['dueDate-day']),
    month: first(body['dueDate-month']),
    year: first(body['dueDate-year']),
  };
  const errors: PageError[] = [];
  const outcome = (['pass', 'fail', 'conditional'] as const).find((o) => o === typed.outcome);
  if (!outcome) errors.push({ href: '#outcome', text: 'Select whether the gateway is passed, failed or passed with conditions' });
  if (!typed.rationale) errors.push({ href: '#rationale', text: 'Enter the reasons for the decision' });
  else if (typed.rationale.length > 10_000) errors.push({ href: '#rationale', text: 'The reasons must be 10,000 characters or fewer' });
  let dueDate: string | undefined;
  if (outcome === 'conditional') {
    if (!typed.action) errors.push({ href: '#action', text: 'Enter what the supplier must do' });
    else if (typed.action.length > 2000) errors.push({ href: '#action', text: 'The action must be 2,000 characters or fewer' });
    if (!typed.owner) errors.push({ href: '#owner', text: 'Enter who owns the action' });
    else if (typed.owner.length > 200) errors.push({ href: '#owner', text: 'The owner must be 200 characters or fewer' });
    dueDate = isoDate(typed);
    if (!typed.day && !typed.month && !typed.year) errors.push({ href: '#dueDate-day', text: 'Enter the date the action is due' });
    else if (!dueDate) errors.push({ href: '#dueDate-day', text: 'The due date must be a real date, like 31 1 2027' });
  }
  if (errors.length > 0 || !outcome) return { typed, errors, input: null };
  return {
    typed,
    errors,
    input: outcome === 'conditional' ? { outcome, rationale: typed.rationale, action: typed.action, owner: typed.owner, dueDate: dueDate! } : { outcome, rationale: typed.rationale },
  };
}

function isoDate({ day, month, year }: { day: string; month: string; year: string }): string | undefined {
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return undefined;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return undefined;
  return date.toISOString().slice(0, 10);
}

/** The form's typed values from a recorded decision, so the page opens on what was decided. */
export function gatewayTypedFrom(decision: { outcome: string; rationale: string; action: string | null; owner: string | null; dueDate: string | null } | undefined): GatewayTyped {
  const [year = '', month = '', day = ''] = decision?.dueDate?.split('-') ?? [];
  return {
    outcome: decision?.outcome ?? '',
    rationale: decision?.rationale ?? '',
    action: decision?.action ?? '',
    owner: decision?.owner ?? '',
    day: day.replace(/^0/, ''),
    month: month.replace(/^0/, ''),
    year,
  };
}

/** Automatically scored questions that the moderator may override: their score and working. */
export function automaticScores({ base, evaluation, definition }: { base: string; evaluation: EvaluationDto; definition: QuestionnaireDefinition }) {
  return evaluation.questions
    .filter((q) => q.automaticScore !== null && q.status !== 'hidden' && q.status !== 'not_applicable' && q.status !== 'not_scored')
    .map((q) => ({
      href: questionHref(base, q.key),
      title: titleOf(findQuestion(definition, q.key), q.key),
      score: q.override ? `${q.score} of 4 (overridden; automatic score ${q.automaticScore} of 4)` : `${q.score} of 4`,
      overridden: q.override,
      working: q.working,
    }));
}

export { titleOf };

// ───────────────────────── clarification amendments and integrity flags

export const amendmentHref = (base: string, clarificationId: string) => `${base}/amendments/${clarificationId}`;
// Flag ids carry a rule and question keys or fingerprints (`conflict_declared:<id>`): encoded for the path.
export const flagHref = (base: string, flagId: string) => `${base}/flags/${encodeURIComponent(flagId)}`;

export const AMENDMENT_TAGS: Record<'pending' | 'accepted' | 'rejected', { text: string; classes: string }> = {
  pending: { text: 'Decision needed', classes: 'govuk-tag--yellow' },
  accepted: { text: 'Accepted', classes: 'govuk-tag--green' },
  rejected: { text: 'Rejected', classes: 'govuk-tag--red' },
};

const scoreWords = (score: number | null) => (score === null ? 'no score yet' : `${score} of 4`);
type AmendmentValues = { clarificationId: string; original: string | number | boolean | string[] | null | undefined; amended: string | number | boolean | string[] | null | undefined };

/**
 * Each answer amended in reply to a clarification, pending first: the answer as submitted and as
 * amended (worded as the other moderation pages word answers), what each scores, and the decision.
 * The scores come from the evaluation, the values from the response, matched by clarification.
 */
export function amendedAnswers({
  base,
  evaluation,
  definition,
  amendments,
  names,
}: {
  base: string;
  evaluation: EvaluationDto;
  definition: QuestionnaireDefinition;
  amendments: Readonly<Record<string, AmendmentValues>>;
  names: ReadonlyMap<string, string>;
}) {
  return evaluation.questions
    .flatMap((q) => (q.amendment ? [{ key: q.key, amendment: q.amendment }] : []))
    .sort((a, b) => Number(b.amendment.status === 'pending') - Number(a.amendment.status === 'pending'))
    .map(({ key, amendment }) => {
      const question = findQuestion(definition, key);
      const values = amendments[key]?.clarificationId === amendment.clarificationId ? amendments[key] : undefined;
      const words = (value: AmendmentValues['original']) => (question && values ? answerText(question, value) : 'Not available');
      const decidedBy = amendment.decidedBy ? (names.get(amendment.decidedBy) ?? 'A former moderator') : null;
      return {
        clarificationId: amendment.clarificationId,
        questionKey: key,
        title: titleOf(question, key),
        pending: amendment.status === 'pending',
        href: amendmentHref(base, amendment.clarificationId),
        tag: AMENDMENT_TAGS[amendment.status],
        rows: [
          { key: { text: 'As submitted' }, value: { text: `${words(values?.original)} (scores ${scoreWords(amendment.originalScore)})` } },
          { key: { text: 'As amended' }, value: { text: `${words(values?.amended)} (scores ${scoreWords(amendment.amendedScore)})` } },
          {
            key: { text: 'Status' },
            value: {
              text:
                amendment.status === 'pending'
                  ? 'Decision needed: the answer as submitted counts until you accept the amendment'
                  : `${AMENDMENT_TAGS[amendment.status].text} by ${decidedBy}: ${amendment.reason ?? ''}`,
            },
          },
        ],
      };
    });
}

export type AmendmentTyped = { decision: string; reason: string };

/** Accept or reject an amended answer: a decision and a required reason. */
export function readAmendmentForm(body: FormBody): { typed: AmendmentTyped; errors: PageError[]; input: { decision: 'accept' | 'reject'; reason: string } | null } {
  const typed = { decision: first(body.decision), reason: lines(first(body.reason)) };
  const errors: PageError[] = [];
  const decision = (['accept', 'reject'] as const).find((d) => d === typed.decision);
  if (!decision) errors.push({ href: '#decision', text: 'Select whether to accept or reject the amended answer' });
  if (!typed.reason) errors.push({ href: '#reason', text: 'Enter why the amendment is or is not a clarification of the tender' });
  else if (typed.reason.length > 10_000) errors.push({ href: '#reason', text: 'The reason must be 10,000 characters or fewer' });
  return { typed, errors, input: decision && errors.length === 0 ? { decision, reason: typed.reason } : null };
}

type FlagLike = { id: string; ruleText: string; message: string; action: { text: string; recordedBy: string; recordedAt: string } | null };

/** What the panel did about a flag, in words, or that nothing is recorded yet. */
export function flagActionWords(flag: FlagLike, names: ReadonlyMap<string, string>): { text: string; by: string | null } {
  if (!flag.action) return { text: 'Nothing recorded yet', by: null };
  return { text: flag.action.text, by: `Recorded by ${names.get(flag.action.recordedBy) ?? 'a former moderator'} on ${ukDayTime(flag.action.recordedAt)}` };
}

/** The integrity flags, in the order the rules list them, each with its rule and what the panel did. */
export function flagItems({ base, flags, names }: { base: string; flags: FlagLike[]; names: ReadonlyMap<string, string> }) {
  return flags.map((flag, i) => ({
    id: flag.id,
    number: i + 1,
    href: flagHref(base, flag.id),
    message: flag.message,
    rule: flag.ruleText,
    recorded: flag.action !== null,
    action: flagActionWords(flag, names),
  }));
}

/** What the panel did about a flag: required. */
export function readFlagActionForm(body: FormBody): { typed: { action: string }; errors: PageError[]; input: { action: string } | null } {
  const typed = { action: lines(first(body.action)) };
  const errors: PageError[] = [];
  if (!typed.action) errors.push({ href: '#action', text: 'Enter what the panel did about the flag' });
  else if (typed.action.length > 10_000) errors.push({ href: '#action', text: 'What the panel did must be 10,000 characters or fewer' });
  return { typed, errors, input: errors.length === 0 ? { action: typed.action } : null };
}
