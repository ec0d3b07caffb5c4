import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filenameWithKind } from '../../../src/modules/responses/evidence.models';
import { bearer, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { multipart } from '../../helpers/multipart';
import { readPage, webAgent } from '../../helpers/web';
import { evidenceDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const fixture = (name: string) => readFile(path.resolve(import.meta.dirname, '../../fixtures/evidence', name));

async function signedIn(ctx: TestContext) {
  const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
  const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage, title: 'Council tax chatbot' });
  const invitation = await seedInvitation(ctx, org, procurementId, { supplierName: 'Acme AI Ltd' });
  const web = webAgent(ctx.app);
  await web.get(`/respond/${invitation.token}`);
  return { invitation, web };
}

const successBanner = (page: ReturnType<typeof readPage>) => [...page.document.querySelectorAll('.govuk-notification-banner--success')].map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());

describe('a file’s name as the pages and the receipt show it', () => {
  it.each([
    ['a text file named as a PDF says what it really is', 'notes.pdf', 'text/plain', 'notes.pdf (a plain text file)'],
    ['a file without an extension says what it is', 'notes', 'text/plain', 'notes (a plain text file)'],
    ['a PDF named as a PDF is shown by its name', 'dpia.PDF', 'application/pdf', 'dpia.PDF'],
    ['a JPEG may be .jpg or .jpeg', 'photo.jpeg', 'image/jpeg', 'photo.jpeg'],
    ['a Word document named as a spreadsheet says so', 'register.xlsx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'register.xlsx (a Word document)'],
  ])('%s', (_, filename, contentType, shown) => {
    expect(filenameWithKind({ filename, contentType })).toBe(shown);
  });
});

describe('the evidence page, signing out and progress, over HTTP', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const EVIDENCE = '/respond/sections/b/evidence/b.hours';

  it('confirms an upload and a removal once, gives sizes in bytes, says what a misnamed file really is, and continues to the question', async () => {
    const { web } = await signedIn(ctx);
    let page = readPage((await web.get(EVIDENCE)).body);
    // The file input is named by its question, as every other question's field is.
    const input = page.byLabel('Upload a file for Incident notification hours?');
    expect(input?.getAttribute('type')).toBe('file');
    expect(successBanner(page)).toEqual([]);
    const csrf = page.formValues(input)._csrf as string;

    // Six bytes of text in a file named as a PDF.
    const uploaded = await web.upload(EVIDENCE, { _csrf: csrf, questionKey: 'b.hours' }, [{ filename: 'notes.pdf', bytes: Buffer.from('hello\n') }]);
    expect([uploaded.statusCode, uploaded.headers.location]).toEqual([303, EVIDENCE]);
    page = readPage((await web.get(EVIDENCE)).body);
    expect(successBanner(page)).toEqual(['Success notes.pdf has been uploaded']);
    expect(page.summary()).toEqual([{ key: 'notes.pdf (a plain text file)', value: '6 bytes' }]);
    // A file whose name says what it is is shown by its name alone.
    const policy = await fixture('policy.docx');
    ctx.clock.advance(1000);
    await web.upload(EVIDENCE, { _csrf: csrf, questionKey: 'b.hours' }, [{ filename: 'policy.docx', bytes: policy }]);
    page = readPage((await web.get(EVIDENCE)).body);
    expect(successBanner(page)).toEqual(['Success policy.docx has been uploaded']);
    expect(page.summary()).toEqual([
      { key: 'notes.pdf (a plain text file)', value: '6 bytes' },
      { key: 'policy.docx', value: `${policy.length} bytes` },
    ]);
    // Shown once: reading the page again has no banner.
    page = readPage((await web.get(EVIDENCE)).body);
    expect(successBanner(page)).toEqual([]);

    // Continue goes back to the question on its section's page.
    const cont = page.link('Continue');
    expect(cont?.getAttribute('role')).toBe('button');
    expect(cont?.getAttribute('href')).toBe('/respond/sections/b#question-b.hours');

    // Removing a file says so, and the file is gone.
    const remove = page.button('Remove notes.pdf')!;
    const removed = await web.post(remove.closest('form')!.getAttribute('action')!, page.formValues(remove));
    expect([removed.statusCode, removed.headers.location]).toEqual([303, EVIDENCE]);
    page = readPage((await web.get(EVIDENCE)).body);
    expect(successBanner(page)).toEqual(['Success notes.pdf has been removed']);
    expect(page.summary().map((row) => row.key)).toEqual(['policy.docx']);

    // A failed upload shows its error, not a stale success.
    page = readPage((await web.upload(EVIDENCE, { _csrf: csrf, questionKey: 'b.hours' }, [{ filename: 'program.exe', bytes: await fixture('program.exe') }])).body);
    expect(successBanner(page)).toEqual([]);
    expect(page.errorSummary()).toHaveLength(1);
  });

  it('signs out only with the session’s CSRF token, after asking, and then says how to come back', async () => {
    const { web } = await signedIn(ctx);
    // Every page of a session offers it in the header's navigation.
    for (const url of ['/respond', '/respond/sections/a', EVIDENCE, '/respond/check']) {
      const page = readPage((await web.get(url)).body);
      expect(page.document.querySelector('.govuk-service-navigation nav a')?.getAttribute('href'), url).toBe('/respond/sign-out');
      expect(page.link('Sign out')?.getAttribute('href'), url).toBe('/respond/sign-out');
    }

    const confirm = readPage((await web.get('/respond/sign-out')).body);
    expect(confirm.h1).toEqual(['Are you sure you want to sign out?']);
    expect(confirm.link('Sign out')?.getAttribute('aria-current')).toBe('page');
    const form = confirm.formValues(confirm.button('Sign out'));

    // Without the token (or with another): refused, and the session carries on.
    for (const forged of [{}, { _csrf: 'x'.repeat(String(form._csrf).length) }] as Array<Record<string, string>>) {
      const refused = await web.post('/respond/sign-out', forged);
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['set-cookie']).toBeUndefined();
      expect((await web.get('/respond')).statusCode).toBe(200);
    }

    const signedOut = await web.post('/respond/sign-out', form);
    expect([signedOut.statusCode, signedOut.headers.location]).toEqual([303, '/respond/signed-out']);
    expect(String(signedOut.headers['set-cookie'])).toMatch(/^aidd_session=;/);
    const page = readPage((await web.get('/respond/signed-out')).body);
    expect(page.h1).toEqual(['You have signed out']);
    expect(page.text).toContain('The answers you saved before you signed out are kept.');
    expect(page.text).toContain('open the link in your invitation email again');
    expect(page.link('Sign out')).toBeUndefined();

    // The session is over: the next page asks for the link again.
    const next = await web.get('/respond');
    expect(next.statusCode).toBe(401);
    expect(readPage(next.body).h1).toEqual(['Open your invitation link again']);
    expect(readPage(next.body).link('Sign out')).toBeUndefined();
  });

  it('counts required answers and mandatory files per section and overall as they are done', async () => {
    const { invitation, web } = await signedIn(ctx);
    const put = async (key: string, value: unknown) => expect((await ctx.app.inject({ method: 'PUT', url: `/v1/supplier/response/answers/${key}`, headers: bearer(invitation.token), payload: { value } })).statusCode).toBe(200);
    const upload = async (questionKey: string, name: string) => {
      const body = multipart({ fields: { questionKey }, files: [{ filename: name, bytes: await fixture(name) }] });
      expect((await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(invitation.token), ...body.headers }, payload: body.payload })).statusCode).toBe(201);
    };
    const progress = async () => {
      const text = readPage((await web.get('/respond')).body).text;
      return [/Required answers and files: (\d+ of \d+ done)/, /Section A (\d+ of \d+ done)/, /Section B (\d+ of \d+ done)/].map((re) => re.exec(text)?.[1]);
    };

    // Section A: a required choice. Section B: a required number that needs a file, and a required file.
    expect(await progress()).toEqual(['0 of 4 done', '0 of 1 done', '0 of 3 done']);
    await put('a.training', 'opt_in'); // reveals a required follow-up
    expect(await progress()).toEqual(['1 of 5 done', '1 of 2 done', '0 of 3 done']);
    await put('a.training', 'never'); // and hides it again
    expect(await progress()).toEqual(['1 of 4 done', '1 of 1 done', '0 of 3 done']);
    await put('b.hours', 12);
    expect(await progress()).toEqual(['2 of 4 done', '1 of 1 done', '1 of 3 done']);
    await upload('b.hours', 'dpia.pdf');
    expect(await progress()).toEqual(['3 of 4 done', '1 of 1 done', '2 of 3 done']);
    await upload('b.policy', 'policy.docx');
    expect(await progress()).toEqual(['4 of 4 done', '1 of 1 done', '3 of 3 done']);
  });
});
