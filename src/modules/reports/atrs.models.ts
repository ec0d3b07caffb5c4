import { ATRS_FIELDS, ATRS_SECTIONS, ATRS_TEMPLATE, type AtrsField, type AtrsKnownFact, type AtrsTier, type Question, type QuestionnaireDefinition } from '../questionnaires';
import { ukDay } from '../../platform/format';
import { MARKING, type Block, type ReportDocument } from './reports.document';
import { answerText, fileNameOf, type ReportAnswer, type ReportProcurement } from './reports.shared';

/**
 * A draft Algorithmic Transparency Recording Standard (ATRS) record of a supplier's tool, drafted
 * from its submitted answers: every field of the template (`ATRS_FIELDS`), each filled from the
 * answers to the questions whose `atrsField` names it (several answers are joined, each with its
 * question number), or from what the service knows (the council's and supplier's names, the company
 * number), or left empty and flagged for the council to complete, with the reason.
 *
 * A confidential answer never appears: not its value, its comment nor the supplier's reason for
 * withholding it. The field names the question and says the council completes it. The record is
 * published by the council, so it must hold nothing the supplier asked to keep out of public view.
 *
 * Pure: no I/O and no clock. Its date is when the answers were last settled (submission, or the
 * latest accepted amendment), so the same answers give the same record and the same PDF.
 */

export type AtrsInput = {
  council: string;
  procurement: ReportProcurement;
  definition: QuestionnaireDefinition;
  responseId: string;
  supplierName: string;
  /** From the invitation, when the council recorded one. */
  companyNumber: string | null;
  /** The submitted answers, each replaced by its accepted amendment, with their confidentiality. */
  answers: Readonly<Record<string, ReportAnswer>>;
  /** ISO time the answers were last settled. */
  answersAsOf: string;
};

/** `drafted`: filled, for the council to check; `partly_drafted`: filled in part, the rest withheld or missing; `to_complete`: empty. */
export type AtrsFieldStatus = 'drafted' | 'partly_drafted' | 'to_complete';

export type AtrsQuestionRef = { question: string; questionKey: string };

export type AtrsRecordField = {
  id: string;
  label: string;
  description: string;
  status: AtrsFieldStatus;
  /** The drafted text, or null when there is none. */
  value: string | null;
  /** Who must complete the field before the record is published: null when it is drafted in full (the council still checks it). */
  toCompleteBy: 'council' | null;
  /** Why the council must complete it; null when drafted in full. */
  reason: string | null;
  /** The questions whose answers the value is drafted from. */
  from: AtrsQuestionRef[];
  /** Questions that inform this field but whose answers are confidential, so not reproduced. */
  withheld: AtrsQuestionRef[];
};

export type AtrsRecordSection = { id: string; tier: AtrsTier; title: string; fields: AtrsRecordField[] };

export type AtrsRecord = {
  standard: { name: string; version: string; template: string; guidance: string };
  status: 'draft';
  notice: string;
  source: {
    council: string;
    procurement: { id: string; title: string; reference: string | null };
    supplierName: string;
    responseId: string;
    questionnaire: { key: string; version: string; title: string };
    answersAsOf: string;
  };
  counts: { fields: number; drafted: number; partlyDrafted: number; toComplete: number };
  sections: AtrsRecordSection[];
};

const NOTICE =
  'A draft for the council, not a published record. It is drafted from the supplier’s answers to the due diligence questionnaire and follows the fields of the ATRS template. ' +
  'Fields marked to complete by the council are empty or incomplete: the service cannot know them, or the supplier marked the answer that informs them commercially confidential, so it is not reproduced. ' +
  'Check every drafted field before publishing: it is the supplier’s account, in the supplier’s words.';

const questionName = (q: Question) => (q.ref ? `question ${q.ref}` : `the question “${q.text}”`);
const refOf = (q: Question): AtrsQuestionRef => ({ question: q.ref ?? q.key, questionKey: q.key });
const capital = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
const listed = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

function answered(value: ReportAnswer['value']): boolean {
  return !(value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0));
}

/** An answer as the record reproduces it: the choice in the questionnaire's words, a file question as a count, the supplier's comment after. */
function answerWords(question: Question, answer: ReportAnswer): string {
  const count = Array.isArray(answer.value) ? answer.value.length : 0;
  const text = question.type === 'file' ? `${count} evidence file${count === 1 ? '' : 's'} supplied with the response.` : answerText(question, answer.value);
  const comment = answer.comment?.trim();
  return comment ? `${text} (The supplier added: ${comment})` : text;
}

