import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import axeCore, { type AxeResults } from 'axe-core';
import { chromium, type Browser, type Locator, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import type { QuestionnaireDefinitionInput } from '../../src/modules/questionnaires';
import type { TestContext } from '../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../helpers/factories';
import { evidenceDefinition } from '../modules/questionnaires/fixtures';

/**
 * Helpers for the browser tests: Debian's Chromium driven by playwright-core (no downloaded
 * browsers), keyboard-only navigation by focus, axe-core checks and a reflow check.
 *
 * The project's TypeScript has no DOM library, so code that runs in the page is passed as a string
 * or typed loosely here.
 */

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere if need be. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
/** Why the browser tests cannot run here, or null when they can. */
export const chromiumMissing = chromiumAvailable
  ? null
  : `Chromium is not installed at ${CHROMIUM} (install it with: apt-get install chromium, or set CHROMIUM_PATH), so the browser tests cannot run`;

export async function launchChromium(): Promise<Browser> {
  if (chromiumMissing) throw new Error(`${chromiumMissing}. CI is set: the browser tests must run in CI, so this is a failure, not a skip.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/**
 * Where the screenshots go when a person wants to look at the pages (outside the repository), or
 * null: a full-page PNG of every state costs about 90 ms, a seventh of a browser test's time, and
 * nobody looks at them in CI. `SCREENSHOTS_DIR=/tmp/screens npm test` takes them.
 */
export const SCREENSHOTS = process.env.SCREENSHOTS_DIR || null;

export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

type DomElement = { ownerDocument: { activeElement: unknown }; contains(other: unknown): boolean };

/** Whether the focus is on (or inside) one of the elements `target` matches. */
export async function isFocused(target: Locator): Promise<boolean> {
  return target.evaluateAll((elements) => {
    const all = elements as unknown as DomElement[];
    return all.some((el) => el.ownerDocument.activeElement === el || el.contains(el.ownerDocument.activeElement));
  });
}

/** What has the focus, for failure messages: tag, id and name or text. */
export function focusDescription(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    const name = el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent) || el.textContent || el.getAttribute('name') || '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + name.replace(/\\s+/g, ' ').trim().slice(0, 60) + '"';
  })()`);
}

/**
 * Presses Tab (or Shift+Tab) until the focus is on `target`, the way a keyboard user gets there.
 * Fails after `max` presses, listing where the focus went.
 */
export async function tabTo(page: Page, target: Locator, { back = false, max = 60 }: { back?: boolean; max?: number } = {}): Promise<void> {
  const path: string[] = [];
  for (let i = 0; i <= max; i += 1) {
    if (await isFocused(target)) return;
    if (i === max) break;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    path.push(await focusDescription(page));
  }
  throw new Error(`${back ? 'Shift+Tab' : 'Tab'} never reached ${target.toString()} on ${page.url()}; the focus went: ${path.join(' → ')}`);
}

/** Presses a key (Enter by default) on what has the focus and waits for the page it leads to. */
export async function pressAndLoad(page: Page, key = 'Enter'): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.keyboard.press(key)]);
}

/**
 * Keeps Playwright intercepting the page's file choosers for the page's life. Interception is
 * switched on and off as 'filechooser' listeners come and go, without waiting: with only the
 * listener `chooseFile` adds, a key press can reach the page before interception is back on, and
 * the chooser opens unseen. Call it when the page is created.
 */
const intercepting = new WeakSet<Page>();
export function interceptFileChoosers(page: Page): void {
  page.on('filechooser', () => undefined);
  intercepting.add(page);
}

/** Presses a key (Space by default) on the focused file input and picks `file` in the chooser it opens. */
export async function chooseFile(page: Page, file: string, key = 'Space'): Promise<void> {
  if (!intercepting.has(page)) throw new Error('call interceptFileChoosers(page) when the page is created');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press(key)]);
  await chooser.setFiles(file);
}

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const AXE_OPTIONS = JSON.stringify({ runOnly: { type: 'tag', values: WCAG_TAGS }, resultTypes: ['violations'] });

/**
 * axe-core's WCAG 2.2 AA violations on the page as it is now, one line each (empty when none).
 *
 * axe-core runs in the page directly rather than through @axe-core/playwright's AxeBuilder, whose
 * `analyze()` opens a blank page per call to finish the run and injects the 560 KB script twice in
 * legacy mode: 520 ms a check against 180 ms here (49 checks, console-procurements, quiet machine).
 * The same rules and tags run; the pages have no frames for AxeBuilder to descend into.
 */
