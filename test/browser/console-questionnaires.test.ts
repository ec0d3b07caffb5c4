import path from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedOrganisation, seedPublishedQuestionnaire, seedUser } from '../helpers/factories';
import { staffCookie } from '../helpers/staff';
import { smallDefinition } from '../modules/questionnaires/fixtures';
import { axeViolations, axeViolationsWithoutJs, h1, horizontalOverflow, screenshot, skipWithoutChromium, useBrowser } from './browser';

/**
 * The officer console's questionnaire pages in Chromium, every page and error state a person can
 * reach: axe-core at WCAG 2.2 AA and no horizontal scrolling at 320 px, with JavaScript on (axe at
 * 1000 px, then the reflow check at 320 px) and off (at 320 px; axe on a copy of the page without
 * its scripts). Forms are really filled in and posted, files really chosen.
 */

const skip = skipWithoutChromium('test/browser/console-questionnaires.test.ts', 'the console’s questionnaire pages in a browser');

describe.skipIf(skip)('the console’s questionnaire pages in a browser', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const chrome = useBrowser(ctx);

  it.each([
    { js: true, width: 1000, label: 'on' },
    { js: false, width: 320, label: 'off' },
  ])('pass axe and reflow at 320 px in every state, JavaScript $label', async ({ js, width }) => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
    const viewer = await seedUser(ctx, org, { role: 'viewer', name: 'Vic Viewer' });
    const other = await seedOrganisation(ctx, { name: 'Another Council' });
    const theirs = (await ctx.app.inject({ method: 'POST', url: '/v1/questionnaires', headers: bearer(other.admin.token), payload: smallDefinition() })).json().id as string;
    const builtIn = ((await ctx.app.inject({ method: 'GET', url: '/v1/questionnaires?builtIn=true', headers: bearer(org.admin.token) })).json().items as Array<{ id: string; version: string }>).find((q) => q.version === '1.1.0')!.id;

    // Files to upload: one with problems of every kind a person makes, one that is not JSON, one that is fine.
    const dir = await mkdtemp(path.join(tmpdir(), 'aidd-questionnaire-files-'));
    const bad = smallDefinition() as unknown as Record<string, unknown> & { sections: Array<{ questions: Array<Record<string, unknown>> }> };
    bad.colour = 'blue';
    bad.version = '1.0';
    bad.sections[1]!.questions[0]!.type = 'essay';
    const files = { bad: path.join(dir, 'our-questionnaire.json'), notJson: path.join(dir, 'notes.json'), good: path.join(dir, 'small.json') };
    await writeFile(files.bad, JSON.stringify(bad));
    await writeFile(files.notJson, '{ "key": ');
    await writeFile(files.good, JSON.stringify(smallDefinition({ title: 'Imported questionnaire', version: '5.0.0' } as never)));

    const context = await chrome.browser.newContext({ javaScriptEnabled: js, viewport: { width, height: 900 } });
    const checkerContext = await chrome.browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    const checker = await checkerContext.newPage();
    page.setDefaultTimeout(15_000);
    const signInAs = async (userId: string) => {
      await context.clearCookies();
      const { cookie } = await staffCookie({ app: ctx.app, userId });
      await context.addCookies([{ name: cookie.name, value: cookie.value, url: chrome.base }]);
    };
    const violations: string[] = [];
    const overflowing: string[] = [];
    const visited: string[] = [];
    const timings: string[] = [];
    /** Checks the page as it is now; `shot` names a screenshot to take (the built-in questionnaire's pages are too long to photograph whole). */
    const check = async (state: string, shot = true) => {
      const started = Date.now();
      const label = `${state}, JavaScript ${js ? 'on' : 'off'}`;
      visited.push(state);
      violations.push(...(js ? await axeViolations(page, label) : await axeViolationsWithoutJs(page, checker, label)));
      if (js) await page.setViewportSize({ width: 320, height: 900 });
      const { overflow, culprits } = await horizontalOverflow(page);
      if (overflow > 0) overflowing.push(`${label} at 320 px: ${overflow}px too wide: ${culprits.join(', ')}`);
      if (js) await page.setViewportSize({ width, height: 900 });
      if (shot) await screenshot(page, `console-questionnaires-${state.replace(/\W+/g, '-')}-js-${js ? 'on' : 'off'}`);
      timings.push(`${state}: ${Date.now() - started} ms`);
    };
    const go = async (to: string) => (await page.goto(`${chrome.base}${to}`))?.status();
    const press = async (name: string | RegExp) => {
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name }).click()]);
    };
    const errorSummary = () => page.locator('.govuk-error-summary__list a').allInnerTexts();

    try {
      await signInAs(officer.id);
      expect(await go('/questionnaires')).toBe(200);
      await check('library');
      await go('/questionnaires?show=own');
      expect(await page.getByRole('heading', { name: 'No questionnaires' }).count()).toBe(1);
      await check('library, none of the council’s own');
      // The built-in bank's pages are long (over a hundred questions); the copy journey uses a small published questionnaire, on the same templates.
      const small = await seedPublishedQuestionnaire(ctx, org, smallDefinition() as unknown as Record<string, unknown>);

      // The built-in questionnaire's page has no component that JavaScript changes: its axe check
      // runs once, with JavaScript on, where the reflow at 320 px is checked too.
      if (js) {
        await go(`/questionnaires/${builtIn}`);
        await check('the built-in questionnaire', false);
      }
      await go(`/questionnaires/${builtIn}/methodology`);
      expect(await h1(page)).toBe('Scoring methodology');
      await check('the methodology', false);
      await go(`/questionnaires/${small}`);
      await check('a published questionnaire of the council’s own');

      // Copy a questionnaire: the form, its errors, then the copy.
      await go(`/questionnaires/${small}/clone`);
      await check('make a copy');
      await page.getByLabel('Name').fill('');
      await page.getByLabel('Version (optional)').fill('one');
      await press('Make a copy');
      expect(await errorSummary()).toEqual(['Enter a name for the new questionnaire', 'Enter a version like 1.1.0 (three whole numbers separated by full stops), or leave it blank']);
      await check('make a copy, with errors');
      await page.getByLabel('Name').fill('Our AI questionnaire');
      await page.getByLabel('Version (optional)').fill('');
      await press('Make a copy');
      expect(await h1(page)).toBe('Our AI questionnaire');
      await check('a draft, just copied');
      const draft = new URL(page.url()).pathname;

      await go(`${draft}/publish`);
      await check('publish, confirm');
      await press('Publish');
      expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Questionnaire published.');
      await check('published');
      await go(`${draft}/publish`);
      await check('publish, already published');
      await go(`${draft}/archive`);
      await check('archive, confirm');
      await press('Archive');
      await check('archived');

      // Someone else archives a draft while this officer's confirmation page is open.
      const second = (await ctx.app.inject({ method: 'POST', url: `/v1/questionnaires/${small}/clone`, headers: bearer(org.admin.token), payload: { title: 'Second copy' } })).json().id as string;
      await go(`/questionnaires/${second}/publish`);
      await ctx.app.inject({ method: 'POST', url: `/v1/questionnaires/${second}/archive`, headers: bearer(org.admin.token) });
      await press('Publish');
      expect(await errorSummary()).toEqual(['This questionnaire is archived']);
      await check('publish refused: archived meanwhile');

      // Import: the form, each kind of problem, then a file that is fine.
      await go('/questionnaires/import');
      await check('import');
      await press('Import questionnaire');
      expect(await errorSummary()).toEqual(['Select a JSON file to import']);
      await check('import, no file chosen');
      await page.getByLabel('Upload a questionnaire file').setInputFiles(files.notJson);
      await press('Import questionnaire');
      expect((await errorSummary())[0]).toMatch(/^The selected file is not valid JSON/);
      await check('import, not JSON');
      await page.getByLabel('Upload a questionnaire file').setInputFiles(files.bad);
      await press('Import questionnaire');
      expect(await errorSummary()).toEqual([expect.stringMatching(/^\/version: /), expect.stringMatching(/^\/sections\/1\/questions\/0\/type \(section 2 \(Section B\), question 1 \(b\.hours\)\): /), expect.stringMatching(/^\/: /)]);
      await check('import, a file with problems');
      await page.getByLabel('Upload a questionnaire file').setInputFiles(files.good);
      await press('Import questionnaire');
      expect(await h1(page)).toBe('Imported questionnaire');
      await check('imported');

      expect(await go(`/questionnaires/${theirs}`)).toBe(404);
      await check('another council’s questionnaire');

      await signInAs(viewer.id);
      await go('/questionnaires');
      await check('library, as a viewer');
      expect(await go(`${draft}/archive`)).toBe(403);
      await check('not allowed, as a viewer');
    } finally {
      await context.close();
      await checkerContext.close();
      // eslint-disable-next-line no-console -- where the time goes, for whoever makes this test faster
      if (process.env.TIMINGS) console.log(timings.join('\n'));
    }
    expect(visited.length).toBe(js ? 22 : 21);
    expect(violations, violations.join('\n')).toEqual([]);
    expect(overflowing, overflowing.join('\n')).toEqual([]);
  }, 900_000);
});
