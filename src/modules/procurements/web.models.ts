import type { FieldProblem } from '../../platform/errors';
import type { ProcurementFacts } from '../../platform/http/deps';
import { fromUkWallTime, ukDay, ukClock, ukWallTime } from '../../platform/format';
import { TIER_NAMES, compareVersions, type QuestionnaireDefinition, type QuestionnaireSummary, type RiskTier, type TriageQuestion } from '../questionnaires';
import { missingTriage, type ProcurementStatus, type TransitionName, type TriageValue } from './procurements.models';
import type { ProcurementDto } from './procurements.usecases';

/**
 * What the console's procurement pages show, as plain data: rows, the lifecycle task list, each
 * form's fields filled from a procurement or from what was typed, and the use cases' problems as
 * GOV.UK error messages on those fields. Pure: the pages (procurements.web.ts and its siblings)
 * fetch through the use cases, which hold every rule; nothing here decides what is acceptable.
 */

export type FormBody = Record<string, string | string[] | undefined>;

/** One error on a page: the element it links to and the message, GOV.UK style. */
export type PageError = { href: string; text: string };

/** A field's GOV.UK `errorMessage`, or undefined when it has none. */
export type ErrorMessage = { text: string } | undefined;

const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
const all = (value: string | string[] | undefined): string[] => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]);
/** Browsers send a textarea's line breaks as CRLF; the service keeps LF, as the API does. */
const lines = (text: string) => text.replace(/\r\n?/g, '\n');

/** A zod issue as the API's problem+json lists it: `/body/<path>`. */
export function zodProblems(issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[]): (FieldProblem & { kind: string })[] {
  return issues.map((issue) => ({ path: `/body${issue.path.map((p) => `/${String(p)}`).join('')}`, message: issue.message, kind: issue.code }));
}

export const tierName = (tier: RiskTier): string => TIER_NAMES[tier];

// ─── Status and the list ──────────────────────────────────────────────────────────────────────

const STATUS_TAGS: Record<ProcurementStatus, { text: string; classes: string }> = {
  draft: { text: 'Draft', classes: 'govuk-tag--grey' },
  open: { text: 'Open', classes: 'govuk-tag--blue' },
  closed: { text: 'Closed', classes: 'govuk-tag--yellow' },
  evaluating: { text: 'Evaluating', classes: 'govuk-tag--purple' },
  decided: { text: 'Decided', classes: 'govuk-tag--green' },
  cancelled: { text: 'Cancelled', classes: 'govuk-tag--red' },
};

export const statusTag = (status: ProcurementStatus) => STATUS_TAGS[status];

const STATUS_PHRASES: Record<ProcurementStatus, string> = { draft: 'a draft', open: 'open', closed: 'closed', evaluating: 'being evaluated', decided: 'decided', cancelled: 'cancelled' };

/** "This procurement is a draft", "… is being evaluated". */
export const statusPhrase = (status: ProcurementStatus) => `This procurement is ${STATUS_PHRASES[status]}`;

/** The choices of the list's status filter: every status, and all of them. */
export function statusFilter(selected: ProcurementStatus | undefined) {
  return [
    { value: '', text: 'All statuses', selected: selected === undefined },
    ...(Object.keys(STATUS_TAGS) as ProcurementStatus[]).map((status) => ({ value: status, text: STATUS_TAGS[status].text, selected: selected === status })),
  ];
}

export type ListRow = {
  href: string;
  title: string;
  reference: string;
  status: { text: string; classes: string };
  deadline: string;
  /** "3 invited, 1 submitted", or null for a reader who may not see suppliers' progress. */
  suppliers: string | null;
};

/** "17:00 on 10 December 2026", GOV.UK's way of writing a moment. */
export const ukMoment = (at: string | Date) => `${ukClock(at)} on ${ukDay(at)}`;

export function suppliersText(facts: ProcurementFacts | undefined): string | null {
  if (facts?.suppliersInvited === undefined) return null;
  return `${facts.suppliersInvited} invited, ${facts.suppliersSubmitted ?? 0} submitted`;
}

