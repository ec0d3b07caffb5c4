import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { readPdf } from '../../helpers/pdf';
import { signedInAgent } from '../../helpers/staff';
import { downloadWith, readPage } from '../../helpers/web';
import { submittedResponses, triage } from '../integrations/world';
import { smallDefinition } from '../questionnaires/fixtures';

type Agent = Awaited<ReturnType<typeof signedInAgent>>;
const get = (agent: Agent, url: string) => agent.get(url).redirects(0);
const download = (agent: Agent, url: string) => downloadWith(agent, url);

/**
 * The bytes of a zip (an .xlsx) with each entry's modification time and date zeroed: the zip
 * library stamps entries with the wall clock (2-second steps), so two downloads a moment apart may
 * differ there and nowhere else.
 */
function withoutZipTimes(zip: Buffer): Buffer {
  const copy = Buffer.from(zip);
  for (let at = 0; at + 16 <= copy.length; at += 1) {
    const signature = copy.readUInt32LE(at);
    if (signature === 0x04034b50) copy.fill(0, at + 10, at + 14); // local file header
    else if (signature === 0x02014b50) copy.fill(0, at + 12, at + 16); // central directory entry
  }
  return copy;
}

const PDF = Buffer.from('%PDF-');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Two evaluated responses of a procurement being evaluated, an officer signed in, and the API as the council's admin. */
async function world(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const officer = await seedUser(ctx, org, { role: 'officer' });
  const { procurementId, responses } = await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots']);
  const api = (method: 'GET' | 'POST', url: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(org.admin.token), ...(payload ? { payload } : {}) });
  expect((await api('POST', `/v1/procurements/${procurementId}/close`)).statusCode).toBe(200);
  expect((await api('POST', `/v1/procurements/${procurementId}/start-evaluation`)).statusCode).toBe(200);
  const agent = await signedInAgent({ app: ctx.app, userId: officer.id });
  return { org, procurementId, responses, api, agent, reports: `/procurements/${procurementId}/reports` };
}

