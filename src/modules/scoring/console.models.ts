import { ukDayTime } from '../../platform/format';
import { RATING_WORDS, type Evaluation } from './scoring.models';
import type { ComparisonDto, DecisionDto, ResultRow } from './scoring.usecases';

/**
 * The officer console's results and decision pages as pure view models: the results table, the
 * comparison matrices and the decision form. The use cases rank, score and decide what may be
 * awarded; this only says how it reads.
 */

export type FormBody = Record<string, string | string[] | undefined>;
export type PageError = { text: string; href: string };
type Cell = { text?: string; html?: string; format?: 'numeric'; classes?: string };

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
const lines = (text: string) => text.replace(/\r\n?/g, '\n');
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const resultsHref = (procurementId: string) => `/procurements/${procurementId}/results`;
export const decisionHref = (procurementId: string) => `/procurements/${procurementId}/decision`;
const responseHref = (procurementId: string, responseId: string) => `/procurements/${procurementId}/responses/${responseId}`;

const STATUS_WORDS: Record<string, string> = { not_started: 'not started', in_progress: 'in progress', submitted: 'submitted', reopened: 'reopened', withdrawn: 'withdrawn' };
const QUESTION_STATUS_WORDS: Record<string, string> = { not_applicable: 'Not applicable', hidden: 'Not asked', unanswered: 'Unanswered', pending_mark: 'Awaiting a mark', not_scored: 'Not scored', scored: 'Scored' };

export const score = (value: number | null | undefined) => (value === null || value === undefined ? 'No score' : value.toFixed(1));

/** The gateways of one evaluation in a few words: how many passed, failed, are conditional or await the moderator. */
export function gatewaySummary(gateways: Evaluation['gateways']): string {
  if (gateways.length === 0) return 'None apply';
  const count = (outcome: string) => gateways.filter((g) => g.outcome === outcome).length;
  const parts = [
    count('fail') && `${count('fail')} failed`,
    count('pending') && `${count('pending')} awaiting a decision`,
    count('conditional') && `${count('conditional')} passed with conditions`,
    count('pass') && `${count('pass')} passed`,
  ].filter(Boolean);
  return count('pass') === gateways.length ? `All ${gateways.length} passed` : parts.join(', ');
}

/** Whether the moderator has signed an evaluation with nothing outstanding off, by whom and when, as the evaluation report says it. */
export function finalisedWords(item: Pick<ResultRow, 'finalisedAt' | 'finalisedBy'>, names: ReadonlyMap<string, string>): string {
  if (!item.finalisedAt) return 'Complete, not yet finalised by the moderator';
  return `Finalised by ${(item.finalisedBy && names.get(item.finalisedBy)) ?? 'a former user'} on ${ukDayTime(item.finalisedAt)}`;
}

const RANK_ORDER = (a: ResultRow, b: ResultRow) => (a.rank ?? Infinity) - (b.rank ?? Infinity);
const secondLine = (text: string) => ` <span class="govuk-!-display-block govuk-body-s govuk-!-margin-bottom-0">${escapeHtml(text)}</span>`;

/**
 * One row per response, best first (the unranked after, in invitation order): rank, supplier (with
 * its gateways and whether the evaluation is provisional, complete or finalised (by whom, when)
 * under its name), score and rating. Four
 * columns, so the table still fits a 320 px screen.
 */
export function resultsTable({
  procurementId,
  items,
  evaluations,
  names = new Map(),
  conditions = new Map(),
}: {
  procurementId: string;
  items: ResultRow[];
  evaluations: ReadonlyMap<string, { evaluation: Evaluation }>;
  /** Users' names by id, for who finalised each evaluation. */
  names?: ReadonlyMap<string, string>;
  /** Each evaluated response's conditions register in numbers, for the link to it. */
  conditions?: ReadonlyMap<string, { total: number; open: number }>;
}): { head: Cell[]; rows: Cell[][] } {
  const head: Cell[] = [{ text: 'Rank' }, { text: 'Supplier' }, { text: 'Score', format: 'numeric' }, { text: 'Rating' }];
  const rows = [...items].sort(RANK_ORDER).map((item): Cell[] => {
    const evaluation = item.status === 'submitted' ? evaluations.get(item.responseId)?.evaluation : undefined;
    const name = `<a class="govuk-link" href="${responseHref(procurementId, item.responseId)}">${escapeHtml(item.supplierName)}</a>`;
    const rank: Cell = item.rank === null ? { html: '<span aria-hidden="true">–</span><span class="govuk-visually-hidden">Not ranked</span>' } : { text: String(item.rank) };
    if (item.status !== 'submitted' || !evaluation) {
      return [rank, { html: name + secondLine(item.status === 'submitted' ? 'Not evaluated yet' : `Not submitted (${STATUS_WORDS[item.status] ?? item.status})`) }, { text: 'None', format: 'numeric' }, { text: 'None' }];
    }
    const state = evaluation.provisional ? `Provisional: ${evaluation.outstanding.length} ${evaluation.outstanding.length === 1 ? 'item' : 'items'} outstanding` : finalisedWords(item, names);
    const register = conditions.get(item.responseId);
    const conditionsLink = register
      ? ` <span class="govuk-!-display-block govuk-body-s govuk-!-margin-bottom-0"><a class="govuk-link" href="${responseHref(procurementId, item.responseId)}/conditions">Conditions<span class="govuk-visually-hidden"> for ${escapeHtml(item.supplierName)}</span> (${register.open} open)</a></span>`
      : '';
    return [rank, { html: name + secondLine(`Gateways: ${gatewaySummary(evaluation.gateways).toLowerCase()}`) + secondLine(state) + conditionsLink }, { text: score(item.overallScore), format: 'numeric' }, { text: RATING_WORDS[evaluation.rating] }];
  });
  return { head, rows };
}

