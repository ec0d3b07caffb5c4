import { calendarDay, ukDayTime } from '../../platform/format';
import type { Condition, ConditionSource, ConditionStatus } from './conditions.models';
import { RATING_WORDS, type Rating } from './scoring.models';
import type { FormBody, PageError } from './moderation.models';

/**
 * The console's conditions pages as pure view models: the numbered register of one response, and
 * the form that records a condition's status, reason, owner and due date (read and checked here,
 * decided by `updateCondition`), with what someone else recorded when a second tab saved first.
 */

export const conditionsHref = (procurementId: string, responseId: string) => `/procurements/${procurementId}/responses/${responseId}/conditions`;
// Condition ids carry their source and a question or section key (`gateway:a.training`): encoded for the path.
export const conditionHref = (base: string, conditionId: string) => `${base}/${encodeURIComponent(conditionId)}`;

export const SOURCE_WORDS: Record<ConditionSource, string> = {
  gateway: 'A gateway the moderator passed with conditions',
  exception: 'An exception the supplier took to the council’s terms',
  evidence: 'Evidence the supplier did not provide (the score was capped)',
  residual_risk: 'Medium or high residual risk in a critical section',
  overall_risk: 'Medium overall residual risk',
};

export const STATUS_TAGS: Record<ConditionStatus, { text: string; classes: string }> = {
  open: { text: 'Open', classes: 'govuk-tag--yellow' },
  met: { text: 'Met', classes: 'govuk-tag--green' },
  waived: { text: 'Waived', classes: 'govuk-tag--grey' },
};

const tagHtml = (status: ConditionStatus) => `<strong class="govuk-tag ${STATUS_TAGS[status].classes}">${STATUS_TAGS[status].text}</strong>`;
const nameOf = (names: ReadonlyMap<string, string>, id: string) => names.get(id) ?? 'a former user';

/** Who last changed a condition, and when; or that nobody has yet. */
export function lastChangedWords(condition: Pick<Condition, 'updatedBy' | 'updatedAt'>, names: ReadonlyMap<string, string>): string {
  if (!condition.updatedBy || !condition.updatedAt) return 'Not changed since the evaluation raised it';
  return `${nameOf(names, condition.updatedBy)}, ${ukDayTime(condition.updatedAt)}`;
}

/** One condition as summary-list rows (GOV.UK's rows shape): what it asks, what raised it, who owns it, when it is due, its status. */
export function conditionRows(condition: Condition, names: ReadonlyMap<string, string>) {
  return [
    { key: { text: 'Condition' }, value: { text: condition.text } },
    { key: { text: 'Raised by' }, value: { text: SOURCE_WORDS[condition.source] } },
    { key: { text: 'Owner' }, value: { text: condition.owner ?? 'Not set' } },
    { key: { text: 'Due' }, value: { text: condition.dueDate ? calendarDay(condition.dueDate) : 'Not set' } },
    { key: { text: 'Status' }, value: { html: tagHtml(condition.status) } },
    ...(condition.reason ? [{ key: { text: condition.status === 'waived' ? 'Why it was waived' : 'How it was met' }, value: { text: condition.reason } }] : []),
    { key: { text: 'Last changed' }, value: { text: lastChangedWords(condition, names) } },
  ];
}

/** The register: one card per condition, numbered, each linking to its own page when the reader may change it. */
export function registerCards({ base, conditions, names, mayChange }: { base: string; conditions: Condition[]; names: ReadonlyMap<string, string>; mayChange: boolean }) {
  return conditions.map((condition) => ({
    title: `Condition ${condition.number}`,
    href: mayChange ? conditionHref(base, condition.id) : null,
    rows: conditionRows(condition, names),
  }));
}