export async function axeViolations(page: Page, state: string): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeCore.source);
  const results = (await page.evaluate(`axe.run(document, ${AXE_OPTIONS})`)) as AxeResults;
  // A run that checked nothing would pass silently.
  if (results.passes.length === 0) throw new Error(`[${state}] axe-core ran no passing checks on ${page.url()}: it did not run`);
  return results.violations.map(
    (v) => `[${state}] ${v.id} (${v.impact ?? 'no impact'}): ${v.help} — ${v.nodes.map((n) => n.target.map(String).join(' ')).join(', ')} (${v.helpUrl})`,
  );
}

/**
 * axe-core cannot run in a page with JavaScript disabled (its timers never fire). To check what a
 * browser without JavaScript shows, this takes the page as it is there, removes its scripts, and
 * serves it at `${origin}/__without-js` to `checker` (a page with JavaScript on, for axe only), with
 * the same stylesheets.
 */
export async function axeViolationsWithoutJs(source: Page, checker: Page, state: string): Promise<string[]> {
  const origin = new URL(source.url()).origin;
  const html = (await source.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
  const copy = `${origin}/__without-js`;
  const serve = (route: Route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
  await checker.route(copy, serve);
  await checker.goto(copy);
  // Only this route: one the caller set stays (a page that refreshes itself elsewhere is kept in place by one).
  await checker.unroute(copy, serve);
  if ((await checker.locator('body.govuk-frontend-supported, body.js-enabled').count()) !== 0) throw new Error(`[${state}] the copy of the page ran GOV.UK's scripts`);
  return axeViolations(checker, state);
}

/** How far the page is wider than the window (0 when nothing needs horizontal scrolling), with the widest elements. */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(`(() => {
    const width = window.innerWidth;
    // What sticks out, or whose content does: the innermost such elements, to name in a failure.
    // (Visually hidden text is clipped to a pixel: it never sticks out.)
    const wide = new Set([...document.querySelectorAll('body *')].filter((el) => !el.closest('.govuk-visually-hidden, .govuk-skip-link') && Math.max(el.getBoundingClientRect().right, el.getBoundingClientRect().left + el.scrollWidth) > width + 0.5));
    const culprits = [...wide]
      .filter((el) => ![...el.children].some((child) => wide.has(child)))
      .slice(0, 5)
      .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' (' + Math.round(el.getBoundingClientRect().right) + 'px, content ' + el.scrollWidth + 'px)');
    return { overflow: document.documentElement.scrollWidth - width, culprits };
  })()`);
}

/** An element's accessible description: the text of what its aria-describedby names, whitespace collapsed. */
export async function description(target: Locator): Promise<string> {
  const ids = ((await target.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => target.page().locator(`[id="${id}"]`).innerText()));
  return texts.join(' ').replace(/\s+/g, ' ').trim();
}

/** The text of the page's only h1, whitespace collapsed. */
export async function h1(page: Page): Promise<string> {
  return ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Whether a file's browser tests are skipped: only when Chromium is missing outside CI, and then
 * it says why (in CI a missing browser fails instead, in `launchChromium`).
 */
export function skipWithoutChromium(file: string, title: string): boolean {
  const skip = chromiumMissing !== null && !process.env.CI;
  if (skip) {
    // eslint-disable-next-line no-console -- the reason the browser tests were skipped, said where it is seen
    console.warn(`${file}: skipped. ${chromiumMissing}.`);
    describe(title, () => {
      it.skip(`skipped: ${chromiumMissing}`, () => undefined);
    });
  }
  return skip;
}

/**
 * One browser for the file, launched before its tests and closed after, and the test app listening
 * on loopback. The browser keeps cookies by the wall clock, so each test runs the app's clock from now.
 */
export function useBrowser(ctx: TestContext): { browser: Browser; base: string } {
  const held = {} as { browser: Browser; base: string };
  beforeAll(async () => {
    held.browser = await launchChromium();
    held.base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  beforeEach(() => {
    ctx.clock.set(new Date());
  });
  afterAll(async () => {
    await held.browser?.close();
  });
  return held;
}

const DAY = 24 * 60 * 60 * 1000;

/** Example Borough Council's open procurement on the evidence questionnaire (or `definition`), closing in 14 days, with Acme AI Ltd invited. */
export async function seedEvidenceInvitation(ctx: TestContext, { definition = evidenceDefinition() }: { definition?: QuestionnaireDefinitionInput } = {}) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const deadline = new Date(ctx.clock.now().getTime() + 14 * DAY).toISOString();
  const procurementId = await seedOpenProcurement(ctx, org, { definition, triage: { 'triage.personal_data': 'yes', 'triage.people': 10 }, title: 'Council tax chatbot', deadline });
  const invitation = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
  return { org, procurementId, invitation };
}

/**
 * A loopback port nothing listens on now, for the app to listen on later: for tests where another
 * server (an OpenID provider) must know the app's address before the app starts.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
