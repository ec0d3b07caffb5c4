import { describe, expect, it } from 'vitest';
import { comparisonReport, type ComparisonRow } from '../../../src/modules/reports/reports.models';
import { evaluateResponse, rankingRobustness } from '../../../src/modules/scoring';
import { renderPdf } from '../../../src/platform/pdf/render';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../../helpers/factories';
import { keepForLook, readPdf } from '../../helpers/pdf';
import { smallDefinition } from '../questionnaires/fixtures';
import { change, strongInput } from '../scoring/fixtures';
import { definition, flat, procurement } from './report-input';

type Method = 'GET' | 'POST' | 'PUT';

/** Every figure's alternative text in a PDF, as a screen reader gets it: a PDF string, in UTF-16 (with its byte order mark) when it has characters beyond Latin-1. */
function altTexts(pdf: Buffer): string[] {
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
  const unescaped = (s: string) => s.replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, e: string) => (/^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : (escapes[e] ?? e)));
  return [...pdf.toString('latin1').matchAll(/\/Alt \(((?:\\.|[^\\)])*)\)/g)].map((m) => {
    const bytes = Buffer.from(unescaped(m[1]!), 'latin1');
    return bytes[0] === 0xfe && bytes[1] === 0xff ? Buffer.from(bytes.subarray(2)).swap16().toString('utf16le') : bytes.toString('latin1');
  });
}
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };

/**
 * Three suppliers on the small questionnaire (section A weight 60, B 40; a.training is a gateway):
 * - Alpha AI: opt-in (3) and a moderated 3 for the opt-in detail: A 75, B 12 hours (4) 100: 85.0, finalised.
 * - Beta Bots: never (4): A 100, B 100 hours (0) 0: 60.0.
 * - Gamma Grid: never, 12 hours: 100.0, the best score, but the moderator fails its gateway: disqualified.
 */
