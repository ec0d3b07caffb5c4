import { fileSize, ukDayTime } from '../../platform/format';
import type { AnswerValue, QuestionnaireDefinition } from '../questionnaires';
import { answerText, filenameWithKind, questionTitle, sectionTitle, supplierQuestion } from '../responses';
import type { DeclarationDto, MarkDto, MyPanelDto, PanelViewDto } from './scoring.usecases';

/**
 * The evaluation panel's pages as pure view models: what a posted declaration, mitigation or mark
 * says (with GOV.UK error messages), the order questions are marked in, and how a question, an
 * overview and the side-by-side marks read. The use cases decide what is allowed; nothing here does.
 * Nothing here reads an automatic score or an evaluation: the marking pages never show one.
 */

export type FormBody = Record<string, string | string[] | undefined>;
export type PageError = { text: string; href: string };

// A NUL pasted into a field never gets here: the web's form parser drops it (platform/web).
const first = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
/** Browsers send a textarea's line breaks as CRLF; the service keeps LF, as the API does. */
const lines = (text: string) => text.replace(/\r\n?/g, '\n');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// ───────────────────────────────────────────── addresses

export const EVALUATIONS_HREF = '/evaluations';
export const panelHref = (procurementId: string) => `${EVALUATIONS_HREF}/${procurementId}`;
export const declarationHref = (procurementId: string) => `${panelHref(procurementId)}/declaration`;
export const markingHref = (procurementId: string, responseId: string) => `${panelHref(procurementId)}/responses/${responseId}`;
export const questionHref = (procurementId: string, responseId: string, questionKey: string) => `${markingHref(procurementId, responseId)}/questions/${encodeURIComponent(questionKey)}`;
export const submitHref = (procurementId: string, responseId: string) => `${markingHref(procurementId, responseId)}/submit`;
export const panelEvidenceHref = (procurementId: string, responseId: string, evidenceId: string) => `${markingHref(procurementId, responseId)}/evidence/${evidenceId}`;
/** The moderator's page of one response (built beside these pages, in moderation.pages.ts). */
export const moderationHref = (procurementId: string, responseId: string) => `${markingHref(procurementId, responseId)}/moderation`;
export const declarationsHref = (procurementId: string) => `/procurements/${procurementId}/declarations`;
export const mitigationHref = (procurementId: string, declarationId: string) => `${declarationsHref(procurementId)}/${declarationId}/mitigation`;

// ───────────────────────────────────────────── my evaluations

const PROCUREMENT_STATUS: Record<string, { text: string; classes: string }> = {
  draft: { text: 'Draft', classes: 'govuk-tag--grey' },
  open: { text: 'Open', classes: 'govuk-tag--blue' },
  closed: { text: 'Closed', classes: 'govuk-tag--yellow' },
  evaluating: { text: 'Evaluating', classes: 'govuk-tag--purple' },
  decided: { text: 'Decided', classes: 'govuk-tag--green' },
  cancelled: { text: 'Cancelled', classes: 'govuk-tag--red' },
};
export const procurementStatusTag = (status: string) => PROCUREMENT_STATUS[status] ?? { text: status, classes: 'govuk-tag--grey' };

export type PanelCard = {
  procurementId: string;
  title: string;
  reference: string | null;
  role: string;
  status: { text: string; classes: string };
  todo: string;
  action: { href: string; text: string } | null;
  responses: Array<{ supplierName: string; state: string; href: string; linkText: string }>;
};

