import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATRS_FIELDS, ATRS_SECTIONS, validateDefinition, type QuestionnaireDefinition } from '../../../src/modules/questionnaires';
import { BUILT_IN_DEFINITIONS } from '../../../src/modules/questionnaires/questionnaires.usecases';
import { atrsDocument, atrsRecord, transparencyRecordsList, type AtrsInput, type AtrsRecordField } from '../../../src/modules/reports/atrs.models';
import type { ReportAnswer } from '../../../src/modules/reports/reports.shared';
import { smallDefinition } from '../questionnaires/fixtures';

const builtIns = BUILT_IN_DEFINITIONS.map((input) => {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
});
const latest = builtIns.find((d) => d.version === '1.1.0')!;

// Words that must never reach the record: a confidential answer, its comment and the reason given for withholding it.
const SECRET = 'SECRETTRAINING our in-house academy with Contoso';
const SECRET_COMMENT = 'SECRETCOMMENT priced per seat';
const SECRET_REASON = 'SECRETREASON trade secret';

async function exampleAnswers(): Promise<Record<string, ReportAnswer>> {
  const file = JSON.parse(await readFile(path.resolve(import.meta.dirname, '../../../examples/acme-ai-answers.json'), 'utf8')) as { answers: Record<string, { value: ReportAnswer['value']; confidential?: boolean }> };
  return Object.fromEntries(Object.entries(file.answers).map(([key, a]) => [key, { value: a.value, comment: null, confidential: a.confidential ?? false, confidentialReason: null }]));
}

async function input(overrides: Record<string, Partial<ReportAnswer>> = {}, definition: QuestionnaireDefinition = latest): Promise<AtrsInput> {
  const answers = await exampleAnswers();
  for (const [key, o] of Object.entries(overrides)) answers[key] = { value: null, comment: null, confidential: false, confidentialReason: null, ...answers[key], ...o };
  return {
    council: 'Example Borough Council',
    procurement: { id: '00000000-0000-4000-8000-000000000001', title: 'Council tax chatbot', reference: 'DD-2027-001', riskTier: 'high', riskTierReason: 'Personal data.' },
    definition,
    responseId: '00000000-0000-4000-8000-000000000002',
    supplierName: 'Acme AI Ltd',
    companyNumber: '01234567',
    answers,
    answersAsOf: '2026-12-01T10:00:00.000Z',
  };
}

const fieldOf = (record: ReturnType<typeof atrsRecord>, id: string): AtrsRecordField => record.sections.flatMap((s) => s.fields).find((f) => f.id === id)!;

describe('the ATRS template', () => {
  it('has each field once, in a section of its own path', () => {
    const ids = ATRS_FIELDS.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const field of ATRS_FIELDS) {
      expect(ATRS_SECTIONS.map((s) => s.id)).toContain(field.section);
      expect(field.id === field.section || field.id.startsWith(`${field.section}.`), field.id).toBe(true);
      expect(field.label.length > 0 && field.description.length > 0, field.id).toBe(true);
    }
  });

  it('names every atrsField of every built-in questionnaire (1.0.0 and 1.1.0)', () => {
    expect(builtIns.map((d) => d.version).sort()).toEqual(['1.0.0', '1.1.0']);
    const known = new Set(ATRS_FIELDS.map((f) => f.id));
    for (const definition of builtIns) {
      const used = definition.sections.flatMap((s) => s.questions.flatMap((q) => (q.atrsField ? [[q.key, q.atrsField] as const] : [])));
      // The bank does map its answers: a test that checked nothing would pass too.
      expect(used.length, definition.version).toBeGreaterThan(20);
      expect(used.filter(([, field]) => !known.has(field)), definition.version).toEqual([]);
    }
  });

  it('refuses a questionnaire whose question names a field the template does not have, and says where', () => {
    const definition = smallDefinition();
    definition.sections[0]!.questions[0]!.atrsField = 'tier2.decision_making_process.human_decision_and_review';
    definition.sections[1]!.questions[0]!.atrsField = 'tier2.tool_specification.maintenance';
    const result = validateDefinition(definition);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      { path: '/sections/0/questions/0/atrsField', message: '"tier2.decision_making_process.human_decision_and_review" is not a field of the ATRS template (version 3.0)' },
    ]);
  });
});