export function listRows(items: ProcurementDto[], facts: Map<string, ProcurementFacts>): ListRow[] {
  return items.map((p) => ({
    href: `/procurements/${p.id}`,
    title: p.title,
    reference: p.reference ?? '',
    status: statusTag(p.status),
    deadline: ukMoment(p.closesAt),
    suppliers: suppliersText(facts.get(p.id)),
  }));
}

// ─── The lifecycle as a task list ───────────────────────────────────────────────────────────────

type TaskStatus = { text: string } | { tag: { text: string; classes: string } };
export type Task = { title: { text: string }; hint?: { text: string }; href?: string; status: TaskStatus };

const done: TaskStatus = { text: 'Completed' };
const cannotStart: TaskStatus = { text: 'Cannot start yet', classes: 'govuk-task-list__status--cannot-start-yet' } as TaskStatus;
const notStarted: TaskStatus = { tag: { text: 'Not yet started', classes: 'govuk-tag--blue' } };
const incomplete: TaskStatus = { tag: { text: 'Incomplete', classes: 'govuk-tag--light-blue' } };
const inProgress: TaskStatus = { tag: { text: 'In progress', classes: 'govuk-tag--light-blue' } };
const cancelled: TaskStatus = { text: 'Cancelled', classes: 'govuk-task-list__status--cannot-start-yet' } as TaskStatus;

const AFTER_CLOSE: ProcurementStatus[] = ['closed', 'evaluating', 'decided'];

/**
 * Each step from the questionnaire to the reports, with its status and, where the reader can act
 * on it now, a link. Draft steps link only for those who may change the procurement; the later
 * pages (suppliers, results, decision, reports) decide for themselves who may see what.
 */
export function lifecycleTasks({
  procurement: p,
  definition,
  facts,
  canChange,
}: {
  procurement: ProcurementDto;
  definition: QuestionnaireDefinition;
  facts: ProcurementFacts | undefined;
  canChange: boolean;
}): Task[] {
  const base = `/procurements/${p.id}`;
  const draft = p.status === 'draft';
  const editable = draft && canChange;
  const wasCancelled = p.status === 'cancelled';
  const opened = p.openedAt !== null;
  const closed = p.closedAt !== null;
  const tasks: Task[] = [];
  const link = (allowed: boolean, href: string) => (allowed ? { href } : {});
  const pending = (status: TaskStatus) => (wasCancelled ? cancelled : status);

  tasks.push({ title: { text: 'Choose the questionnaire' }, hint: { text: `${p.questionnaire.title}, version ${p.questionnaire.version}` }, ...link(editable, `${base}/details`), status: done });

  const triageQuestions = definition.triage.questions.length;
  const missing = missingTriage({ definition, triage: p.triage }).length;
  const answered = Object.keys(p.triage).length;
  tasks.push({
    title: { text: 'Describe the use case' },
    hint: { text: `Risk tier: ${tierName(p.riskTier)}` },
    ...link(editable, `${base}/triage`),
    status: missing === 0 ? done : opened ? done : pending(answered === 0 && triageQuestions > 0 ? notStarted : incomplete),
  });
  tasks.push({ title: { text: 'Set the section weights' }, hint: { text: `${definition.sections.length} sections, adding up to 100` }, ...link(editable, `${base}/weights`), status: done });

  const panelSize = p.evaluatorIds.length + (p.moderatorId ? 1 : 0);
  tasks.push({
    title: { text: 'Name the evaluation panel' },
    hint: { text: `${p.evaluatorIds.length} ${p.evaluatorIds.length === 1 ? 'evaluator' : 'evaluators'}, ${p.moderatorId ? 'a moderator' : 'no moderator'}` },
    ...link(editable, `${base}/panel`),
    status: p.evaluatorIds.length > 0 && p.moderatorId ? done : pending(panelSize === 0 ? notStarted : incomplete),
  });

  // Only those who may read suppliers' progress are told about the suppliers (the facts say so).
  if (facts?.suppliersInvited !== undefined) {
    const invited = facts.suppliersInvited;
    const inviting = p.status === 'draft' || p.status === 'open';
    tasks.push({
      title: { text: 'Invite suppliers' },
      hint: { text: `${invited} invited, ${facts.suppliersSubmitted ?? 0} submitted` },
      ...link(inviting || invited > 0, `${base}/suppliers`),
      status: invited > 0 ? (inviting ? { tag: { text: `${invited} invited`, classes: 'govuk-tag--light-blue' } } : done) : inviting ? pending(notStarted) : pending(cannotStart),
    });
  }

  tasks.push({
    title: { text: 'Open to suppliers' },
    ...(p.openedAt ? { hint: { text: `Opened at ${ukMoment(p.openedAt)}` } } : {}),
    ...link(editable, `${base}/open`),
    status: opened ? done : pending(draft ? notStarted : cannotStart),
  });
  tasks.push({
    title: { text: 'Close to answers' },
    hint: { text: closed ? `Closed at ${ukMoment(p.closedAt!)}` : `Closes by itself at ${ukMoment(p.closesAt)}` },
    ...link(p.status === 'open' && canChange, `${base}/close`),
    status: closed ? done : p.status === 'open' ? inProgress : pending(cannotStart),
  });
  tasks.push({
    title: { text: 'Evaluate the responses' },
    ...(p.status === 'closed' && canChange ? { href: `${base}/start-evaluation` } : p.status === 'evaluating' || p.status === 'decided' ? { href: `${base}/results` } : {}),
    status: p.status === 'decided' ? done : p.status === 'evaluating' ? inProgress : p.status === 'closed' ? notStarted : pending(cannotStart),
  });
  tasks.push({
    title: { text: 'Record the decision' },
    ...(p.decidedAt ? { hint: { text: `Decided at ${ukMoment(p.decidedAt)}` } } : {}),
    ...link(p.status === 'evaluating' || p.status === 'decided', `${base}/decision`),
    status: p.status === 'decided' ? done : p.status === 'evaluating' ? notStarted : pending(cannotStart),
  });
  tasks.push({
    title: { text: 'Download the reports' },
    ...link(AFTER_CLOSE.includes(p.status), `${base}/reports`),
    status: AFTER_CLOSE.includes(p.status) ? { text: 'Available' } : pending(cannotStart),
  });
  return tasks;
}

