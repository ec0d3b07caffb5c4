import { describe, expect, it } from 'vitest';
import type { SupplierQuestion } from '../../../src/modules/responses/responses.models';
import { allowedAnswers, answerCell, readAnswerCell, readDate, readWorkbookRows, rowProblemText, workbookRows, WORKBOOK_COLUMNS, type Cell } from '../../../src/modules/responses/workbook.models';

const question = (q: Partial<SupplierQuestion> & Pick<SupplierQuestion, 'key' | 'type'>): SupplierQuestion => ({ ref: null, text: q.key, guidance: '', required: true, options: null, limits: null, evidence: null, ...q });
const yesNo = question({ key: 'uk', ref: '3.1', type: 'yes_no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] });
const choice = question({ key: 'training', ref: '1.1', type: 'single_choice', options: [{ value: 'never', label: 'Never' }, { value: 'opt_in', label: 'Only with opt-in' }] });
const multi = question({ key: 'standards', ref: '3.2', type: 'multi_choice', options: [{ value: 'iso', label: 'ISO 27001' }, { value: 'ce', label: 'Cyber Essentials' }, { value: 'soc2', label: 'SOC 2, type II' }] });
const hours = question({ key: 'hours', ref: '4.2', type: 'number', limits: { min: 0, max: 720, integer: true, unit: 'hours' } });
const days = question({ key: 'days', ref: '4.3', type: 'number', limits: { min: 30 } });
const review = question({ key: 'review', ref: '5.1', type: 'date' });
const summary = question({ key: 'summary', ref: '6.1', type: 'long_text', limits: { maxLength: 2000 } });
const certificate = question({ key: 'certificate', ref: '7.1', type: 'file' });

describe('reading an answer cell into the value its question takes', () => {
  it.each<[string, SupplierQuestion, Cell, unknown]>([
    ['an option label picks its value', choice, 'Only with opt-in', 'opt_in'],
    ['an option label in another case, with spaces, still picks it', choice, '  only WITH  opt-in ', 'opt_in'],
    ['an option value typed as such is accepted', choice, 'never', 'never'],
    ['Yes picks yes', yesNo, 'Yes', 'yes'],
    ['a TRUE cell reads as Yes', yesNo, true, 'yes'],
    ['several labels separated by semicolons pick each value once', multi, 'ISO 27001; Cyber Essentials;ISO 27001', ['iso', 'ce']],
    ['a label with a comma is one choice', multi, 'SOC 2, type II', ['soc2']],
    ['labels on separate lines are several choices', multi, 'ISO 27001\nSOC 2, type II', ['iso', 'soc2']],
    ['a number cell is that number', hours, 24, 24],
    ['a typed number with its unit is the number', hours, '48 hours', 48],
    ['a typed number with thousands separators is the number', days, '1,500', 1500],
    ['an Excel date cell is that day', review, new Date(Date.UTC(2027, 2, 27)), '2027-03-27'],
    ['a UK date typed day first is that day', review, '27/03/2027', '2027-03-27'],
    ['a UK date without leading zeros is that day', review, '7/3/2027', '2027-03-07'],
    ['an ISO date is that day', review, '2027-03-27', '2027-03-27'],
    ['text keeps its line breaks, without Windows carriage returns', summary, 'First line\r\nSecond line  ', 'First line\nSecond line'],
    ['a number typed in a text answer is text', summary, 42, '42'],
  ])('%s', (_case, q, cell, value) => {
    expect(readAnswerCell(q, cell)).toEqual({ value });
  });

  it.each<[string, SupplierQuestion, Cell, string]>([
    ['a choice that is not in the list', choice, 'Sometimes', 'Choose one of the answers in the list: Never; Only with opt-in'],
    ['a choice among several that is not in the list', multi, 'ISO 27001; PCI DSS', '“PCI DSS” is not one of the answers in the list (ISO 27001; Cyber Essentials; SOC 2, type II). Separate several with a semicolon (;)'],
    ['two choices that are not in the list', multi, 'A; B', '“A”, “B” are not answers in the list (ISO 27001; Cyber Essentials; SOC 2, type II). Separate several with a semicolon (;)'],
    ['words for a number of hours', hours, 'a day', 'Enter the number of hours, like 24'],
    ['words for a number with a minimum above 24', days, 'a month', 'Enter a number, like 30'],
    ['a day that does not exist', review, '31/02/2027', 'Enter a real date, like 27/03/2027'],
    ['a date written out in words', review, 'next March', 'Enter a real date, like 27/03/2027'],
    ['a bare number for a date', review, 46473, 'Enter a real date, like 27/03/2027'],
  ])('says what is wrong with %s', (_case, q, cell, problem) => {
    expect(readAnswerCell(q, cell)).toEqual({ problem });
  });

  it.each<[Cell, string | null]>([
    ['27-03-2027', '2027-03-27'],
    ['27.03.2027', '2027-03-27'],
    ['2027-3-7', '2027-03-07'],
    ['2027-03-27T00:00:00.000Z', '2027-03-27'],
    ['03/27/2027', null],
    ['29/02/2027', null],
    ['29/02/2028', '2028-02-29'],
    [new Date(Number.NaN), null],
  ])('reads the date %s as %s', (cell, expected) => {
    expect(readDate(cell)).toBe(expected);
  });
});

describe('building the workbook rows', () => {
  const sections = [
    { key: 'a', ref: '1', title: 'Data', description: null, questions: [choice, multi, hours] },
    { key: 'b', ref: null, title: 'Evidence', description: null, questions: [review, certificate] },
  ];
  const answers = {
    training: { value: 'opt_in', comment: 'See our terms', confidential: true, confidentialReason: 'Commercial', version: 1, updatedAt: '' },
    standards: { value: ['iso', 'soc2'], comment: null, confidential: false, confidentialReason: null, version: 1, updatedAt: '' },
    review: { value: '2027-03-27', comment: null, confidential: false, confidentialReason: null, version: 1, updatedAt: '' },
  };
  const rows = workbookRows({ sections, answers });

  it('has one row per question shown, in order, with its section, reference, type and whether it is required', () => {
    expect(rows.map((r) => [r.cells.key, r.cells.section, r.cells.ref, r.cells.type, r.cells.required])).toEqual([
      ['training', '1. Data', '1.1', 'Choose one', 'Yes'],
      ['standards', '1. Data', '3.2', 'Choose one or more', 'Yes'],
      ['hours', '1. Data', '4.2', 'Number', 'Yes'],
      ['review', 'Evidence', '5.1', 'Date', 'Yes'],
      ['certificate', 'Evidence', '7.1', 'File (upload on the website)', 'Yes'],
    ]);
  });

  it('fills in each current answer as the supplier would type it', () => {
    expect(rows.map((r) => [r.cells.answer, r.cells.comment, r.cells.confidential, r.cells.reason])).toEqual([
      ['Only with opt-in', 'See our terms', 'Yes', 'Commercial'],
      ['ISO 27001; SOC 2, type II', null, 'No', null],
      [null, null, 'No', null],
      [new Date(Date.UTC(2027, 2, 27)), null, 'No', null],
      [null, null, null, null],
    ]);
  });

  it('offers the option labels as a list for choices, several for a multiple choice, and none for the rest', () => {
    expect(rows.map((r) => [r.list, r.multiple, r.date, r.file])).toEqual([
      [['Never', 'Only with opt-in'], false, false, false],
      [['ISO 27001', 'Cyber Essentials', 'SOC 2, type II'], true, false, false],
      [null, false, false, false],
      [null, false, true, false],
      [null, false, false, true],
    ]);
  });

  it.each<[string, SupplierQuestion, string]>([
    ['a single choice', choice, 'One of: Never; Only with opt-in'],
    ['a multiple choice', multi, 'One or more of: ISO 27001; Cyber Essentials; SOC 2, type II. Separate several with a semicolon (;), like: ISO 27001; Cyber Essentials'],
    ['a whole number of hours', hours, 'A whole number of hours, from 0 to 720, like 24'],
    ['a number with a minimum', days, 'A number, 30 or more, like 30'],
    ['a date', review, 'A date, like 27/03/2027'],
    ['a long text', summary, 'Text, up to 2000 characters'],
    ['a file', certificate, 'Upload on the website: anything typed here is ignored'],
  ])('says what %s question takes', (_case, q, text) => {
    expect(allowedAnswers(q)).toBe(text);
  });

  it('keeps an answer that is not one of the options as it was', () => {
    expect(answerCell(choice, 'retired_option')).toBe('retired_option');
  });
});

describe('reading the rows of an uploaded workbook', () => {
  const questions = new Map([choice, multi, hours, review, certificate].map((q) => [q.key, q]));
  const header: Cell[] = WORKBOOK_COLUMNS.map((c) => c.header);
  const row = (number: number, cells: Partial<Record<(typeof WORKBOOK_COLUMNS)[number]['key'], Cell>>) => ({ number, cells: WORKBOOK_COLUMNS.map((c) => cells[c.key] ?? null) });

  it('reads every answered row into answers, with comments and confidentiality, skipping blank answers', () => {
    const read = readWorkbookRows({
      questions,
      header,
      rows: [
        row(2, { key: 'training', answer: 'Never', comment: 'Always', confidential: 'Yes', reason: 'Commercial' }),
        row(3, { key: 'standards', answer: 'ISO 27001', confidential: 'No', reason: 'ignored when not confidential' }),
        row(4, { key: 'hours', answer: null, comment: 'a comment without an answer' }),
        row(5, { key: 'review', answer: '01/04/2027' }),
        row(6, { key: 'certificate', answer: 'see attached' }),
        row(7, { key: 'from.another.questionnaire', answer: 'x' }),
      ],
    });
    expect(read).toEqual({
      ok: true,
      answers: {
        training: { value: 'never', comment: 'Always', confidential: true, confidentialReason: 'Commercial' },
        standards: { value: ['iso'], comment: null, confidential: false, confidentialReason: null },
        review: { value: '2027-04-01', comment: null, confidential: false, confidentialReason: null },
        certificate: { value: 'see attached' },
        'from.another.questionnaire': { value: 'x' },
      },
      rowOf: { training: 2, standards: 3, review: 5, certificate: 6, 'from.another.questionnaire': 7 },
      problems: [],
    });
  });

  it('finds the columns by their headings, in any order', () => {
    const read = readWorkbookRows({ questions, header: ['Answer', 'Key'], rows: [{ number: 2, cells: ['24', 'hours'] }] });
    expect(read.ok && read.answers).toEqual({ hours: { value: 24, comment: null, confidential: false, confidentialReason: null } });
  });

  it('refuses a sheet without the Key and Answer columns', () => {
    expect(readWorkbookRows({ questions, header: ['Question', 'Response'], rows: [] })).toEqual({ ok: false, message: 'The selected file is not a workbook downloaded from this service: its first row has no “Key” and “Answer” columns' });
  });

  it('lists every problem by row and question', () => {
    const read = readWorkbookRows({
      questions,
      header,
      rows: [
        row(2, { key: 'training', answer: 'Sometimes' }),
        row(3, { key: 'hours', answer: 'a day', confidential: 'Perhaps' }),
        row(4, { key: null, answer: 'An answer without its key' }),
        row(5, { key: 'training', answer: 'Never' }),
      ],
    });
    expect(read.ok && read.problems.map(rowProblemText)).toEqual([
      'Row 2, question 1.1: Choose one of the answers in the list: Never; Only with opt-in',
      'Row 3, question 4.2: Enter the number of hours, like 24',
      'Row 3, question 4.2: Enter Yes or No in the Confidential column',
      'Row 4: The Key column is empty: type the answer in the row of its question',
      'Row 5, question 1.1: This question is also answered on row 2: keep one of the two',
    ]);
  });
});
