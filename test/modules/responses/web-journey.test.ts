import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { readPage, webAgent } from '../../helpers/web';
import { evidenceDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const fixture = (name: string) => readFile(path.resolve(import.meta.dirname, '../../fixtures/evidence', name));

async function invited(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage, title: 'Council tax chatbot' });
  const invitation = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
  return { org, procurementId, invitation };
}

describe('the supplier web form, over HTTP with a cookie-keeping agent', () => {
  // supertest's agent sends a Secure cookie over https only; the default (Secure) is checked on its own below.
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('takes a supplier from the link to a submitted, read-only response, keeping what it typed when something is wrong', async () => {
    const { org, invitation } = await invited(ctx);
    const web = webAgent(ctx.app);

    // The link starts a session and moves the token out of the address bar.
    const opened = await web.get(`/respond/${invitation.token}`);
    expect([opened.statusCode, opened.headers.location]).toEqual([303, '/respond']);
    const cookie = String(opened.headers['set-cookie']);
    expect(cookie).toMatch(/^aidd_session=[A-Za-z0-9_-]{43}; Max-Age=86400; Path=\/respond; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toContain(invitation.token);

    let page = readPage((await web.get('/respond')).body);
    expect(page.h1).toEqual(['Your due diligence questionnaire']);
    expect(page.title).toBe('Your due diligence questionnaire – AI supplier due diligence – Example Borough Council');
    expect(page.text).toContain('Acme AI Ltd: your answers are saved each time you press a save button, and you can come back to them at any time. The questionnaire closes in 14 days, at 17:00 on 10 December 2026 (UK time).');
    expect(page.text).toMatch(/Section A 0 of 1 done Not yet started/);
    const sectionA = page.link('Section A')!.getAttribute('href')!;

    // Section A: the follow-up sits inside the choice that reveals it (GOV.UK conditional reveal).
    page = readPage((await web.get(sectionA)).body);
    expect(page.byLabel('Only with opt-in')?.getAttribute('type')).toBe('radio');
    const followUp = page.byLabel('Explain the opt-in.');
    expect(followUp?.tagName).toBe('TEXTAREA');
    expect(followUp?.closest('.govuk-radios__conditional')?.getAttribute('id')).toBe('conditional-a.training-2');
    expect(page.document.getElementById('a.training-2')?.getAttribute('data-aria-controls')).toBe('conditional-a.training-2');

    // Confidential without a reason: the error summary links to the reason, and the typed answer stays.
    let form: Record<string, string | string[]> = {
      ...page.formValues(),
      'a.training': 'opt_in',
      'a.training_detail': 'Each council opts in per dataset, in writing.',
      'a.training_detail--confidential': 'yes',
      action: 'continue',
    };
    const refused = await web.post(sectionA, form);
    expect(refused.statusCode).toBe(400);
    page = readPage(refused.body);
    expect(page.title.startsWith('Error: ')).toBe(true);
    expect(page.errorSummary()).toEqual([{ href: '#a.training_detail--reason', text: 'Enter why your answer to “Explain the opt-in.” is commercially confidential' }]);
    expect(page.inlineErrors()).toEqual(['Error: Enter why your answer to “Explain the opt-in.” is commercially confidential']);
    expect(page.byLabel('Explain the opt-in.')?.textContent?.trim()).toBe('Each council opts in per dataset, in writing.');
    expect(page.byLabel('Only with opt-in')?.hasAttribute('checked')).toBe(true);
    form = { ...page.formValues(), 'a.training_detail--reason': 'Names our process', action: 'continue' };
    let saved = await web.post(sectionA, form);
    expect(saved.statusCode).toBe(303);
    const sectionB = saved.headers.location as string;
    expect(sectionB).toBe('/respond/sections/b?saved=a');

    // Section B: a number that is not one is refused with the rules' words, and kept as typed.
    page = readPage((await web.get(sectionB)).body);
    form = { ...page.formValues(), 'b.hours': 'twelve', action: 'later' };
    const badNumber = await web.post(sectionB, form);
    page = readPage(badNumber.body);
    expect(badNumber.statusCode).toBe(400);
    expect(page.errorSummary()).toEqual([{ href: '#b.hours', text: 'Enter a number for “Incident notification hours?”, like 24' }]);
    expect(page.byLabel(/Incident notification hours\?/)?.getAttribute('value')).toBe('twelve');
    saved = await web.post(sectionB, { ...page.formValues(), 'b.hours': '12', action: 'later' });
    expect(saved.headers.location).toBe('/respond?saved=b');
    page = readPage((await web.get('/respond?saved=b')).body);
    expect(page.text).toContain('Your answers to Section B have been saved');

    // Evidence: the upload page takes a file with the page's CSRF token; the file is listed with a remove button.
    // "Save and upload a file" saves the section first, then goes to the question's evidence page.
    page = readPage((await web.get(sectionB)).body);
    expect(page.button('Save and upload a file (Incident notification hours?)')?.getAttribute('value')).toBe('evidence:b.hours');
    const toUpload = await web.post(sectionB, { ...page.formValues(), action: 'evidence:b.hours' });
    const uploadHref = toUpload.headers.location as string;
    expect(uploadHref).toBe('/respond/sections/b/evidence/b.hours');
    page = readPage((await web.get(uploadHref)).body);
    const csrf = page.formValues(page.byLabel(/^Upload a file/))._csrf as string;
    const uploaded = await web.upload(uploadHref, { _csrf: csrf, questionKey: 'b.hours' }, [{ filename: 'dpia.pdf', contentType: 'application/pdf', bytes: await fixture('dpia.pdf') }]);
    expect([uploaded.statusCode, uploaded.headers.location]).toEqual([303, uploadHref]);
    page = readPage((await web.get(uploadHref)).body);
    expect(page.summary()[0]?.key).toBe('dpia.pdf');
    expect(page.button('Remove dpia.pdf')).toBeDefined();
    page = readPage((await web.upload(uploadHref, { _csrf: csrf, questionKey: 'b.hours' }, [{ filename: 'program.exe', bytes: await fixture('program.exe') }])).body);
    expect(page.errorSummary()).toEqual([{ href: '#file', text: 'The selected file must be a PDF, DOCX, XLSX, ODT, PNG, JPEG, TXT or CSV' }]);
    const policyHref = '/respond/sections/b/evidence/b.policy';
    expect((await web.upload(policyHref, { _csrf: csrf, questionKey: 'b.policy' }, [{ filename: 'policy.docx', bytes: await fixture('policy.docx') }])).statusCode).toBe(303);

    // Check answers, then the declaration is required, then submit.
    page = readPage((await web.get('/respond/check')).body);
    expect(page.h1).toEqual(['Check your answers before submitting']);
    expect(page.summary()).toEqual(
      expect.arrayContaining([
        { key: 'Do you train on our data?', value: 'Only with opt-in' },
        { key: 'Explain the opt-in.', value: 'Each council opts in per dataset, in writing. (commercially confidential)' },
        { key: 'Incident notification hours?', value: '12. Evidence: dpia.pdf' },
      ]),
    );
    const submitForm = page.formValues(page.button('Accept and submit'));
    const noDeclaration = await web.post('/respond/submit', submitForm);
    expect(noDeclaration.statusCode).toBe(400);
    expect(readPage(noDeclaration.body).errorSummary()).toEqual([{ href: '#declaration', text: 'Confirm the declaration to submit your response' }]);
    const submitted = await web.post('/respond/submit', { ...submitForm, declaration: 'yes' });
    expect(submitted.headers.location).toBe('/respond/confirmation');
    page = readPage((await web.get('/respond/confirmation')).body);
    expect(page.h1).toEqual(['Response submitted']);
    expect(page.text).toMatch(/Your reference\s*SUB-[0-9A-F]{8}-\d{3}/);

    // Read-only from now on: the section shows the answers without a form, and a post changes nothing.
    page = readPage((await web.get(sectionB)).body);
    expect(page.text).toContain('You submitted your response on');
    expect(page.button('Save and continue')).toBeUndefined();
    expect((await web.post(sectionB, { ...form, 'b.hours': '99' })).statusCode).toBe(303);
    const view = (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invitation.token) })).json();
    expect(view.response.status).toBe('submitted');
    expect(view.answers['b.hours'].value).toBe(12);
    expect(org.admin.token).toBeTruthy();
  });

  it('refuses a form without the session’s CSRF token and a page without a session, and explains a bad link', async () => {
    const { org, invitation } = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    const sectionA = '/respond/sections/a';
    const page = readPage((await web.get(sectionA)).body);
    // A cross-site form has neither the CSRF token nor the page's sealed resume token: refused, nothing kept.
    const { _resume: resume, ...withoutResume } = page.formValues();
    const forged = await web.post(sectionA, { ...withoutResume, _csrf: 'x'.repeat(43), 'a.training': 'never' });
    expect(forged.statusCode).toBe(403);
    expect(resume).toMatch(/^v1\./);
    const unchanged = (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(invitation.token) })).json();
    expect(unchanged.answers['a.training']).toBeUndefined();

    const stranger = webAgent(ctx.app);
    const noSession = await stranger.get('/respond');
    expect(noSession.statusCode).toBe(401);
    expect(readPage(noSession.body).h1).toEqual(['Open your invitation link again']);

    const unknown = await stranger.get('/respond/aidd_inv_notarealtoken');
    expect(unknown.statusCode).toBe(404);
    expect(readPage(unknown.body).h1).toEqual(['This link does not work']);

    // Revoking the invitation ends the session at once, and the old link names the council to contact.
    await ctx.app.inject({ method: 'POST', url: `/v1/invitations/${invitation.id}/revoke`, headers: bearer(org.admin.token) });
    expect((await web.get('/respond')).statusCode).toBe(401);
    const revoked = readPage((await stranger.get(`/respond/${invitation.token}`)).body);
    expect(revoked.text).toContain('The council has replaced or withdrawn this link.');
    expect(revoked.text).toContain('contact Example Borough Council');
  });

  it('serves GOV.UK Frontend’s assets from the package and sends a nonce-based CSP with every page', async () => {
    const { invitation } = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    const res = await web.get('/respond');
    const csp = String(res.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const scripts = [...res.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
    expect((await web.get('/respond')).headers['content-security-policy']).not.toContain(nonce);
    const css = await ctx.app.inject({ method: 'GET', url: '/govuk/govuk-frontend.min.css' });
    expect([css.statusCode, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    expect((await ctx.app.inject({ method: 'GET', url: '/assets/images/favicon.ico' })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/govuk/all.bundle.js' })).statusCode).toBe(404);
    // The JSON API keeps its own stricter policy.
    expect((await ctx.app.inject({ method: 'GET', url: '/healthz' })).headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });
});

describe('the supplier web form’s session cookie with the default configuration', () => {
  const ctx = useTestApp();

  it('is Secure, HttpOnly, SameSite=Lax, scoped to /respond and lasts no longer than a day', async () => {
    const { invitation } = await invited(ctx);
    const opened = await webAgent(ctx.app).get(`/respond/${invitation.token}`);
    expect(String(opened.headers['set-cookie'])).toMatch(/^aidd_session=[A-Za-z0-9_-]{43}; Max-Age=86400; Path=\/respond; HttpOnly; Secure; SameSite=Lax$/);
  });
});