// ─── Details: questionnaire, title, reference, description, deadline ──────────────────────────

/** The deadline as the form shows it: a UK date and a UK clock time. */
export type DeadlineTyped = { day: string; month: string; year: string; time: string };

export type DetailsTyped = { questionnaireId: string; title: string; reference: string; description: string; deadline: DeadlineTyped };

export function detailsFromProcurement(p: ProcurementDto): DetailsTyped {
  const wall = ukWallTime(p.deadline);
  return {
    questionnaireId: p.questionnaire.id,
    title: p.title,
    reference: p.reference ?? '',
    description: p.description,
    deadline: { day: String(wall.day), month: String(wall.month), year: String(wall.year), time: `${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}` },
  };
}

export const emptyDetails = (): DetailsTyped => ({ questionnaireId: '', title: '', reference: '', description: '', deadline: { day: '', month: '', year: '', time: '17:00' } });

export function readDetailsForm(body: FormBody): DetailsTyped {
  return {
    questionnaireId: first(body.questionnaireId),
    title: first(body.title),
    reference: first(body.reference),
    description: lines(first(body.description)),
    deadline: { day: first(body['deadline-day']), month: first(body['deadline-month']), year: first(body['deadline-year']), time: first(body['deadline-time']) },
  };
}

/** "17:00", "9:30", "9.30", "5pm", "5:30pm", "midday", "midnight": hours and minutes, or null. */
export function parseClock(text: string): { hour: number; minute: number } | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  if (t === 'midday' || t === 'noon' || t === '12noon') return { hour: 12, minute: 0 };
  if (t === 'midnight' || t === '12midnight') return { hour: 0, minute: 0 };
  const m = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$/.exec(t);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const half = m[3];
  // A bare "17" is not a time anyone writes without minutes unless they say am or pm.
  if (m[2] === undefined && !half) return null;
  if (minute > 59) return null;
  if (half) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (half === 'pm' ? 12 : 0);
  } else if (hour > 23) return null;
  return { hour, minute };
}

/**
 * The typed UK date and time as an instant (ISO), or the GOV.UK errors for the parts at fault.
 * Whether the moment is acceptable (in the future) is the use case's rule, not checked here.
 */