/** One card per procurement on "My evaluations": my role, the procurement's status, and what I still have to do. */
export function panelCards(panels: MyPanelDto[]) {
  return panels.map(({ procurement: p, role, declaration, responses }) => {
    const todo = todoOf({ procurementId: p.id, status: p.status, role, declaration, responses });
    const row = (key: string, text: string, action?: { href: string; text: string; visuallyHiddenText: string }) => ({ key: { text: key }, value: { text }, ...(action ? { actions: { items: [action] } } : {}) });
    return {
      title: p.reference ? `${p.title} (${p.reference})` : p.title,
      action: todo.action ? { ...todo.action, visuallyHiddenText: `for ${p.title}` } : null,
      rows: [
        row('Your role', role === 'moderator' ? 'Moderator' : 'Evaluator'),
        row('Procurement status', procurementStatusTag(p.status).text),
        row('To do', todo.text),
        ...todo.responses.map((r) => row(r.supplierName, r.state, { href: r.href, text: r.linkText, visuallyHiddenText: `${r.supplierName}’s response` })),
        // Once there is an evaluation to sign, the panel's own sign-off (printed in each evaluation report).
        ...((p.status === 'evaluating' || p.status === 'decided') && declaration?.mayEvaluate
          ? [row('Sign-off', 'Record your approval of the evaluation', { href: `/procurements/${p.id}/sign-off`, text: 'Sign off', visuallyHiddenText: `the evaluation of ${p.title}` })]
          : []),
      ],
    };
  });
}

function todoOf({ procurementId, status, role, declaration, responses }: { procurementId: string; status: string; role: MyPanelDto['role']; declaration: DeclarationDto | null; responses: MyPanelDto['responses'] }): {
  text: string;
  action: { href: string; text: string } | null;
  responses: Array<{ supplierName: string; state: string; href: string; linkText: string }>;
} {
  if (!declaration) return { text: 'Declare any conflict of interest before you can see the responses.', action: { href: declarationHref(procurementId), text: 'Declare your interests' }, responses: [] };
  if (!declaration.mayEvaluate) return { text: 'Waiting for mitigation: an officer must record how your conflict of interest is mitigated before you can see responses.', action: { href: declarationHref(procurementId), text: 'View your declaration' }, responses: [] };
  if (status === 'draft' || status === 'open' || status === 'closed') return { text: 'Nothing yet: marking starts when an officer starts the evaluation.', action: null, responses: [] };
  if (responses.length === 0) return { text: 'No supplier submitted a response, so there is nothing to mark.', action: null, responses: [] };
  if (role === 'moderator') {
    return {
      text: `Moderate ${plural(responses.length, 'response')}.`,
      action: null,
      responses: responses.map((r) => ({ supplierName: r.supplierName, state: 'To moderate', href: moderationHref(procurementId, r.responseId), linkText: 'Moderate' })),
    };
  }
  const open = responses.filter((r) => !r.submitted).length;
  return {
    text: open === 0 ? 'Marks submitted for every response.' : `${plural(open, 'response')} to mark.`,
    action: null,
    responses: responses.map((r) => ({
      supplierName: r.supplierName,
      state: r.submitted ? 'Marks submitted' : r.marked === 0 ? `Not started: ${plural(r.toMark, 'question')} to mark` : `${r.marked} of ${r.toMark} questions marked`,
      href: markingHref(procurementId, r.responseId),
      linkText: r.submitted ? 'View marks' : 'Mark',
    })),
  };
}

// ───────────────────────────────────────────── declaration and mitigation

export type DeclarationTyped = { conflict: string; details: string };

/** The declaration form: "no conflict" (details optional) or "I have a conflict" with what it is (required). */
export function readDeclarationForm(body: FormBody): { typed: DeclarationTyped; errors: PageError[]; input: { hasConflict: boolean; details: string } | null } {
  const conflict = first(body.conflict);
  const details = lines(first(body.details));
  const noDetails = lines(first(body.noConflictDetails));
  const typed = { conflict, details: conflict === 'yes' ? details : noDetails };
  const errors: PageError[] = [];
  if (conflict !== 'yes' && conflict !== 'no') errors.push({ href: '#conflict', text: 'Select whether you have a conflict of interest in this procurement' });
  else if (conflict === 'yes' && !details) errors.push({ href: '#details', text: 'Enter what your conflict of interest is' });
  else if (typed.details.length > 5000) errors.push({ href: conflict === 'yes' ? '#details' : '#noConflictDetails', text: 'Your declaration must be 5,000 characters or fewer' });
  if (errors.length > 0) return { typed, errors, input: null };
  return { typed, errors, input: { hasConflict: conflict === 'yes', details: typed.details || 'No conflict of interest.' } };
}

