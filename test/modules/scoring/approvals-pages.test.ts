import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app';
import { seedOrganisation, seedUser } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { readSignOffForm } from '../../../src/modules/scoring/approvals.pages.models';
import { evaluatingWorld } from './evaluating-world';

/**
 * The console's sign-off page over HTTP with signed-in agents: each person is offered only the
 * roles they may sign in, the form works without JavaScript (a post, then a redirect to the page
 * with a banner), and the recorded sign-offs are listed. Another council's procurement is not found.
 */

const radios = (page: ReturnType<typeof readPage>) => [...page.document.querySelectorAll('input[type="radio"][name="role"]')].map((r) => r.getAttribute('value'));

describe('the console’s sign-off page', () => {
  // supertest's jar sends no Secure cookie over http, and the flash after signing is one.
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('offers each person only their own roles, records a sign-off without JavaScript, and lists it', async () => {
    const w = await evaluatingWorld(ctx);
    const url = `/procurements/${w.procurementId}/sign-off`;

    // An evaluator who has declared: the evaluator role only; reached from "My evaluations".
    const evaluator = await signedInAgent({ app: ctx.app, userId: w.e1.id });
    const panels = readPage((await evaluator.get('/evaluations')).text);
    expect(panels.link(/^Sign off/)?.getAttribute('href')).toBe(url);
    const form = await evaluator.get(url);
    expect(form.status).toBe(200);
    const page = readPage(form.text);
    expect(page.h1).toEqual(['Sign off the evaluation']);
    expect(radios(page)).toEqual(['evaluator']);
    expect(page.text).toContain('Nobody has signed off this evaluation yet.');
    expect(page.button('Record my approval')).toBeDefined();
    expect(page.byLabel('Comment (optional)')?.tagName).toBe('TEXTAREA');

    // Without the CSRF token: refused, nothing recorded.
    expect((await evaluator.post(url).type('form').send({ role: 'evaluator' })).status).toBe(403);
    // A role not offered: the error summary, and the form again.
    const wrong = await evaluator.post(url).type('form').send({ _csrf: csrfFrom(form.text), role: 'approver', comment: 'Kept.' });
    expect(wrong.status).toBe(400);
    const wrongPage = readPage(wrong.text);
    expect(wrongPage.errorSummary()).toEqual([{ href: '#role', text: 'Select the role you are signing off in' }]);
    expect(wrongPage.byLabel('Comment (optional)')?.textContent?.trim()).toBe('Kept.');
    expect(wrongPage.title.startsWith('Error: ')).toBe(true);

    const posted = await evaluator.post(url).type('form').send({ _csrf: csrfFrom(form.text), role: 'evaluator', comment: 'My marks stand.' });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe(url);
    const after = readPage((await evaluator.get(url)).text);
    expect(after.text).toContain('Your approval as evaluator has been recorded.');
    expect(after.summary()).toEqual([{ key: 'Evaluator', value: expect.stringMatching(/^Eve One, \d{1,2} \w+ \d{4}, \d\d:\d\d \(UK time\): “My marks stand\.”$/) }]);
    const listed = (await w.call('GET', `/v1/procurements/${w.procurementId}/approvals`, w.org.admin.token)).json().items;
    expect(listed).toMatchObject([{ role: 'evaluator', userId: w.e1.id, comment: 'My marks stand.' }]);

    // An admin: the three council roles, not the panel's; linked from the results and reports pages.
    const admin = await signedInAgent({ app: ctx.app, userId: w.org.admin.id });
    expect(readPage((await admin.get(`/procurements/${w.procurementId}/results`)).text).link('Sign off the evaluation')?.getAttribute('href')).toBe(url);
    expect(readPage((await admin.get(`/procurements/${w.procurementId}/reports`)).text).link('Sign off the evaluation')?.getAttribute('href')).toBe(url);
    const adminPage = readPage((await admin.get(url)).text);
    expect(radios(adminPage)).toEqual(['data_protection_officer', 'equality_lead', 'approver']);

    // The moderator (an officer) before declaring: the council roles only; after, the moderator's too.
    const moderator = await signedInAgent({ app: ctx.app, userId: w.moderator.id });
    expect(radios(readPage((await moderator.get(url)).text))).toEqual(['data_protection_officer', 'equality_lead', 'approver']);
    expect((await w.declare()).statusCode).toBe(201);
    expect(radios(readPage((await moderator.get(url)).text))).toEqual(['moderator', 'data_protection_officer', 'equality_lead', 'approver']);

    // A viewer reads the sign-offs and is offered no form.
    const viewerUser = await seedUser(ctx, w.org, { role: 'viewer' });
    const viewer = readPage((await (await signedInAgent({ app: ctx.app, userId: viewerUser.id })).get(url)).text);
    expect(viewer.text).toContain('Eve One');
    expect(viewer.button('Record my approval')).toBeUndefined();
    expect(viewer.text).toContain('You cannot sign off this evaluation');
  });

  it('is not found for another council, and refused to an evaluator who is not on the panel', async () => {
    const w = await evaluatingWorld(ctx);
    const url = `/procurements/${w.procurementId}/sign-off`;
    const other = await seedOrganisation(ctx);
    const foreign = await signedInAgent({ app: ctx.app, userId: other.admin.id });
    expect((await foreign.get(url)).status).toBe(404);
    const csrf = csrfFrom((await foreign.get('/sign-out')).text);
    expect((await foreign.post(url).type('form').send({ _csrf: csrf, role: 'approver' })).status).toBe(404);
    expect((await foreign.get('/procurements/not-an-id/sign-off')).status).toBe(404);

    const outsider = await seedUser(ctx, w.org, { role: 'evaluator' });
    const res = await (await signedInAgent({ app: ctx.app, userId: outsider.id })).get(url);
    expect(res.status).toBe(403);
    expect(readPage(res.text).h1).toEqual(['You are not on this procurement’s panel']);
    expect((await w.call('GET', `/v1/procurements/${w.procurementId}/approvals`, w.org.admin.token)).json().items).toEqual([]);
  });
});

describe('reading the sign-off form', () => {
  it.each([
    { name: 'a role offered, comment trimmed', body: { role: 'approver', comment: '  Fine.  ' }, errors: [], input: { role: 'approver', comment: 'Fine.' } },
    { name: 'an empty comment is no comment', body: { role: 'approver', comment: '   ' }, errors: [], input: { role: 'approver', comment: undefined } },
    { name: 'no role', body: { comment: 'x' }, errors: ['#role'], input: null },
    { name: 'a role not offered', body: { role: 'evaluator' }, errors: ['#role'], input: null },
    { name: 'a comment over 2,000 characters', body: { role: 'approver', comment: 'x'.repeat(2001) }, errors: ['#comment'], input: null },
    { name: 'a NUL in the comment', body: { role: 'approver', comment: 'a\u0000b' }, errors: ['#comment'], input: null },
  ])('$name', ({ body, errors, input }) => {
    const read = readSignOffForm({ body, roles: ['approver', 'equality_lead'] });
    expect(read.errors.map((e) => e.href)).toEqual(errors);
    expect(read.input).toEqual(input);
  });
});