export function readDeadline(typed: DeadlineTyped): { iso: string; errors: [] } | { iso: null; errors: { href: string; text: string; parts: ('day' | 'month' | 'year' | 'time')[] }[] } {
  const errors: { href: string; text: string; parts: ('day' | 'month' | 'year' | 'time')[] }[] = [];
  const { day, month, year, time } = typed;
  const parts = { day, month, year };
  const missing = (Object.keys(parts) as ('day' | 'month' | 'year')[]).filter((k) => parts[k] === '');
  const numeric = (s: string) => /^\d+$/.test(s);
  if (missing.length === 3) errors.push({ href: '#deadline-day', text: 'Enter the date of the deadline', parts: ['day', 'month', 'year'] });
  else if (missing.length > 0) errors.push({ href: `#deadline-${missing[0]}`, text: `The date of the deadline must include a ${missing.join(' and a ')}`, parts: missing });
  else if (!numeric(day) || !numeric(month) || !numeric(year)) errors.push({ href: '#deadline-day', text: 'The date of the deadline must be a real date, like 31 3 2027', parts: ['day', 'month', 'year'] });
  else if (year.length !== 4) errors.push({ href: '#deadline-year', text: 'The year of the deadline must include 4 numbers', parts: ['year'] });
  const clock = parseClock(time);
  if (time === '') errors.push({ href: '#deadline-time', text: 'Enter the time of the deadline, like 17:00', parts: ['time'] });
  else if (!clock) errors.push({ href: '#deadline-time', text: 'Enter the time of the deadline on the 24-hour clock, like 17:00', parts: ['time'] });
  if (errors.length > 0) return { iso: null, errors };
  const at = fromUkWallTime({ year: Number(year), month: Number(month), day: Number(day), hour: clock!.hour, minute: clock!.minute });
  if (!at) return { iso: null, errors: [{ href: '#deadline-day', text: 'The date of the deadline must be a real date, like 31 3 2027', parts: ['day', 'month', 'year'] }] };
  return { iso: at.toISOString(), errors: [] };
}

/**
 * The questionnaire a new procurement starts on: the newest version of the built-in bank, so councils
 * get its latest questions unless they choose otherwise. '' when no built-in one is usable.
 */
export function newestBuiltIn(items: QuestionnaireSummary[]): string {
  const builtIn = items.filter((q) => q.builtIn);
  return builtIn.sort((a, b) => compareVersions(b.version, a.version) || a.key.localeCompare(b.key))[0]?.id ?? '';
}

/** The questionnaires a procurement may pin, as radios: the use case decides which are usable. */
export function questionnaireChoices(items: QuestionnaireSummary[], selected: string) {
  return items.map((q) => ({
    value: q.id,
    text: `${q.title} (version ${q.version})`,
    hint: { text: `${q.builtIn ? 'Built in' : 'Your council’s own'}: ${q.sectionCount} sections, ${q.questionCount} questions` },
    checked: q.id === selected,
  }));
}

/** The use cases' and the schema's problems with the details form, as GOV.UK messages on its fields. */
export function detailsErrors(problems: (FieldProblem & { kind?: string })[], typed: DetailsTyped): PageError[] {
  const errors: PageError[] = [];
  for (const problem of problems) {
    const field = problem.path.split('/')[2] ?? '';
    switch (field) {
      case 'title':
        errors.push({ href: '#title', text: typed.title === '' ? 'Enter a title' : 'The title must be 300 characters or fewer' });
        break;
      case 'reference':
        errors.push({ href: '#reference', text: 'The reference must be 100 characters or fewer' });
        break;
      case 'description':
        errors.push({ href: '#description', text: 'The description must be 20,000 characters or fewer' });
        break;
      case 'questionnaireId':
        errors.push({ href: '#questionnaireId', text: typed.questionnaireId === '' ? 'Select a questionnaire' : `You cannot use that questionnaire: ${lowerFirst(problem.message)}` });
        break;
      case 'deadline':
        errors.push({ href: '#deadline-day', text: problem.message === 'must be a time in the future' ? 'The deadline must be in the future' : 'Enter a real date and time for the deadline' });
        break;
      default:
        errors.push({ href: '#main-content', text: problem.message });
    }
  }
  // In the order the fields are on the page.
  const order = ['#questionnaireId', '#title', '#reference', '#description', '#deadline-day'];
  return dedupe(errors).sort((a, b) => order.indexOf(a.href) - order.indexOf(b.href));
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);
const dedupe = (errors: PageError[]) => errors.filter((e, i) => errors.findIndex((o) => o.href === e.href) === i);