/** The rating in words, with the overall score it was read from: "Acceptable with conditions (score 72.5 out of 100)". */
export function ratingWords({ rating, overallScore }: { rating: Rating; overallScore: number | null }): string {
  const words = RATING_WORDS[rating];
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${overallScore === null ? '' : ` (score ${overallScore.toFixed(1)} out of 100)`}`;
}

/** "3 conditions, 1 open": said once above the register, and in the results table's link. */
export function conditionsCountWords({ total, open }: { total: number; open: number }): string {
  if (total === 0) return 'No conditions';
  return `${total} ${total === 1 ? 'condition' : 'conditions'}, ${open} open`;
}

// ───────────────────────── the form

export type ConditionTyped = { status: string; waivedReason: string; metReason: string; owner: string; day: string; month: string; year: string; version: string };
export type ConditionInput = { status: ConditionStatus; reason: string | null; owner: string | null; dueDate: string | null; version: number };
type DatePart = 'day' | 'month' | 'year';

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
const lines = (text: string) => text.replace(/\r\n?/g, '\n');

/** The form's values from the condition as recorded, so the page opens on it. */
export function conditionTypedFrom(condition: Condition): ConditionTyped {
  const [year = '', month = '', day = ''] = condition.dueDate?.split('-') ?? [];
  return {
    status: condition.status,
    waivedReason: condition.status === 'waived' ? (condition.reason ?? '') : '',
    metReason: condition.status === 'met' ? (condition.reason ?? '') : '',
    owner: condition.owner ?? '',
    day: day.replace(/^0/, ''),
    month: month.replace(/^0/, ''),
    year,
    version: String(condition.version),
  };
}

/**
 * The due date as GOV.UK's date input asks it: optional (all three parts empty clears it), and
 * otherwise a real date, with the Design System's messages and only the wrong parts marked.
 */
export function readDueDate({ day, month, year }: { day: string; month: string; year: string }): { dueDate: string | null; problem: { text: string; parts: DatePart[] } | null } {
  const parts = { day, month, year };
  const missing = (['day', 'month', 'year'] as const).filter((k) => parts[k] === '');
  if (missing.length === 3) return { dueDate: null, problem: null };
  if (missing.length > 0) return { dueDate: null, problem: { text: `Due date must include a ${missing.join(' and ')}`, parts: [...missing] } };
  const wrong = (['day', 'month', 'year'] as const).filter((k) => !/^\d{1,4}$/.test(parts[k]));
  if (wrong.length > 0) return { dueDate: null, problem: { text: 'Due date must be a real date', parts: [...wrong] } };
  if (!/^\d{4}$/.test(year)) return { dueDate: null, problem: { text: 'Year must include 4 numbers', parts: ['year'] } };
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day))
    return { dueDate: null, problem: { text: 'Due date must be a real date', parts: ['day', 'month', 'year'] } };
  return { dueDate: date.toISOString().slice(0, 10), problem: null };
}

/**
 * The condition form: a status; a reason, required to waive (how it was met is optional); an owner
 * and a due date, both optional (emptied, they are cleared); and the version the page was read at.
 * A reason typed under the other status is dropped, as the page showed it under that status only.
 */
export function readConditionForm(body: FormBody): { typed: ConditionTyped; errors: PageError[]; dateParts: DatePart[]; input: ConditionInput | null } {
  const typed: ConditionTyped = {
    status: first(body.status),
    waivedReason: lines(first(body.reason)),
    metReason: lines(first(body.metReason)),
    owner: first(body.owner),
    day: first(body['dueDate-day']),
    month: first(body['dueDate-month']),
    year: first(body['dueDate-year']),
    version: first(body.version),
  };
  const errors: PageError[] = [];
  const status = (['open', 'met', 'waived'] as const).find((s) => s === typed.status);
  if (!status) errors.push({ href: '#status', text: 'Select whether the condition is open, met or waived' });
  const reason = status === 'waived' ? typed.waivedReason : status === 'met' ? typed.metReason : '';
  if (status === 'waived' && !reason) errors.push({ href: '#reason', text: 'Enter why the council waives this condition' });
  else if (reason.length > 5000) errors.push({ href: status === 'waived' ? '#reason' : '#metReason', text: 'The reason must be 5,000 characters or fewer' });
  if (typed.owner.length > 200) errors.push({ href: '#owner', text: 'The owner must be 200 characters or fewer' });
  const due = readDueDate(typed);
  if (due.problem) errors.push({ href: `#dueDate-${due.problem.parts[0]}`, text: due.problem.text });
  // Not typed by anyone: a page that lost it is treated as stale rather than guessed at.
  const version = /^\d{1,9}$/.test(typed.version) ? Number(typed.version) : -1;
  if (errors.length > 0 || !status) return { typed, errors, dateParts: due.problem?.parts ?? [], input: null };
  return { typed, errors, dateParts: [], input: { status, reason: reason || null, owner: typed.owner || null, dueDate: due.dueDate, version } };
}

/** GOV.UK's date input items, with only the parts at fault marked. */
export function dueDateItems(typed: Pick<ConditionTyped, 'day' | 'month' | 'year'>, wrong: readonly DatePart[]) {
  const item = (name: DatePart, label: string, width: number) => ({ name, label, classes: `govuk-input--width-${width}${wrong.includes(name) ? ' govuk-input--error' : ''}`, value: typed[name] });
  return [item('day', 'Day', 2), item('month', 'Month', 2), item('year', 'Year', 4)];
}
