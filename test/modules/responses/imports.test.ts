import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { readPage, webAgent } from '../../helpers/web';
import { smallDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

/** The small questionnaire with a section of every other kind of answer, and a file question. */
function importDefinition() {
  const definition = smallDefinition();
  const info = (q: Record<string, unknown>) => ({ guidance: 'Answer for your service.', required: true, scoring: { method: 'none' }, riskAreas: ['other'], sources: ['LGA'], ...q });
  const weights = { a: 50, b: 30, c: 20 };
  return {
    ...definition,
    key: 'import-test',
    weights: { low: weights, medium: weights, high: weights, very_high: weights },
    sections: [
      ...definition.sections,
      {
        key: 'c',
        title: 'Section C',
        riskArea: 'other',
        questions: [
          info({ key: 'c.uk', ref: '3.1', text: 'Is the data kept in the UK?', type: 'yes_no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] }),
          info({ key: 'c.standards', ref: '3.2', text: 'Which standards do you meet?', type: 'multi_choice', options: [{ value: 'iso27001', label: 'ISO 27001' }, { value: 'ce', label: 'Cyber Essentials' }, { value: 'soc2', label: 'SOC 2, type II' }] }),
          info({ key: 'c.review', ref: '3.3', text: 'When is your next security review?', type: 'date' }),
          info({ key: 'c.contact', ref: '3.4', text: 'Security contact email', type: 'email', required: false }),
          info({ key: 'c.certificate', ref: '3.5', text: 'Upload your certificate.', type: 'file', required: false, evidence: { requested: true, mandatory: false } }),
        ],
      },
    ],
  };
}

async function invited(ctx: TestContext, supplierName = 'Acme AI Ltd') {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: importDefinition(), triage, title: 'Council tax chatbot' });
  const invitation = await seedInvitation(ctx, org, procurementId, { supplierName });
  return { org, procurementId, invitation };
}

/** A supplier signed in to the web form, with its CSRF token and a way to read its answers through the API. */
async function signedIn(ctx: TestContext, invitation: { token: string }) {
  const web = webAgent(ctx.app);
  await web.get(`/respond/${invitation.token}`);
  const csrf = readPage((await web.get('/respond/answer-file')).body).formValues()._csrf as string;
  const answers = async () => (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invitation.token) })).json().answers as Record<string, { value: unknown; comment: string | null; confidential: boolean; confidentialReason: string | null }>;
  const uploadFile = (url: string, filename: string, bytes: Buffer, fields: Record<string, string> = { _csrf: csrf }) => web.upload(url, fields, [{ filename, bytes }]);
  return { web, csrf, answers, uploadFile };
}

const answerFile = (answers: Record<string, unknown>) => Buffer.from(JSON.stringify({ format: 'aidd.answers/v1', exportedAt: '2026-01-01T00:00:00.000Z', answers }));

const FILE_ANSWERS = {
  'a.training': { value: 'opt_in', comment: null, confidential: false, confidentialReason: null },
  'a.training_detail': { value: 'Each council opts in per dataset.', comment: 'From our standard terms', confidential: true, confidentialReason: 'Names our process' },
  'b.hours': { value: 24, comment: null, confidential: false, confidentialReason: null },
  'c.standards': { value: ['iso27001', 'ce'], comment: null, confidential: false, confidentialReason: null },
  'other.question': { value: 'From another questionnaire', comment: null, confidential: false, confidentialReason: null },
};

async function workbookOf(bytes: Buffer) {
  const workbook = new ExcelJS.Workbook();
  // exceljs declares its own `Buffer` type; a Node Buffer is what it reads.
  await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  const sheet = workbook.getWorksheet('Questions')!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const column = (name: string) => header.indexOf(name) + 1;
  const rowOf = (key: string) => {
    let found: ExcelJS.Row | undefined;
    sheet.eachRow((row) => {
      if (row.getCell(column('Key')).value === key) found = row;
    });
    return found!;
  };
  return { workbook, sheet, header, column, rowOf, bytes: async () => Buffer.from(await workbook.xlsx.writeBuffer()) };
}