async function decisionPaperWorld(ctx: TestContext) {
  const call = (method: Method, url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const ok = async (method: Method, url: string, token: string, payload?: object) => {
    const res = await call(method, url, token, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body.slice(0, 300)}`).toBeLessThan(300);
    return res;
  };
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Derator' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, title: 'Council tax chatbot', moderatorId: moderator.id });
  // Invited a second apart: invitation order is the order of the unranked after the ranked.
  const alpha = await seedInvitation(ctx, org, procurementId, { supplierName: 'Alpha AI' });
  ctx.clock.advance(1000);
  const beta = await seedInvitation(ctx, org, procurementId, { supplierName: 'Beta Bots' });
  ctx.clock.advance(1000);
  const gamma = await seedInvitation(ctx, org, procurementId, { supplierName: 'Gamma Grid' });
  const answers: Array<[typeof alpha, Record<string, object>]> = [
    [alpha, { 'a.training': { value: 'opt_in' }, 'a.training_detail': { value: 'Written opt-in per dataset, withdrawable at any time.' }, 'b.hours': { value: 12 } }],
    [beta, { 'a.training': { value: 'never' }, 'b.hours': { value: 100 } }],
    [gamma, { 'a.training': { value: 'never' }, 'b.hours': { value: 12 } }],
  ];
  for (const [s, a] of answers) {
    await ok('PUT', '/v1/supplier/response/import', s.token, { answers: a });
    await ok('POST', '/v1/supplier/response/submit', s.token, { declaration: true });
  }
  await ok('POST', `/v1/procurements/${procurementId}/close`, org.admin.token);
  await ok('POST', `/v1/procurements/${procurementId}/start-evaluation`, org.admin.token);
  await ok('POST', `/v1/procurements/${procurementId}/declarations`, moderator.token, { hasConflict: false, details: 'None' });
  ctx.clock.advance(60_000);
  await ok('PUT', `/v1/responses/${alpha.responseId}/moderation/a.training_detail`, moderator.token, { score: 3, rationale: 'Consent is clear and can be withdrawn.' });
  await ok('PUT', `/v1/responses/${gamma.responseId}/gateways/a.training`, moderator.token, { outcome: 'fail', rationale: 'The references show training on customer data by default.' });
  await ok('POST', `/v1/responses/${alpha.responseId}/evaluation/finalise`, moderator.token);
  return { org, moderator, procurementId, alpha, beta, gamma, call, ok };
}

describe('the comparison decision paper', () => {
  const ctx = useTestApp();

  it('shows the gateway matrix, residual risk and weighted points per section, marks the disqualified supplier everywhere, and says whether one mark or weight changes the winner', async () => {
    const w = await decisionPaperWorld(ctx);
    const results = (await w.ok('GET', `/v1/procurements/${w.procurementId}/results`, w.org.admin.token)).json().items as Array<{ supplierName: string; overallScore: number; rank: number | null }>;
    expect(results.map((r) => [r.supplierName, r.overallScore, r.rank]).sort()).toEqual([
      ['Alpha AI', 85, 1],
      ['Beta Bots', 60, 2],
      ['Gamma Grid', 100, null],
    ]);

    const res = await w.ok('GET', `/v1/procurements/${w.procurementId}/comparison.pdf`, w.org.admin.token);
    await keepForLook('disqualified-comparison.pdf', res.rawPayload);
    const pdf = await readPdf(res.rawPayload);
    const text = flat(pdf.text);

    // The overall table: ranked first, the disqualified supplier after with why, and who finalised what.
    expect(text).toContain('Ranked 2 of 3; 1 disqualified');
    expect(text).toMatch(/1 Alpha AI 85\.0 .*Finalised by Mo Derator, \d+ \w+ \d{4}/);
    expect(text).toMatch(/2 Beta Bots 60\.0 .*Complete, not finalised by the moderator/);
    expect(text).toMatch(/– Gamma Grid \(disqualified: gateway “Do you train on our data\?” failed\) 100\.0 Not acceptable/);
    expect(text).not.toMatch(/ Final /);
    // The chart: no bar for the disqualified supplier, its row saying why; the alternative text says so too.
    expect(text).toContain('Gamma Grid (disqualified) Disqualified: gateway “Do you train on our data?” failed. Its score of 100.0 does not count.');
    expect(altTexts(res.rawPayload)).toContain('Bar chart of overall scores out of 100. Alpha AI: 85.0; Beta Bots: 60.0; Gamma Grid: disqualified (gateway “Do you train on our data?” failed), scored 100.0, no bar drawn.');

    // Robustness: Alpha 85.0 against Beta 60.0 (hand-worked in the world's comment): nothing tried changes it.
    // Tried: Alpha's one moderated mark 3 down and up (2); the weights of A and B 20% down and up (4).
    expect(text).toContain('The ranking is robust: no single mark change of one point and no section weight change of 20% changes the winner, Alpha AI (margin 25.0 points).');
    // (A page may fall between rows of a table: each row is looked for on its own.)
    expect(text).toContain('First Alpha AI, 85.0 Next Beta Bots, 60.0');
    expect(text).toContain('Winning margin 25.0 points');
    expect(text).toContain('One moderated mark of a ranked response one point lower or higher (within 0 to 4) 2 None');
    expect(text).toContain('One section weight 20% lower or higher, the other weights rescaled so they still add up to 100 4 None');

    // The gateway matrix: one row per gateway, a column per supplier, the disqualified one marked in its heading.
    expect(text).toContain('Gateway outcomes by supplier Gateway Alpha AI Beta Bots Gamma Grid (disqualified) Do you train on our data? Pass Pass Fail');
    // Weighted points: score × weight out of what the weight makes available, totals that are the overall scores.
    expect(text).toContain('Weighted points by section Section Weight Alpha AI Beta Bots Gamma Grid (disqualified)');
    expect(text).toContain('Section A 60 45.00 of 60 60.00 of 60 60.00 of 60');
    expect(text).toContain('Section B 40 40.00 of 40 0.00 of 40 40.00 of 40 Total 85.00 60.00 100.00');
    expect(text).toContain('each total, rounded to one decimal, is the overall score.');
    // Residual risk per section at the high tier: 75 or more medium, 50 to 75 high, under 25 very high.
    expect(text).toContain('Residual risk by section Section Alpha AI Beta Bots Gamma Grid (disqualified) Section A (critical) Medium Medium Medium');
    expect(text).toContain('Section B Medium Very high Medium Overall Medium High Medium');
    // Every other table heads the disqualified supplier's column the same way.
    expect(text).toContain('Section scores out of 100 Section Weight Alpha AI Beta Bots Gamma Grid (disqualified)');
    expect(text).toContain('Question scores in Section A (0 to 4) Question Alpha AI Beta Bots Gamma Grid (disqualified)');
    expect(text.split('Gamma Grid (disqualified)').length - 1).toBeGreaterThanOrEqual(7);

    // Headings never skip a level; the new parts are bookmarked.
    expect(pdf.headingLevels.filter((level, i) => level > (i === 0 ? 1 : pdf.headingLevels[i - 1]! + 1))).toEqual([]);
    expect(pdf.outline.map((o) => o.title)[0]).toBe('Comparison report: Council tax chatbot');
    expect(pdf.outline[0]!.items).toEqual(['Overall', 'Robustness of the ranking', 'Gateways', 'Section scores', 'Weighted points by section', 'Residual risk by section']);

    // Another council cannot read it.
    const other = await seedOrganisation(ctx);
    expect((await w.call('GET', `/v1/procurements/${w.procurementId}/comparison.pdf`, other.admin.token)).statusCode).toBe(404);
  });

  it('says why robustness does not apply with one ranked supplier', async () => {
    const w = await decisionPaperWorld(ctx);
    // Beta's gateway failed too: only Alpha is ranked.
    await w.ok('PUT', `/v1/responses/${w.beta.responseId}/gateways/a.training`, w.moderator.token, { outcome: 'fail', rationale: 'Not credible.' });
    const text = flat((await readPdf((await w.ok('GET', `/v1/procurements/${w.procurementId}/comparison.pdf`, w.org.admin.token)).rawPayload)).text);
    expect(text).toContain('Robustness does not apply: only one response is ranked, so there is no other ranked response a change could put first.');
    expect(text).toContain('Ranked 1 of 3; 2 disqualified');
  });
});

describe('the comparison decision paper, drawn from hand-built evaluations', () => {
  const strong = strongInput();
  // A failed gateway (1.1 answered "Yes") with otherwise strong answers still scores high.
  const failed = change(strong, { answers: { 'data.training': 'yes' }, gatewayDecisions: {} });
  const weaker = change(strong, { marks: { 'data.rights': { score: 2, rationale: 'Partly.' }, 'security.threats': { score: 3, rationale: 'Tested.' } } });
  const rows: ComparisonRow[] = [
    { supplierName: 'Acme AI Ltd', status: 'submitted', rank: 1, evaluation: evaluateResponse(strong), computedAt: '2027-04-02T09:30:00.000Z', finalisation: { by: 'Mo Derator', at: '2027-04-02T10:00:00.000Z' } },
    { supplierName: 'Cedar Systems', status: 'submitted', rank: 2, evaluation: evaluateResponse(weaker), computedAt: '2027-04-02T09:30:00.000Z', finalisation: null },
    { supplierName: 'Bright Analytics Ltd', status: 'submitted', rank: null, evaluation: evaluateResponse(failed), computedAt: '2027-04-02T09:30:00.000Z' },
  ];

  it('names a failed gateway by its number and draws no bar for it, only a note saying why', async () => {
    const robustness = rankingRobustness({ responses: [{ id: 'acme', name: 'Acme AI Ltd', input: strong }, { id: 'cedar', name: 'Cedar Systems', input: weaker }] });
    const document = comparisonReport({ council: 'Example Borough Council', procurement, definition, rows, decision: null, robustness });
    const chart = document.blocks.find((b) => b.kind === 'barChart');
    expect(chart && chart.kind === 'barChart' ? chart.bars : []).toEqual([
      { label: 'Acme AI Ltd', value: rows[0]!.evaluation!.overallScore },
      { label: 'Cedar Systems', value: rows[1]!.evaluation!.overallScore },
      { label: 'Bright Analytics Ltd (disqualified)', value: rows[2]!.evaluation!.overallScore, note: `Disqualified: gateway 1.1 failed. Its score of ${rows[2]!.evaluation!.overallScore!.toFixed(1)} does not count.` },
    ]);
    const overall = document.blocks.find((b) => b.kind === 'table' && b.caption === 'Overall results');
    expect(overall && overall.kind === 'table' ? overall.rows.map((r) => [r[1], r[5]]) : []).toEqual([
      ['Acme AI Ltd', 'Finalised by Mo Derator, 2 April 2027'],
      ['Cedar Systems', 'Complete, not finalised by the moderator'],
      ['Bright Analytics Ltd (disqualified: gateway 1.1 failed)', 'Complete, not finalised by the moderator'],
    ]);
    // Every table with a column per supplier heads Bright's column "(disqualified)".
    const perSupplier = document.blocks.filter((b) => b.kind === 'table' && b.columns.some((c) => c.header.startsWith('Acme AI Ltd')));
    expect(perSupplier.length).toBeGreaterThanOrEqual(4 + definition.sections.length);
    for (const table of perSupplier) if (table.kind === 'table') expect(table.columns.map((c) => c.header), table.caption).toContain('Bright Analytics Ltd (disqualified)');

    const text = flat((await readPdf((await renderPdf({ document })).pdf)).text);
    expect(text).toContain('Bright Analytics Ltd (disqualified) Disqualified: gateway 1.1 failed.');
    expect(text).toContain('Points are rounded to two decimals; each total, rounded to one decimal, is the overall score.');
    expect(text).not.toContain('The weights shown add up to');
    expect(text).toMatch(/The ranking is (robust|not robust): .* Acme AI Ltd \(margin \d+\.\d points\)\./);
  });

  it('says where the weight of a section not asked for this use case went, so the weights shown need not add up to 100 unexplained', () => {
    // Without staff managed by the product, section 3 Workforce (weight 20) is not asked: 40 + 30 + 10 = 80 shown.
    const noStaff = change(strong, { triage: { 'triage.staff': 'no' } });
    const row: ComparisonRow = { supplierName: 'Acme AI Ltd', status: 'submitted', rank: 1, evaluation: evaluateResponse(noStaff), computedAt: '2027-04-02T09:30:00.000Z' };
    const document = comparisonReport({ council: 'Example Borough Council', procurement, definition, rows: [row], decision: null });
    const texts = document.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));
    expect(texts.find((t) => t.startsWith('The weights shown'))).toMatch(/^The weights shown add up to 80, not 100: 3 Workforce is not asked for this use case, so its weight is shared among the sections shown, each scaled by 100 \/ 80\. /);
    const table = document.blocks.find((b) => b.kind === 'table' && b.caption === 'Weighted points by section');
    // Data protection 100 × 40 / 80 = 50 points of 50 available.
    expect(table && table.kind === 'table' ? table.rows[0] : []).toEqual(['1 Data protection', '40', '50.00 of 50']);
  });
});
