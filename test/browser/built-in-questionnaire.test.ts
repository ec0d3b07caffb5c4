import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { h1, skipWithoutChromium, useBrowser } from './browser';

/**
 * The built-in questionnaire, every section, completed and submitted in a browser with JavaScript
 * off, from the same answers the README's worked example imports: the form must carry a real
 * supplier through all of it without scripts.
 */

const root = path.resolve(import.meta.dirname, '../..');
const DAY = 24 * 60 * 60 * 1000;
const triage = {
  'triage.decision_role': 'advisory',
  'triage.access_decisions': 'no',
  'triage.data_categories': ['personal'],
  'triage.public_facing': 'yes',
  'triage.vulnerable_people': 'no',
  'triage.people_affected': 20000,
  'triage.workforce_management': 'no',
  'triage.generative_ai': 'yes',
  'triage.existing_contract': 'no',
};
const FILE_QUESTIONS = ['security.cyber_essentials_certificate', 'security.test_report_summary', 'fairness.bias_test_results', 'environment.carbon_reduction_plan', 'viability.financial_standing'];

type Answer = { value: unknown; confidential?: boolean; confidentialReason?: string };


/** Sets every field of this page that the answers cover and that is not set yet; returns the keys it set. */
async function fill(page: Page, answers: Record<string, Answer>, done: Set<string>): Promise<string[]> {
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

const skip = skipWithoutChromium('test/browser/built-in-questionnaire.test.ts', 'the built-in questionnaire in a browser without JavaScript');

describe.skipIf(skip)('the built-in questionnaire in a browser without JavaScript', () => {
  const ctx = useTestApp();
  const chrome = useBrowser(ctx);

  it('completes every section, uploads the evidence asked for, and submits', async () => {
    ctx.clock.set(new Date());
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const api = (method: 'GET' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(org.admin.token), ...(payload ? { payload } : {}) });
    const questionnaireId = (await api('GET', '/v1/questionnaires?builtIn=true')).json().items[0].id;
    const deadline = new Date(ctx.clock.now().getTime() + 14 * DAY).toISOString();
    const created = await api('POST', '/v1/procurements', { title: 'Council tax chatbot', reference: 'DD-2027-001', questionnaireId, deadline, triage });
    expect(created.statusCode, created.body).toBe(201);
    await api('POST', `/v1/procurements/${created.json().id}/open`);
    const invitation = (await api('POST', `/v1/procurements/${created.json().id}/invitations`, { supplierName: 'Acme AI Ltd', contactEmail: 'bids@acme.example' })).json();
    const answers = JSON.parse(await readFile(path.join(root, 'examples/acme-ai-answers.json'), 'utf8')).answers as Record<string, Answer>;

    const context = await chrome.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // A step that cannot happen should fail with its own message, not run out the test's time.
    page.setDefaultTimeout(10_000);
    try {
      await page.goto(`${chrome.base}/respond/${invitation.token}`);
      const sections = await page.locator('.govuk-task-list__link').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
      expect(sections).toHaveLength(11);
      const done = new Set<string>();
      for (const href of sections) {
        await page.goto(`${chrome.base}${href}`);
        // A section shows more questions once answers reveal them; fill again until it moves on.
        for (let pass = 0; pass < 3; pass += 1) {
          for (const key of await fill(page, answers, done)) done.add(key);
          await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save and continue' }).click()]);
          const problems = (await page.locator('.govuk-error-summary').count()) > 0 ? await page.locator('.govuk-error-summary').innerText() : '';
          expect(await page.title(), `${href}: ${problems}`).not.toMatch(/^Error: /);
          if (!page.url().startsWith(`${chrome.base}${href}`)) break;
        }
      }
      for (const key of FILE_QUESTIONS) {
        await page.goto(`${chrome.base}/respond`);
        const link = page.locator(`a[href$="/evidence/${key}"]`);
        const section = sections.find((s) => s.endsWith(`/${key.split('.')[0]}`))!;
        await page.goto(`${chrome.base}${section}`);
        await Promise.all([page.waitForEvent('load'), link.click()]);
        await page.setInputFiles('input[name="file"]', path.join(root, 'test/fixtures/evidence/dpia.pdf'));
        await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Upload file' }).click()]);
        expect(await page.locator('.govuk-summary-list__key').allInnerTexts(), key).toContain('dpia.pdf');
      }
      await page.goto(`${chrome.base}/respond`);
      expect(await page.locator('.govuk-task-list__status').allInnerTexts()).toEqual(Array(11).fill('Completed'));
      await page.goto(`${chrome.base}/respond/check`);
      await page.getByRole('checkbox', { name: /I confirm that/ }).check();
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Accept and submit' }).click()]);
      expect(await h1(page)).toBe('Response submitted');

      const view = (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invitation.token) })).json();
      expect(view.response.status).toBe('submitted');
      expect(done.size).toBeGreaterThanOrEqual(80);
      // What the browser sent is what was saved, including the confidential answer and its reason.
      expect(view.answers['data_protection.retention_days']).toMatchObject({ value: 30, confidential: true, confidentialReason: 'Commercial terms' });
      for (const key of ['data_protection.training_on_council_data', 'security.cyber_essentials', 'contract.exit_days']) expect(view.answers[key]?.value, key).toEqual(answers[key]!.value);
      expect(view.evidence).toHaveLength(FILE_QUESTIONS.length);
    } finally {
      await context.close();
    }
  }, 120_000);
});