describe('the draft ATRS record', () => {
  it('lists every template field in order, each drafted from the answers mapped to it or flagged for the council', async () => {
    const record = atrsRecord(await input());
    expect(record.sections.map((s) => s.id)).toEqual(ATRS_SECTIONS.map((s) => s.id));
    expect(record.sections.flatMap((s) => s.fields.map((f) => f.id))).toEqual(ATRS_FIELDS.map((f) => f.id));
    expect(record.status).toBe('draft');
    expect(record.standard.version).toBe('3.0');
    expect(record.source).toEqual({
      council: 'Example Borough Council',
      procurement: { id: '00000000-0000-4000-8000-000000000001', title: 'Council tax chatbot', reference: 'DD-2027-001' },
      supplierName: 'Acme AI Ltd',
      responseId: '00000000-0000-4000-8000-000000000002',
      questionnaire: { key: 'lga-responsible-ai', version: '1.1.0', title: latest.title },
      answersAsOf: '2026-12-01T10:00:00.000Z',
    });
    const all = record.sections.flatMap((s) => s.fields);
    expect(record.counts).toEqual({
      fields: all.length,
      drafted: all.filter((f) => f.status === 'drafted').length,
      partlyDrafted: all.filter((f) => f.status === 'partly_drafted').length,
      toComplete: all.filter((f) => f.status === 'to_complete').length,
    });
    // Every field the bank maps an answered question to is drafted; every other field either comes from what the service knows or is flagged.
    for (const f of all) {
      if (f.status === 'to_complete') expect([f.value, f.toCompleteBy, Boolean(f.reason)], f.id).toEqual([null, 'council', true]);
      else expect(f.value, f.id).toBeTruthy();
      if (f.status === 'drafted') expect([f.toCompleteBy, f.reason], f.id).toEqual([null, null]);
    }
    expect(fieldOf(record, 'tier1.description')).toMatchObject({ status: 'to_complete', toCompleteBy: 'council', reason: 'No question of the questionnaire asks for this, so the council completes it.' });
    expect(fieldOf(record, 'metadata.organisation').value).toBe('Example Borough Council');
    expect(fieldOf(record, 'tier2.owner_and_responsibility.companies_house_number').value).toContain('01234567');
    expect(fieldOf(record, 'metadata.atrs_version').value).toBe('3.0');
  });

  it('carries each answer with its question number, joining several, with choices in the questionnaire’s words', async () => {
    const data = await input({
      'oversight.meaningful_review': { value: 'Reviewers see the source passage beside every suggested reply.' },
      'purpose.product_description': { value: 'A chatbot that answers council tax questions from the council’s own pages.', comment: 'Live in two boroughs.' },
    });
    const record = atrsRecord(data);
    expect(fieldOf(record, 'tier2.description_and_rationale.detailed_description')).toMatchObject({
      status: 'drafted',
      value: 'Question 1.1: A chatbot that answers council tax questions from the council’s own pages. (The supplier added: Live in two boroughs.)',
      from: [{ question: '1.1', questionKey: 'purpose.product_description' }],
      withheld: [],
    });
    const review = fieldOf(record, 'tier2.decision_making_process.human_decisions_and_review');
    const mapped = latest.sections.flatMap((s) => s.questions).filter((q) => q.atrsField === review.id);
    expect(mapped.length).toBeGreaterThan(1);
    // Every answered question mapped to the field, in the questionnaire's order.
    expect(review.from.map((r) => r.questionKey)).toEqual(mapped.filter((q) => data.answers[q.key]?.value != null).map((q) => q.key));
    expect(review.from.length).toBeGreaterThan(1);
    expect(review.value).toContain('Question 6.3: Reviewers see the source passage beside every suggested reply.');
    const automated = mapped.find((q) => q.key === 'oversight.automated_decisions')!;
    expect(review.value).toContain(`Question 6.2: ${automated.options!.find((o) => o.value === 'advisory')!.label}`);
    const capability = fieldOf(record, 'metadata.capability');
    const techniques = latest.sections.flatMap((s) => s.questions).find((q) => q.key === 'purpose.ai_techniques')!;
    expect(capability.value).toBe(`Question 1.3: ${['rules_based', 'machine_learning'].map((v) => techniques.options!.find((o) => o.value === v)!.label).join('; ')}`);
  });

  it('never reproduces a confidential answer, its comment or its reason: the field names the question and is left to the council', async () => {
    const data = await input({
      'oversight.staff_training': { value: SECRET, comment: SECRET_COMMENT, confidential: true, confidentialReason: SECRET_REASON },
      'oversight.meaningful_review': { value: 'RESTOFREVIEW staff see the source passage.', confidential: false },
      'oversight.automated_decisions': { value: 'advisory', confidential: true, confidentialReason: SECRET_REASON },
    });
    const record = atrsRecord(data);
    const document = atrsDocument(record);
    for (const text of [JSON.stringify(record), JSON.stringify(document)]) for (const secret of [SECRET, SECRET_COMMENT, SECRET_REASON]) expect(text).not.toContain(secret);
    expect(fieldOf(record, 'tier2.decision_making_process.required_training')).toEqual(
      expect.objectContaining({
        status: 'to_complete',
        value: null,
        toCompleteBy: 'council',
        reason: 'The supplier marked its answer to question 6.4 commercially confidential, so it is not reproduced here: the council completes this field from that answer, with what it can publish.',
        from: [],
        withheld: [{ question: '6.4', questionKey: 'oversight.staff_training' }],
      }),
    );
    // A field drafted from other answers says what is missing, and keeps what may be shown.
    const review = fieldOf(record, 'tier2.decision_making_process.human_decisions_and_review');
    expect(review.status).toBe('partly_drafted');
    expect(review.toCompleteBy).toBe('council');
    expect(review.value).toContain('RESTOFREVIEW staff see the source passage.');
    expect(review.value).not.toContain('Question 6.2');
    expect(review.reason).toContain('question 6.2 commercially confidential');
  });

  it('says which question the supplier left unanswered', async () => {
    const record = atrsRecord(await input({ 'purpose.alternatives': { value: null } }));
    expect(fieldOf(record, 'tier2.description_and_rationale.alternatives_considered')).toMatchObject({ status: 'to_complete', toCompleteBy: 'council', reason: 'The supplier did not answer question 1.6.' });
  });

  it('is the same record for the same answers, dated by them, not by the clock', async () => {
    const data = await input();
    expect(JSON.stringify(atrsRecord(data))).toBe(JSON.stringify(atrsRecord(data)));
    expect(atrsDocument(atrsRecord(data)).createdAt).toBe('2026-12-01T10:00:00.000Z');
  });

  it('lays out as a document whose headings never skip a level, with each field’s flag', async () => {
    const record = atrsRecord(await input());
    const document = atrsDocument(record);
    const levels = document.blocks.flatMap((b) => (b.kind === 'heading' ? [b.level] : []));
    expect(levels[0]).toBe(1);
    levels.forEach((level, i) => {
      if (i > 0) expect(level - levels[i - 1]!, `heading ${i}`).toBeLessThanOrEqual(1);
    });
    const headings = document.blocks.flatMap((b) => (b.kind === 'heading' ? [b.text] : []));
    for (const field of ATRS_FIELDS) expect(headings, field.id).toContain(field.label);
    const text = document.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
    expect(text).toContain('To complete by the council.');
    // The council's own name is the service's record, not the supplier's answer; an answer is the supplier's.
    const after = (label: string) => document.blocks.slice(document.blocks.findIndex((b) => b.kind === 'heading' && b.text === label)).find((b) => b.kind === 'paragraph' && /check before publishing/.test(b.text));
    expect(after('Organisation')).toMatchObject({ text: 'From this service’s record of the procurement: check before publishing.' });
    const answered = record.sections.flatMap((s) => s.fields).find((f) => f.status === 'drafted' && f.from.length > 0)!;
    expect(after(answered.label)).toMatchObject({ text: 'Drafted from the supplier’s answers: check before publishing.' });
    expect(document.filename).toBe('transparency-record-draft-dd-2027-001-acme-ai-ltd.pdf');
  });

  it('lists a download pair per evaluated response, the awarded supplier first', () => {
    const all = {
      procurement: { id: 'p1' },
      items: [
        { responseId: 'r1', supplierName: 'Alpha AI', status: 'submitted' },
        { responseId: 'r2', supplierName: 'Beta Bots', status: 'submitted' },
        { responseId: 'r3', supplierName: 'Gamma Ltd', status: 'in_progress' },
      ],
      evaluations: new Map([
        ['r1', {}],
        ['r2', {}],
      ]),
    };
    expect(transparencyRecordsList({ all: { ...all, decision: null } }).map((r) => [r.supplierName, r.awarded])).toEqual([
      ['Alpha AI', false],
      ['Beta Bots', false],
    ]);
    const decided = transparencyRecordsList({ all: { ...all, decision: { outcome: 'award', responseId: 'r2' } } });
    expect(decided.map((r) => [r.supplierName, r.awarded])).toEqual([
      ['Beta Bots', true],
      ['Alpha AI', false],
    ]);
    expect(decided[0]!.items.map((i) => [i.format, i.href])).toEqual([
      ['PDF', '/procurements/p1/reports/responses/r2/atrs.pdf'],
      ['JSON', '/procurements/p1/reports/responses/r2/atrs.json'],
    ]);
  });
});
