import { sql } from 'drizzle-orm';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedApiKey, seedOpenProcurement, seedOrganisation, seedUser, type SeededOrganisation } from '../helpers/factories';
import { csrfFrom, signedInAgent } from '../helpers/staff';
import { readPage, type Page } from '../helpers/web';
import { submittedResponses, triage } from '../modules/integrations/world';
import { smallDefinition } from '../modules/questionnaires/fixtures';

/**
 * The console's audit log page over HTTP, as a browser without JavaScript uses it: filters as a GET
 * form (who, what, UK dates, which procurement), newest first a page at a time, each event in words
 * where its action has them, and the check of the hash chain, before and after a row is tampered with.
 */

type Agent = Awaited<ReturnType<typeof signedInAgent>>;
type Element = { textContent: string | null; querySelector(s: string): Element | null; querySelectorAll(s: string): Iterable<Element>; getAttribute(n: string): string | null };
const clean = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
const EMPTY = '<!doctype html><html><head><title></title></head><body></body></html>';

/** Each event card: what happened, and its rows. */
type EventCard = { title: string; When: string; Who: string; About: string; Action: string; 'Recorded details': string; 'Event number': string };

function eventsOf(page: Page): EventCard[] {
  return [...(page.document.querySelectorAll('.govuk-summary-card') as unknown as Iterable<Element>)].map((card) => ({
    title: clean(card.querySelector('.govuk-summary-card__title')),
    ...Object.fromEntries([...card.querySelectorAll('.govuk-summary-list__row')].map((row) => [clean(row.querySelector('.govuk-summary-list__key')), clean(row.querySelector('.govuk-summary-list__value'))])),
  })) as EventCard[];
}

const summaryOf = (page: Page) => Object.fromEntries(page.summary().map((r) => [r.key, r.value]));