function knownFact(fact: AtrsKnownFact, input: AtrsInput): string | null {
  switch (fact) {
    case 'council_name':
      return input.council;
    case 'supplier_name':
      return input.supplierName;
    case 'company_number':
      return input.companyNumber;
    case 'external_supplier':
      return `Yes: the tool is provided by ${input.supplierName}.`;
    case 'template_version':
      return ATRS_TEMPLATE.version;
  }
}

function recordField(field: AtrsField, questions: readonly Question[], input: AtrsInput): AtrsRecordField {
  const mapped = questions.filter((q) => q.atrsField === field.id);
  const fact = field.known ? knownFact(field.known, input) : null;
  const from: Question[] = [];
  const withheld: Question[] = [];
  const unanswered: Question[] = [];
  const parts: string[] = fact ? [fact] : [];
  for (const question of mapped) {
    const answer = input.answers[question.key];
    if (!answer || !answered(answer.value)) unanswered.push(question);
    else if (answer.confidential) withheld.push(question);
    else {
      from.push(question);
      parts.push(`${capital(questionName(question))}: ${answerWords(question, answer)}`);
    }
  }
  const reasons: string[] = [];
  if (withheld.length > 0)
    reasons.push(
      `The supplier marked its answer to ${listed(withheld.map(questionName))} commercially confidential, so it is not reproduced here: the council completes this field from ${withheld.length === 1 ? 'that answer' : 'those answers'}, with what it can publish.`,
    );
  if (unanswered.length > 0 && parts.length === 0) reasons.push(`The supplier did not answer ${listed(unanswered.map(questionName))}.`);
  if (mapped.length === 0 && parts.length === 0) reasons.push('No question of the questionnaire asks for this, so the council completes it.');
  const status: AtrsFieldStatus = parts.length === 0 ? 'to_complete' : withheld.length > 0 ? 'partly_drafted' : 'drafted';
  return {
    id: field.id,
    label: field.label,
    description: field.description,
    status,
    value: parts.length === 0 ? null : parts.join('\n\n'),
    toCompleteBy: status === 'drafted' ? null : 'council',
    reason: status === 'drafted' ? null : reasons.join(' '),
    from: from.map(refOf),
    withheld: withheld.map(refOf),
  };
}

/** The draft record: every template field, in the template's order, by section. */
export function atrsRecord(input: AtrsInput): AtrsRecord {
  const questions = input.definition.sections.flatMap((s) => s.questions);
  const sections = ATRS_SECTIONS.map((section) => ({
    id: section.id,
    tier: section.tier,
    title: section.title,
    fields: ATRS_FIELDS.filter((f) => f.section === section.id).map((f) => recordField(f, questions, input)),
  }));
  const all = sections.flatMap((s) => s.fields);
  const count = (status: AtrsFieldStatus) => all.filter((f) => f.status === status).length;
  return {
    standard: { name: ATRS_TEMPLATE.name, version: ATRS_TEMPLATE.version, template: ATRS_TEMPLATE.url, guidance: ATRS_TEMPLATE.guidance },
    status: 'draft',
    notice: NOTICE,
    source: {
      council: input.council,
      procurement: { id: input.procurement.id, title: input.procurement.title, reference: input.procurement.reference },
      supplierName: input.supplierName,
      responseId: input.responseId,
      questionnaire: { key: input.definition.key, version: input.definition.version, title: input.definition.title },
      answersAsOf: input.answersAsOf,
    },
    counts: { fields: all.length, drafted: count('drafted'), partlyDrafted: count('partly_drafted'), toComplete: count('to_complete') },
    sections,
  };
}

// ───────────────────────────────────────────── the readable version

const TIER_HEADINGS: Record<AtrsTier, string> = {
  metadata: 'Metadata and title information',
  tier1: 'Tier 1: overview for the public',
  tier2: 'Tier 2: detailed information',
};

const STATUS_LINE: Record<AtrsFieldStatus, string> = {
  drafted: 'Drafted from the supplier’s answers: check before publishing.',
  partly_drafted: 'Partly drafted: to complete by the council.',
  to_complete: 'To complete by the council.',
};

function fieldBlocks(field: AtrsRecordField, level: 2 | 3): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', level, text: field.label },
    { kind: 'paragraph', tone: 'muted', text: field.description },
  ];
  for (const part of field.value?.split('\n\n') ?? []) blocks.push({ kind: 'paragraph', text: part });
  // A field filled only from what the service holds (the council's or the supplier's name) is not the supplier's answer.
  const line = field.status === 'drafted' && field.from.length === 0 ? 'From this service’s record of the procurement: check before publishing.' : STATUS_LINE[field.status];
  blocks.push({ kind: 'paragraph', tone: field.status === 'drafted' ? 'muted' : 'notice', text: [line, field.reason].filter(Boolean).join(' ') });
  return blocks;
}