/** Why some responses have no rank: the rule, said once under the table. */
export const RANK_RULE = 'Scores are out of 100. Only submitted responses that passed every gateway (a pass with conditions counts) are ranked, by overall score; equal scores share a rank.';

/**
 * The section × supplier matrix (each section with its weight), with the overall score and rating
 * under it, and the question × supplier matrix (a score, or why there is none).
 */
export function comparisonTables({ comparison, items, evaluations }: { comparison: ComparisonDto; items: ResultRow[]; evaluations: ReadonlyMap<string, { evaluation: Evaluation }> }): {
  sections: { head: Cell[]; rows: Cell[][] };
  questions: { head: Cell[]; rows: Cell[][] };
} | null {
  if (comparison.suppliers.length === 0) return null;
  const suppliers = comparison.suppliers.map((s): Cell => ({ text: s.supplierName, format: 'numeric' }));
  const byId = new Map(items.map((i) => [i.responseId, i]));
  const sectionRows = comparison.sections.map((s): Cell[] => [
    { html: `${escapeHtml(s.ref ? `${s.ref}. ${s.title}` : s.title)}${secondLine(`Weight ${s.weight}`)}` },
    ...s.scores.map((v): Cell => ({ text: score(v), format: 'numeric' })),
  ]);
  sectionRows.push([{ text: 'Overall score' }, ...comparison.suppliers.map((s): Cell => ({ text: score(byId.get(s.responseId)?.overallScore), format: 'numeric', classes: 'govuk-!-font-weight-bold' }))]);
  sectionRows.push([
    { text: 'Rating' },
    ...comparison.suppliers.map((s): Cell => {
      const rating = evaluations.get(s.responseId)?.evaluation.rating;
      return { text: rating ? RATING_WORDS[rating] : 'None', format: 'numeric', classes: 'govuk-!-font-weight-bold' };
    }),
  ]);
  const questionRows = comparison.questions.map((q): Cell[] => [
    { text: q.ref ?? q.key },
    ...q.scores.map((v, i): Cell => ({ text: v === null ? (QUESTION_STATUS_WORDS[q.statuses[i] ?? ''] ?? 'No score') : `${v} of 4`, format: 'numeric' })),
  ]);
  return {
    sections: { head: [{ text: 'Section' }, ...suppliers], rows: sectionRows },
    questions: { head: [{ text: 'Question' }, ...suppliers], rows: questionRows },
  };
}

// ───────────────────────────────────────────── the decision

export type DecisionTyped = { choice: string; rationale: string };
/** The radio value for "no award": never a response id. */
export const NO_AWARD = 'no_award';

/** The choices the form offers: each ranked response, best first, then no award. */
export function decisionChoices({ items, typed }: { items: ResultRow[]; typed: DecisionTyped }) {
  const ranked = items.filter((i) => i.rank !== null).sort((a, b) => a.rank! - b.rank!);
  return [
    ...ranked.map((i) => ({ value: i.responseId, text: `Award the contract to ${i.supplierName}`, hint: { text: `Ranked ${i.rank}, scoring ${score(i.overallScore)} out of 100` }, checked: typed.choice === i.responseId })),
    ...(ranked.length > 0 ? [{ divider: 'or' }] : []),
    { value: NO_AWARD, text: 'Do not award the contract', hint: { text: 'Not proceeding is a legitimate outcome of due diligence.' }, checked: typed.choice === NO_AWARD },
  ];
}

/** The decision form: an award to one of the ranked responses, or no award, and the reasons. */
export function readDecisionForm({ body, items }: { body: FormBody; items: ResultRow[] }): {
  typed: DecisionTyped;
  errors: PageError[];
  input: { outcome: 'award' | 'no_award'; responseId?: string; rationale: string } | null;
} {
  const typed = { choice: first(body.choice), rationale: lines(first(body.rationale)) };
  const errors: PageError[] = [];
  const awarded = items.find((i) => i.responseId === typed.choice);
  if (typed.choice !== NO_AWARD && !awarded) errors.push({ href: '#choice', text: 'Select who to award the contract to, or not to award it' });
  if (!typed.rationale) errors.push({ href: '#rationale', text: 'Enter the reasons for the decision' });
  else if (typed.rationale.length > 20_000) errors.push({ href: '#rationale', text: 'The reasons must be 20,000 characters or fewer' });
  if (errors.length > 0) return { typed, errors, input: null };
  return { typed, errors, input: awarded ? { outcome: 'award', responseId: awarded.responseId, rationale: typed.rationale } : { outcome: 'no_award', rationale: typed.rationale } };
}

/** The decision as recorded, for the results and decision pages. */
export function decisionRows({ decision, items }: { decision: DecisionDto; items: ResultRow[] }) {
  const winner = decision.responseId ? items.find((i) => i.responseId === decision.responseId) : undefined;
  return [
    { key: { text: 'Decision' }, value: { text: decision.outcome === 'award' ? `Award the contract to ${winner?.supplierName ?? 'a supplier'}` : 'Do not award the contract' } },
    { key: { text: 'Reasons' }, value: { text: decision.rationale } },
    { key: { text: 'Recorded' }, value: { text: ukDayTime(decision.decidedAt) } },
  ];
}
