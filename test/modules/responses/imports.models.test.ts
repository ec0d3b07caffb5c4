import { describe, expect, it } from 'vitest';
import { normaliseDefinition } from '../../../src/modules/questionnaires';
import type { AnswerDto, AnswerInput } from '../../../src/modules/responses/answers.usecases';
import { filledNotice, importPlan, planNotes, readAnswerFile, type ImportPlan } from '../../../src/modules/responses/imports.models';
import { evidenceDefinition } from '../questionnaires/fixtures';

const definition = normaliseDefinition(evidenceDefinition());
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const everything = new Set(definition.sections.flatMap((s) => s.questions.map((q) => q.key)));
const dto = (value: unknown, more: Partial<AnswerDto> = {}): AnswerDto => ({ value, comment: null, confidential: false, confidentialReason: null, version: 1, updatedAt: '', ...more });

describe('reading an answer file', () => {
  it.each<[string, string, string]>([
    ['an empty file', '  ', 'The selected file is empty'],
    ['text that is not JSON', 'answers: yes', 'The selected file is not an answer file: choose the .json file you downloaded from this service'],
    ['another format', '{"format":"aidd.answers/v2","answers":{}}', 'The selected file is in a format this service cannot read: it must be aidd.answers/v1'],
    ['JSON that is not an answer document', '{"questions":[]}', 'The selected file is not an answer file in the aidd.answers/v1 format'],
    ['an answer with fields the format does not have', '{"answers":{"b.hours":{"value":1,"score":4}}}', 'The selected file is not an answer file in the aidd.answers/v1 format'],
    ['an answer without a value', '{"answers":{"b.hours":{"value":null}}}', 'The selected file is not an answer file in the aidd.answers/v1 format'],
  ])('refuses %s', (_case, text, message) => {
    expect(readAnswerFile(text)).toEqual({ ok: false, message });
  });

  it.each<[string, string]>([
    ['an export document', JSON.stringify({ format: 'aidd.answers/v1', exportedAt: '2026-01-01T00:00:00Z', questionnaire: { id: 'x' }, answers: { 'b.hours': { value: 24, comment: null, confidential: false, confidentialReason: null } } })],
    ['just the answers', '{"answers":{"b.hours":{"value":24}}}'],
    ['a file saved with a byte order mark', '\uFEFF{"answers":{"b.hours":{"value":24}}}'],
  ])('reads %s', (_case, text) => {
    const read = readAnswerFile(text);
    expect(read.ok && read.answers['b.hours']?.value).toBe(24);
  });
});

describe('deciding which answers a file fills in', () => {
  type Case = { current?: Record<string, AnswerDto>; values?: Record<string, string | number>; incoming: Record<string, AnswerInput>; replace?: boolean; reachable?: Set<string>; fill: string[]; counts: Partial<Omit<ImportPlan, 'fill'>> };
  it.each<[string, Case]>([
    ['an unanswered question is filled', { incoming: { 'b.hours': { value: 24 } }, fill: ['b.hours'], counts: {} }],
    ['an answered question keeps its answer by default', { current: { 'b.hours': dto(12) }, values: { 'b.hours': 12 }, incoming: { 'b.hours': { value: 24 } }, fill: [], counts: { kept: 1 } }],
    ['an answered question is replaced when the supplier chooses', { current: { 'b.hours': dto(12) }, values: { 'b.hours': 12 }, incoming: { 'b.hours': { value: 24 } }, replace: true, fill: ['b.hours'], counts: {} }],
    ['the same answer is left alone, even when replacing', { current: { 'b.hours': dto(24) }, values: { 'b.hours': 24 }, incoming: { 'b.hours': { value: 24, comment: ' ' } }, replace: true, fill: [], counts: { unchanged: 1 } }],
    ['a different comment is a different answer', { current: { 'b.hours': dto(24) }, values: { 'b.hours': 24 }, incoming: { 'b.hours': { value: 24, comment: 'Within a day' } }, replace: true, fill: ['b.hours'], counts: {} }],
    ['a follow-up the file’s own answer reveals is filled', { incoming: { 'a.training_detail': { value: 'Per dataset.' }, 'a.training': { value: 'opt_in' } }, fill: ['a.training', 'a.training_detail'], counts: {} }],
    ['a follow-up that stays hidden is not asked', { incoming: { 'a.training_detail': { value: 'Per dataset.' }, 'a.training': { value: 'never' } }, fill: ['a.training'], counts: { notAsked: 1 } }],
    ['a key the questionnaire lacks is ignored and counted', { incoming: { 'other.key': { value: 'x' } }, fill: [], counts: { unknown: 1 } }],
    ['another section’s question is ignored for a bid-team colleague', { incoming: { 'b.hours': { value: 24 } }, reachable: new Set(['a.training', 'a.training_detail']), fill: [], counts: { unknown: 1 } }],
    ['a file question is left for an upload', { incoming: { 'b.policy': { value: 'policy.pdf' } }, fill: [], counts: { files: 1 } }],
  ])('%s', (_case, c) => {
    const plan = importPlan({ definition, triage, reachable: c.reachable ?? everything, current: c.current ?? {}, values: c.values ?? {}, incoming: c.incoming, replace: c.replace ?? false });
    expect(plan.fill.map((p) => p.key)).toEqual(c.fill);
    expect({ unknown: plan.unknown, files: plan.files, notAsked: plan.notAsked, kept: plan.kept, unchanged: plan.unchanged }).toEqual({ unknown: 0, files: 0, notAsked: 0, kept: 0, unchanged: 0, ...c.counts });
  });

  it('names the answer each replacement overwrites', () => {
    const plan = importPlan({ definition, triage, reachable: everything, current: { 'b.hours': dto(12) }, values: { 'b.hours': 12 }, incoming: { 'b.hours': { value: 24 } }, replace: true });
    expect(plan.fill[0]?.current?.value).toBe(12);
  });

  it('hides a whole section the council’s triage leaves out', () => {
    const plan = importPlan({ definition, triage: { 'triage.personal_data': 'no' }, reachable: everything, current: {}, values: {}, incoming: { 'b.hours': { value: 24 } }, replace: false });
    expect([plan.fill.length, plan.notAsked]).toEqual([0, 1]);
  });
});

describe('the words around an import', () => {
  it.each<[Partial<ImportPlan>, string[]]>([
    [{}, []],
    [{ unchanged: 2, notAsked: 1 }, ['2 answers are the same as the answer you have already given.', '1 answer is for questions not asked in this procurement.']],
    [{ files: 2, unknown: 3 }, ['2 questions ask for files: upload them on the website.', '3 answers are for questions this questionnaire does not have, so they are ignored.']],
  ])('notes %o', (counts, notes) => {
    expect(planNotes({ fill: [], unknown: 0, files: 0, notAsked: 0, kept: 0, unchanged: 0, ...counts })).toEqual(notes);
  });

  it.each<[unknown, string | null]>([
    ['3', '3 answers were filled in from your file. Check them before you submit.'],
    ['1', '1 answer was filled in from your file. Check it before you submit.'],
    ['0', 'No answers were changed: your file had nothing new.'],
    [undefined, null],
    ['lots', null],
    [['2', '3'], null],
  ])('the task list banner for filled=%o', (filled, text) => {
    expect(filledNotice(filled)?.text ?? null).toBe(text);
  });
});