/**
 * The record laid out as a document: the same fields, words and flags as the JSON, so what the
 * PDF shows is exactly what the record holds. The metadata and tier 1 list their fields as H2; tier 2
 * has a section per H2 and its fields as H3, so headings never skip a level.
 */
export function atrsDocument(record: AtrsRecord): ReportDocument {
  const { source, counts } = record;
  const reference = source.procurement.reference ?? source.procurement.id;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Draft transparency record: ${source.supplierName}`, bookmark: true },
    { kind: 'paragraph', text: record.notice },
    {
      kind: 'facts',
      rows: [
        ['Council', source.council],
        ['Procurement', source.procurement.title],
        ['Reference', reference],
        ['Supplier', source.supplierName],
        ['Drafted from', `${source.questionnaire.title}, version ${source.questionnaire.version}: the supplier’s answers as of ${ukDay(source.answersAsOf)}`],
        ['Standard', `${record.standard.name}, template version ${record.standard.version}`],
        ['Fields', `${counts.fields} in all: ${counts.drafted} drafted, ${counts.partlyDrafted} partly drafted, ${counts.toComplete} to complete by the council`],
      ],
    },
    { kind: 'paragraph', tone: 'muted', text: `The template and the guidance on completing it: ${record.standard.template} and ${record.standard.guidance}.` },
  ];
  for (const tier of ['metadata', 'tier1', 'tier2'] as const) {
    const sections = record.sections.filter((s) => s.tier === tier);
    blocks.push({ kind: 'heading', level: 1, text: TIER_HEADINGS[tier], bookmark: true });
    if (tier === 'tier2') {
      for (const section of sections) {
        blocks.push({ kind: 'heading', level: 2, text: section.title, bookmark: true });
        for (const field of section.fields) blocks.push(...fieldBlocks(field, 3));
      }
    } else {
      for (const field of sections.flatMap((s) => s.fields)) blocks.push(...fieldBlocks(field, 2));
    }
  }
  return {
    title: `Draft transparency record: ${source.supplierName}, ${source.procurement.title}`,
    subject: `Draft Algorithmic Transparency Recording Standard record for ${source.supplierName}’s tool, drafted from its answers`,
    author: source.council,
    reference,
    marking: MARKING,
    createdAt: source.answersAsOf,
    filename: fileNameOf(['transparency-record-draft', source.procurement.reference, source.supplierName]),
    blocks,
  };
}

/** The JSON download's file name, beside the PDF's. */
export const atrsJsonFilename = (record: AtrsRecord) => fileNameOf(['transparency-record-draft', record.source.procurement.reference, record.source.supplierName]).replace(/\.pdf$/, '.json');


// ───────────────────────────────────────────── the console's downloads

type Download = { name: string; href: string; format: string; description: string };

/**
 * The console's downloads of the draft record, one pair (JSON, PDF) per submitted and evaluated
 * response: the awarded supplier's first, since its tool is the one the council will use and record.
 */
export function transparencyRecordsList({
  all,
}: {
  all: { procurement: { id: string }; items: ReadonlyArray<{ responseId: string; supplierName: string; status: string }>; evaluations: ReadonlyMap<string, unknown>; decision: { outcome: 'award' | 'no_award'; responseId: string | null } | null };
}): Array<{ supplierName: string; awarded: boolean; items: Download[] }> {
  const awardedId = all.decision?.outcome === 'award' ? all.decision.responseId : null;
  const base = `/procurements/${all.procurement.id}/reports/responses`;
  return all.items
    .filter((item) => item.status === 'submitted' && all.evaluations.has(item.responseId))
    .map((item, order) => ({ item, order, awarded: item.responseId === awardedId }))
    .sort((a, b) => Number(b.awarded) - Number(a.awarded) || a.order - b.order)
    .map(({ item, awarded }) => ({
      supplierName: item.supplierName,
      awarded,
      items: [
        {
          name: `Draft transparency record: ${item.supplierName}`,
          format: 'PDF',
          description: 'Every field of the Algorithmic Transparency Recording Standard, drafted from this supplier’s answers or marked for the council to complete. No confidential answer appears.',
          href: `${base}/${item.responseId}/atrs.pdf`,
        },
        {
          name: `Draft transparency record: ${item.supplierName}`,
          format: 'JSON',
          description: 'The same record as data, field by field, for editing or loading into other tools.',
          href: `${base}/${item.responseId}/atrs.json`,
        },
      ],
    }));
}
