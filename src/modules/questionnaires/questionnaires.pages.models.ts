import { ukDay } from '../../platform/format';
import type { Question, QuestionnaireDefinition, QuestionType, RiskTier, SOURCES } from './questionnaires.definition';
import { RISK_TIERS } from './questionnaires.definition';
import { conditionWords, TIER_NAMES, type Methodology } from './questionnaires.methodology';
import type { DefinitionProblem } from './questionnaires.validation';

/**
 * What the officer console's questionnaire pages show, as plain data: the library's rows, a
 * definition in words, the published methodology laid out, an import's problems. Pure: the pages
 * (questionnaires.pages.ts) fetch through the use cases and the templates only lay this out.
 */

type Source = (typeof SOURCES)[number];

/** What each source code a question cites stands for, so a reader need not know the abbreviations. */
export const SOURCE_NAMES: Record<Source, string> = {
  LGA: 'Local Government Association, Responsibly buying AI (2025)',
  EHRC: 'Equality and Human Rights Commission guidance on the Public Sector Equality Duty and AI',
  'ICO-AI': 'Information Commissioner’s Office, guidance on AI and data protection',
  'ICO-TK': 'Information Commissioner’s Office, AI and data protection risk toolkit',
  'ICO-EX': 'Information Commissioner’s Office, Explaining decisions made with AI',
  DPIA: 'UK GDPR Article 35 and the ICO’s list of processing that needs a data protection impact assessment',
  GAP: 'Office for AI, Guidelines for AI procurement (2020)',
  PB: 'AI Playbook for the UK Government (2025)',
  DEF: 'Data Ethics Framework',
  ADM: 'Ethics, Transparency and Accountability Framework for Automated Decision-Making',
  HR: 'Hidden AI Risks Toolkit',
  ATRS: 'Algorithmic Transparency Recording Standard',
  CoP: 'Code of Practice for the Cyber Security of AI (2025)',
  NCSC: 'National Cyber Security Centre, guidelines for secure AI system development',
  CE: 'Cyber Essentials, as required in government contracts',
  AIME: 'AI Management Essentials',
  PPN017: 'Procurement Policy Note 017, Improving transparency of AI use in procurement',
  'PPN02/24': 'Procurement Policy Note 02/24, Improving transparency of AI use in procurement',
  PA23: 'Procurement Act 2023',
  ISO: 'ISO/IEC 42001, AI management systems',
  NIST: 'NIST AI Risk Management Framework',
  EUAI: 'EU Artificial Intelligence Act',
  DCH: 'Digital Care Hub, responsible AI in adult social care',
  WPC: 'Welsh Workforce Partnership Council, guidance on algorithmic management',
  GSP: 'Greener Service Principles',
  LOTI: 'London Office of Technology and Innovation, generative AI guidance',
  UKGDPR: 'UK General Data Protection Regulation',
  PSED: 'Equality Act 2010, section 149: the Public Sector Equality Duty',
  FOIA: 'Freedom of Information Act 2000 and the Environmental Information Regulations 2004',
  AADC: 'Information Commissioner’s Office, Age Appropriate Design Code (Children’s Code)',
  MSA: 'Modern Slavery Act 2015, section 54: transparency in supply chains',
  DUAA: 'Data (Use and Access) Act 2025, including UK GDPR Articles 22A to 22D on automated decisions',
  PPN002: 'Procurement Policy Note 002, Taking account of social value in the award of contracts',
  WLS: 'Welsh Language Standards under the Welsh Language (Wales) Measure 2011',
};

const TYPE_LABELS: Record<QuestionType, string> = {
  yes_no: 'Yes or no',
  single_choice: 'Choose one option',
  multi_choice: 'Choose all options that apply',
  short_text: 'Short text',
  long_text: 'Long text',
  number: 'Number',
  date: 'Date',
  url: 'Web address',
  email: 'Email address',
  file: 'File upload (evidence only)',
};

export const tierName = (tier: RiskTier | 'all'): string => (tier === 'all' ? 'Every tier' : TIER_NAMES[tier]);