export function declarationRows(d: DeclarationDto): Array<{ key: { text: string }; value: { text: string } }> {
  return [
    { key: { text: 'Conflict of interest' }, value: { text: d.hasConflict ? 'Yes' : 'No' } },
    { key: { text: 'Details' }, value: { text: d.details } },
    { key: { text: 'Declared' }, value: { text: ukDayTime(d.declaredAt) } },
    ...(d.hasConflict ? [{ key: { text: 'Mitigation' }, value: { text: d.mitigation && d.mitigatedAt ? `${d.mitigation} (recorded ${ukDayTime(d.mitigatedAt)})` : 'Not recorded yet' } }] : []),
  ];
}

/** The officer's mitigation form: how the declared conflict is handled. */
export function readMitigationForm(body: FormBody): { typed: { mitigation: string }; errors: PageError[]; input: { mitigation: string } | null } {
  const mitigation = lines(first(body.mitigation));
  const errors: PageError[] = [];
  if (!mitigation) errors.push({ href: '#mitigation', text: 'Enter how the conflict of interest is mitigated' });
  else if (mitigation.length > 5000) errors.push({ href: '#mitigation', text: 'The mitigation must be 5,000 characters or fewer' });
  return { typed: { mitigation }, errors, input: errors.length === 0 ? { mitigation } : null };
}

// ───────────────────────────────────────────── marking

export type MarkingQuestion = { key: string; title: string; text: string; ref: string | null; guidance: string; sectionKey: string; sectionTitle: string; descriptors: Array<{ value: string; label: string; text: string }> };

type DefinitionQuestion = QuestionnaireDefinition['sections'][number]['questions'][number];

/** The questions this evaluator marks, in marking order (the order `questionsToMark` gives), with their section and published descriptors. */
export function markingQuestions({ definition, questionsToMark }: { definition: QuestionnaireDefinition; questionsToMark: string[] }): MarkingQuestion[] {
  const found = new Map<string, { question: DefinitionQuestion; section: QuestionnaireDefinition['sections'][number] }>();
  for (const section of definition.sections) for (const question of section.questions) found.set(question.key, { question, section });
  const label = (value: number) => definition.scale.find((m) => m.value === value)?.label ?? String(value);
  return questionsToMark.flatMap((key) => {
    const hit = found.get(key);
    if (!hit) return [];
    const { question, section } = hit;
    const published = (question.scoring as { descriptors?: Record<string, string> }).descriptors ?? {};
    return [
      {
        key,
        title: questionTitle({ ref: question.ref ?? null, text: question.text }),
        text: question.text,
        ref: question.ref ?? null,
        guidance: question.guidance,
        sectionKey: section.key,
        sectionTitle: sectionTitle({ ref: section.ref ?? null, title: section.title }),
        descriptors: [0, 1, 2, 3, 4].map((value) => ({ value: String(value), label: `${value} – ${label(value)}`, text: published[String(value)] ?? '' })),
      },
    ];
  });
}

/** Where "Save and next" goes: the next question after this one without a mark, then any earlier one; null when all are marked. */
export function nextToMark({ questions, marked, after }: { questions: MarkingQuestion[]; marked: Set<string>; after: string }): string | null {
  const at = questions.findIndex((q) => q.key === after);
  const order = [...questions.slice(at + 1), ...questions.slice(0, Math.max(at, 0))];
  return order.find((q) => !marked.has(q.key))?.key ?? null;
}

export type MarkTyped = { score: string; justification: string };

/** The mark form: a mark of 0 to 4 and a justification, both required. */
export function readMarkForm(body: FormBody): { typed: MarkTyped; errors: PageError[]; input: { score: number; justification: string } | null } {
  const typed = { score: first(body.score), justification: lines(first(body.justification)) };
  const errors: PageError[] = [];
  if (!typed.score) errors.push({ href: '#score', text: 'Select a mark from 0 to 4' });
  else if (!/^[0-4]$/.test(typed.score)) errors.push({ href: '#score', text: 'The mark must be a whole number from 0 to 4' });
  if (!typed.justification) errors.push({ href: '#justification', text: 'Enter why you gave this mark, against the descriptors' });
  else if (typed.justification.length > 10_000) errors.push({ href: '#justification', text: 'The justification must be 10,000 characters or fewer' });
  return { typed, errors, input: errors.length === 0 ? { score: Number(typed.score), justification: typed.justification } : null };
}