/** The error message a field shows: the first summary error that links to it. */
export function messageFor(errors: PageError[], href: string): ErrorMessage {
  const found = errors.find((e) => e.href === href);
  return found ? { text: found.text } : undefined;
}

// ─── Triage ──────────────────────────────────────────────────────────────────────────────────

/** An element id for a key: keys are letters, digits, underscores and dots, and ids keep clear of dots (CSS selectors). */
export const fieldId = (prefix: string, key: string) => `${prefix}-${key.replaceAll('.', '-')}`;
/** A triage question's element id: its key without dots (`triage.decision_role` → `triage-decision_role`). */
export const triageId = (key: string) => key.replaceAll('.', '-');

/** What the triage form holds for each question, as typed (strings) or as saved. */
export type TriageTyped = Record<string, string | string[]>;

export function triageFromProcurement(triage: Record<string, TriageValue>): TriageTyped {
  return Object.fromEntries(Object.entries(triage).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]));
}

const optionsOf = (q: TriageQuestion) => q.options ?? (q.type === 'yes_no' ? [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] : []);

/**
 * Reads the posted triage form into the answers to save (a blank question is left out: unanswered)
 * and what was typed. A number that does not parse goes to the rules as typed, so they refuse it.
 */
export function readTriageForm(definition: QuestionnaireDefinition, body: FormBody): { triage: Record<string, TriageValue>; typed: TriageTyped } {
  const triage: Record<string, TriageValue> = {};
  const typed: TriageTyped = {};
  for (const q of definition.triage.questions) {
    if (q.type === 'multi_choice') {
      const chosen = all(body[q.key]);
      typed[q.key] = chosen;
      if (chosen.length > 0) triage[q.key] = chosen;
    } else if (q.type === 'number') {
      const text = first(body[q.key]);
      typed[q.key] = text;
      const number = Number(text.replace(/[,\s]/g, ''));
      if (text !== '') triage[q.key] = Number.isFinite(number) ? number : text;
    } else {
      const chosen = first(body[q.key]);
      typed[q.key] = chosen;
      if (chosen !== '') triage[q.key] = chosen;
    }
  }
  return { triage, typed };
}

export type TriageField = {
  key: string;
  id: string;
  type: TriageQuestion['type'];
  text: string;
  hint: string | null;
  /** Radios or checkboxes: the GOV.UK items. */
  items: { value: string; text: string; checked: boolean }[];
  value: string;
  suffix: string | null;
  errorMessage: ErrorMessage;
};

export function triageFields(definition: QuestionnaireDefinition, typed: TriageTyped, errors: PageError[]): TriageField[] {
  return definition.triage.questions.map((q) => {
    const id = triageId(q.key);
    const current = typed[q.key];
    const chosen = Array.isArray(current) ? current : current === undefined || current === '' ? [] : [current];
    return {
      key: q.key,
      id,
      type: q.type,
      text: q.text,
      hint: q.guidance ?? null,
      items: optionsOf(q).map((o) => ({ value: o.value, text: o.label, checked: chosen.includes(o.value) })),
      value: typeof current === 'string' ? current : '',
      suffix: q.limits?.unit ?? null,
      errorMessage: messageFor(errors, `#${id}`),
    };
  });
}

/** The rules' triage problems on their questions, GOV.UK style, in question order. */
export function triageErrors(definition: QuestionnaireDefinition, problems: FieldProblem[]): PageError[] {
  const errors: PageError[] = [];
  for (const q of definition.triage.questions) {
    const at = (path: string) => path === `/body/triage/${q.key}` || path === `/triage/${q.key}` || path.startsWith(`/body/triage/${q.key}/`);
    const problem = problems.find((p) => at(p.path));
    if (!problem) continue;
    const name = `“${q.text}”`;
    let text: string;
    if (problem.message === 'needs an answer') text = q.type === 'multi_choice' ? `Select at least one option for ${name}` : q.type === 'number' ? `Enter a number for ${name}` : `Select an answer for ${name}`;
    else if (q.type === 'number') text = problem.message === 'must be a number' ? `Enter a number for ${name}, like 5000` : `The number for ${name} ${problem.message}`;
    else text = q.type === 'multi_choice' ? `Select only the options listed for ${name}` : `Select one of the answers listed for ${name}`;
    errors.push({ href: `#${triageId(q.key)}`, text });
  }
  // A problem with a question the definition does not have (a form from another questionnaire) is said plainly.
  const other = problems.find((p) => p.path.startsWith('/body/triage/'));
  if (errors.length === 0 && other) errors.push({ href: '#main-content', text: `The triage answers do not fit the questionnaire: ${other.message}` });
  return errors;
}

