import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { exampleAnswers, FILE_QUESTIONS, invitedToBuiltIn, root, uploadEvidence, type Answer as BuiltInAnswer } from './built-in';
import { axeViolations, axeViolationsWithoutJs, chooseFile, h1, interceptFileChoosers, isFocused, pressAndLoad, skipWithoutChromium, tabTo, useBrowser } from './browser';

/**
 * The built-in questionnaire completed in Chromium from a file, by keyboard: once from an answer
 * file (the README's worked example's answers), once from the Excel workbook filled in offline.
 * Each new page and state is checked with axe-core, with JavaScript and as a browser without it
 * shows it; what was submitted is what the supplier API reports.
 */

const EXAMPLE_ANSWERS = path.join(root, 'examples/acme-ai-answers.json');

/** The example's answers carry comments too. */
type Answer = BuiltInAnswer & { comment?: string | null };
type ApiQuestion = { key: string; type: string; options: Array<{ value: string; label: string }> | null };

const skip = skipWithoutChromium('test/browser/imports.test.ts', 'filling in the built-in questionnaire from a file in a browser');

describe.skipIf(skip)('filling in the built-in questionnaire from a file in a browser', () => {
  const ctx = useTestApp();
  const chrome = useBrowser(ctx);

  async function invited(c: TestContext) {
    const org = await seedOrganisation(c, { name: 'Example Borough Council' });
    const invitation = await invitedToBuiltIn(c, org);
    const view = async () => (await c.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invitation.token) })).json();
    return { invitation, view, answers: (await exampleAnswers()) as Record<string, Answer> };
  }

  /**
   * A page driven by keyboard with JavaScript on, and what axe needs for the copy a browser without
   * JavaScript shows: each state's HTML as the server sent it, opened in a page with JavaScript off.
   */
  async function browserPages() {
    const context = await chrome.browser.newContext({ viewport: { width: 1000, height: 800 }, acceptDownloads: true });
    const withoutJs = await chrome.browser.newContext({ viewport: { width: 1000, height: 800 }, javaScriptEnabled: false });
    const page = await context.newPage();
    const mirror = await withoutJs.newPage();
    const checker = await context.newPage();
    page.setDefaultTimeout(15_000);
    interceptFileChoosers(page);
    // Read as it arrives: a document's body is gone once the page navigates away.
    let document: Promise<string> = Promise.resolve('');
    page.on('response', (response) => {
      const redirect = response.status() >= 300 && response.status() < 400;
      if (!response.request().isNavigationRequest() || response.frame() !== page.mainFrame() || redirect) return;
      document = response.text();
      document.catch(() => undefined);
    });
    const violations: string[] = [];
    const axe = async (state: string) => {
      violations.push(...(await axeViolations(page, state)));
      const html = await document;
      await mirror.route(page.url(), (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
      await mirror.goto(page.url());
      await mirror.unrouteAll();
      violations.push(...(await axeViolationsWithoutJs(mirror, checker, `${state}, without JavaScript`)));
    };
    const close = async () => {
      await context.close();
      await withoutJs.close();
    };
    return { close, page, violations, axe };
  }

  /** On the preview: checks it (`check`), then confirms by keyboard and lands on the task list; returns how many answers it filled in. */
  async function confirmPreview(page: Page, check: () => Promise<void>): Promise<number> {
    expect(await h1(page)).toBe('Check the answers to fill in');
    const rows = await page.locator('.govuk-summary-list__row').count();
    await check();
    await tabTo(page, page.getByRole('button', { name: `Fill in ${rows} answer${rows === 1 ? '' : 's'}` }), { max: 80 });
    await pressAndLoad(page);
    expect(page.url()).toBe(`${chrome.base}/respond?filled=${rows}`);
    return rows;
  }

  /** Uploads the files the questions ask for, checks every section is completed, and submits with the declaration. */
  async function uploadEvidenceAndSubmit(page: Page) {
    for (const key of FILE_QUESTIONS) await uploadEvidence(page, chrome.base, key);
    await page.goto(`${chrome.base}/respond`);
    expect(await page.locator('.govuk-task-list__status').allInnerTexts()).toEqual(Array(11).fill('Completed'));
    await page.goto(`${chrome.base}/respond/check`);
    await page.getByRole('checkbox', { name: /I confirm that/ }).check();
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Accept and submit' }).click()]);
    expect(await h1(page)).toBe('Response submitted');
  }

  /** Every answer in the file for a question the supplier was asked is exactly what the API reports. */
  function expectSubmitted(view: { response: { status: string }; sections: Array<{ questions: ApiQuestion[] }>; answers: Record<string, Answer>; evidence: unknown[] }, answers: Record<string, Answer>) {
    expect(view.response.status).toBe('submitted');
    const asked = view.sections.flatMap((s) => s.questions).filter((q) => q.type !== 'file' && answers[q.key]);
    expect(asked.length).toBeGreaterThanOrEqual(75);
    for (const q of asked) {
      const sent = answers[q.key]!;
      expect(view.answers[q.key], q.key).toMatchObject({ value: sent.value, comment: sent.comment ?? null, confidential: sent.confidential ?? false, confidentialReason: sent.confidential ? sent.confidentialReason : null });
    }
    expect(view.answers['data_protection.retention_days']).toMatchObject({ value: 30, comment: 'Logs only', confidential: true, confidentialReason: 'Commercial terms' });
    expect(view.evidence).toHaveLength(FILE_QUESTIONS.length);
  }

  it('completes and submits it from an answer file, by keyboard, with no accessibility problems', async () => {
    const { invitation, view, answers } = await invited(ctx);
    const { close, page, violations, axe } = await browserPages();
    try {
      await page.goto(`${chrome.base}/respond/${invitation.token}`);
      await tabTo(page, page.getByRole('link', { name: 'Reuse your answers from a previous bid' }));
      await pressAndLoad(page);
      expect(await h1(page)).toBe('Fill in answers from a previous bid');
      await axe('answer file page');

      // Uploading without choosing a file: the error summary takes the focus and links to the input.
      await tabTo(page, page.getByRole('button', { name: 'Upload answer file' }));
      await pressAndLoad(page);
      expect(await page.title()).toMatch(/^Error: /);
      expect(await isFocused(page.locator('.govuk-error-summary'))).toBe(true);
      expect(await page.getByRole('alert').getByRole('link').allInnerTexts()).toEqual(['Select a file']);
      await axe('answer file page with an error');

      await tabTo(page, page.getByLabel('Upload an answer file'));
      await chooseFile(page, EXAMPLE_ANSWERS);
      await tabTo(page, page.getByRole('button', { name: 'Upload answer file' }));
      await pressAndLoad(page);
      expect(await page.locator('body').innerText()).toContain('From acme-ai-answers.json. Nothing has been filled in yet.');
      expect((await view()).answers).toEqual({});
      const rows = await confirmPreview(page, () => axe('preview of an answer file'));
      expect(rows).toBeGreaterThanOrEqual(75);
      expect(await page.locator('.govuk-notification-banner--success').innerText()).toContain(`${rows} answers were filled in from your file.`);
      await axe('task list after filling in answers');

      await uploadEvidenceAndSubmit(page);
      expectSubmitted(await view(), answers);
      expect(violations).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);

  it('completes and submits it from the Excel workbook filled in offline, by keyboard, with no accessibility problems', async () => {
    const { invitation, view, answers } = await invited(ctx);
    const questions = new Map<string, ApiQuestion>();
    const dir = await mkdtemp(path.join(tmpdir(), 'aidd-workbook-'));
    const { close, page, violations, axe } = await browserPages();

    /** Downloads the workbook from the page by keyboard and fills every empty answer the example has, as a person would type it. */
    const downloadAndFill = async (name: string, mistake = false): Promise<{ file: string; filled: number }> => {
      await tabTo(page, page.getByRole('link', { name: 'Download the questionnaire as an Excel workbook (XLSX)' }));
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      expect(download.suggestedFilename()).toBe('DD-2027-001.xlsx');
      const workbook = new ExcelJS.Workbook();
      // exceljs declares its own `Buffer` type; a Node Buffer is what it reads.
      await workbook.xlsx.load((await readFile(await download.path())) as unknown as ExcelJS.Buffer);
      const sheet = workbook.getWorksheet('Questions')!;
      const header = (sheet.getRow(1).values as unknown[]).map(String);
      const col = (name: string) => header.indexOf(name);
      let filled = 0;
      sheet.eachRow((row, number) => {
        const key = String(row.getCell(col('Key')).value);
        const answer = answers[key];
        const q = questions.get(key);
        if (number === 1 || !answer || !q || q.type === 'file' || row.getCell(col('Answer')).value !== null) return;
        const label = (v: unknown) => q.options?.find((o) => o.value === v)?.label ?? String(v);
        const cell = row.getCell(col('Answer'));
        if (Array.isArray(answer.value)) cell.value = answer.value.map(label).join('; ');
        else if (q.type === 'date') cell.value = filled % 2 === 0 ? String(answer.value).split('-').reverse().join('/') : new Date(`${String(answer.value)}T00:00:00Z`);
        else if (q.options) cell.value = label(answer.value);
        else cell.value = answer.value as ExcelJS.CellValue;
        if (answer.comment) row.getCell(col('Comment')).value = answer.comment;
        if (answer.confidential) {
          row.getCell(col('Confidential')).value = 'Yes';
          row.getCell(col('Reason it is confidential')).value = answer.confidentialReason ?? null;
        }
        filled += 1;
      });
      if (mistake) {
        const row = [...Array(sheet.rowCount).keys()].map((i) => sheet.getRow(i + 1)).find((r) => questions.get(String(r.getCell(col('Key')).value))?.type === 'number')!;
        row.getCell(col('Answer')).value = 'about a month';
      }
      const file = path.join(dir, name);
      await writeFile(file, Buffer.from(await workbook.xlsx.writeBuffer()));
      return { file, filled };
    };
    const uploadWorkbook = async (file: string) => {
      await tabTo(page, page.getByLabel('Upload your workbook'));
      await chooseFile(page, file);
      await tabTo(page, page.getByRole('button', { name: 'Upload workbook' }));
      await pressAndLoad(page);
    };

    try {
      await page.goto(`${chrome.base}/respond/${invitation.token}`);
      for (const q of (await view()).sections.flatMap((s: { questions: ApiQuestion[] }) => s.questions)) questions.set(q.key, q);
      await tabTo(page, page.getByRole('link', { name: 'Work offline in Excel' }));
      await pressAndLoad(page);
      expect(await h1(page)).toBe('Work offline in Excel');
      await axe('workbook page');

      // A workbook with a mistake: each problem is listed by row and question, and nothing is filled in.
      const wrong = await downloadAndFill('with-a-mistake.xlsx', true);
      await uploadWorkbook(wrong.file);
      expect(await page.title()).toMatch(/^Error: /);
      expect(await isFocused(page.locator('.govuk-error-summary'))).toBe(true);
      expect(await page.getByRole('alert').getByRole('link').allInnerTexts()).toEqual([expect.stringMatching(/^Row \d+, question [\d.]+: Enter (a|the) number/)]);
      expect((await view()).answers).toEqual({});
      await axe('workbook page with problems');

      // Follow-up questions appear once the answers that reveal them are in: download, fill and upload again until none is left.
      for (let pass = 1; pass <= 3; pass += 1) {
        if (pass > 1) await page.goto(`${chrome.base}/respond/workbook`);
        const round = await downloadAndFill(`pass-${pass}.xlsx`);
        if (round.filled === 0) break;
        await uploadWorkbook(round.file);
        const rows = await confirmPreview(page, pass === 1 ? () => axe('preview of a workbook') : async () => undefined);
        expect(rows, `pass ${pass}`).toBeGreaterThan(0);
        expect(rows, `pass ${pass}`).toBeLessThanOrEqual(round.filled);
        for (const q of (await view()).sections.flatMap((s: { questions: ApiQuestion[] }) => s.questions)) questions.set(q.key, q);
      }

      await uploadEvidenceAndSubmit(page);
      expectSubmitted(await view(), answers);
      expect(violations).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);
});