// A cold first render of the console's templates, on a busy machine, can take a while.
describe('reports in the console', { timeout: 120_000 }, () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('lists every report and export, and each download is the API’s file, byte for byte', async () => {
    const w = await world(ctx);
    const page = readPage((await get(w.agent, w.reports)).text);
    expect(page.h1).toEqual(['Reports']);
    expect(page.text).toContain('Assessment summary: Alpha AI (PDF) For sending to the bidder');
    expect(page.text).toContain('Not yet available. Available once the decision is recorded.');
    expect(page.link(/^Assessment summary/)).toBeUndefined();

    const [alpha] = w.responses;
    const files: Array<[name: string | RegExp, api: string, magic: Buffer, type: string]> = [
      ['Comparison of all responses (PDF)', `/v1/procurements/${w.procurementId}/comparison.pdf`, PDF, 'application/pdf'],
      ['Evaluation report: Alpha AI (PDF)', `/v1/responses/${alpha!.responseId}/report.pdf`, PDF, 'application/pdf'],
      ['Evaluation report: Beta Bots (PDF)', `/v1/responses/${w.responses[1]!.responseId}/report.pdf`, PDF, 'application/pdf'],
      // The console's CSV is the one for people (opened in Excel): BOM, formulas neutralised.
      ['Results (CSV)', `/v1/procurements/${w.procurementId}/results.csv?format=excel`, Buffer.from('\uFEFFrank,responseId,supplierName'), 'text/csv; charset=utf-8; profile=excel'],
      ['Comparison workbook (XLSX)', `/v1/procurements/${w.procurementId}/comparison.xlsx`, ZIP, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ];
    for (const [name, apiUrl, magic, type] of files) {
      const href = page.link(name)?.getAttribute('href');
      expect(href, String(name)).toBeTruthy();
      const got = await download(w.agent, href!);
      expect(got.status, String(name)).toBe(200);
      expect(got.headers['content-type']).toBe(type);
      expect(got.bytes.subarray(0, magic.length).equals(magic), String(name)).toBe(true);
      const fromApi = await w.api('GET', apiUrl);
      expect(fromApi.statusCode).toBe(200);
      expect(got.headers['content-disposition']).toBe(fromApi.headers['content-disposition']);
      const same = magic === ZIP ? withoutZipTimes(got.bytes).equals(withoutZipTimes(fromApi.rawPayload)) : got.bytes.equals(fromApi.rawPayload);
      expect(same, String(name)).toBe(true);
    }
    // What a reader checks: the comparison names both suppliers.
    const comparison = await readPdf((await download(w.agent, `${w.reports}/comparison.pdf`)).bytes);
    expect(comparison.text).toContain('Alpha AI');
    expect(comparison.text).toContain('Beta Bots');

    // An assessment summary waits for the decision: a page says so.
    const early = await get(w.agent, `${w.reports}/responses/${alpha!.responseId}/assessment-summary.pdf`);
    expect(early.status).toBe(409);
    expect(readPage(early.text).h1).toEqual(['This report is not available yet']);
    expect(readPage(early.text).text).toContain('produced once the decision is recorded');

    const decided = await w.api('POST', `/v1/procurements/${w.procurementId}/decision`, { outcome: 'award', responseId: alpha!.responseId, rationale: 'Highest score.' });
    expect(decided.statusCode, decided.body).toBe(200);
    const after = readPage((await get(w.agent, w.reports)).text);
    for (const supplier of ['Alpha AI', 'Beta Bots']) {
      const response = w.responses.find((r) => r.supplierName === supplier)!;
      const got = await download(w.agent, after.link(`Assessment summary: ${supplier} (PDF)`)!.getAttribute('href')!);
      expect(got.status).toBe(200);
      expect(got.bytes.subarray(0, 5).equals(PDF)).toBe(true);
      expect(got.bytes.equals((await w.api('GET', `/v1/responses/${response.responseId}/assessment-summary.pdf`)).rawPayload)).toBe(true);
    }
  }, 180_000);

  it('before anything is evaluated the comparison is not available, and the page says so', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    await seedInvitation(ctx, org, procurementId);
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const page = readPage((await get(agent, `/procurements/${procurementId}/reports`)).text);
    expect(page.link(/^Comparison of all responses/)).toBeUndefined();
    expect(page.text).toContain('Available once a submitted response has been evaluated.');
    expect(page.text).toContain('No response has been evaluated yet.');
    const refused = await get(agent, `/procurements/${procurementId}/reports/comparison.pdf`);
    expect(refused.status).toBe(409);
    expect(readPage(refused.text).text).toContain('The comparison is produced once at least one submitted response has been evaluated.');
    // The exports are there from the start (a header row, an empty workbook).
    const csv = await download(agent, `/procurements/${procurementId}/reports/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.bytes.toString('utf8')).toMatch(/^\uFEFFrank,responseId,supplierName,status/);
    const xlsx = await download(agent, `/procurements/${procurementId}/reports/comparison.xlsx`);
    expect(xlsx.bytes.subarray(0, 4).equals(ZIP)).toBe(true);
  });

  it('viewers download every report; the panel’s evaluators (not the moderator) none', async () => {
    const w = await world(ctx);
    const [alpha] = w.responses;
    const viewer = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'viewer' })).id });
    expect((await get(viewer, w.reports)).status).toBe(200);
    for (const file of ['comparison.pdf', `responses/${alpha!.responseId}/evaluation-report.pdf`, 'results.csv', 'comparison.xlsx']) {
      expect((await download(viewer, `${w.reports}/${file}`)).status, file).toBe(200);
    }
    const evaluator = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'evaluator' })).id });
    for (const file of ['', '/comparison.pdf', `/responses/${alpha!.responseId}/evaluation-report.pdf`, `/responses/${alpha!.responseId}/assessment-summary.pdf`, '/results.csv', '/comparison.xlsx']) {
      const res = await get(evaluator, `${w.reports}${file}`);
      expect(res.status, file).toBe(403);
      expect(readPage(res.text).h1).toEqual(['You cannot do this']);
    }
  });

  it('another council’s procurement or response, or a response of another procurement, is not found', async () => {
    const w = await world(ctx);
    const other = await seedOrganisation(ctx);
    const theirs = await submittedResponses(ctx, other, ['Gamma Ltd']);
    const ours = await submittedResponses(ctx, w.org, ['Delta Ltd']);
    const urls = [
      `/procurements/${theirs.procurementId}/reports`,
      ...['comparison.pdf', 'results.csv', 'comparison.xlsx'].map((f) => `/procurements/${theirs.procurementId}/reports/${f}`),
      ...['evaluation-report.pdf', 'assessment-summary.pdf'].flatMap((f) => [
        `/procurements/${theirs.procurementId}/reports/responses/${theirs.responses[0]!.responseId}/${f}`,
        `${w.reports}/responses/${theirs.responses[0]!.responseId}/${f}`,
        `${w.reports}/responses/${ours.responses[0]!.responseId}/${f}`,
        `${w.reports}/responses/not-an-id/${f}`,
      ]),
      '/procurements/not-an-id/reports',
      '/procurements/not-an-id/reports/results.csv',
    ];
    for (const url of urls) {
      const res = await get(w.agent, url);
      expect(res.status, url).toBe(404);
      expect(readPage(res.text).h1, url).toEqual(['Page not found']);
    }
    // Nothing was drawn, for them or for us.
    for (const token of [other.admin.token, w.org.admin.token]) {
      const events = await ctx.app.inject({ method: 'GET', url: '/v1/audit-events?limit=100', headers: bearer(token) });
      expect(events.statusCode).toBe(200);
      expect(events.json().items.filter((e: { action: string }) => e.action === 'report.generated')).toEqual([]);
    }
  });
});