// ─── Weights ─────────────────────────────────────────────────────────────────────────────────

export const weightId = (section: string) => fieldId('weight', section);

export type WeightField = { key: string; id: string; name: string; title: string; hint: string | null; value: string; errorMessage: ErrorMessage };

/** Each section's weight as typed: numbers go to the rules as numbers, anything else as typed so they refuse it. */
export function readWeightsForm(definition: QuestionnaireDefinition, body: FormBody): { weights: Record<string, number | string>; typed: Record<string, string> } {
  const weights: Record<string, number | string> = {};
  const typed: Record<string, string> = {};
  for (const s of definition.sections) {
    const text = first(body[weightId(s.key)]).replace(/%$/, '').trim();
    typed[s.key] = text;
    const number = Number(text);
    weights[s.key] = text !== '' && Number.isFinite(number) ? number : text;
  }
  return { weights, typed };
}

export function weightFields(definition: QuestionnaireDefinition, typed: Record<string, string>, errors: PageError[]): WeightField[] {
  return definition.sections.map((s) => ({
    key: s.key,
    id: weightId(s.key),
    name: weightId(s.key),
    title: s.ref ? `${s.ref}. ${s.title}` : s.title,
    hint: s.showIf ? 'Suppliers answer this section only when the triage answers call for it.' : null,
    value: typed[s.key] ?? '',
    errorMessage: messageFor(errors, `#${weightId(s.key)}`),
  }));
}

/** The schema's and the rules' problems with the weights, GOV.UK style: each section's own, then the total. */
export function weightsErrors(definition: QuestionnaireDefinition, problems: FieldProblem[], typed: Record<string, string>): PageError[] {
  const errors: PageError[] = [];
  for (const s of definition.sections) {
    if (!problems.some((p) => p.path === `/body/weights/${s.key}`)) continue;
    const value = typed[s.key] ?? '';
    const name = s.ref ? `section ${s.ref}, ${s.title}` : s.title;
    errors.push({ href: `#${weightId(s.key)}`, text: value === '' ? `Enter a weight for ${name}` : Number.isFinite(Number(value)) ? `The weight for ${name} must be between 0 and 100` : `The weight for ${name} must be a number, like 10` });
  }
  const total = problems.find((p) => p.path === '/body/weights' && /add up to/.test(p.message));
  if (total && errors.length === 0) {
    const sum = /add up to (\S+),/.exec(total.message)?.[1];
    errors.push({ href: `#${weightId(definition.sections[0]!.key)}`, text: `The weights must add up to 100${sum ? `: they add up to ${sum}` : ''}` });
  }
  return errors;
}

/** The total of the weights as typed, for the page to show beside them ("100"), or null when one is not a number. */
export function weightsTotal(typed: Record<string, string>): string | null {
  let sum = 0;
  for (const v of Object.values(typed)) {
    const n = Number(v);
    if (v === '' || !Number.isFinite(n)) return null;
    sum += n;
  }
  return String(Math.round(sum * 1e6) / 1e6);
}

// ─── Panel ───────────────────────────────────────────────────────────────────────────────────

export type PanelCandidate = { id: string; name: string; email: string; role: string };

const ROLE_WORDS: Record<string, string> = { admin: 'Admin', officer: 'Officer', evaluator: 'Evaluator', viewer: 'Viewer' };

