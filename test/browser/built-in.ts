import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { bearer, type TestContext } from '../helpers/app';
import { BUILT_IN_TRIAGE } from '../helpers/built-in-triage';
import type { SeededOrganisation } from '../helpers/factories';
import { h1 } from './browser';

/**
 * The built-in questionnaire set up for a browser test: an open procurement with a triage that
 * shows every supplier section, the answers the README's worked example imports, and filling a
 * section page from them with JavaScript off (so every follow-up question is on the page).
 */

export const root = path.resolve(import.meta.dirname, '../..');
const DAY = 24 * 60 * 60 * 1000;
export const triage = BUILT_IN_TRIAGE;
/** The questions that are files, each in the section its key starts with. */
export const FILE_QUESTIONS = ['security.cyber_essentials_certificate', 'security.test_report_summary', 'fairness.bias_test_results', 'environment.carbon_reduction_plan', 'viability.financial_standing'];

export type Answer = { value: unknown; confidential?: boolean; confidentialReason?: string };

export async function exampleAnswers(): Promise<Record<string, Answer>> {
  return JSON.parse(await readFile(path.join(root, 'examples/acme-ai-answers.json'), 'utf8')).answers as Record<string, Answer>;
}

/** An open procurement on the built-in questionnaire, closing in 14 days, with Acme AI Ltd invited. */
export async function invitedToBuiltIn(ctx: TestContext, org: SeededOrganisation): Promise<{ id: string; token: string; responseId: string }> {
  const api = (method: 'GET' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(org.admin.token), ...(payload ? { payload } : {}) });
  // Version 1.0.0, the one these pages were written against; the example answers cover 1.1.0 too.
  const questionnaireId = ((await api('GET', '/v1/questionnaires?builtIn=true')).json().items as Array<{ id: string; version: string }>).find((q) => q.version === '1.0.0')!.id;
  const deadline = new Date(ctx.clock.now().getTime() + 14 * DAY).toISOString();
  const created = await api('POST', '/v1/procurements', { title: 'Council tax chatbot', reference: 'DD-2027-001', questionnaireId, deadline, triage });
  expect(created.statusCode, created.body).toBe(201);
  await api('POST', `/v1/procurements/${created.json().id}/open`);
  return (await api('POST', `/v1/procurements/${created.json().id}/invitations`, { supplierName: 'Acme AI Ltd', contactEmail: 'bids@acme.example' })).json();
}

/** Sets every field of this page that the answers cover and that is not set yet; returns the keys it set. */
export async function fill(page: Page, answers: Record<string, Answer>, done: Set<string>): Promise<string[]> {
  const names = new Set(await page.locator('[name]').evaluateAll((elements) => elements.map((e) => e.getAttribute('name')!)));
  const set: string[] = [];
  for (const [key, answer] of Object.entries(answers)) {
    if (done.has(key) || (!names.has(key) && !names.has(`${key}-day`))) continue;
    const named = (name: string) => page.locator(`[name="${name}"]`);
    const value = answer.value;
    if (Array.isArray(value)) {
      for (const v of value) await page.locator(`input[type="checkbox"][name="${key}"][value="${String(v)}"]`).check();
    } else if (names.has(`${key}-day`)) {
      const [year, month, day] = String(value).split('-');
      await named(`${key}-day`).fill(day!);
      await named(`${key}-month`).fill(month!);
      await named(`${key}-year`).fill(year!);
    } else if (typeof value === 'string' && (await page.locator(`input[type="radio"][name="${key}"][value="${value}"]`).count()) > 0) {
      await page.locator(`input[type="radio"][name="${key}"][value="${value}"]`).check();
    } else {
      await named(key).fill(String(value));
    }
    if (answer.confidential) {
      await named(`${key}--confidential`).check();
      await named(`${key}--reason`).fill(answer.confidentialReason ?? 'Commercially sensitive');
    }
    set.push(key);
  }
  return set;
}

/**
 * Answers one section page (at `base` + `href`) from `answers`: fills, saves and continues; a
 * section that shows more questions once answers reveal them is filled again until it moves on.
 * Adds each key it set to `done`.
 */
export async function answerSection(page: Page, base: string, href: string, answers: Record<string, Answer>, done: Set<string>): Promise<void> {
  await page.goto(`${base}${href}`);
  for (let pass = 0; pass < 3; pass += 1) {
    for (const key of await fill(page, answers, done)) done.add(key);
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save and continue' }).click()]);
    const problems = (await page.locator('.govuk-error-summary').count()) > 0 ? await page.locator('.govuk-error-summary').innerText() : '';
    expect(await page.title(), `${href}: ${problems}`).not.toMatch(/^Error: /);
    if (!page.url().startsWith(`${base}${href}`)) break;
  }
}

/** Uploads a PDF to one file question through its evidence page, and checks it is listed. */
export async function uploadEvidence(page: Page, base: string, questionKey: string): Promise<void> {
  await page.goto(`${base}/respond/sections/${questionKey.split('.')[0]!}/evidence/${questionKey}`);
  await page.setInputFiles('input[name="file"]', path.join(root, 'test/fixtures/evidence/dpia.pdf'));
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Upload file' }).click()]);
  expect(await page.locator('.govuk-summary-list__key').allInnerTexts(), questionKey).toContain('dpia.pdf');
}

/** Checks every one of the 11 sections is completed, then submits with the declaration. */
export async function submitCompleted(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/respond`);
  expect(await page.locator('.govuk-task-list__status').allInnerTexts()).toEqual(Array(11).fill('Completed'));
  await page.goto(`${base}/respond/check`);
  await page.getByRole('checkbox', { name: /I confirm that/ }).check();
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Accept and submit' }).click()]);
  expect(await h1(page)).toBe('Response submitted');
}
