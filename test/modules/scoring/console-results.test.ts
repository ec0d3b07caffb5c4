import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedOrganisation, seedUser } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { submittedResponses } from '../integrations/world';

type Agent = Awaited<ReturnType<typeof signedInAgent>>;
const get = (agent: Agent, url: string) => agent.get(url).redirects(0);
const post = (agent: Agent, url: string, form: Record<string, string>) => agent.post(url).type('form').send(form).redirects(0);

/** Two submitted responses, evaluated (both final, sharing rank 1); the procurement closed and being evaluated unless `open`. */
async function world(ctx: TestContext, { open = false } = {}) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const officer = await seedUser(ctx, org, { role: 'officer' });
  const { procurementId, responses } = await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots']);
  const api = (method: 'GET' | 'POST', url: string) => ctx.app.inject({ method, url, headers: bearer(org.admin.token) });
  if (!open) {
    expect((await api('POST', `/v1/procurements/${procurementId}/close`)).statusCode).toBe(200);
    expect((await api('POST', `/v1/procurements/${procurementId}/start-evaluation`)).statusCode).toBe(200);
  }
  const agent = await signedInAgent({ app: ctx.app, userId: officer.id });
  return { org, procurementId, responses, api, agent, results: `/procurements/${procurementId}/results`, decision: `/procurements/${procurementId}/decision` };
}