/** Evaluators as checkboxes and the moderator as radios, with "no moderator yet" first. */
export function panelFields({ candidates, evaluatorIds, moderatorId }: { candidates: PanelCandidate[]; evaluatorIds: string[]; moderatorId: string | null }) {
  const hint = (c: PanelCandidate) => ({ html: `${escapeHtml(ROLE_WORDS[c.role] ?? c.role)}, ${breakableEmail(c.email)}` });
  return {
    evaluators: candidates.map((c) => ({ value: c.id, text: c.name, hint: hint(c), checked: evaluatorIds.includes(c.id) })),
    moderators: [
      { value: '', text: 'No moderator yet', checked: moderatorId === null },
      ...candidates.map((c) => ({ value: c.id, text: c.name, hint: hint(c), checked: moderatorId === c.id })),
    ],
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** An email address is one long word: it may break after the @ and before each dot rather than stretch a narrow screen. */
export const breakableEmail = (email: string) => escapeHtml(email).replace(/@/g, '@<wbr>').replace(/\./g, '<wbr>.');

export function readPanelForm(body: FormBody): { evaluatorIds: string[]; moderatorId: string | null } {
  const moderator = first(body.moderatorId);
  return { evaluatorIds: all(body.evaluatorIds).map((s) => s.trim()).filter(Boolean), moderatorId: moderator === '' ? null : moderator };
}

export function panelErrors(problems: FieldProblem[]): PageError[] {
  const errors: PageError[] = [];
  if (problems.some((p) => p.path.startsWith('/body/evaluatorIds'))) errors.push({ href: '#evaluatorIds', text: 'Select evaluators from the active users of your council' });
  if (problems.some((p) => p.path === '/body/moderatorId')) errors.push({ href: '#moderatorId', text: 'Select a moderator from the active users of your council' });
  return errors;
}

// ─── Open, close, cancel, start evaluation ────────────────────────────────────────────────────

export type LifecycleAction = Extract<TransitionName, 'open' | 'close' | 'cancel' | 'start-evaluation'>;

export const LIFECYCLE_PAGES: Record<LifecycleAction, { title: string; button: string; done: string; warning: boolean }> = {
  open: { title: 'Open the procurement to suppliers', button: 'Open to suppliers', done: 'Procurement opened. Invited suppliers can now answer.', warning: false },
  close: { title: 'Close the procurement to answers', button: 'Close to answers', done: 'Procurement closed. Suppliers can no longer change their answers.', warning: true },
  cancel: { title: 'Cancel the procurement', button: 'Cancel the procurement', done: 'Procurement cancelled.', warning: true },
  'start-evaluation': { title: 'Start evaluating the responses', button: 'Start evaluation', done: 'Evaluation started. The panel can now mark the submitted responses.', warning: false },
};

/** The status each action leads to: a repeated request that finds the procurement there already did its work. */
export const LIFECYCLE_TARGET: Record<LifecycleAction, ProcurementStatus> = { open: 'open', close: 'closed', cancel: 'cancelled', 'start-evaluation': 'evaluating' };

/** What the confirmation page says will happen, from the procurement as it is. */
export function lifecycleConsequences(action: LifecycleAction, p: ProcurementDto, facts: ProcurementFacts | undefined): string[] {
  const invited = facts?.suppliersInvited;
  switch (action) {
    case 'open':
      return [
        `Suppliers can answer until ${ukMoment(p.deadline)} (UK time).`,
        'The questionnaire, triage answers, section weights and deadline can no longer be changed: they are what suppliers are told.',
        ...(invited === 0
          ? ['No supplier has been invited yet. You can invite suppliers once it is open.']
          : invited !== undefined
            ? [`${invited === 1 ? 'The supplier' : `The ${invited} suppliers`} invited while this was a draft ${invited === 1 ? 'has' : 'have'} not been emailed: send ${invited === 1 ? 'it' : 'each'} a new link from the suppliers page once it is open.`]
            : []),
        ...(p.evaluatorIds.length === 0 ? ['No evaluators have been named yet.'] : []),
      ];
    case 'close':
      return [`The deadline is ${ukMoment(p.closesAt)} (UK time). Closing now stops every supplier from changing their answers, including those who have not submitted.`];
    case 'cancel':
      return ['Suppliers can no longer answer, and the procurement cannot be opened again.'];
    case 'start-evaluation':
      return ['The panel can mark the submitted responses. The procurement stays closed to suppliers.'];
  }
}
