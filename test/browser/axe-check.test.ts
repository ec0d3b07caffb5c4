import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, axeViolationsWithoutJs, launchChromium, skipWithoutChromium } from './browser';

/**
 * The accessibility check every browser test relies on: it must find what axe-core finds at
 * WCAG 2.2 AA, on each page a test navigates to, or every "no violations" in the suite means
 * nothing. The pages are served from strings, on an origin no server answers.
 */

const skip = skipWithoutChromium('test/browser/axe-check.test.ts', 'the accessibility check');
const ORIGIN = 'http://axe-check.invalid';

const page = (body: string) => `<!DOCTYPE html><html lang="en"><head><title>A page</title></head><body><main><h1>A page</h1>${body}</main></body></html>`;
const PAGES: Record<string, string> = {
  '/clean': page('<p>Plain text.</p><label for="name">Name</label><input id="name" name="name">'),
  // An image without a text alternative (1.1.1), a field without a label (4.1.2), grey on white (1.4.3, AA).
  '/faulty': page('<img src="/x.png"><input name="nameless"><p style="color:#bbb;background:#fff">Faint text</p>'),
  // Scripts that would hide the fault: the copy without them must still show it.
  '/scripted': page('<div id="target"></div><script>document.getElementById("target").textContent = "ok"</script><img src="/y.png">'),
};

describe.skipIf(skip)('the accessibility check', () => {
  let browser: Browser;
  let tab: Page;
  let checker: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    const context = await browser.newContext();
    await context.route(`${ORIGIN}/**`, (route) => {
      const html = PAGES[new URL(route.request().url()).pathname];
      return html ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }) : route.fulfill({ status: 404, body: '' });
    });
    tab = await context.newPage();
    checker = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const ruleIds = (lines: string[]) => lines.map((line) => /^\[[^\]]*\] (\S+)/.exec(line)?.[1]).sort();

  it('reports nothing on a page without faults, and each fault on a page with them, on every page a tab visits', async () => {
    await tab.goto(`${ORIGIN}/clean`);
    expect(await axeViolations(tab, 'clean')).toEqual([]);
    // A new document: the check runs there too, not in the page it first ran in.
    await tab.goto(`${ORIGIN}/faulty`);
    const faults = await axeViolations(tab, 'faulty');
    expect(ruleIds(faults)).toEqual(['color-contrast', 'image-alt', 'label']);
    expect(faults[0]).toMatch(/^\[faulty\] \S+ \((serious|critical)\): /);
    await tab.goBack();
    expect(await axeViolations(tab, 'clean again')).toEqual([]);
  });

  it('checks the copy of a page without its scripts', async () => {
    await tab.goto(`${ORIGIN}/scripted`);
    expect(ruleIds(await axeViolationsWithoutJs(tab, checker, 'scripted'))).toEqual(['image-alt']);
  });
});
