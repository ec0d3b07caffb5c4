import { fromUkWallTime, ukDayTime } from '../format';
import { encodeCursor } from '../pagination';
import type { AuditEvent, ChainVerification } from './audit';
import type { AuditFilter } from './audit.search';
import { auditEventWords } from './audit.words';

/**
 * What the audit log pages show, as pure functions: the filter form read from the query string
 * (dates typed in UK time), each event in words, and the chain verification's result.
 */

export type PageError = { text: string; href: string };
type DateParts = { day: string; month: string; year: string };
export type FilterValues = { who: string; action: string; procurement: string; from: DateParts; to: DateParts };

type Query = Record<string, unknown> | undefined;
const one = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '').trim();

/** Which parts of a date field to mark as wrong, and the message, GOV.UK style. */
type DateProblem = { text: string; parts: Array<keyof DateParts> };

type ReadDate = { at: { year: number; month: number; day: number } | null; problem: DateProblem | null };

function readDate(parts: DateParts, name: string): ReadDate {
  const missing = (['day', 'month', 'year'] as const).filter((k) => parts[k] === '');
  if (missing.length === 3) return { at: null, problem: null };
  if (missing.length > 0) return { at: null, problem: { text: `${name} must include a ${missing.join(' and ')}`, parts: [...missing] } };
  const wrong = (['day', 'month', 'year'] as const).filter((k) => !/^\d{1,4}$/.test(parts[k]));
  if (wrong.length > 0) return { at: null, problem: { text: `${name} must be a real date`, parts: [...wrong] } };
  if (!/^\d{4}$/.test(parts.year)) return { at: null, problem: { text: 'Year must include 4 numbers', parts: ['year'] } };
  const at = { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
  if (fromUkWallTime({ ...at, hour: 0, minute: 0 }) === null) return { at: null, problem: { text: `${name} must be a real date`, parts: ['day', 'month', 'year'] } };
  return { at, problem: null };
}

/** Midnight (UK time) at the start of the day, or of the day after. */
function ukMidnight({ year, month, day }: { year: number; month: number; day: number }, dayAfter = false): Date {
  const date = new Date(Date.UTC(year, month - 1, day + (dayAfter ? 1 : 0)));
  // Midnight always exists in London: the clocks change at 1 am and 2 am.
  return fromUkWallTime({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: 0, minute: 0 })!;
}

export type ReadFilter = {
  values: FilterValues;
  filter: AuditFilter;
  errors: PageError[];
  /** The date fields' problems, for the date inputs. */
  dateProblems: { from: DateProblem | null; to: DateProblem | null };
  cursor: string | undefined;
};

/** The filter form as submitted (GET): values to show back, the filter to apply, and what is wrong with it. */
export function readAuditFilter(query: Query): ReadFilter {
  const q = query ?? {};
  const values: FilterValues = {
    who: one(q.who),
    action: one(q.action),
    procurement: one(q.procurement),
    from: { day: one(q['from-day']), month: one(q['from-month']), year: one(q['from-year']) },
    to: { day: one(q['to-day']), month: one(q['to-month']), year: one(q['to-year']) },
  };
  const errors: PageError[] = [];
  const from = readDate(values.from, 'The from date');
  const to = readDate(values.to, 'The to date');
  if (from.problem) errors.push({ text: from.problem.text, href: `#from-${from.problem.parts[0]}` });
  if (to.problem) errors.push({ text: to.problem.text, href: `#to-${to.problem.parts[0]}` });
  const filter: AuditFilter = {};
  if (values.who) filter.actorId = values.who.slice(0, 200);
  if (values.action) filter.action = values.action.slice(0, 200);
  if (values.procurement) filter.procurementId = values.procurement.slice(0, 200);
  if (from.at) filter.from = ukMidnight(from.at);
  if (to.at) filter.until = ukMidnight(to.at, true);
  let toProblem = to.problem;
  if (filter.from && filter.until && filter.until <= filter.from) {
    toProblem = { text: 'The to date must be the same as or after the from date', parts: ['day', 'month', 'year'] };
    errors.push({ text: toProblem.text, href: '#to-day' });
  }
  const cursor = one(q.cursor);
  return { values, filter, errors, dateProblems: { from: from.problem, to: toProblem }, cursor: cursor && cursor.length <= 512 ? cursor : undefined };
}

/** The query string of a filter (for links to the next page), without empty fields. */
export function filterQuery(values: FilterValues, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  const add = (key: string, value: string) => {
    if (value) params.append(key, value);
  };
  add('who', values.who);
  add('action', values.action);
  add('procurement', values.procurement);
  for (const side of ['from', 'to'] as const) for (const part of ['day', 'month', 'year'] as const) add(`${side}-${part}`, values[side][part]);
  for (const [key, value] of Object.entries(extra)) add(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export type Person = { kind: 'user' | 'api_key'; id: string; name: string };
export type ProcurementName = { id: string; title: string; reference: string | null };

/** Names for the ids on the page, from the modules (people, procurements) and the log itself (suppliers). */
export type Names = {
  people: ReadonlyMap<string, Person>;
  procurements: ReadonlyMap<string, ProcurementName>;
  /** By invitation id and by response id. */
  suppliers: ReadonlyMap<string, string>;
};

export const procurementName = (p: ProcurementName) => (p.reference ? `${p.title} (${p.reference})` : p.title);

function personName(kind: string, id: string, names: Names): string {
  const person = names.people.get(id);
  if (kind === 'user') return person?.kind === 'user' ? person.name : `A user (${id})`;
  if (kind === 'api_key') return person?.kind === 'api_key' ? `API key “${person.name}”` : `An API key (${id})`;
  if (kind === 'supplier') {
    const supplier = names.suppliers.get(id);
    return supplier ? `${supplier} (supplier)` : 'A supplier';
  }
  return `The service (${id})`;
}

const SUBJECTS: Readonly<Record<string, string>> = {
  organisation: 'The council',
  procurement: 'Procurement',
  invitation: 'Invitation',
  response: 'Response',
  questionnaire: 'Questionnaire',
  user: 'User',
  api_key: 'API key',
  personal_token: 'Personal access token',
  webhook_endpoint: 'Webhook endpoint',
  staff_session: 'Sign-in session',
  team_member: 'Bid team member',
  identity_provider: 'Identity provider',
};

function subjectText(subject: { type: string; id: string }, names: Names): string {
  const kind = SUBJECTS[subject.type] ?? subject.type;
  if (subject.type === 'procurement') {
    const found = names.procurements.get(subject.id);
    return found ? `Procurement: ${procurementName(found)}` : `Procurement ${subject.id}`;
  }
  if (subject.type === 'invitation' || subject.type === 'response') {
    const supplier = names.suppliers.get(subject.id);
    return supplier ? `${kind} of ${supplier}` : `${kind} ${subject.id}`;
  }
  if (subject.type === 'user' || subject.type === 'api_key') {
    const person = names.people.get(subject.id);
    return person ? `${kind}: ${person.name}` : `${kind} ${subject.id}`;
  }
  if (subject.type === 'organisation' || subject.type === 'staff_session') return kind;
  return `${kind} ${subject.id}`;
}

/** A detail's value as text: short values as they are, anything nested as compact JSON, all within 300 characters. */
function detailText(value: unknown): string {
  const text = typeof value === 'string' ? value : Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null) ? value.map(String).join(', ') : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export type EventCard = {
  id: string;
  seq: number;
  /** What happened: the action in words where it has a label, else its code. */
  title: string;
  when: string;
  who: string;
  about: string;
  action: string;
  details: Array<{ key: string; value: string }>;
};

export function auditEventCards({ events, names }: { events: readonly AuditEvent[]; names: Names }): EventCard[] {
  return events.map((event) => ({
    id: event.id,
    seq: event.seq,
    title: auditEventWords(event) ?? event.action,
    when: ukDayTime(event.createdAt),
    who: personName(event.actor.type, event.actor.id, names),
    about: subjectText(event.subject, names),
    action: event.action,
    details: Object.entries(event.details).map(([key, value]) => ({ key, value: detailText(value) })),
  }));
}

/** The ids whose supplier names the page needs: supplier actors, invitation and response subjects. */
export function supplierIdsOf(events: readonly AuditEvent[]): string[] {
  const ids = new Set<string>();
  for (const e of events) {
    if (e.actor.type === 'supplier') ids.add(e.actor.id);
    if (e.subject.type === 'invitation' || e.subject.type === 'response') ids.add(e.subject.id);
  }
  return [...ids];
}

export type SelectItem = { value: string; text: string; selected?: boolean };

/** The choices of the filter's selects; a chosen value not among them (from a link) is kept as a choice. */
export function filterChoices({ values, names, actions }: { values: FilterValues; names: Names; actions: readonly string[] }): { who: SelectItem[]; action: SelectItem[]; procurement: SelectItem[] } {
  const pick = (items: SelectItem[], chosen: string, unknown: (value: string) => string): SelectItem[] => {
    const all = chosen && !items.some((i) => i.value === chosen) ? [...items, { value: chosen, text: unknown(chosen) }] : items;
    return all.map((i) => (i.value === chosen ? { ...i, selected: true } : i));
  };
  const people = [...names.people.values()];
  const who = [
    { value: '', text: 'Anyone' },
    ...people.filter((p) => p.kind === 'user').map((p) => ({ value: p.id, text: p.name })),
    ...people.filter((p) => p.kind === 'api_key').map((p) => ({ value: p.id, text: `API key “${p.name}”` })),
  ];
  const action = [{ value: '', text: 'Any action' }, ...actions.map((a) => ({ value: a, text: auditEventWords({ action: a, details: {} }) ? `${auditEventWords({ action: a, details: {} })} (${a})` : a }))];
  const procurement = [{ value: '', text: 'Any procurement' }, ...[...names.procurements.values()].map((p) => ({ value: p.id, text: procurementName(p) }))];
  return {
    who: pick(who, values.who, (id) => personName(names.people.get(id)?.kind ?? (names.suppliers.has(id) ? 'supplier' : 'system'), id, names)),
    action: pick(action, values.action, (a) => a),
    procurement: pick(procurement, values.procurement, (id) => `Procurement ${id}`),
  };
}

/** Whether any filter is set: the empty state then says to widen it rather than that nothing happened. */
export const isFiltered = (values: FilterValues): boolean =>
  Boolean(values.who || values.action || values.procurement || Object.values(values.from).some(Boolean) || Object.values(values.to).some(Boolean));

export type VerificationView =
  | { ok: true; checked: number; headHash: string }
  | { ok: false; checked: number; reason: string; seq: number; when: string | null; title: string | null; eventHref: string };

/** The chain verification's result in words, with the first broken event when there is one. */
export function verificationView({ result, broken }: { result: ChainVerification; broken: AuditEvent | null }): VerificationView {
  if (result.ok) return { ok: true, checked: result.checked, headHash: result.headHash };
  return {
    ok: false,
    checked: result.checked,
    seq: result.firstBroken.seq,
    reason: result.firstBroken.reason.charAt(0).toUpperCase() + result.firstBroken.reason.slice(1),
    when: broken ? ukDayTime(broken.createdAt) : null,
    title: broken ? (auditEventWords(broken) ?? broken.action) : null,
    // The audit log from that event back: its page's cursor is the event after it.
    eventHref: `/admin/audit?cursor=${encodeCursor([Math.min(result.firstBroken.seq + 1, 2 ** 31 - 1)])}`,
  };
}