/** The rows of the page's first table with this caption, as text. */
function table(html: string, caption: string): string[][] {
  const { document } = readPage(html);
  const found = [...(document.querySelectorAll('table') as unknown as Iterable<{ querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): Iterable<{ querySelectorAll(s: string): Iterable<{ textContent: string | null }> }> }>)].find(
    (t) => (t.querySelector('caption')?.textContent ?? '').trim() === caption,
  );
  if (!found) throw new Error(`no table "${caption}"`);
  return [...found.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

// A cold first render of the console's templates, on a busy machine, can take a while.
describe('results and the decision in the console', { timeout: 120_000 }, () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('shows the ranked results and the comparison matrix, as the API gives them', async () => {
    const w = await world(ctx);
    const results = (await w.api('GET', `/v1/procurements/${w.procurementId}/results`)).json();
    const comparison = (await w.api('GET', `/v1/procurements/${w.procurementId}/comparison`)).json();
    const res = await get(w.agent, w.results);
    expect(res.status).toBe(200);
    const page = readPage(res.text);
    expect(page.h1).toEqual(['Results']);
    expect(page.button('Record the decision') ?? page.link('Record the decision')).toBeDefined();

    const rows = table(res.text, 'Results');
    expect(rows[0]).toEqual(['Rank', 'Supplier', 'Score', 'Rating']);
    expect(rows.slice(1)).toEqual(
      results.items.map((r: { rank: number; supplierName: string; overallScore: number; rating: string }) => [
        String(r.rank),
        // The name, its gateways and that the evaluation is complete but not finalised; a link to its conditions may follow.
        expect.stringMatching(new RegExp(`^${r.supplierName} Gateways: all 1 passed Complete, not yet finalised by the moderator( Conditions .*)?$`)),
        r.overallScore.toFixed(1),
        r.rating.replaceAll('_', ' '),
      ]),
    );
    expect(page.link('Alpha AI')?.getAttribute('href')).toBe(`/procurements/${w.procurementId}/responses/${w.responses[0]!.responseId}`);

    const sections = table(res.text, 'Section scores (out of 100) by supplier');
    expect(sections[0]).toEqual(['Section', ...comparison.suppliers.map((s: { supplierName: string }) => s.supplierName)]);
    for (const [i, section] of comparison.sections.entries()) {
      expect(sections[i + 1]).toEqual([`${section.title} Weight ${section.weight}`, ...section.scores.map((v: number | null) => (v === null ? 'No score' : v.toFixed(1)))]);
    }
    const overall = sections.find((r) => r[0] === 'Overall score')!;
    expect(overall.slice(1)).toEqual(comparison.suppliers.map((s: { responseId: string }) => results.items.find((r: { responseId: string }) => r.responseId === s.responseId).overallScore.toFixed(1)));
    const questions = table(res.text, 'Question scores (out of 4) by supplier');
    expect(questions.map((r) => r[0])).toEqual(['Question', ...comparison.questions.map((q: { ref: string | null; key: string }) => q.ref ?? q.key)]);
    expect(questions.find((r) => r[0] === 'a.training_detail')?.slice(1)).toEqual(['Not asked', 'Not asked']);
  });

  it('records a decision: the form, its errors, a check page, then the decision, once', async () => {
    const w = await world(ctx);
    const form = await get(w.agent, w.decision);
    expect(form.status).toBe(200);
    const formPage = readPage(form.text);
    const labels = [...(formPage.document.querySelectorAll('.govuk-radios__label') as unknown as Iterable<{ textContent: string | null }>)].map((l) => (l.textContent ?? '').trim());
    // Both share rank 1, so either may come first.
    expect([...labels.slice(0, 2)].sort()).toEqual(['Award the contract to Alpha AI', 'Award the contract to Beta Bots']);
    expect(labels[2]).toBe('Do not award the contract');
    const csrf = csrfFrom(form.text);

    const empty = await post(w.agent, w.decision, { _csrf: csrf, step: 'check', rationale: '' });
    expect(empty.status).toBe(400);
    expect(readPage(empty.text).errorSummary()).toEqual([
      { href: '#choice', text: 'Select who to award the contract to, or not to award it' },
      { href: '#rationale', text: 'Enter the reasons for the decision' },
    ]);

    const winner = (await w.api('GET', `/v1/procurements/${w.procurementId}/results`)).json().items.find((r: { rank: number }) => r.rank === 1);
    const check = await post(w.agent, w.decision, { _csrf: csrf, step: 'check', choice: winner.responseId, rationale: 'Highest score;\r\nevery gateway passed.' });
    expect(check.status).toBe(200);
    const checkPage = readPage(check.text);
    expect(checkPage.h1).toEqual(['Check the decision before you record it']);
    expect(checkPage.summary()).toContainEqual({ key: 'Decision', value: `Award the contract to ${winner.supplierName}` });
    expect(checkPage.summary()).toContainEqual({ key: 'Reasons', value: 'Highest score; every gateway passed.' });
    // Nothing is recorded by the check page.
    expect((await w.api('GET', `/v1/procurements/${w.procurementId}/results`)).json().decision).toBeNull();

    const change = await post(w.agent, w.decision, { ...checkPage.formValues(), step: 'change' });
    expect(change.status).toBe(200);
    const changed = readPage(change.text);
    expect(changed.byLabel('Reasons for the decision')?.textContent).toBe('Highest score;\nevery gateway passed.');
    expect(changed.document.querySelector(`input[value="${winner.responseId}"]`)?.hasAttribute('checked')).toBe(true);

    const recorded = await post(w.agent, w.decision, { ...checkPage.formValues(), step: 'confirm' });
    expect(recorded.status).toBe(303);
    expect(recorded.headers.location).toBe(w.results);
    const after = await get(w.agent, w.results);
    const afterPage = readPage(after.text);
    expect(afterPage.text).toContain('The decision has been recorded. The procurement is now decided.');
    expect(afterPage.summary()).toContainEqual({ key: 'Decision', value: `Award the contract to ${winner.supplierName}` });
    expect(afterPage.link('Record the decision')).toBeUndefined();
    const api = (await w.api('GET', `/v1/procurements/${w.procurementId}/results`)).json();
    expect(api.decision).toMatchObject({ outcome: 'award', responseId: winner.responseId, rationale: 'Highest score;\nevery gateway passed.' });
    expect((await w.api('GET', `/v1/procurements/${w.procurementId}`)).json().status).toBe('decided');

    // Recorded once: the page now shows it, and a second attempt is refused on the page.
    expect(readPage((await get(w.agent, w.decision)).text).text).toContain('The decision is recorded and cannot be changed.');
    const again = await post(w.agent, w.decision, { _csrf: csrf, step: 'confirm', choice: 'no_award', rationale: 'Changed our minds.' });
    expect(again.status).toBe(409);
    expect(readPage(again.text).errorSummary()).toEqual([{ href: '#choice', text: 'A decision is already recorded for this procurement, and it cannot be changed.' }]);
    expect((await w.api('GET', `/v1/procurements/${w.procurementId}/results`)).json().decision.outcome).toBe('award');
  });

  it('while the procurement is open the decision cannot be recorded: the page says why, and the use case refuses', async () => {
    const w = await world(ctx, { open: true });
    expect(readPage((await get(w.agent, w.results)).text).link('Record the decision')).toBeUndefined();
    const page = await get(w.agent, w.decision);
    expect(readPage(page.text).text).toContain('The procurement is open: the decision is recorded while it is being evaluated.');
    const csrf = csrfFrom((await get(w.agent, '/sign-out')).text);
    const refused = await post(w.agent, w.decision, { _csrf: csrf, step: 'confirm', choice: 'no_award', rationale: 'Not now.' });
    expect(refused.status).toBe(409);
    expect(readPage(refused.text).errorSummary()[0]?.text).toBe('The decision can be recorded only while the procurement is being evaluated. It is open.');
    expect((await w.api('GET', `/v1/procurements/${w.procurementId}/results`)).json().decision).toBeNull();
  });

  it('without the CSRF token nothing is recorded (403); viewers read results only; evaluators neither', async () => {
    const w = await world(ctx);
    const noToken = await post(w.agent, w.decision, { step: 'confirm', choice: 'no_award', rationale: 'No.' });
    expect(noToken.status).toBe(403);
    expect(readPage(noToken.text).h1).toEqual(['This page has expired']);
    expect((await w.api('GET', `/v1/procurements/${w.procurementId}/results`)).json().decision).toBeNull();

    const viewer = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'viewer' })).id });
    const seen = await get(viewer, w.results);
    expect(seen.status).toBe(200);
    expect(readPage(seen.text).link('Record the decision')).toBeUndefined();
    expect((await get(viewer, w.decision)).status).toBe(403);
    const csrf = csrfFrom((await get(viewer, '/sign-out')).text);
    expect((await post(viewer, w.decision, { _csrf: csrf, step: 'confirm', choice: 'no_award', rationale: 'No.' })).status).toBe(403);
    expect((await w.api('GET', `/v1/procurements/${w.procurementId}/results`)).json().decision).toBeNull();

    const evaluator = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, w.org, { role: 'evaluator' })).id });
    expect((await get(evaluator, w.results)).status).toBe(403);
    expect((await get(evaluator, w.decision)).status).toBe(403);
  });

  it('another council’s procurement is not found on the results and decision pages', async () => {
    const w = await world(ctx);
    const other = await seedOrganisation(ctx);
    const theirs = await submittedResponses(ctx, other, ['Gamma Ltd']);
    const csrf = csrfFrom((await get(w.agent, '/sign-out')).text);
    for (const id of [theirs.procurementId, 'not-an-id']) {
      for (const url of [`/procurements/${id}/results`, `/procurements/${id}/decision`]) {
        const res = await get(w.agent, url);
        expect(res.status, url).toBe(404);
        expect(readPage(res.text).h1).toEqual(['Page not found']);
      }
      expect((await post(w.agent, `/procurements/${id}/decision`, { _csrf: csrf, step: 'confirm', choice: 'no_award', rationale: 'No.' })).status).toBe(404);
    }
    const theirResults = await ctx.app.inject({ method: 'GET', url: `/v1/procurements/${theirs.procurementId}/results`, headers: bearer(other.admin.token) });
    expect(theirResults.json().decision).toBeNull();
  });
});