/** The section overview: each section's questions to mark, with this evaluator's own mark or "Not marked". */
export function overviewSections({ procurementId, responseId, questions, own }: { procurementId: string; responseId: string; questions: MarkingQuestion[]; own: Map<string, MarkDto> }) {
  const sections: Array<{ title: string; items: Array<{ title: { text: string }; href: string; status: { tag?: { text: string; classes: string }; text?: string } }> }> = [];
  for (const q of questions) {
    let section = sections.find((s) => s.title === q.sectionTitle);
    if (!section) sections.push((section = { title: q.sectionTitle, items: [] }));
    const mark = own.get(q.key);
    section.items.push({
      title: { text: q.title },
      href: questionHref(procurementId, responseId, q.key),
      status: mark ? { text: `Your mark: ${mark.score}` } : { tag: { text: 'Not marked', classes: 'govuk-tag--blue' } },
    });
  }
  return sections;
}

/** After the evaluator has submitted: per question, every submitted evaluator's mark and justification, side by side. */
export function sideBySide({ questions, marks, submittedBy, names, me }: { questions: MarkingQuestion[]; marks: MarkDto[]; submittedBy: string[]; names: Map<string, string>; me: string }) {
  const evaluators = [...submittedBy].sort((a, b) => (a === me ? -1 : b === me ? 1 : (names.get(a) ?? a).localeCompare(names.get(b) ?? b)));
  const nameOf = (id: string) => (id === me ? `${names.get(id) ?? 'You'} (you)` : (names.get(id) ?? 'An evaluator no longer in your council'));
  return {
    head: [{ text: 'Evaluator' }, { text: 'Mark', format: 'numeric' }, { text: 'Justification' }],
    questions: questions.map((q) => ({
      title: q.title,
      rows: evaluators.map((id) => {
        const mark = marks.find((m) => m.questionKey === q.key && m.evaluatorId === id);
        return [{ text: nameOf(id) }, { text: mark ? String(mark.score) : 'No mark', format: 'numeric' }, { text: mark?.justification ?? '' }];
      }),
    })),
  };
}

/** One question's page: the supplier's answer and comment (as the console's response page shows them) and its evidence files. */
export function answerOf({ definition, view, details, questionKey, submittedAt, procurementId }: { definition: QuestionnaireDefinition; view: PanelViewDto; details: Record<string, { comment: string | null; confidential: boolean; confidentialReason: string | null }>; questionKey: string; submittedAt: string | null; procurementId: string }) {
  const question = definition.sections.flatMap((s) => s.questions).find((q) => q.key === questionKey)!;
  const shown = supplierQuestion(question, false);
  const detail = details[questionKey];
  const value = view.answers[questionKey] as AnswerValue | undefined;
  const files = view.evidenceFiles.filter((f) => f.questionKey === questionKey);
  const rows: Array<{ key: { text: string }; value: { text: string } }> = [];
  if (shown.type !== 'file')
    rows.push({
      key: { text: 'Answer' },
      value: { text: answerText(shown, value === undefined ? undefined : { value, comment: detail?.comment ?? null, confidential: detail?.confidential ?? false, confidentialReason: detail?.confidentialReason ?? null, version: 0, updatedAt: submittedAt ?? '' }, []) },
    });
  if (detail?.comment) rows.push({ key: { text: 'Comment' }, value: { text: detail.comment } });
  return {
    rows,
    amended: view.amended.includes(questionKey),
    confidential: detail?.confidential ? (detail.confidentialReason ?? 'No reason given') : null,
    files: files.map((f) => ({ href: panelEvidenceHref(procurementId, view.responseId, f.id), text: filenameWithKind(f), size: fileSize(f.sizeBytes) })),
  };
}
