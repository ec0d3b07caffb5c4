import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../src/modules/questionnaires';
import { bearer, useTestApp } from '../../helpers/app';
import { seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';
import { smallDefinition } from './fixtures';

/**
 * The officer console's questionnaire pages over HTTP, as a browser without JavaScript uses them:
 * a supertest agent holding a real staff session, forms posted with the page's CSRF token.
 */

type Agent = Awaited<ReturnType<typeof signedInAgent>>;

describe('the questionnaire pages of the officer console', () => {
  // The pages leave a banner for the next page in a cookie; supertest's jar sends it back only without `Secure`.
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  const api = {
    get: (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) }),
    post: (url: string, token: string, payload?: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) }),
  };

  /** The built-in bank at the version a test means: both versions are listed. */
  async function builtInId(org: SeededOrganisation, version: '1.0.0' | '1.1.0' = '1.1.0'): Promise<string> {
    const list = (await api.get('/v1/questionnaires?builtIn=true', org.admin.token)).json();
    return list.items.find((q: { key: string; version: string }) => q.key === 'lga-responsible-ai' && q.version === version).id;
  }

  async function importDraft(org: SeededOrganisation, overrides: Record<string, unknown> = {}): Promise<string> {
    // The library lists in the order made; a second apart, so that order is not left to the ids.
    ctx.clock.advance(1000);
    const response = await api.post('/v1/questionnaires', org.admin.token, { ...smallDefinition(), ...overrides });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id;
  }

  async function signedIn(org: SeededOrganisation, role: 'officer' | 'viewer' | 'evaluator' | 'admin' = 'officer'): Promise<Agent> {
    const userId = role === 'admin' ? org.admin.id : (await seedUser(ctx, org, { role })).id;
    return signedInAgent({ app: ctx.app, userId });
  }

  const open = async (agent: Agent, url: string) => {
    const res = await agent.get(url).redirects(0);
    return { status: res.status, location: res.headers.location as string | undefined, page: readPage(res.text || '<!doctype html><html><head><title></title></head><body></body></html>'), html: res.text ?? '' };
  };
  const submit = async (agent: Agent, url: string, fields: Record<string, string>) => {
    const res = await agent.post(url).type('form').send(fields).redirects(0);
    return { status: res.status, location: res.headers.location as string | undefined, page: readPage(res.text || '<!doctype html><html><head><title></title></head><body></body></html>'), html: res.text ?? '' };
  };
  const uploadFile = async (agent: Agent, fields: Record<string, string>, file?: { name: string; bytes: Buffer }) => {
    let request = agent.post('/questionnaires/import').redirects(0);
    for (const [k, v] of Object.entries(fields)) request = request.field(k, v);
    if (file) request = request.attach('file', file.bytes, { filename: file.name, contentType: 'application/json' });
    const res = await request;
    return { status: res.status, location: res.headers.location as string | undefined, page: readPage(res.text || '<!doctype html><html><head><title></title></head><body></body></html>'), html: res.text ?? '' };
  };
  /** The signed-in user's CSRF token, from a page that has a form whatever the role. */
  const csrfOf = async (agent: Agent) => csrfFrom((await open(agent, '/sign-out')).html);
  const statusOf = async (org: SeededOrganisation, id: string) => {
    const q = (await api.get(`/v1/questionnaires/${id}`, org.admin.token)).json();
    return { status: q.status as string, archived: q.archived as boolean, title: q.title as string };
  };
  const ownKeys = async (org: SeededOrganisation) => (await api.get('/v1/questionnaires?builtIn=false&includeArchived=true', org.admin.token)).json().items.map((q: { key: string; version: string }) => `${q.key}@${q.version}`);
  const cells = (page: ReturnType<typeof readPage>, selector: string) => [...(page.document.querySelectorAll(selector) as unknown as Iterable<{ textContent: string | null }>)].map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());
  const tableRows = (page: ReturnType<typeof readPage>) =>
    [...(page.document.querySelectorAll('table.govuk-table tbody tr') as unknown as Iterable<{ querySelectorAll(s: string): Iterable<{ textContent: string | null }> }>)].map((tr) =>
      [...tr.querySelectorAll('th, td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim()),
    );

  it('lists the built-in questionnaire and the council’s own, with version and status, a page at a time', async () => {
    const org = await seedOrganisation(ctx);
    const first = await importDraft(org, { version: '2.0.0', title: 'Our questionnaire 2.0.0' });
    await api.post(`/v1/questionnaires/${first}/publish`, org.admin.token);
    for (let i = 1; i < 20; i += 1) await importDraft(org, { version: `2.${i}.0`, title: `Our questionnaire 2.${i}.0` });
    const agent = await signedIn(org);

    const one = await open(agent, '/questionnaires');
    expect(one.status).toBe(200);
    expect(one.page.h1).toEqual(['Questionnaires']);
    const rows = tableRows(one.page);
    expect(rows).toHaveLength(20);
    // The built-in versions first, in the order shipped.
    expect(rows[0]).toEqual(['Responsible AI: supplier due diligence for councils Built-in. 110 questions. Last changed 1 November 2026.', '1.0.0', 'Published']);
    expect(rows[1]).toEqual(['Responsible AI: supplier due diligence for councils Built-in. 139 questions. Last changed 1 November 2026.', '1.1.0', 'Published']);
    expect(rows[2]).toEqual(['Our questionnaire 2.0.0 Your council. 3 questions. Last changed 26 November 2026.', '2.0.0', 'Published']);
    expect(rows[3]).toEqual([expect.stringMatching(/^Our questionnaire 2\.1\.0 Your council\./), '2.1.0', 'Draft']);
    expect(one.page.link('Import a questionnaire')?.getAttribute('href')).toBe('/questionnaires/import');

    const next = one.page.link(/Next page/)?.getAttribute('href');
    expect(next).toMatch(/^\/questionnaires\?cursor=/);
    const two = await open(agent, next!);
    expect(tableRows(two.page).map((r) => r[1])).toEqual(['2.18.0', '2.19.0']);
    expect(two.page.link(/Next page/)).toBeUndefined();
    expect(two.page.link(/First page/)?.getAttribute('href')).toBe('/questionnaires');

    // A cursor that was tampered with shows the first page, not an error.
    expect(tableRows((await open(agent, '/questionnaires?cursor=bm90LWEtY3Vyc29y')).page)).toHaveLength(20);
  });

  it('says what to do when the council has no questionnaires of its own', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await signedIn(org);
    const empty = await open(officer, '/questionnaires?show=own');
    expect(tableRows(empty.page)).toEqual([]);
    expect(empty.page.text).toContain('Your council has no questionnaires of its own that are not archived. Clone the built-in questionnaire to make your own version, or import a questionnaire from a JSON file.');
    const viewer = await signedIn(org, 'viewer');
    const viewersPage = await open(viewer, '/questionnaires?show=own');
    expect(viewersPage.page.text).toContain('Your council has no questionnaires of its own');
    expect(viewersPage.page.link('Import a questionnaire')).toBeUndefined();
  });

  it('shows the built-in definition in words: sections, each question’s options with their scores, and its gateways with their pass conditions', async () => {
    const org = await seedOrganisation(ctx);
    const id = await builtInId(org);
    const definition = (await api.get(`/v1/questionnaires/${id}`, org.admin.token)).json();
    const methodology = (await api.get(`/v1/questionnaires/${id}/methodology`, org.admin.token)).json();
    const agent = await signedIn(org, 'evaluator');

    const { status, page } = await open(agent, `/questionnaires/${id}`);
    expect(status).toBe(200);
    expect(page.h1).toEqual([definition.title]);
    for (const section of definition.sections) expect(page.heading(`${section.ref}. ${section.title}`), section.title).toBeDefined();

    const card = page.document.querySelector('#q-data_protection-training_on_council_data') as unknown as { querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): Iterable<unknown> } | null;
    expect(card).not.toBeNull();
    expect(card!.querySelector('h3')!.textContent!.replace(/\s+/g, ' ').trim()).toBe(`2.2 ${definition.sections[1].questions.find((q: { key: string }) => q.key === 'data_protection.training_on_council_data').text} Gateway`);
    const options = [...(card!.querySelectorAll('tbody tr') as Iterable<{ querySelectorAll(s: string): Iterable<{ textContent: string | null }> }>)].map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim()));
    expect(options).toEqual([
      ['Never', '4 (Excellent)'],
      ['Only if the council explicitly agrees in writing (opt-in)', '3 (Good)'],
      ['Yes by default, unless the council opts out', '1 (Poor)'],
      ['Yes', '0 (Unacceptable)'],
    ]);

    // Every gateway is marked, and says when it passes in the words the methodology publishes.
    expect(cells(page, '.govuk-summary-card__title .govuk-tag')).toHaveLength(methodology.gateways.length);
    expect(methodology.gateways.length).toBeGreaterThan(5);
    for (const gateway of methodology.gateways) expect(page.text).toContain(gateway.passes);
    expect(page.text).toContain(methodology.evidenceRule);
    // Sources are named, not only abbreviated.
    expect(page.summary()).toContainEqual({ key: 'PPN017', value: 'Procurement Policy Note 017, Improving transparency of AI use in procurement' });
    expect(page.summary()).toContainEqual({ key: 'PSED', value: 'Equality Act 2010, section 149: the Public Sector Equality Duty' });
    // A rubric question says what each mark needs, and the page ends with what changed in this version.
    expect(page.text).toContain('From the options chosen, by a rubric: the highest level whose options were all chosen gives the score; if none is met, 0.');
    expect(page.heading('What changed in each version')).toBeDefined();
    expect(page.link('What changed in each version')?.getAttribute('href')).toBe('#changes');
    expect(page.text).toContain('“Yes, and we describe each one below”: the panel decides, with a reason.');
    // An evaluator reads, and is offered nothing to change.
    expect(page.link('Make a copy')).toBeUndefined();
    expect(page.link('Publish')).toBeUndefined();
    expect(page.link(/Read the scoring methodology/)?.getAttribute('href')).toBe(`/questionnaires/${id}/methodology`);
  });

  it('shows the methodology the API publishes, printable without the service’s navigation', async () => {
    const org = await seedOrganisation(ctx);
    const id = await builtInId(org);
    const methodology = (await api.get(`/v1/questionnaires/${id}/methodology`, org.admin.token)).json();
    const agent = await signedIn(org, 'viewer');

    const { status, page } = await open(agent, `/questionnaires/${id}/methodology`);
    expect(status).toBe(200);
    expect(page.h1).toEqual(['Scoring methodology']);
    expect(page.title).toMatch(/^Scoring methodology: Responsible AI/);
    for (const step of methodology.scoringSteps) expect(page.text).toContain(step);
    for (const gateway of methodology.gateways) {
      expect(page.text).toContain(gateway.passes);
      expect(page.text).toContain(gateway.failureMessage);
    }
    for (const q of methodology.manualQuestions) expect(page.text).toContain(q.descriptors['4']);
    expect(page.text).toContain(methodology.evidenceRule);
    // 1.1.0 says which gateway answers the panel decides, and publishes its rubrics and change log.
    expect(page.summary()).toContainEqual({ key: 'Decided by the panel', value: '“Certification in progress” (usually passed on conditions): the panel decides, with a reason.' });
    expect(page.heading('Multiple-choice answers marked by a rubric')).toBeDefined();
    expect(page.summary()).toContainEqual({ key: '2 (Acceptable): Both kinds of prompt injection', value: 'Needs “Prompt injection”, “Indirect prompt injection”' });
    expect(page.heading('What changed in each version')).toBeDefined();
    expect(page.heading('Version 1.1.0')).toBeDefined();
    for (const change of methodology.changeLog[0].changes) expect(page.text).toContain(change);
    const hiddenInPrint = (selector: string) => (page.document.querySelector(selector) as unknown as { closest(s: string): unknown } | null)?.closest('.govuk-\\!-display-none-print');
    expect(hiddenInPrint('.govuk-service-navigation')).toBeTruthy();
    expect(hiddenInPrint('.govuk-footer')).toBeTruthy();
    expect(hiddenInPrint('.govuk-back-link')).toBeTruthy();
    expect(hiddenInPrint('h1')).toBeFalsy();
  });

  it('copies the built-in questionnaire, publishes the copy and archives it', async () => {
    const org = await seedOrganisation(ctx);
    // Version 1.0.0, so the copy takes the next minor version, 1.1.0, in the council's own library.
    const source = await builtInId(org, '1.0.0');
    const agent = await signedIn(org);

    const view = await open(agent, `/questionnaires/${source}`);
    expect(view.page.link('Publish')).toBeUndefined();
    expect(view.page.link('Archive')).toBeUndefined();
    const cloneForm = await open(agent, view.page.link('Make a copy')!.getAttribute('href')!);
    expect(cloneForm.page.h1).toEqual(['Make a copy']);
    const csrf = csrfFrom(cloneForm.html);

    const blank = await submit(agent, `/questionnaires/${source}/clone`, { _csrf: csrf, title: ' ', version: '1.x' });
    expect(blank.status).toBe(400);
    expect(blank.page.errorSummary()).toEqual([
      { href: '#title', text: 'Enter a name for the new questionnaire' },
      { href: '#version', text: 'Enter a version like 1.1.0 (three whole numbers separated by full stops), or leave it blank' },
    ]);
    expect(await ownKeys(org)).toEqual([]);

    const cloned = await submit(agent, `/questionnaires/${source}/clone`, { _csrf: csrf, title: 'Our AI questionnaire', version: '' });
    expect(cloned.status).toBe(303);
    const id = cloned.location!.split('/').pop()!;
    expect(cloned.location).toBe(`/questionnaires/${id}`);
    const draft = await open(agent, cloned.location!);
    expect(draft.page.h1).toEqual(['Our AI questionnaire']);
    expect(cells(draft.page, '.govuk-notification-banner')).toEqual([expect.stringContaining('Copy made as a draft in your council’s library.')]);
    expect(draft.page.summary()).toContainEqual({ key: 'Version', value: '1.1.0' });
    expect(cells(draft.page, 'h1 ~ p .govuk-tag')).toEqual(['Draft']);
    // The banner is for that one page view.
    expect(cells((await open(agent, cloned.location!)).page, '.govuk-notification-banner')).toEqual([]);

    const confirmPublish = await open(agent, draft.page.link('Publish')!.getAttribute('href')!);
    expect(confirmPublish.page.h1).toEqual(['Publish this questionnaire']);
    expect(await statusOf(org, id)).toMatchObject({ status: 'draft' });
    const published = await submit(agent, `/questionnaires/${id}/publish`, { _csrf: csrfFrom(confirmPublish.html) });
    expect(published).toMatchObject({ status: 303, location: `/questionnaires/${id}` });
    const afterPublish = await open(agent, published.location!);
    expect(cells(afterPublish.page, '.govuk-notification-banner')).toEqual([expect.stringContaining('Questionnaire published.')]);
    expect(cells(afterPublish.page, 'h1 ~ p .govuk-tag')).toEqual(['Published']);
    expect(await statusOf(org, id)).toEqual({ status: 'published', archived: false, title: 'Our AI questionnaire' });

    // Publishing again (a second tab) says why not, and changes nothing.
    expect((await open(agent, `/questionnaires/${id}/publish`)).page.text).toContain('This version is already published.');
    const again = await submit(agent, `/questionnaires/${id}/publish`, { _csrf: csrf });
    expect(again.status).toBe(409);
    expect(again.page.errorSummary()).toEqual([{ href: '#refusal', text: 'This version is published and cannot change' }]);

    const confirmArchive = await open(agent, afterPublish.page.link('Archive')!.getAttribute('href')!);
    expect(confirmArchive.page.h1).toEqual(['Archive this questionnaire']);
    const archived = await submit(agent, `/questionnaires/${id}/archive`, { _csrf: csrf });
    expect(archived).toMatchObject({ status: 303, location: `/questionnaires/${id}` });
    const afterArchive = await open(agent, archived.location!);
    expect(cells(afterArchive.page, '.govuk-notification-banner')).toEqual([expect.stringContaining('Questionnaire archived.')]);
    expect(cells(afterArchive.page, 'h1 ~ p .govuk-tag')).toEqual(['Archived']);
    expect(await statusOf(org, id)).toEqual({ status: 'published', archived: true, title: 'Our AI questionnaire' });
    // Archived ones leave the library unless asked for.
    expect(tableRows((await open(agent, '/questionnaires?show=own')).page)).toEqual([]);
    expect(tableRows((await open(agent, '/questionnaires?show=own&archived=yes')).page).map((r) => r[2])).toEqual(['Archived']);

    const audit = (await api.get(`/v1/audit-events?subjectId=${id}`, org.admin.token)).json();
    expect(audit.items?.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['questionnaire.cloned', 'questionnaire.published', 'questionnaire.archived']));
  });

  it('lists every problem of an invalid file by its path, and imports nothing', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await signedIn(org);
    const form = await open(agent, '/questionnaires/import');
    expect(form.page.h1).toEqual(['Import a questionnaire']);
    const csrf = csrfFrom(form.html);
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

    // A file with problems of shape (an unknown field, a bad version, an unknown question type), and
    // one whose shape is right but whose parts disagree (a key used twice, weights that do not add up).
    const misshapen = smallDefinition() as unknown as Record<string, unknown> & { sections: Array<{ questions: Array<Record<string, unknown>> }> };
    misshapen.colour = 'blue';
    misshapen.version = '1.0';
    misshapen.sections[1]!.questions[0]!.type = 'essay';
    const inconsistent = smallDefinition() as unknown as { sections: Array<{ questions: Array<{ key: string }> }>; weights: Record<string, unknown> };
    inconsistent.sections[1]!.questions[0]!.key = 'a.training';
    inconsistent.weights.low = { a: 10, b: 10 };

    for (const [name, bad, place] of [
      ['misshapen.json', misshapen, ['/sections/1/questions/0/type', 'section 2 (Section B), question 1 (b.hours)']],
      ['inconsistent.json', inconsistent, ['/sections/1/questions/0/key', 'section 2 (Section B), question 1 (a.training)']],
    ] as const) {
      const expected = validateDefinition(bad);
      const problems = expected.ok ? [] : expected.problems;
      expect(problems.length, name).toBeGreaterThanOrEqual(2);

      const refused = await uploadFile(agent, { _csrf: csrf }, { name, bytes: Buffer.from(JSON.stringify(bad)) });
      expect(refused.status, name).toBe(422);
      expect(refused.page.title).toMatch(/^Error: Import a questionnaire/);
      expect(refused.page.text).toContain(`${name} has ${problems.length} problems. Nothing has been imported.`);
      // Each problem in the error summary, by its path, pointing at the file input.
      const summary = refused.page.errorSummary();
      expect(summary.map((s) => s.text)).toEqual(problems.map((p) => expect.stringMatching(new RegExp(`^${escape(p.path)}( \\(.*\\))?: ${escape(p.message)}$`))));
      expect(summary.every((s) => s.href === '#file')).toBe(true);
      // And in the table below, with where it is in words.
      expect(tableRows(refused.page)).toEqual(problems.map((p) => [expect.stringContaining(p.path), p.message]));
      expect(tableRows(refused.page).map((r) => r[0])).toContain(`${place[0]} ${place[1]}`);
    }
    expect(await ownKeys(org)).toEqual([]);
  });

  it('reports a file that is not JSON, an empty form and a taken version, importing nothing', async () => {
    const org = await seedOrganisation(ctx);
    await importDraft(org);
    const agent = await signedIn(org);
    const csrf = csrfFrom((await open(agent, '/questionnaires/import')).html);

    const notJson = await uploadFile(agent, { _csrf: csrf }, { name: 'notes.json', bytes: Buffer.from('{ "key": ') });
    expect(notJson.status).toBe(400);
    expect(notJson.page.errorSummary()).toEqual([{ href: '#file', text: expect.stringMatching(/^The selected file is not valid JSON/) }]);
    expect(notJson.page.inlineErrors()).toEqual([expect.stringMatching(/The selected file is not valid JSON/)]);

    const nothing = await uploadFile(agent, { _csrf: csrf });
    expect(nothing.status).toBe(400);
    expect(nothing.page.errorSummary()).toEqual([{ href: '#file', text: 'Select a JSON file to import' }]);

    const taken = await uploadFile(agent, { _csrf: csrf }, { name: 'small.json', bytes: Buffer.from(JSON.stringify(smallDefinition())) });
    expect(taken.status).toBe(409);
    expect(taken.page.errorSummary()[0]?.text).toMatch(/already has small-test version 1\.0\.0/);
    expect(await ownKeys(org)).toEqual(['small-test@1.0.0']);
  });

  it('imports a valid file as a draft in the council’s library', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await signedIn(org, 'admin');
    const csrf = csrfFrom((await open(agent, '/questionnaires/import')).html);
    const imported = await uploadFile(agent, { _csrf: csrf }, { name: 'small.json', bytes: Buffer.from(JSON.stringify(smallDefinition({ title: 'Imported from a file' } as never))) });
    expect(imported.status).toBe(303);
    const view = await open(agent, imported.location!);
    expect(view.page.h1).toEqual(['Imported from a file']);
    expect(cells(view.page, '.govuk-notification-banner')).toEqual([expect.stringContaining('Questionnaire imported as a draft.')]);
    expect(view.page.summary()).toContainEqual({ key: 'Source', value: 'Your council' });
    expect(await ownKeys(org)).toEqual(['small-test@1.0.0']);
  });

  it('exports the same bytes as the API', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await signedIn(org, 'viewer');
    for (const id of [await builtInId(org), await importDraft(org)]) {
      const fromApi = await api.get(`/v1/questionnaires/${id}/export`, org.admin.token);
      const res = await agent
        .get(`/questionnaires/${id}/export`)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="${fromApi.json().key}-${fromApi.json().version}\\.json"`));
      expect((res.body as Buffer).equals(fromApi.rawPayload)).toBe(true);
    }
  });

  it('lets a viewer read but not publish, even with a forged form, and changes nothing', async () => {
    const org = await seedOrganisation(ctx);
    const id = await importDraft(org);
    const viewer = await signedIn(org, 'viewer');

    const view = await open(viewer, `/questionnaires/${id}`);
    expect(view.status).toBe(200);
    expect(view.page.link('Publish')).toBeUndefined();
    expect(view.page.link('Archive')).toBeUndefined();
    expect(view.page.link('Make a copy')).toBeUndefined();
    expect((await open(viewer, `/questionnaires/${id}/publish`)).status).toBe(403);
    expect((await open(viewer, '/questionnaires/import')).status).toBe(403);

    const csrf = await csrfOf(viewer);
    for (const action of ['publish', 'archive', 'clone']) {
      const forged = await submit(viewer, `/questionnaires/${id}/${action}`, { _csrf: csrf, title: 'Mine' });
      expect(forged.status, action).toBe(403);
      expect(forged.page.h1).toEqual(['You cannot change questionnaires']);
    }
    const forgedImport = await uploadFile(viewer, { _csrf: csrf }, { name: 'small.json', bytes: Buffer.from(JSON.stringify(smallDefinition({ version: '9.0.0' } as never))) });
    expect(forgedImport.status).toBe(403);
    expect(await statusOf(org, id)).toEqual({ status: 'draft', archived: false, title: 'Small test questionnaire' });
    expect(await ownKeys(org)).toEqual(['small-test@1.0.0']);
  });

  it('answers another council’s questionnaire, and an address that is no id, with the page not found', async () => {
    const ours = await seedOrganisation(ctx);
    const theirs = await seedOrganisation(ctx);
    const id = await importDraft(theirs);
    const agent = await signedIn(ours);
    const csrf = await csrfOf(agent);

    for (const path of ['', '/methodology', '/export', '/clone', '/publish', '/archive']) {
      const res = await open(agent, `/questionnaires/${id}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.page.h1, path).toEqual(['Page not found']);
    }
    for (const action of ['clone', 'publish', 'archive']) {
      const res = await submit(agent, `/questionnaires/${id}/${action}`, { _csrf: csrf, title: 'Theirs now' });
      expect(res.status, action).toBe(404);
      expect(res.page.h1).toEqual(['Page not found']);
    }
    expect((await open(agent, '/questionnaires/not-an-id')).status).toBe(404);
    expect((await open(agent, '/questionnaires/not-an-id/methodology')).status).toBe(404);
    expect(await statusOf(theirs, id)).toEqual({ status: 'draft', archived: false, title: 'Small test questionnaire' });
    expect(await ownKeys(ours)).toEqual([]);
  });

  it('refuses a form posted without its CSRF token, and changes nothing', async () => {
    const org = await seedOrganisation(ctx);
    const id = await importDraft(org);
    const agent = await signedIn(org);

    for (const [action, fields] of [['publish', {}], ['archive', {}], ['clone', { title: 'Copy' }], ['publish', { _csrf: 'x'.repeat(43) }]] as const) {
      const res = await submit(agent, `/questionnaires/${id}/${action}`, fields);
      expect(res.status, action).toBe(403);
      expect(res.page.h1).toEqual(['This page has expired']);
    }
    const upload = await uploadFile(agent, {}, { name: 'small.json', bytes: Buffer.from(JSON.stringify(smallDefinition({ version: '3.0.0' } as never))) });
    expect(upload.status).toBe(403);
    expect(await statusOf(org, id)).toEqual({ status: 'draft', archived: false, title: 'Small test questionnaire' });
    expect(await ownKeys(org)).toEqual(['small-test@1.0.0']);
  });

  it('sends a visitor who is not signed in to sign in, and back afterwards', async () => {
    await ctx.app.ready();
    const res = await supertest(ctx.app.server).get('/questionnaires?show=own').redirects(0);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/sign-in?returnTo=${encodeURIComponent('/questionnaires?show=own')}`);
    const post = await supertest(ctx.app.server).post('/questionnaires/import').redirects(0);
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/sign-in');
  });
});
