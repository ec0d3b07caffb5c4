import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { BUILT_IN_TRIAGE } from '../../helpers/built-in-triage';
import { seedInvitation, seedOrganisation, seedPublishedQuestionnaire, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { smallDefinition } from '../questionnaires/fixtures';

/**
 * The officer console's procurement pages over HTTP, as a browser without JavaScript uses them:
 * supertest's agent holds a signed-in staff session; every form is posted as the page rendered it.
 * What the pages did is checked through the API, which reads the same use cases.
 */

type Agent = Awaited<ReturnType<typeof signedInAgent>>;
type Form = Record<string, string | string[]>;

const get = (agent: Agent, url: string) => agent.get(url).redirects(0);
const post = (agent: Agent, url: string, form: Form) => agent.post(url).type('form').send(form).redirects(0);

const api = async (ctx: TestContext, org: SeededOrganisation, url: string) => {
  const res = await ctx.app.inject({ method: 'GET', url, headers: bearer(org.admin.token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const procurementOf = (ctx: TestContext, org: SeededOrganisation, id: string) => api(ctx, org, `/v1/procurements/${id}`);
const auditActions = async (ctx: TestContext, org: SeededOrganisation, id: string) =>
  ((await api(ctx, org, `/v1/audit-events?subjectId=${id}&order=asc&limit=100`)).items as { action: string; details: Record<string, unknown> }[]);

/** The built-in bank at the version a test means: 1.0.0 and 1.1.0 are both offered. */
const builtInId = async (ctx: TestContext, org: SeededOrganisation, version: '1.0.0' | '1.1.0') =>
  ((await api(ctx, org, '/v1/questionnaires?builtIn=true')).items as Array<{ id: string; version: string }>).find((q) => q.version === version)!.id;

/** Example Borough Council with an officer signed in to the console. */
async function council(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
  const agent = await signedInAgent({ app: ctx.app, userId: officer.id });
  return { org, officer, agent };
}

/** A draft made through the API on the small test questionnaire (triage answered unless told). */
async function draft(ctx: TestContext, org: SeededOrganisation, { triage = { 'triage.personal_data': 'yes', 'triage.people': 5000 }, title = 'Council tax chatbot' }: { triage?: Record<string, unknown>; title?: string } = {}) {
  const questionnaireId = await seedPublishedQuestionnaire(ctx, org, smallDefinition() as Record<string, unknown>);
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/procurements', headers: bearer(org.admin.token), payload: { title, questionnaireId, deadline: '2026-12-10T17:00:00.000Z', triage } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; version: number };
}

/** The values a browser would post from the page's form that holds `button` (the first form when not given). */
function formOf(html: string, button?: string): Form {
  const page = readPage(html);
  const within = button ? page.button(button) : undefined;
  if (button && !within) throw new Error(`no button "${button}" on the page`);
  return page.formValues(within);
}

describe('the console’s procurement pages', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('lets an officer create a procurement, fill its triage, weights and panel, open it and close it, without JavaScript', async () => {
    const { org, officer, agent } = await council(ctx);
    const evaluator = await seedUser(ctx, org, { role: 'evaluator', name: 'Eve Evaluator' });
    const moderator = await seedUser(ctx, org, { role: 'officer', name: 'Mo Moderator' });
    const builtIn = await builtInId(ctx, org, '1.1.0');

    // An empty list says what to do next.
    const empty = readPage((await get(agent, '/procurements')).text);
    expect(empty.h1).toEqual(['Procurements']);
    expect(empty.text).toContain('There are no procurements yet');
    expect(empty.link('Create a procurement')?.getAttribute('href')).toBe('/procurements/new');

    // Create: both built-in versions are offered as published ones, the newest chosen to start with.
    const newPage = await get(agent, '/procurements/new');
    expect(newPage.status).toBe(200);
    const form = readPage(newPage.text);
    expect(form.text).toContain('Responsible AI: supplier due diligence for councils (version 1.0.0)');
    expect(form.text).toContain('Responsible AI: supplier due diligence for councils (version 1.1.0)');
    expect(form.document.querySelector('input[name="questionnaireId"][checked]')?.getAttribute('value')).toBe(builtIn);
    expect(form.text).toContain('UK time');
    const created = await post(agent, '/procurements/new', {
      ...formOf(newPage.text),
      questionnaireId: builtIn,
      title: 'AI triage of adult social care referrals',
      reference: 'ASC-2027-014',
      description: 'Sorting referrals by urgency.',
      'deadline-day': '10',
      'deadline-month': '12',
      'deadline-year': '2026',
      'deadline-time': '17:00',
    });
    expect(created.status, created.text.slice(0, 500)).toBe(303);
    const base = created.headers.location as string;
    const id = base.split('/').pop()!;
    expect(base).toBe(`/procurements/${id}`);
    expect(await procurementOf(ctx, org, id)).toMatchObject({ status: 'draft', title: 'AI triage of adult social care referrals', reference: 'ASC-2027-014', deadline: '2026-12-10T17:00:00.000Z' });

    const summary = readPage((await get(agent, base)).text);
    expect(summary.text).toContain('Procurement created as a draft');
    expect(summary.summary()).toContainEqual({ key: 'Deadline (UK time)', value: '17:00 on 10 December 2026' });
    expect(summary.link('Describe the use case')?.getAttribute('href')).toBe(`${base}/triage`);
    // The banner is shown once.
    expect(readPage((await get(agent, base)).text).text).not.toContain('Procurement created as a draft');

    // Triage: the built-in questions as radios, checkboxes and a number.
    const triagePage = await get(agent, `${base}/triage`);
    const triage = readPage(triagePage.text);
    expect(triage.h1).toEqual(['Describe the use case']);
    expect(triage.document.querySelectorAll('input[type="checkbox"][name="triage.data_categories"]').length).toBe(6);
    expect(triage.document.querySelectorAll('input[type="radio"][name="triage.decision_role"]').length).toBe(4);
    const triageSaved = await post(agent, `${base}/triage`, { ...formOf(triagePage.text), ...Object.fromEntries(Object.entries(BUILT_IN_TRIAGE).map(([k, v]) => [k, typeof v === 'number' ? '20,000' : v])) });
    expect(triageSaved.status, triageSaved.text.slice(0, 500)).toBe(303);
    expect(triageSaved.headers.location).toBe(`${base}/triage`);
    const afterTriage = readPage((await get(agent, `${base}/triage`)).text);
    expect(afterTriage.text).toContain('Triage answers saved. The risk tier is now medium');
    expect(afterTriage.text).toContain('Risk tier: Medium');
    // The reason names the triage answers that set the tier, not every trigger of the tier.
    expect(afterTriage.text).toContain('Set by the triage answers: “Which kinds of data will the product handle?” includes');
    const afterTriageApi = await procurementOf(ctx, org, id);
    expect(afterTriageApi).toMatchObject({ riskTier: 'medium', triage: { ...BUILT_IN_TRIAGE, 'triage.people_affected': 20000 } });
    // What was saved is what the form shows again.
    expect(afterTriage.document.querySelector('input[name="triage.public_facing"][value="yes"]')?.hasAttribute('checked')).toBe(true);

    // Weights: the medium tier's defaults, moved around and still adding up to 100.
    const weightsPage = await get(agent, `${base}/weights`);
    const weightsForm = formOf(weightsPage.text, 'Save weights');
    expect(weightsForm['weight-purpose']).toBe(String(afterTriageApi.weights.purpose));
    const moved = { ...weightsForm, 'weight-purpose': String(afterTriageApi.weights.purpose + 2), 'weight-environment': String(afterTriageApi.weights.environment - 2), action: 'save' };
    const weightsSaved = await post(agent, `${base}/weights`, moved);
    expect(weightsSaved.status, weightsSaved.text.slice(0, 500)).toBe(303);
    const afterWeights = await procurementOf(ctx, org, id);
    expect(afterWeights.weights.purpose).toBe(afterTriageApi.weights.purpose + 2);
    expect(afterWeights.weights.environment).toBe(afterTriageApi.weights.environment - 2);

    // Panel: the council's active users, by name.
    const panelPage = await get(agent, `${base}/panel`);
    const panel = readPage(panelPage.text);
    expect(panel.text).toContain('Eve Evaluator');
    const panelSaved = await post(agent, `${base}/panel`, { ...formOf(panelPage.text), evaluatorIds: [evaluator.id, officer.id], moderatorId: moderator.id });
    expect(panelSaved.status, panelSaved.text.slice(0, 500)).toBe(303);
    expect(await procurementOf(ctx, org, id)).toMatchObject({ evaluatorIds: [evaluator.id, officer.id], moderatorId: moderator.id });
    const withPanel = readPage((await get(agent, base)).text);
    expect(withPanel.summary()).toContainEqual({ key: 'Evaluators', value: 'Eve Evaluator, Olu Officer' });

    // A supplier invited while a draft shows in the counts.
    await seedInvitation(ctx, org, id, { supplierName: 'Acme AI Ltd' });

    // Open, through its confirmation page.
    const openPage = await get(agent, `${base}/open`);
    expect(openPage.status).toBe(200);
    expect(readPage(openPage.text).text).toContain('The supplier invited while this was a draft has not been emailed');
    const opened = await post(agent, `${base}/open`, formOf(openPage.text, 'Open to suppliers'));
    expect(opened.status, opened.text.slice(0, 500)).toBe(303);
    expect(opened.headers.location).toBe(base);
    expect((await procurementOf(ctx, org, id)).status).toBe('open');
    const openSummary = readPage((await get(agent, base)).text);
    expect(openSummary.text).toContain('Procurement opened');
    // Once open, the draft's forms are no longer offered.
    expect(openSummary.link('Describe the use case')).toBeUndefined();
    expect((await get(agent, `${base}/triage`)).headers.location).toBe(base);

    // Close, early.
    const closePage = await get(agent, `${base}/close`);
    const closed = await post(agent, `${base}/close`, formOf(closePage.text, 'Close to answers'));
    expect(closed.status).toBe(303);
    expect((await procurementOf(ctx, org, id)).status).toBe('closed');

    const list = readPage((await get(agent, '/procurements')).text);
    const row = list.link('AI triage of adult social care referrals')?.closest('tr');
    expect(row?.textContent?.replace(/\s+/g, ' ')).toContain('Closed');
    expect(row?.textContent?.replace(/\s+/g, ' ')).toContain('Suppliers: 1 invited, 0 submitted');
    expect(row?.textContent?.replace(/\s+/g, ' ')).toContain('Reference: ASC-2027-014');
    expect((await auditActions(ctx, org, id)).map((e) => e.action)).toEqual(['procurement.created', 'procurement.updated', 'procurement.updated', 'procurement.updated', 'procurement.open', 'procurement.closed']);
  }, 120_000);

  it.each([
    ['no title', { title: '' }, '#title', 'Enter a title'],
    ['a date that does not exist', { 'deadline-day': '31', 'deadline-month': '2', 'deadline-year': '2027' }, '#deadline-day', 'The date of the deadline must be a real date, like 31 3 2027'],
    ['a date without a month', { 'deadline-month': '' }, '#deadline-month', 'The date of the deadline must include a month'],
    ['a time that is not one', { 'deadline-time': '25:00' }, '#deadline-time', 'Enter the time of the deadline on the 24-hour clock, like 17:00'],
    ['a deadline in the past', { 'deadline-day': '1', 'deadline-month': '11', 'deadline-year': '2026' }, '#deadline-day', 'The deadline must be in the future'],
    ['no questionnaire', { questionnaireId: '' }, '#questionnaireId', 'Select a questionnaire'],
  ])('refuses to create a procurement with %s, saying so by the field and saving nothing', async (_name, change, href, message) => {
    const { org, agent } = await council(ctx);
    const newPage = await get(agent, '/procurements/new');
    const res = await post(agent, '/procurements/new', {
      ...formOf(newPage.text),
      questionnaireId: await builtInId(ctx, org, '1.1.0'),
      title: 'Chatbot',
      'deadline-day': '10',
      'deadline-month': '12',
      'deadline-year': '2026',
      'deadline-time': '17:00',
      ...change,
    });
    expect(res.status).toBe(400);
    const page = readPage(res.text);
    expect(page.title).toMatch(/^Error: /);
    expect(page.errorSummary()).toEqual([{ href, text: message }]);
    expect(page.inlineErrors()).toContain(`Error: ${message}`);
    // What was typed is kept.
    expect(page.byLabel('Title')?.getAttribute('value')).toBe('title' in change ? '' : 'Chatbot');
    expect((await api(ctx, org, '/v1/procurements')).items).toEqual([]);
  });

  it('refuses weights that do not add up to 100, or are not numbers, and keeps the saved ones', async () => {
    const { org, agent } = await council(ctx);
    const { id, version } = await draft(ctx, org);
    const page = await get(agent, `/procurements/${id}/weights`);
    const notHundred = await post(agent, `/procurements/${id}/weights`, { ...formOf(page.text, 'Save weights'), 'weight-a': '55', action: 'save' });
    expect(notHundred.status).toBe(400);
    const shown = readPage(notHundred.text);
    expect(shown.errorSummary()).toEqual([{ href: '#weight-a', text: 'The weights must add up to 100: they add up to 95' }]);
    expect(shown.byLabel('Section A')?.getAttribute('value')).toBe('55');
    expect(shown.text).toContain('Total of the weights shown: 95');

    const notNumber = await post(agent, `/procurements/${id}/weights`, { ...formOf(page.text, 'Save weights'), 'weight-b': 'forty', action: 'save' });
    expect(notNumber.status).toBe(400);
    expect(readPage(notNumber.text).errorSummary()).toEqual([{ href: '#weight-b', text: 'The weight for Section B must be a number, like 10' }]);
    const tooBig = await post(agent, `/procurements/${id}/weights`, { ...formOf(page.text, 'Save weights'), 'weight-b': '140', 'weight-a': '-40', action: 'save' });
    expect(readPage(tooBig.text).errorSummary().map((e) => e.text)).toEqual(['The weight for Section A must be between 0 and 100', 'The weight for Section B must be between 0 and 100']);

    const saved = await procurementOf(ctx, org, id);
    expect(saved).toMatchObject({ version, weights: { a: 60, b: 40 } });

    // The defaults button puts the tier's defaults back.
    await post(agent, `/procurements/${id}/weights`, { ...formOf(page.text, 'Save weights'), 'weight-a': '70', 'weight-b': '30', action: 'save' });
    expect((await procurementOf(ctx, org, id)).weights).toEqual({ a: 70, b: 30 });
    const again = await get(agent, `/procurements/${id}/weights`);
    const reset = await post(agent, `/procurements/${id}/weights`, { ...formOf(again.text, 'Save weights'), action: 'defaults' });
    expect(reset.status).toBe(303);
    expect((await procurementOf(ctx, org, id)).weights).toEqual({ a: 60, b: 40 });
  }, 60_000);

  it('changes a draft’s details, keeping the triage answers another questionnaire also asks for', async () => {
    const { org, agent } = await council(ctx);
    const { id } = await draft(ctx, org);
    await ctx.app.inject({ method: 'PATCH', url: `/v1/procurements/${id}`, headers: bearer(org.admin.token), payload: { weights: { a: 70, b: 30 } } });
    const page = await get(agent, `/procurements/${id}/details`);
    const shown = readPage(page.text);
    expect(shown.byLabel('Title')?.getAttribute('value')).toBe('Council tax chatbot');
    expect(shown.byLabel('Day')?.getAttribute('value')).toBe('10');
    expect(shown.byLabel('Time (UK time)')?.getAttribute('value')).toBe('17:00');

    // Nothing changed: nothing saved, no banner.
    const unchanged = await post(agent, `/procurements/${id}/details`, formOf(page.text));
    expect(unchanged.status).toBe(303);
    expect((await auditActions(ctx, org, id)).map((e) => e.action)).toEqual(['procurement.created', 'procurement.updated']);

    // Another version of the same questionnaire asks the same triage questions; the built-in one does not.
    const another = await seedPublishedQuestionnaire(ctx, org, smallDefinition() as Record<string, unknown>);
    const moved = await post(agent, `/procurements/${id}/details`, { ...formOf(page.text), questionnaireId: another, title: 'Council tax assistant', 'deadline-month': '6', 'deadline-year': '2027' });
    expect(moved.status, moved.text.slice(0, 300)).toBe(303);
    expect(await procurementOf(ctx, org, id)).toMatchObject({
      questionnaire: { id: another },
      title: 'Council tax assistant',
      deadline: '2027-06-10T16:00:00.000Z',
      triage: { 'triage.personal_data': 'yes', 'triage.people': 5000 },
      weights: { a: 60, b: 40 },
    });
    const builtIn = await post(agent, `/procurements/${id}/details`, { ...formOf((await get(agent, `/procurements/${id}/details`)).text), questionnaireId: await builtInId(ctx, org, '1.1.0') });
    expect(builtIn.status, builtIn.text.slice(0, 300)).toBe(303);
    expect(await procurementOf(ctx, org, id)).toMatchObject({ questionnaire: { key: 'lga-responsible-ai' }, triage: {}, riskTier: 'low' });
    expect(readPage((await get(agent, `/procurements/${id}`)).text).text).toContain('Details saved.');

    // A reference another procurement has is refused by the field.
    await draft(ctx, org, { title: 'Other' }).then(({ id: other }) => ctx.app.inject({ method: 'PATCH', url: `/v1/procurements/${other}`, headers: bearer(org.admin.token), payload: { reference: 'REF-1' } }));
    const taken = await post(agent, `/procurements/${id}/details`, { ...formOf((await get(agent, `/procurements/${id}/details`)).text), reference: 'REF-1' });
    expect(taken.status).toBe(400);
    expect(readPage(taken.text).errorSummary()).toEqual([{ href: '#reference', text: 'That reference is already used by another procurement: enter a different one or leave it blank' }]);
  }, 60_000);

  it('shows the triage rules’ refusals by the question, and the tier and why once saved', async () => {
    const { org, agent } = await council(ctx);
    const { id } = await draft(ctx, org, { triage: {} });
    const page = await get(agent, `/procurements/${id}/triage`);
    const bad = await post(agent, `/procurements/${id}/triage`, { ...formOf(page.text), 'triage.personal_data': 'yes', 'triage.people': 'lots' });
    expect(bad.status).toBe(400);
    expect(readPage(bad.text).errorSummary()).toEqual([{ href: '#triage-people', text: 'Enter a number for “How many people?”, like 5000' }]);
    expect(readPage(bad.text).byLabel('How many people?')?.getAttribute('value')).toBe('lots');
    expect((await procurementOf(ctx, org, id)).triage).toEqual({});

    const good = await post(agent, `/procurements/${id}/triage`, { ...formOf(page.text), 'triage.personal_data': 'yes', 'triage.people': '12' });
    expect(good.status).toBe(303);
    const shown = readPage((await get(agent, `/procurements/${id}/triage`)).text);
    expect(shown.text).toContain('Risk tier: High');
    expect(shown.text).toContain('Set by the triage answer: “Personal data?”: Yes.');
    expect(await procurementOf(ctx, org, id)).toMatchObject({ riskTier: 'high', triage: { 'triage.personal_data': 'yes', 'triage.people': 12 } });
  });

  it('shows why a procurement cannot open yet, and cancels one only with a reason', async () => {
    const { org, agent } = await council(ctx);
    const { id } = await draft(ctx, org, { triage: { 'triage.people': 5 } });
    const page = await get(agent, `/procurements/${id}/open`);
    const refused = await post(agent, `/procurements/${id}/open`, formOf(page.text, 'Open to suppliers'));
    expect(refused.status).toBe(400);
    expect(readPage(refused.text).errorSummary()).toEqual([{ href: `/procurements/${id}/triage#triage-personal_data`, text: 'Answer the triage question “Personal data?” before opening' }]);
    expect((await procurementOf(ctx, org, id)).status).toBe('draft');

    const cancelPage = await get(agent, `/procurements/${id}/cancel`);
    const noReason = await post(agent, `/procurements/${id}/cancel`, { ...formOf(cancelPage.text, 'Cancel the procurement'), reason: '  ' });
    expect(noReason.status).toBe(400);
    expect(readPage(noReason.text).errorSummary()).toEqual([{ href: '#reason', text: 'Enter why you are cancelling the procurement' }]);
    expect((await procurementOf(ctx, org, id)).status).toBe('draft');
    const cancelled = await post(agent, `/procurements/${id}/cancel`, { ...formOf(cancelPage.text, 'Cancel the procurement'), reason: 'The service is being redesigned.' });
    expect(cancelled.status).toBe(303);
    expect((await procurementOf(ctx, org, id)).status).toBe('cancelled');
    expect((await auditActions(ctx, org, id)).at(-1)).toMatchObject({ action: 'procurement.cancelled', details: { reason: 'The service is being redesigned.' } });
    const summary = readPage((await get(agent, `/procurements/${id}`)).text);
    expect(summary.text).toContain('Procurement cancelled.');
    expect(summary.link('Cancel this procurement')).toBeUndefined();
  });

  it('opens once when “open” is sent twice or its page is gone back to', async () => {
    const { org, agent } = await council(ctx);
    const { id } = await draft(ctx, org);
    const page = await get(agent, `/procurements/${id}/open`);
    const form = formOf(page.text, 'Open to suppliers');
    const [first, second] = [await post(agent, `/procurements/${id}/open`, form), await post(agent, `/procurements/${id}/open`, form)];
    expect([first.status, first.headers.location]).toEqual([303, `/procurements/${id}`]);
    expect([second.status, second.headers.location]).toEqual([303, `/procurements/${id}`]);
    // The back button to the confirmation leads to the procurement.
    expect((await get(agent, `/procurements/${id}/open`)).headers.location).toBe(`/procurements/${id}`);
    expect((await auditActions(ctx, org, id)).filter((e) => e.action === 'procurement.open')).toHaveLength(1);
    expect((await procurementOf(ctx, org, id)).status).toBe('open');
  });

  it('refuses a change made from a page that someone else has changed since', async () => {
    const { org, agent } = await council(ctx);
    const { id } = await draft(ctx, org);
    const page = await get(agent, `/procurements/${id}/weights`);
    await ctx.app.inject({ method: 'PATCH', url: `/v1/procurements/${id}`, headers: bearer(org.admin.token), payload: { title: 'Renamed' } });
    const stale = await post(agent, `/procurements/${id}/weights`, { ...formOf(page.text, 'Save weights'), 'weight-a': '70', 'weight-b': '30', action: 'save' });
    expect(stale.status).toBe(400);
    expect(readPage(stale.text).errorSummary().map((e) => e.text)).toEqual(['Someone changed this procurement after you opened this page. Check it and make your change again.']);
    expect((await procurementOf(ctx, org, id)).weights).toEqual({ a: 60, b: 40 });
  });

  it('lets a viewer read everything and change nothing, even with a forged form', async () => {
    const { org, agent: officerAgent } = await council(ctx);
    const { id, version } = await draft(ctx, org);
    const viewer = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, org, { role: 'viewer' })).id });

    const list = readPage((await get(viewer, '/procurements')).text);
    expect(list.link('Council tax chatbot')).toBeDefined();
    expect(list.link('Create a procurement')).toBeUndefined();
    const summaryHtml = (await get(viewer, `/procurements/${id}`)).text;
    const summary = readPage(summaryHtml);
    expect(summary.h1).toEqual(['Council tax chatbot']);
    expect(summary.text).not.toContain('Change');
    expect(summary.link('Cancel this procurement')).toBeUndefined();
    expect(summary.link('Describe the use case')).toBeUndefined();

    for (const path of ['/procurements/new', `/procurements/${id}/details`, `/procurements/${id}/triage`, `/procurements/${id}/weights`, `/procurements/${id}/panel`, `/procurements/${id}/open`, `/procurements/${id}/cancel`]) {
      const res = await get(viewer, path);
      expect(res.status, path).toBe(403);
      expect(readPage(res.text).h1, path).toEqual(['You cannot change procurements']);
    }
    // The officer's form, posted with the viewer's own session and CSRF token.
    const csrf = csrfFrom((await get(viewer, '/sign-out')).text);
    const forms: [string, Form][] = [
      ['/procurements/new', { ...formOf((await get(officerAgent, '/procurements/new')).text), questionnaireId: await builtInId(ctx, org, '1.1.0'), title: 'Forged', 'deadline-day': '10', 'deadline-month': '12', 'deadline-year': '2026', 'deadline-time': '17:00' }],
      [`/procurements/${id}/details`, { ...formOf((await get(officerAgent, `/procurements/${id}/details`)).text), title: 'Forged' }],
      [`/procurements/${id}/triage`, { ...formOf((await get(officerAgent, `/procurements/${id}/triage`)).text), 'triage.personal_data': 'no' }],
      [`/procurements/${id}/weights`, { ...formOf((await get(officerAgent, `/procurements/${id}/weights`)).text, 'Save weights'), 'weight-a': '10', 'weight-b': '90', action: 'save' }],
      [`/procurements/${id}/panel`, { ...formOf((await get(officerAgent, `/procurements/${id}/panel`)).text), moderatorId: org.admin.id }],
      [`/procurements/${id}/open`, formOf((await get(officerAgent, `/procurements/${id}/open`)).text, 'Open to suppliers')],
      [`/procurements/${id}/cancel`, { ...formOf((await get(officerAgent, `/procurements/${id}/cancel`)).text, 'Cancel the procurement'), reason: 'Forged' }],
    ];
    for (const [path, form] of forms) {
      const res = await post(viewer, path, { ...form, _csrf: csrf });
      expect(res.status, path).toBe(403);
      expect(readPage(res.text).h1, path).toEqual(['You cannot change procurements']);
    }
    expect(await procurementOf(ctx, org, id)).toMatchObject({ version, status: 'draft', title: 'Council tax chatbot', moderatorId: null });
    expect((await api(ctx, org, '/v1/procurements')).items).toHaveLength(1);
  });

  it('shows the panel’s evaluators the procurements without the suppliers’ progress', async () => {
    const { org } = await council(ctx);
    const { id } = await draft(ctx, org);
    await seedInvitation(ctx, org, id);
    const evaluator = await signedInAgent({ app: ctx.app, userId: (await seedUser(ctx, org, { role: 'evaluator' })).id });
    const list = readPage((await get(evaluator, '/procurements')).text);
    expect(list.link('Council tax chatbot')).toBeDefined();
    expect(list.text).not.toContain('invited');
    const summary = readPage((await get(evaluator, `/procurements/${id}`)).text);
    expect(summary.text).not.toContain('Invite suppliers');
    expect(summary.text).not.toContain('invited');
    // An officer sees them.
    const { agent } = { agent: await signedInAgent({ app: ctx.app, userId: org.admin.id }) };
    expect(readPage((await get(agent, `/procurements/${id}`)).text).summary()).toContainEqual({ key: 'Suppliers', value: '1 invited, 0 submitted' });
  });

  it('answers another council’s procurement, an unknown one and a malformed id with the not-found page, on every address', async () => {
    const theirs = await council(ctx);
    const { id } = await draft(ctx, theirs.org);
    const { agent } = await council(ctx);
    const csrf = csrfFrom((await get(agent, '/procurements/new')).text);
    for (const target of [id, '0190a0c4-7b1e-7000-8000-000000000001', 'not-an-id']) {
      for (const page of ['', '/details', '/triage', '/weights', '/panel', '/open', '/close', '/cancel', '/start-evaluation']) {
        const res = await get(agent, `/procurements/${target}${page}`);
        expect(res.status, `GET ${page} of ${target}`).toBe(404);
        expect(readPage(res.text).h1).toEqual(['Page not found']);
      }
      for (const page of ['/details', '/triage', '/weights', '/panel', '/open', '/close', '/cancel', '/start-evaluation']) {
        const res = await post(agent, `/procurements/${target}${page}`, { _csrf: csrf, title: 'Taken over', reason: 'Taken over', action: 'save', version: '1' });
        expect(res.status, `POST ${page} of ${target}`).toBe(404);
      }
    }
    expect(await procurementOf(ctx, theirs.org, id)).toMatchObject({ title: 'Council tax chatbot', status: 'draft', version: 1 });
  });

  it('refuses every form posted without its CSRF token, and changes nothing', async () => {
    const { org, agent } = await council(ctx);
    const { id, version } = await draft(ctx, org);
    const builtIn = await builtInId(ctx, org, '1.1.0');
    const posts: [string, Form][] = [
      ['/procurements/new', { questionnaireId: builtIn, title: 'Forged', 'deadline-day': '10', 'deadline-month': '12', 'deadline-year': '2026', 'deadline-time': '17:00' }],
      [`/procurements/${id}/details`, { title: 'Forged', version: String(version) }],
      [`/procurements/${id}/triage`, { 'triage.personal_data': 'no', version: String(version) }],
      [`/procurements/${id}/weights`, { 'weight-a': '10', 'weight-b': '90', action: 'save', version: String(version) }],
      [`/procurements/${id}/panel`, { moderatorId: org.admin.id, version: String(version) }],
      [`/procurements/${id}/open`, { version: String(version) }],
      [`/procurements/${id}/cancel`, { reason: 'Forged', version: String(version) }],
    ];
    for (const [path, form] of posts) {
      for (const csrf of [undefined, 'not-the-token']) {
        const res = await post(agent, path, csrf ? { ...form, _csrf: csrf } : form);
        expect(res.status, path).toBe(403);
        expect(readPage(res.text).h1, path).toEqual(['This page has expired']);
      }
    }
    expect(await procurementOf(ctx, org, id)).toMatchObject({ version, status: 'draft', title: 'Council tax chatbot' });
    expect((await api(ctx, org, '/v1/procurements')).items).toHaveLength(1);
  });

  it('sends a visitor who is not signed in to sign in, and back afterwards', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/procurements?status=open', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/sign-in?returnTo=${encodeURIComponent('/procurements?status=open')}`);
  });

  it('pages through the list and filters it by status', async () => {
    const { org, agent } = await council(ctx);
    const questionnaireId = await seedPublishedQuestionnaire(ctx, org, smallDefinition() as Record<string, unknown>);
    for (let i = 1; i <= 27; i += 1) {
      ctx.clock.advance(1000);
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/procurements', headers: bearer(org.admin.token), payload: { title: `Procurement ${i}`, questionnaireId, deadline: '2026-12-10T17:00:00.000Z', triage: { 'triage.personal_data': 'no', 'triage.people': 1 } } });
      expect(res.statusCode).toBe(201);
      if (i === 27) await ctx.app.inject({ method: 'POST', url: `/v1/procurements/${res.json().id}/open`, headers: bearer(org.admin.token) });
    }
    const first = readPage((await get(agent, '/procurements')).text);
    expect(first.document.querySelectorAll('tbody tr').length).toBe(25);
    expect(first.link('Procurement 1')).toBeDefined();
    const next = first.link(/Next page/)?.getAttribute('href');
    expect(next).toMatch(/^\/procurements\?cursor=/);
    const second = readPage((await get(agent, next!)).text);
    expect([...second.document.querySelectorAll('tbody tr a')].map((a) => a.textContent)).toEqual(['Procurement 26', 'Procurement 27']);
    expect(second.link(/First page/)?.getAttribute('href')).toBe('/procurements');
    expect(second.link(/Next page/)).toBeUndefined();

    const open = readPage((await get(agent, '/procurements?status=open')).text);
    expect([...open.document.querySelectorAll('tbody tr a')].map((a) => a.textContent)).toEqual(['Procurement 27']);
    expect(open.document.querySelector('option[value="open"]')?.hasAttribute('selected')).toBe(true);
    const decided = readPage((await get(agent, '/procurements?status=decided')).text);
    expect(decided.text).toContain('No procurements are decided');
    expect(decided.link('Show all procurements')?.getAttribute('href')).toBe('/procurements');
    // A cursor that was tampered with shows the first page, not an error.
    const tampered = await get(agent, '/procurements?cursor=bm90LWEtY3Vyc29y');
    expect(tampered.status).toBe(200);
    expect(readPage(tampered.text).document.querySelectorAll('tbody tr').length).toBe(25);
  });
});