/** `acceptable_with_conditions` → "Acceptable with conditions"; `very_high` → "Very high". */
const words = (value: string): string => {
  const spaced = value.replaceAll('_', ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
};

// ─── The library ─────────────────────────────────────────────────────────────────────────────

export type QuestionnaireState = { status: 'draft' | 'published'; archived: boolean; builtIn: boolean };

/** The tag beside a questionnaire: archived outranks its status, since it can no longer be chosen. */
export function statusTag(q: QuestionnaireState): { text: string; classes: string } {
  if (q.archived) return { text: 'Archived', classes: 'govuk-tag--grey' };
  return q.status === 'published' ? { text: 'Published', classes: 'govuk-tag--green' } : { text: 'Draft', classes: 'govuk-tag--yellow' };
}

export type LibraryRow = {
  href: string;
  title: string;
  key: string;
  version: string;
  status: { text: string; classes: string };
  source: string;
  questionCount: number;
  updated: string;
};

export function libraryRows(
  items: ReadonlyArray<QuestionnaireState & { id: string; title: string; key: string; version: string; questionCount: number; updatedAt: string }>,
): LibraryRow[] {
  return items.map((q) => ({
    href: `/questionnaires/${q.id}`,
    title: q.title,
    key: q.key,
    version: q.version,
    status: statusTag(q),
    source: q.builtIn ? 'Built-in' : 'Your council',
    questionCount: q.questionCount,
    updated: ukDay(q.updatedAt),
  }));
}

/** The library's filter, from the query string: anything unexpected reads as the default. */
export type LibraryFilter = { show: 'all' | 'built_in' | 'own'; archived: boolean };

export function libraryFilter(query: Record<string, unknown>): LibraryFilter {
  const show = query.show === 'built_in' || query.show === 'own' ? query.show : 'all';
  return { show, archived: query.archived === 'yes' };
}

export function libraryQuery(filter: LibraryFilter, cursor?: string): string {
  const params = new URLSearchParams();
  if (filter.show !== 'all') params.set('show', filter.show);
  if (filter.archived) params.set('archived', 'yes');
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return query ? `/questionnaires?${query}` : '/questionnaires';
}

/** What to say when a page of the library is empty, and what to do next. */
export function libraryEmpty(filter: LibraryFilter, canWrite: boolean): string {
  const next = canWrite ? ' Clone the built-in questionnaire to make your own version, or import a questionnaire from a JSON file.' : '';
  if (filter.show === 'own') return `Your council has no questionnaires of its own${filter.archived ? '' : ' that are not archived'}.${next}`;
  if (filter.show === 'built_in') return 'There are no built-in questionnaires to show.';
  return `There are no questionnaires to show.${next}`;
}

// ─── One definition, in words ─────────────────────────────────────────────────────────────────

export type Row = { key: string; lines: string[] };

export type QuestionView = {
  id: string;
  number: string;
  key: string;
  text: string;
  guidance: string;
  rows: Row[];
  /** Options with their scores, for choice questions. */
  options: Array<{ label: string; value: string; score: string }>;
  gateway: boolean;
};

export type SectionView = {
  id: string;
  number: string;
  title: string;
  description: string[];
  rows: Row[];
  questions: QuestionView[];
};

export type DefinitionView = {
  description: string[];
  scale: Array<{ value: number; label: string; descriptor: string }>;
  evidenceRule: string;
  triage: Array<{ text: string; type: string; options: string[] }>;
  tiers: Array<{ tier: string; rule: string }>;
  sections: SectionView[];
  gatewayCount: number;
  sources: Array<{ code: string; name: string }>;
  changeLog: Methodology['changeLog'];
};

const paragraphs = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

/** A safe fragment identifier from a key ("data_protection.training" → "q-data_protection-training"). */
const anchor = (prefix: string, key: string) => `${prefix}-${key.replace(/[^a-z0-9_-]/g, '-')}`;

function scoringLines(question: Question, definition: QuestionnaireDefinition): string[] {
  const scoring = question.scoring;
  const label = (score: number) => `${score} (${definition.scale[score]?.label ?? score})`;
  switch (scoring.method) {
    case 'options': {
      if (question.type !== 'multi_choice') return ['From the option chosen (scores below).'];
      const how = { sum_capped: 'the scores of the options chosen, added up, at most 4', max: 'the highest score of the options chosen', min: 'the lowest score of the options chosen' }[scoring.aggregate ?? 'sum_capped'];
      return [`From the options chosen: ${how} (scores below).`];
    }
    case 'bands':
      return [
        'From the number given:',
        ...scoring.bands.map((band) => {
          const range =
            band.min !== undefined && band.max !== undefined
              ? `from ${band.min} to under ${band.max}`
              : band.min !== undefined
                ? `${band.min} or more`
                : band.max !== undefined
                  ? `under ${band.max}`
                  : 'any number';
          return `${range}${question.limits?.unit ? ` ${question.limits.unit}` : ''} scores ${label(band.score)}${band.label ? `: ${band.label}` : ''}`;
        }),
      ];
    case 'rubric': {
      const labelOf = (value: string) => `“${question.options?.find((o) => o.value === value)?.label ?? value}”`;
      return [
        'From the options chosen, by a rubric: the highest level whose options were all chosen gives the score; if none is met, 0.',
        ...[...scoring.levels].sort((a, b) => b.score - a.score).map((level) => `${label(level.score)}${level.label ? ` (${level.label})` : ''}: needs ${level.requires.map(labelOf).join(', ')}`),
      ];
    }
    case 'manual':
      return ['Marked by evaluators against these descriptors:', ...([0, 1, 2, 3, 4] as const).map((mark) => `${label(mark)}: ${scoring.descriptors[mark]}`)];
    case 'none':
      return ['Not scored: for information only.'];
  }
}

function evidenceLines(question: Question, definition: QuestionnaireDefinition): string[] {
  const evidence = question.evidence;
  if (!evidence?.requested) return ['Not requested.'];
  const lines = [evidence.mandatory ? 'Required: the response cannot be submitted without it.' : 'Requested.'];
  if (evidence.description) lines.push(evidence.description);
  if (question.scoring.method !== 'none') {
    const cap = evidence.capWithoutEvidence ?? definition.evidenceRule.capWithoutEvidence;
    lines.push(`Without it, the answer scores at most ${cap} of 4 from the ${TIER_NAMES[definition.evidenceRule.fromTier]} tier up.`);
  }
  return lines;
}

function limitLines(question: Question): string[] {
  const l = question.limits;
  if (!l) return [];
  const lines: string[] = [];
  if (l.min !== undefined && l.max !== undefined) lines.push(`From ${l.min} to ${l.max}${l.unit ? ` ${l.unit}` : ''}`);
  else if (l.min !== undefined) lines.push(`At least ${l.min}${l.unit ? ` ${l.unit}` : ''}`);
  else if (l.max !== undefined) lines.push(`At most ${l.max}${l.unit ? ` ${l.unit}` : ''}`);
  else if (l.unit) lines.push(`In ${l.unit}`);
  if (l.integer) lines.push('Whole numbers only');
  if (l.minLength !== undefined) lines.push(`At least ${l.minLength} characters`);
  if (l.maxLength !== undefined) lines.push(`Up to ${l.maxLength} characters`);
  if (l.maxSelections !== undefined) lines.push(`Up to ${l.maxSelections} options`);
  return lines;
}

/**
 * A definition as a reader wants it: sections and questions numbered, options with their scores,
 * each gateway's pass condition and each "shown when" in words (the same words the published
 * methodology uses), evidence rules, risk areas and sources.
 */
export function definitionView({ definition, methodology }: { definition: QuestionnaireDefinition; methodology: Methodology }): DefinitionView {
  const conditionText = conditionWords(definition);
  const gateways = new Map(methodology.gateways.map((g) => [g.questionKey, g]));
  const areas = new Map(definition.riskAreas.map((a) => [a.key, a]));
  const areaName = (key: string) => {
    const area = areas.get(key);
    return area ? `${area.title}${area.critical ? ' (critical)' : ''}` : key;
  };
  const sourcesUsed = new Set<Source>();

  const sections = definition.sections.map((section, s): SectionView => {
    const number = section.ref ?? String(s + 1);
    const questions = section.questions.map((question, q): QuestionView => {
      question.sources.forEach((code) => sourcesUsed.add(code));
      const gateway = gateways.get(question.key);
      const rows: Row[] = [
        { key: 'Answer', lines: [`${TYPE_LABELS[question.type]}: ${question.required ? 'required' : 'optional'}`, ...limitLines(question)] },
        { key: 'Scoring', lines: scoringLines(question, definition) },
        { key: 'Weight in its section', lines: [String(question.weight)] },
      ];
      if (gateway) {
        rows.push({
          key: 'Gateway',
          lines: [
            gateway.passes,
            ...(panelWords(gateway.decidedByPanel) ? [panelWords(gateway.decidedByPanel)!] : []),
            gateway.appliesFrom === 'all' ? 'Applies at every tier.' : `Applies from the ${tierName(gateway.appliesFrom)} tier up.`,
            `If it fails: ${gateway.failureMessage}`,
          ],
        });
      }
      rows.push({ key: 'Evidence', lines: evidenceLines(question, definition) });
      if (question.showIf) rows.push({ key: 'Shown when', lines: [`${capitalise(conditionText(question.showIf))}.`] });
      rows.push({ key: 'Risk areas', lines: question.riskAreas.map(areaName) });
      // Codes only here; the page ends with what each stands for.
      rows.push({ key: 'Sources', lines: [question.sources.join(', ')] });
      if (question.atrsField) rows.push({ key: 'Transparency record field', lines: [question.atrsField] });
      return {
        id: anchor('q', question.key),
        number: question.ref ?? `${number}.${q + 1}`,
        key: question.key,
        text: question.text,
        guidance: question.guidance,
        rows,
        options: (question.options ?? []).map((option) => ({
          label: option.label,
          value: option.value,
          score: option.notApplicable
            ? 'Not applicable: left out of the score'
            : option.score !== undefined
              ? `${option.score} (${definition.scale[option.score]?.label ?? option.score})`
              : 'Not scored',
        })),
        gateway: Boolean(gateway),
      };
    });
    const sectionRows: Row[] = [{ key: 'Risk area', lines: [areaName(section.riskArea)] }];
    if (section.showIf) sectionRows.push({ key: 'Shown when', lines: [`${capitalise(conditionText(section.showIf))}.`] });
    sectionRows.push({ key: 'Weight', lines: RISK_TIERS.map((tier) => `${TIER_NAMES[tier]} tier: ${definition.weights[tier][section.key] ?? 0}`) });
    return { id: anchor('s', section.key), number, title: section.title, description: paragraphs(section.description), rows: sectionRows, questions };
  });

  return {
    description: paragraphs(definition.description),
    scale: definition.scale.map((m) => ({ value: m.value, label: m.label, descriptor: m.descriptor })),
    evidenceRule: methodology.evidenceRule,
    triage: definition.triage.questions.map((q) => ({ text: q.text, type: TYPE_LABELS[q.type], options: (q.options ?? []).map((o) => o.label) })),
    tiers: methodology.tiers.map((t) => ({ tier: tierName(t.tier), rule: t.rule })),
    sections,
    gatewayCount: methodology.gateways.length,
    sources: [...sourcesUsed].sort().map((code) => ({ code, name: SOURCE_NAMES[code] })),
    changeLog: methodology.changeLog,
  };
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

// ─── The methodology, as published ────────────────────────────────────────────────────────────

export type MethodologyView = {
  title: string;
  version: string;
  scale: Methodology['scale'];
  scoringSteps: string[];
  tiers: Array<{ tier: string; rule: string }>;
  sections: Array<{ number: string; title: string; critical: boolean; condition: string | null; questionCount: number; weights: Array<{ tier: string; weight: number }> }>;
  gateways: Array<{ number: string; question: string; passes: string; appliesFrom: string; failureMessage: string; decidedByPanel: string | null }>;
  evidenceRule: string;
  manualQuestions: Array<{ number: string; question: string; descriptors: Array<{ mark: string; text: string }> }>;
  informationOnly: Array<{ number: string; question: string }>;
  rubricQuestions: Array<{ number: string; question: string; levels: Array<{ mark: string; requires: string }> }>;
  changeLog: Methodology['changeLog'];
  residualRisk: { bands: string[]; rows: Array<{ tier: string; risks: string[] }> };
  ratingForRisk: Array<{ risk: string; rating: string }>;
};

const USUAL_WORDS = { pass: 'usually passed', fail: 'usually failed', conditional: 'usually passed on conditions' } as const;

/** The answers to a gateway that the panel decides, in words; null when a rule decides every answer. */
function panelWords(answers: Methodology['gateways'][number]['decidedByPanel']): string | null {
  if (answers.length === 0) return null;
  return `${answers.map((a) => `“${a.answer}”${a.usualOutcome ? ` (${USUAL_WORDS[a.usualOutcome]})` : ''}`).join(', ')}: the panel decides, with a reason.`;
}

/** The methodology object the API publishes, laid out for a page: nothing here decides a rule. */
export function methodologyView(m: Methodology): MethodologyView {
  const label = (value: number) => m.scale.find((s) => s.value === value)?.label ?? String(value);
  return {
    title: m.questionnaire.title,
    version: m.questionnaire.version,
    scale: m.scale,
    scoringSteps: m.scoringSteps,
    tiers: m.tiers.map((t) => ({ tier: tierName(t.tier), rule: t.rule })),
    sections: m.sections.map((s, i) => ({
      number: s.ref ?? String(i + 1),
      title: s.title,
      critical: s.critical,
      condition: s.condition,
      questionCount: s.questionCount,
      weights: RISK_TIERS.map((tier) => ({ tier: TIER_NAMES[tier], weight: s.weights[tier] })),
    })),
    gateways: m.gateways.map((g) => ({
      number: g.ref ?? g.questionKey,
      question: g.question,
      passes: g.passes,
      appliesFrom: g.appliesFrom === 'all' ? 'Every tier' : `${tierName(g.appliesFrom)} and above`,
      failureMessage: g.failureMessage,
      decidedByPanel: panelWords(g.decidedByPanel),
    })),
    evidenceRule: m.evidenceRule,
    manualQuestions: m.manualQuestions.map((q) => ({
      number: q.ref ?? q.questionKey,
      question: q.question,
      descriptors: (['0', '1', '2', '3', '4'] as const).map((mark) => ({ mark: `${mark} (${label(Number(mark))})`, text: q.descriptors[mark] })),
    })),
    informationOnly: m.informationOnly.map((q) => ({ number: q.ref ?? q.questionKey, question: q.question })),
    rubricQuestions: m.rubricQuestions.map((q) => ({
      number: q.ref ?? q.questionKey,
      question: q.question,
      levels: q.levels.map((level) => ({ mark: `${level.score} (${label(level.score)})${level.label ? `: ${level.label}` : ''}`, requires: level.requires.map((r) => `“${r}”`).join(', ') })),
    })),
    changeLog: m.changeLog,
    residualRisk: {
      bands: m.rating.bands,
      rows: RISK_TIERS.map((tier) => ({ tier: TIER_NAMES[tier], risks: (m.rating.residualRisk[tier] ?? []).map(words) })),
    },
    ratingForRisk: Object.entries(m.rating.ratingForRisk).map(([risk, rating]) => ({ risk: words(risk), rating: words(rating) })),
  };
}

// ─── Import problems ──────────────────────────────────────────────────────────────────────────

/**
 * Where a problem is, in words, beside its JSON path: "/sections/1/questions/0/key" reads
 * "section 2 (Section B), question 1". Only what the path names, so it never guesses.
 */
export function problemPlace(path: string, input: unknown): string | null {
  const parts = path.split('/').slice(1);
  if (parts[0] !== 'sections' || parts[1] === undefined || !/^\d+$/.test(parts[1])) return null;
  const sections = (input as { sections?: unknown } | null)?.sections;
  const section = Array.isArray(sections) ? (sections[Number(parts[1])] as { title?: unknown; questions?: unknown } | undefined) : undefined;
  const title = typeof section?.title === 'string' && section.title.trim() ? ` (${section.title.trim().slice(0, 80)})` : '';
  let place = `section ${Number(parts[1]) + 1}${title}`;
  if (parts[2] === 'questions' && parts[3] !== undefined && /^\d+$/.test(parts[3])) {
    const question = Array.isArray(section?.questions) ? (section.questions[Number(parts[3])] as { key?: unknown } | undefined) : undefined;
    const key = typeof question?.key === 'string' && question.key.trim() ? ` (${question.key.slice(0, 80)})` : '';
    place += `, question ${Number(parts[3]) + 1}${key}`;
  }
  return place;
}

export type ImportProblem = {
  path: string;
  place: string | null;
  message: string;
  /** The path, the place and the message cut where a long run without spaces may wrap (after "/", "|", "." or "_"), so they fit a narrow screen; copied, they read unchanged. */
  pathParts: string[];
  placeParts: string[];
  messageParts: string[];
  /** For the error summary: the path, where it is, and the problem, as escaped HTML with the same break points. */
  summaryHtml: string;
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** "/sections/1/key" → ["/sections", "/1", "/key"]; 'one of "a"|"b"' → ['one of "a"|', '"b"']. */
export const breakable = (text: string): string[] => text.split(/(?<=[|._])|(?=\/)/).filter((part) => part !== '');

export function importProblems(problems: readonly DefinitionProblem[], input: unknown): ImportProblem[] {
  return problems.map((p) => {
    const place = problemPlace(p.path, input);
    const pathParts = breakable(p.path);
    const placeParts = place ? breakable(place) : [];
    const messageParts = breakable(p.message);
    const html = (parts: string[]) => parts.map(escapeHtml).join('<wbr>');
    const summaryHtml = `${html(pathParts)}${place ? ` (${html(placeParts)})` : ''}: ${html(messageParts)}`;
    return { path: p.path, place, message: p.message, pathParts, placeParts, messageParts, summaryHtml };
  });
}