describe('filling in answers from a file on the supplier web form', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('previews an answer file, filling only unanswered questions by default, and applies it on confirmation', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    await s.web.post('/respond/sections/b', { ...readPage((await s.web.get('/respond/sections/b')).body).formValues(), 'b.hours': '12', action: 'later' });
    expect((await s.answers())['b.hours']?.value).toBe(12);

    const task = readPage((await s.web.get('/respond')).body);
    expect(task.heading('Fill in answers from a file')).toBeDefined();
    expect(task.link('Reuse your answers from a previous bid')?.getAttribute('href')).toBe('/respond/answer-file');
    expect(task.link('Work offline in Excel')?.getAttribute('href')).toBe('/respond/workbook');

    const uploaded = await s.uploadFile('/respond/answer-file', 'previous-bid.json', answerFile(FILE_ANSWERS));
    expect(uploaded.statusCode).toBe(303);
    const preview = uploaded.headers.location as string;
    expect(preview).toMatch(/^\/respond\/imports\/[0-9a-f-]{36}$/);
    // Nothing is applied before the supplier confirms.
    expect(Object.keys(await s.answers())).toEqual(['b.hours']);

    let page = readPage((await s.web.get(preview)).body);
    expect(page.h1).toEqual(['Check the answers to fill in']);
    expect(page.text).toContain('From previous-bid.json. Nothing has been filled in yet.');
    expect(page.summary()).toEqual([
      { key: 'Do you train on our data?', value: 'Only with opt-in' },
      { key: 'Explain the opt-in.', value: 'Each council opts in per dataset. (commercially confidential)' },
      { key: '3.2 Which standards do you meet?', value: 'ISO 27001, Cyber Essentials' },
    ]);
    expect(page.text).toContain('The file also has different answers to 1 question you have already answered. Your answers to that question are kept.');
    expect(page.text).toContain('1 answer is for questions this questionnaire does not have, so it is ignored.');
    expect(page.link('Also replace your current answers with the ones in the file')?.getAttribute('href')).toBe(`${preview}?replace=yes`);

    const confirmForm = page.formValues(page.button('Fill in 3 answers'));
    const confirmed = await s.web.post(preview, confirmForm);
    expect([confirmed.statusCode, confirmed.headers.location]).toEqual([303, '/respond?filled=3']);
    const saved = await s.answers();
    expect(saved['a.training']?.value).toBe('opt_in');
    expect(saved['a.training_detail']).toMatchObject({ value: 'Each council opts in per dataset.', comment: 'From our standard terms', confidential: true, confidentialReason: 'Names our process' });
    expect(saved['c.standards']?.value).toEqual(['iso27001', 'ce']);
    expect(saved['b.hours']?.value).toBe(12);
    expect(saved['other.question']).toBeUndefined();
    page = readPage((await s.web.get('/respond?filled=3')).body);
    expect(page.text).toContain('3 answers were filled in from your file. Check them before you submit.');

    // Applied once: the same preview is gone, so a second confirmation changes nothing.
    expect((await s.web.get(preview)).headers.location).toBe('/respond');
    expect((await s.web.post(preview, confirmForm)).headers.location).toBe('/respond');
  });

  it('replaces current answers only when the supplier chooses to', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    await s.web.post('/respond/sections/b', { ...readPage((await s.web.get('/respond/sections/b')).body).formValues(), 'b.hours': '12', action: 'later' });
    const preview = (await s.uploadFile('/respond/answer-file', 'bid.json', answerFile({ 'b.hours': { value: 48 } }))).headers.location as string;
    let page = readPage((await s.web.get(preview)).body);
    expect(page.text).toContain('There is nothing to fill in from this file.');
    expect(page.button(/^Fill in/)).toBeUndefined();

    page = readPage((await s.web.get(`${preview}?replace=yes`)).body);
    expect(page.summary()).toEqual([{ key: 'Incident notification hours?', value: '48 Replaces your answer: 12' }]);
    expect(page.link('Only fill in questions you have not answered')?.getAttribute('href')).toBe(preview);
    const form = page.formValues(page.button('Fill in 1 answer'));
    expect(form.replace).toBe('yes');
    expect((await s.web.post(preview, form)).headers.location).toBe('/respond?filled=1');
    expect((await s.answers())['b.hours']?.value).toBe(48);
  });

  it('discards a file without applying any of it', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const preview = (await s.uploadFile('/respond/answer-file', 'bid.json', answerFile(FILE_ANSWERS))).headers.location as string;
    const page = readPage((await s.web.get(preview)).body);
    const discarded = await s.web.post(`${preview}/discard`, page.formValues(page.button('Discard this file')));
    expect([discarded.statusCode, discarded.headers.location]).toEqual([303, '/respond/answer-file']);
    expect(await s.answers()).toEqual({});
    // Discarded means gone: its preview and its confirmation lead back to the task list.
    expect((await s.web.get(preview)).headers.location).toBe('/respond');
  });

  it.each([
    ['a file that is not JSON', 'notes.txt', Buffer.from('These are not answers'), 'The selected file is not an answer file: choose the .json file you downloaded from this service'],
    ['an answer file of another format', 'v2.json', Buffer.from(JSON.stringify({ format: 'aidd.answers/v2', answers: {} })), 'The selected file is in a format this service cannot read: it must be aidd.answers/v1'],
    ['JSON without answers', 'list.json', Buffer.from('[1, 2, 3]'), 'The selected file is not an answer file in the aidd.answers/v1 format'],
    ['an empty file', 'empty.json', Buffer.alloc(0), 'The selected file is empty'],
    ['binary garbage', 'random.json', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256)), 'The selected file is not an answer file: choose the .json file you downloaded from this service'],
  ])('refuses %s with an error on the file input and applies nothing', async (_case, filename, bytes, message) => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const refused = await s.uploadFile('/respond/answer-file', filename, bytes);
    expect(refused.statusCode).toBe(400);
    const page = readPage(refused.body);
    expect(page.title.startsWith('Error: ')).toBe(true);
    expect(page.errorSummary()).toEqual([{ href: '#file', text: message }]);
    expect(page.inlineErrors()).toEqual([`Error: ${message}`]);
    expect(await s.answers()).toEqual({});
  });

  it('asks for a file when none was chosen', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const refused = await s.web.upload('/respond/answer-file', { _csrf: s.csrf }, []);
    expect(refused.statusCode).toBe(400);
    expect(readPage(refused.body).errorSummary()).toEqual([{ href: '#file', text: 'Select a file' }]);
  });

  it('lists every answer that breaks the rules on the preview and applies none of them', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const bad = answerFile({
      'a.training': { value: 'never' },
      'b.hours': { value: 5000 },
      'c.standards': { value: ['iso27001', 'pci'] },
      'c.review': { value: '2027-02-30' },
      'c.contact': { value: 'security@acme.example', confidential: true },
    });
    const preview = (await s.uploadFile('/respond/answer-file', 'bad.json', bad)).headers.location as string;
    const page = readPage((await s.web.get(preview)).body);
    expect(page.title.startsWith('Error: ')).toBe(true);
    expect(page.errorSummary()).toEqual([
      { href: '#answer-b.hours', text: '“Incident notification hours?”: Enter a number of 1000 or less' },
      { href: '#answer-c.standards', text: 'Question 3.2: pci is not an option; select from: iso27001, ce, soc2' },
      { href: '#answer-c.review', text: 'Question 3.3: Enter a real date in the format YYYY-MM-DD' },
      { href: '#answer-c.contact', text: 'Question 3.4: Enter why this answer is commercially confidential' },
    ]);
    expect(page.button(/^Fill in/)).toBeUndefined();
    // A hand-made confirmation is refused the same way.
    const forced = await s.web.post(preview, { _csrf: s.csrf, replace: 'no', fingerprint: 'x' });
    expect(forced.statusCode).toBe(409);
    expect(await s.answers()).toEqual({});
  });

  it('downloads the questionnaire as a workbook: one row per visible question, prefilled, with drop-down lists', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    await s.web.post('/respond/sections/b', { ...readPage((await s.web.get('/respond/sections/b')).body).formValues(), 'b.hours': '12', action: 'later' });
    const page = readPage((await s.web.get('/respond/workbook')).body);
    expect(page.link('Download the questionnaire as an Excel workbook (XLSX)')?.getAttribute('href')).toBe('/respond/workbook.xlsx');
    const download = await s.web.download('/respond/workbook.xlsx');
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="questionnaire\.xlsx"/);
    const book = await workbookOf(download.bytes);
    expect(book.header).toEqual(['Key', 'Section', 'Ref', 'Question', 'Type', 'Required', 'Guidance', 'Allowed answers', 'Answer', 'Comment', 'Confidential', 'Reason it is confidential']);
    expect(book.sheet.getRow(1).font?.bold).toBe(true);
    expect(book.sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // a.training_detail is hidden until opt-in is chosen: not a row.
    const keys: string[] = [];
    book.sheet.eachRow((row, n) => n > 1 && keys.push(String(row.getCell(1).value)));
    expect(keys).toEqual(['a.training', 'b.hours', 'c.uk', 'c.standards', 'c.review', 'c.contact', 'c.certificate']);
    const answer = book.column('Answer');
    expect(book.rowOf('b.hours').getCell(answer).value).toBe(12);
    const training = book.rowOf('a.training').getCell(answer).dataValidation;
    expect(training).toMatchObject({ type: 'list', showErrorMessage: true });
    const lists = book.workbook.getWorksheet('Lists')!;
    const listRange = (formula: string) => {
      const [, column, rows] = /^Lists!\$([A-Z]+)\$1:\$[A-Z]+\$(\d+)$/.exec(formula)!;
      return Array.from({ length: Number(rows) }, (_, i) => lists.getCell(`${column}${i + 1}`).value);
    };
    expect(listRange(training.formulae![0] as string)).toEqual(['Never', 'Only with opt-in', 'By default']);
    const standards = book.rowOf('c.standards');
    expect(listRange(standards.getCell(answer).dataValidation.formulae![0] as string)).toEqual(['ISO 27001', 'Cyber Essentials', 'SOC 2, type II']);
    expect(standards.getCell(answer).dataValidation.showErrorMessage).toBeFalsy();
    expect(String(standards.getCell(book.column('Allowed answers')).value)).toContain('Separate several with a semicolon (;)');
    expect(book.rowOf('c.uk').getCell(book.column('Confidential')).dataValidation).toMatchObject({ type: 'list', formulae: ['"Yes,No"'] });
    expect(book.rowOf('c.certificate').getCell(book.column('Allowed answers')).value).toBe('Upload on the website: anything typed here is ignored');
  });

  it('lists every problem in a workbook by row and question and applies nothing', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const book = await workbookOf((await s.web.download('/respond/workbook.xlsx')).bytes);
    const answer = book.column('Answer');
    const set = (key: string, column: number, value: ExcelJS.CellValue) => {
      book.rowOf(key).getCell(column).value = value;
    };
    set('a.training', answer, 'Sometimes');
    set('b.hours', answer, 'a day');
    set('c.uk', answer, 'Yes');
    set('c.standards', answer, 'ISO 27001; PCI DSS');
    set('c.review', answer, '31/02/2027');
    set('c.contact', answer, 'not an email');
    set('c.contact', book.column('Confidential'), 'Maybe');
    const refused = await s.uploadFile('/respond/workbook', 'answers.xlsx', await book.bytes());
    expect(refused.statusCode).toBe(400);
    const page = readPage(refused.body);
    const problems = [
      'Row 2, question Do you train on our data?: Choose one of the answers in the list: Never; Only with opt-in; By default',
      'Row 3, question Incident notification hours?: Enter a number, like 24',
      'Row 5, question 3.2: “PCI DSS” is not one of the answers in the list (ISO 27001; Cyber Essentials; SOC 2, type II). Separate several with a semicolon (;)',
      'Row 6, question 3.3: Enter a real date, like 27/03/2027',
      'Row 7, question 3.4: Enter Yes or No in the Confidential column',
    ];
    expect(page.errorSummary()).toEqual(problems.map((text) => ({ href: '#file', text })));
    expect(page.inlineErrors()).toEqual(['Error: The workbook has 5 problems: nothing has been filled in. Correct them and upload the workbook again']);
    expect(await s.answers()).toEqual({});

    // Once what could not be read is fixed, the answering rules' own problems are listed by row too.
    set('a.training', answer, 'Never');
    set('b.hours', answer, 5000);
    set('c.standards', answer, 'ISO 27001');
    set('c.review', answer, '27/03/2027');
    set('c.contact', book.column('Confidential'), 'No');
    const ruled = readPage((await s.uploadFile('/respond/workbook', 'answers.xlsx', await book.bytes())).body);
    expect(ruled.errorSummary().map((e) => e.text)).toEqual(['Row 3, question Incident notification hours?: Enter a number of 1000 or less', 'Row 7, question 3.4: Enter an email address in the correct format, like name@example.com']);
    expect(await s.answers()).toEqual({});
  });

  it.each([
    ['a file that is not a workbook', Buffer.from('%PDF-1.4 not a workbook'), 'The selected file must be an Excel workbook (.xlsx)'],
    ['a zip that is not a workbook', Buffer.from('504b0304140000000000000000000000000000000000000000000000000000000000', 'hex'), 'The selected file must be an Excel workbook (.xlsx)'],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 256)), 'The selected file must be an Excel workbook (.xlsx)'],
  ])('refuses %s without an error page', async (_case, bytes, message) => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const refused = await s.uploadFile('/respond/workbook', 'answers.xlsx', bytes);
    expect(refused.statusCode).toBe(400);
    expect(readPage(refused.body).errorSummary()).toEqual([{ href: '#file', text: message }]);
  });

  it('refuses a workbook with far more rows than a questionnaire, and one that is too big to upload', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Questions');
    sheet.addRow(['Key', 'Answer']);
    for (let i = 0; i < 2100; i += 1) sheet.addRow([`q${i}`, 'x']);
    const many = await s.uploadFile('/respond/workbook', 'big.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(readPage(many.body).errorSummary()).toEqual([{ href: '#file', text: 'The selected workbook has more than 2000 rows: use the workbook downloaded from this page' }]);
    const huge = await s.uploadFile('/respond/workbook', 'huge.xlsx', Buffer.alloc(3 * 1024 * 1024, 1));
    expect(huge.statusCode).toBe(400);
    expect(readPage(huge.body).errorSummary()).toEqual([{ href: '#file', text: 'The selected file must be smaller than 2 MB' }]);
  });

  it('round-trips a workbook filled in offline: labels, several choices, typed and Excel dates, numbers and confidentiality', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const book = await workbookOf((await s.web.download('/respond/workbook.xlsx')).bytes);
    const answer = book.column('Answer');
    book.rowOf('a.training').getCell(answer).value = 'Never';
    book.rowOf('b.hours').getCell(answer).value = '1,000';
    book.rowOf('c.certificate').getCell(answer).value = 'see attached';
    book.rowOf('c.uk').getCell(answer).value = 'yes';
    book.rowOf('c.standards').getCell(answer).value = 'Cyber Essentials; SOC 2, type II';
    book.rowOf('c.review').getCell(answer).value = new Date(Date.UTC(2027, 2, 27));
    book.rowOf('c.contact').getCell(answer).value = { text: 'security@acme.example', hyperlink: 'mailto:security@acme.example' };
    book.rowOf('c.contact').getCell(book.column('Comment')).value = 'Monitored 24/7';
    book.rowOf('c.contact').getCell(book.column('Confidential')).value = 'Yes';
    book.rowOf('c.contact').getCell(book.column('Reason it is confidential')).value = 'Named staff';
    const uploaded = await s.uploadFile('/respond/workbook', 'answers.xlsx', await book.bytes());
    expect(uploaded.statusCode, uploaded.body).toBe(303);
    const preview = uploaded.headers.location as string;
    const page = readPage((await s.web.get(preview)).body);
    expect(page.summary()).toEqual([
      { key: 'Do you train on our data?', value: 'Never' },
      { key: 'Incident notification hours?', value: '1000' },
      { key: '3.1 Is the data kept in the UK?', value: 'Yes' },
      { key: '3.2 Which standards do you meet?', value: 'Cyber Essentials, SOC 2, type II' },
      { key: '3.3 When is your next security review?', value: '27 March 2027' },
      { key: '3.4 Security contact email', value: 'security@acme.example (commercially confidential)' },
    ]);
    expect(page.text).toContain('1 question asks for files: upload them on the website.');
    expect((await s.web.post(preview, page.formValues(page.button('Fill in 6 answers')))).headers.location).toBe('/respond?filled=6');
    const saved = await s.answers();
    expect(Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, v.value]))).toEqual({
      'a.training': 'never',
      'b.hours': 1000,
      'c.uk': 'yes',
      'c.standards': ['ce', 'soc2'],
      'c.review': '2027-03-27',
      'c.contact': 'security@acme.example',
    });
    expect(saved['c.contact']).toMatchObject({ comment: 'Monitored 24/7', confidential: true, confidentialReason: 'Named staff' });

    // Downloaded again, the workbook holds the answers as the supplier typed them, and uploading it changes nothing.
    const again = await workbookOf((await s.web.download('/respond/workbook.xlsx')).bytes);
    expect(again.rowOf('c.standards').getCell(answer).value).toBe('Cyber Essentials; SOC 2, type II');
    expect(again.rowOf('c.review').getCell(answer).value).toEqual(new Date(Date.UTC(2027, 2, 27)));
    expect(again.rowOf('c.contact').getCell(book.column('Confidential')).value).toBe('Yes');
    const unchanged = readPage((await s.web.get((await s.uploadFile('/respond/workbook', 'answers.xlsx', await again.bytes())).headers.location as string)).body);
    expect(unchanged.text).toContain('There is nothing to fill in from this file.');
    expect(unchanged.text).toContain('6 answers are the same as the answer you have already given.');
  });

  it('never shows or applies another supplier’s file', async () => {
    const { org, procurementId, invitation } = await invited(ctx);
    const other = await seedInvitation(ctx, org, procurementId, { supplierName: 'Bright Analytics Ltd' });
    const mine = await signedIn(ctx, invitation);
    const theirs = await signedIn(ctx, other);
    const preview = (await mine.uploadFile('/respond/answer-file', 'secret-bid.json', answerFile({ 'a.training_detail': { value: 'Our secret method' }, 'a.training': { value: 'opt_in' } }))).headers.location as string;
    const seen = await theirs.web.get(preview);
    expect([seen.statusCode, seen.headers.location]).toEqual([303, '/respond']);
    expect(seen.body).not.toContain('Our secret method');
    const applied = await theirs.web.post(preview, { _csrf: theirs.csrf, replace: 'no', fingerprint: 'x' });
    expect(applied.headers.location).toBe('/respond');
    await theirs.web.post(`${preview}/discard`, { _csrf: theirs.csrf });
    expect(await theirs.answers()).toEqual({});
    // Still there for its owner.
    expect(readPage((await mine.web.get(preview)).body).summary()).toHaveLength(2);
  });

  it('refuses an upload or a confirmation without the session’s CSRF token, applying nothing', async () => {
    const { invitation } = await invited(ctx);
    const s = await signedIn(ctx, invitation);
    const forgedUpload = await s.uploadFile('/respond/answer-file', 'bid.json', answerFile(FILE_ANSWERS), { _csrf: 'x'.repeat(43) });
    expect(forgedUpload.statusCode).toBe(403);
    expect((await s.uploadFile('/respond/workbook', 'bid.xlsx', (await s.web.download('/respond/workbook.xlsx')).bytes, {})).statusCode).toBe(403);
    const preview = (await s.uploadFile('/respond/answer-file', 'bid.json', answerFile(FILE_ANSWERS))).headers.location as string;
    const form = readPage((await s.web.get(preview)).body).formValues();
    const forged = await s.web.post(preview, { ...form, _csrf: '' });
    expect(forged.statusCode).toBe(403);
    expect((await s.web.post(`${preview}/discard`, {})).statusCode).toBe(403);
    expect(await s.answers()).toEqual({});
    // The file is still waiting for a real confirmation.
    expect((await s.web.post(preview, form)).headers.location).toBe('/respond?filled=4');
  });
});

