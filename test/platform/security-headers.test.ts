import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { API_SECURITY_HEADERS, HSTS } from '../../src/platform/http/security-headers';
import { useTestApp, type TestContext } from '../helpers/app';
import { chromiumMissing, launchChromium } from '../browser/browser';

const STS = 'max-age=31536000; includeSubDomains';
// A success, a refusal, an unknown route and a framework error: HSTS is on every answer or none.
const URLS = ['/healthz', '/v1/me', '/v1/nothing-here', '/v1/users/%zz'];

async function stsOf(ctx: TestContext, headers: Record<string, string> = {}) {
  const responses = await Promise.all(URLS.map((url) => ctx.app.inject({ method: 'GET', url, headers })));
  return responses.map((r) => r.headers['strict-transport-security']);
}

describe('HSTS when the service is served over https', () => {
  it('is the header the brief asks for', () => expect(HSTS).toBe(STS));

  describe('with an https public address', () => {
    const ctx = useTestApp({ config: { PUBLIC_BASE_URL: 'https://aidd.example.gov.uk' }, truncate: false });
    it('sends Strict-Transport-Security on every answer', async () => {
      expect(await stsOf(ctx)).toEqual(URLS.map(() => STS));
    });
  });

  describe('behind a trusted proxy', () => {
    const ctx = useTestApp({ config: { TRUST_PROXY: 'true' }, truncate: false });
    it('sends it when the request arrived over https, and not when it arrived over http', async () => {
      expect(await stsOf(ctx, { 'x-forwarded-proto': 'https' })).toEqual(URLS.map(() => STS));
      expect(await stsOf(ctx, { 'x-forwarded-proto': 'http' })).toEqual(URLS.map(() => undefined));
      expect(await stsOf(ctx)).toEqual(URLS.map(() => undefined));
    });
  });

  describe('over plain http', () => {
    const ctx = useTestApp({ truncate: false });
    it('never sends it, whatever an untrusted X-Forwarded-Proto says', async () => {
      expect(await stsOf(ctx)).toEqual(URLS.map(() => undefined));
      expect(await stsOf(ctx, { 'x-forwarded-proto': 'https' })).toEqual(URLS.map(() => undefined));
    });
  });
});

describe('the API’s security headers', () => {
  const ctx = useTestApp({ truncate: false });
  it('are on a success, a refusal and an unknown route, and a page keeps its own policy', async () => {
    for (const url of ['/healthz', '/v1/me', '/v1/nothing-here']) {
      const response = await ctx.app.inject({ method: 'GET', url });
      const sent = Object.fromEntries(Object.keys(API_SECURITY_HEADERS).map((name) => [name, response.headers[name]]));
      expect(sent, `${response.statusCode} ${url}`).toEqual(API_SECURITY_HEADERS);
    }
    const page = await ctx.app.inject({ method: 'GET', url: '/sign-in' });
    expect(page.statusCode).toBe(200);
    expect(String(page.headers['content-security-policy'])).toMatch(/^default-src 'self'; script-src 'self' 'nonce-[^']+'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });
});

describe('/docs (Swagger UI)', () => {
  const ctx = useTestApp({ truncate: false });

  it('cannot be framed, and allows no inline script or style', async () => {
    for (const url of ['/docs', '/docs/static/swagger-initializer.js']) {
      const response = await ctx.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("frame-ancestors 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers['x-frame-options']).toBe('DENY');
    }
  });

  it.skipIf(chromiumMissing)('renders in Chromium with no policy violation in the console', async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ctx.app.server.address() as AddressInfo;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`http://127.0.0.1:${port}/docs`);
      await page.getByText('AI supplier due diligence for UK councils').first().waitFor();
      await page.getByRole('button', { name: /GET \/v1\/scores/ }).first().click();
      await page.getByText('The scores feed').first().waitFor();
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