describe('the audit log pages of the console', () => {
  const ctx = useTestApp();

  const open = async (agent: Agent, url: string) => {
    const res = await agent.get(url).set('accept', 'text/html').redirects(0);
    return { status: res.status, location: res.headers.location as string | undefined, page: readPage(res.text || EMPTY), html: res.text ?? '' };
  };
  const submit = async (agent: Agent, url: string, fields: Readonly<Record<string, string>>) => {
    const res = await agent.post(url).type('form').send(fields).redirects(0);
    return { status: res.status, page: readPage(res.text || EMPTY), html: res.text ?? '' };
  };
  const apiEvents = async (org: SeededOrganisation) => (await ctx.app.inject({ method: 'GET', url: '/v1/audit-events?limit=100', headers: bearer(org.admin.token) })).json().items as Array<{ seq: number; action: string; actor: { type: string; id: string }; subject: { type: string; id: string } }>;
  const tamper = async (statement: string) => {
    await ctx.database.db.execute(sql.raw('alter table audit_events disable trigger user'));
    try {
      await ctx.database.db.execute(sql.raw(statement));
    } finally {
      await ctx.database.db.execute(sql.raw('alter table audit_events enable trigger user'));
    }
  };

  /**
   * A council's record over a few days: on 20 March (GMT) a procurement is opened and Alpha AI
   * submits; on 21 March an officer invites Beta Bots; at 00:30 on 6 April (BST, 23:30 UTC the day
   * before) a second procurement is opened; then an API key is made.
   */
  async function councilWithHistory() {
    ctx.clock.set(new Date('2026-03-10T09:00:00.000Z'));
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olive Officer' });
    ctx.clock.set(new Date('2026-03-20T23:30:00.000Z'));
    const first = await submittedResponses(ctx, org, ['Alpha AI']);
    ctx.clock.set(new Date('2026-03-21T09:00:00.000Z'));
    const invited = await ctx.app.inject({ method: 'POST', url: `/v1/procurements/${first.procurementId}/invitations`, headers: bearer(officer.token), payload: { supplierName: 'Beta Bots', contactEmail: 'bids@beta.example' } });
    expect(invited.statusCode, invited.body).toBe(201);
    ctx.clock.set(new Date('2026-04-05T23:30:00.000Z'));
    const second = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage, title: 'Library chatbot' });
    ctx.clock.set(new Date('2026-04-10T10:00:00.000Z'));
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read'], name: 'Contract system' });
    return { org, officer, first: first.procurementId, second, invitationId: invited.json().id as string, key };
  }

  it('lists the events newest first, each in words where its action has a label, naming who did it and what it was about', async () => {
    const { org } = await councilWithHistory();
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const seen = await open(agent, '/admin/audit');
    expect(seen.status).toBe(200);
    expect(seen.page.h1).toEqual(['Audit log']);
    const events = eventsOf(seen.page);
    const recorded = await apiEvents(org);
    // Newest first, as many as the first page holds, numbered as the chain numbers them.
    expect(events.map((e) => Number(e['Event number']))).toEqual(recorded.slice(0, 20).map((e) => e.seq));
    expect(events[0]).toMatchObject({ title: 'staff.signed_in', Who: 'Ada Admin', About: 'Sign-in session', Action: 'staff.signed_in' });
    expect(events[1]).toMatchObject({ title: 'api_key.created', Who: 'Ada Admin', About: 'API key: Contract system', When: '10 April 2026, 11:00 (UK time)' });
    const betaInvited = events.find((e) => e.title === 'Invited the supplier' && e.Who === 'Olive Officer');
    expect(betaInvited).toMatchObject({ About: 'Invitation of Beta Bots', Action: 'invitation.sent', When: '21 March 2026, 09:00 (UK time)' });
    expect(betaInvited!['Recorded details']).toContain('supplierName: Beta Bots');
    expect(events.find((e) => e.title === 'Submitted the response')).toMatchObject({ Who: 'Alpha AI (supplier)', About: 'Response of Alpha AI', When: '20 March 2026, 23:30 (UK time)' });
    expect(events.find((e) => e.title === 'procurement.created' && e.About === 'Procurement: Library chatbot')).toMatchObject({ When: '6 April 2026, 00:30 (UK time)', Who: 'Ada Admin' });

    // The filters offer the council's people, the actions its log holds (in words where they have them) and its procurements.
    const options = (id: string) => [...(seen.page.document.querySelectorAll(`#${id} option`) as unknown as Iterable<Element>)].map(clean);
    expect(options('who')).toEqual(['Anyone', 'Ada Admin', 'Olive Officer', 'API key “Contract system”']);
    expect(options('action')).toContain('Invited the supplier (invitation.sent)');
    expect(options('action')).toContain('procurement.created');
    expect(options('procurement')).toEqual(['Any procurement', 'AI chatbot', 'Library chatbot']);
    // The first page a test file renders compiles its templates: on a busy machine that takes a while.
  }, 60_000);

  it('narrows the list by who, by action, by UK dates and by procurement, and pages through what matches', async () => {
    const { org, officer, first, second, key } = await councilWithHistory();
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const recorded = await apiEvents(org);
    const list = async (query: string) => {
      const seen = await open(agent, `/admin/audit?${query}`);
      expect(seen.status, query).toBe(200);
      return { page: seen.page, seqs: eventsOf(seen.page).map((e) => Number(e['Event number'])), events: eventsOf(seen.page) };
    };
    const expected = (keep: (e: (typeof recorded)[number]) => boolean) => recorded.filter(keep).map((e) => e.seq);

    const byOfficer = await list(`who=${officer.id}`);
    expect(byOfficer.seqs).toEqual(expected((e) => e.actor.id === officer.id));
    expect(byOfficer.seqs.length).toBeGreaterThan(0);
    expect(byOfficer.events.every((e) => e.Who === 'Olive Officer')).toBe(true);
    // The chosen person stays chosen.
    expect(byOfficer.page.document.querySelector('#who option[selected]')?.textContent).toBe('Olive Officer');

    const invitations = await list('action=invitation.sent');
    expect(invitations.seqs).toEqual(expected((e) => e.action === 'invitation.sent'));
    expect(invitations.events.map((e) => e.title)).toEqual(['Invited the supplier', 'Invited the supplier']);

    // 20 March, UK time: the evening's events (23:30 GMT), not the next morning's.
    const onTheTwentieth = await list('from-day=20&from-month=3&from-year=2026&to-day=20&to-month=3&to-year=2026');
    expect(onTheTwentieth.seqs.length).toBeGreaterThan(0);
    expect(onTheTwentieth.events.every((e) => e.When.startsWith('20 March 2026, 23:30'))).toBe(true);
    // From 6 April (BST): the second procurement opened at 00:30 that day, though it was still 5 April in UTC.
    const fromSixth = await list('from-day=6&from-month=4&from-year=2026');
    expect(fromSixth.events.some((e) => e.About === 'Procurement: Library chatbot')).toBe(true);
    expect(fromSixth.events.every((e) => !e.When.includes('March'))).toBe(true);
    const toFifth = await list('to-day=5&to-month=4&to-year=2026');
    expect(toFifth.events.some((e) => e.About === 'Procurement: Library chatbot')).toBe(false);
    expect(toFifth.events.some((e) => e.title === 'Submitted the response')).toBe(true);

    // A procurement's events include its suppliers' invitations and responses, and nothing of the other procurement.
    const firstOnly = await list(`procurement=${first}`);
    const firstTitles = firstOnly.events.map((e) => e.title);
    expect(firstTitles).toEqual(expect.arrayContaining(['procurement.created', 'procurement.open', 'Invited the supplier', 'Submitted the response']));
    expect(firstOnly.events.filter((e) => e.title === 'Invited the supplier').map((e) => e.About).sort()).toEqual(['Invitation of Alpha AI', 'Invitation of Beta Bots']);
    expect(firstOnly.events.some((e) => e.About.includes('Library chatbot') || e.title === 'api_key.created' || e.title === 'staff.signed_in')).toBe(false);
    const secondOnly = await list(`procurement=${second}`);
    expect(secondOnly.events.map((e) => e.title).sort()).toEqual(['procurement.created', 'procurement.open']);

    // Filters combine.
    const combined = await list(`procurement=${first}&action=invitation.sent&who=${officer.id}`);
    expect(combined.events.map((e) => e.About)).toEqual(['Invitation of Beta Bots']);
    const nothing = await list(`who=${key.id}&action=procurement.created`);
    expect(nothing.events).toEqual([]);
    expect(nothing.page.heading('No events match the filters')).toBeDefined();
    expect(nothing.page.link('clear the filters')?.getAttribute('href')).toBe('/admin/audit');

  });

  it('pages through the events newest first, keeping the filters on the way', async () => {
    const { org } = await councilWithHistory();
    const list = async (query: string) => {
      const seen = await open(agent, `/admin/audit?${query}`);
      expect(seen.status, query).toBe(200);
      return { page: seen.page, seqs: eventsOf(seen.page).map((e) => Number(e['Event number'])), events: eventsOf(seen.page) };
    };
    ctx.clock.set(new Date('2026-04-11T10:00:00.000Z'));
    for (let i = 0; i < 21; i += 1) await seedApiKey(ctx, org, { scopes: ['scores:read'], name: `Key ${i}` });
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const longer = await apiEvents(org);
    expect(longer.length).toBeGreaterThan(20);
    const all = await list('');
    expect(all.seqs).toHaveLength(20);
    const older = all.page.link('Older events')?.getAttribute('href');
    expect(older).toMatch(/^\/admin\/audit\?cursor=/);
    const rest = await list(older!.split('?')[1]!);
    expect([...all.seqs, ...rest.seqs]).toEqual(longer.map((e) => e.seq));
    expect(rest.page.link('Newest events')?.getAttribute('href')).toBe('/admin/audit');
    const keysFrom11th = await list('action=api_key.created&from-day=11&from-month=4&from-year=2026');
    expect(keysFrom11th.seqs).toHaveLength(20);
    const keysNext = keysFrom11th.page.link('Older events')?.getAttribute('href');
    expect(keysNext).toMatch(/^\/admin\/audit\?action=api_key.created&from-day=11&from-month=4&from-year=2026&cursor=/);
    const keysRest = await list(keysNext!.split('?')[1]!);
    // 21 keys made from the 11th: the one made on the 10th is not among them.
    expect(keysRest.events.map((e) => e.About)).toEqual(['API key: Key 0']);
    // An edited cursor shows the first page, not an error.
    expect((await list('cursor=rubbish')).seqs).toEqual(all.seqs);
  });

  it('says what is wrong with a date, on the field, and lists nothing until it is right', async () => {
    const { org } = await councilWithHistory();
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const cases: Array<[string, Array<{ href: string; text: string }>]> = [
      ['from-day=31&from-month=2&from-year=2026', [{ href: '#from-day', text: 'The from date must be a real date' }]],
      ['from-day=3&from-year=2026', [{ href: '#from-month', text: 'The from date must include a month' }]],
      ['to-day=x&to-month=4&to-year=2026', [{ href: '#to-day', text: 'The to date must be a real date' }]],
      ['to-day=1&to-month=4&to-year=26', [{ href: '#to-year', text: 'Year must include 4 numbers' }]],
      ['from-day=6&from-month=4&from-year=2026&to-day=5&to-month=4&to-year=2026', [{ href: '#to-day', text: 'The to date must be the same as or after the from date' }]],
    ];
    for (const [query, errors] of cases) {
      const seen = await open(agent, `/admin/audit?${query}`);
      expect(seen.status, query).toBe(400);
      expect(seen.page.title, query).toMatch(/^Error: Audit log/);
      expect(seen.page.errorSummary(), query).toEqual(errors);
      expect(seen.page.inlineErrors(), query).toEqual(errors.map((e) => `Error: ${e.text}`));
      expect(eventsOf(seen.page), query).toEqual([]);
      // What was typed stays in the fields.
      expect(seen.page.document.querySelector(errors[0]!.href)?.getAttribute('class'), query).toContain('govuk-input--error');
    }
  });

  it('verifies the hash chain: intact, and after one row is altered in the database, names the first broken event', async () => {
    const { org, invitationId } = await councilWithHistory();
    const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    const page = await open(agent, '/admin/audit');
    expect(page.page.button('Verify the audit log')).toBeDefined();
    const csrf = csrfFrom(page.html);

    const intact = await submit(agent, '/admin/audit/verify', { _csrf: csrf });
    expect(intact.status).toBe(200);
    expect(intact.page.h1).toEqual(['The audit log is intact']);
    const recorded = await apiEvents(org);
    expect(summaryOf(intact.page)['Events checked']).toBe(String(recorded.length));

    const altered = recorded.find((e) => e.action === 'invitation.sent' && e.subject.id === invitationId)!;
    await tamper(`update audit_events set details = jsonb_set(details, '{supplierName}', '"Someone Else"') where organisation_id = '${org.organisationId}' and seq = ${altered.seq}`);
    const broken = await submit(agent, '/admin/audit/verify', { _csrf: csrf });
    expect(broken.status).toBe(200);
    expect(broken.page.h1).toEqual(['The audit log has been altered']);
    expect(summaryOf(broken.page)).toMatchObject({
      'Events checked before it': String(altered.seq - 1),
      'First broken event': `Event ${altered.seq}`,
      'What it records': 'Invited the supplier',
      Recorded: '21 March 2026, 09:00 (UK time)',
      'What is wrong': 'Its content does not match its hash: the row was edited',
    });
    const from = broken.page.link('See the audit log from that event')?.getAttribute('href');
    const there = await open(agent, from!);
    expect(eventsOf(there.page)[0]!['Event number']).toBe(String(altered.seq));
  });

  it('is for admins and viewers, as the API decides: others get “Page not found”, and a form without its token is refused', async () => {
    const { org } = await councilWithHistory();
    const viewer = await seedUser(ctx, org, { role: 'viewer' });
    const viewerAgent = await signedInAgent({ app: ctx.app, userId: viewer.id });
    const asViewer = await open(viewerAgent, '/admin/audit');
    expect(asViewer.status).toBe(200);
    expect(eventsOf(asViewer.page).map((e) => Number(e['Event number']))).toEqual((await apiEvents(org)).map((e) => e.seq).slice(0, 20));
    expect((await submit(viewerAgent, '/admin/audit/verify', { _csrf: csrfFrom(asViewer.html) })).page.h1).toEqual(['The audit log is intact']);

    for (const role of ['officer', 'evaluator'] as const) {
      const user = await seedUser(ctx, org, { role });
      const agent = await signedInAgent({ app: ctx.app, userId: user.id });
      const seen = await open(agent, '/admin/audit');
      expect(seen.status, role).toBe(404);
      expect(seen.page.h1, role).toEqual(['Page not found']);
      const csrf = csrfFrom((await open(agent, '/sign-out')).html);
      const forged = await submit(agent, '/admin/audit/verify', { _csrf: csrf });
      expect(forged.status, role).toBe(404);
      expect(forged.page.h1, role).toEqual(['Page not found']);
    }

    const admin = await signedInAgent({ app: ctx.app, userId: org.admin.id });
    for (const fields of [{}, { _csrf: 'forged' }] as Array<Record<string, string>>) {
      const refused = await submit(admin, '/admin/audit/verify', fields);
      expect(refused.status).toBe(403);
      expect(refused.page.h1).toEqual(['This page has expired']);
    }
    // Without a session, the page sends the browser to sign in and back.
    const anonymous = await open(supertest.agent(ctx.app.server), '/admin/audit?action=invitation.sent');
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toBe(`/sign-in?returnTo=${encodeURIComponent('/admin/audit?action=invitation.sent')}`);
  });

  it('shows only the council’s own events: another council’s people and procurements match nothing', async () => {
    const ours = await councilWithHistory();
    const theirs = await councilWithHistory();
    const agent = await signedInAgent({ app: ctx.app, userId: ours.org.admin.id });
    const own = new Set((await apiEvents(ours.org)).map((e) => e.seq));
    for (const query of [`who=${theirs.officer.id}`, `procurement=${theirs.first}`, `who=${theirs.org.admin.id}`]) {
      const seen = await open(agent, `/admin/audit?${query}`);
      expect(seen.status, query).toBe(200);
      expect(eventsOf(seen.page), query).toEqual([]);
    }
    const options = [...(((await open(agent, '/admin/audit')).page.document.querySelectorAll('#procurement option') as unknown) as Iterable<Element>)].map((o) => o.getAttribute('value'));
    expect(options).not.toContain(theirs.first);
    const verified = await submit(agent, '/admin/audit/verify', { _csrf: csrfFrom((await open(agent, '/admin/audit')).html) });
    expect(summaryOf(verified.page)['Events checked']).toBe(String((await apiEvents(ours.org)).length));
    expect(own.size).toBeGreaterThan(0);
  });
});
