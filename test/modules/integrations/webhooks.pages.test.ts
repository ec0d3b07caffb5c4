import { EVENT_TYPES } from '../../../src/platform/events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookWorker } from '../../../src/modules/integrations/webhooks.worker';
import { Webhook } from 'standardwebhooks';
import { bearer, testConfig, useTestApp } from '../../helpers/app';
import { seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage, type Page } from '../../helpers/web';
import { startReceiver, type Receiver } from './receiver';
import { submittedResponses } from './world';

/**
 * The console's webhook pages over HTTP, as a browser without JavaScript uses them: a supertest
 * agent holding a real staff session, forms posted with the page's CSRF token, deliveries sent by
 * the real worker to a real receiver on loopback that checks each signature.
 */

type Agent = Awaited<ReturnType<typeof signedInAgent>>;
/** What a redirect's empty body reads as. */
const EMPTY = '<!doctype html><html><head><title></title></head><body></body></html>';
const config = testConfig({ WEBHOOK_ALLOW_LOOPBACK: 'true' });

type Element = { textContent: string | null; querySelector(s: string): Element | null; querySelectorAll(s: string): Iterable<Element>; getAttribute(n: string): string | null };
const clean = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** Each summary card on the page: its title and its rows, as a reader sees them. */
function cardsOf(page: Page): Array<{ title: string; rows: Record<string, string> }> {
  return [...(page.document.querySelectorAll('.govuk-summary-card') as unknown as Iterable<Element>)].map((card) => ({
    title: clean(card.querySelector('.govuk-summary-card__title')),
    rows: Object.fromEntries([...card.querySelectorAll('.govuk-summary-list__row')].map((row) => [clean(row.querySelector('.govuk-summary-list__key')), clean(row.querySelector('.govuk-summary-list__value'))])),
  }));
}

/** The rows of the page's first summary list outside any card: the endpoint's settings. */
function summaryOf(page: Page): Record<string, string> {
  const list = [...(page.document.querySelectorAll('.govuk-summary-list') as unknown as Iterable<Element & { closest(s: string): unknown }>)].find((l) => !l.closest('.govuk-summary-card'));
  return Object.fromEntries([...(list?.querySelectorAll('.govuk-summary-list__row') ?? [])].map((row) => [clean(row.querySelector('.govuk-summary-list__key')), clean(row.querySelector('.govuk-summary-list__value'))]));
}

describe('the webhook pages of the console', () => {
  // The flash cookie that carries the secret to the next page is Secure unless told otherwise, and the agent's jar, like curl's, sends a Secure cookie over https only.
  const ctx = useTestApp({ config: { WEBHOOK_ALLOW_LOOPBACK: 'true', COOKIE_SECURE: 'false' } });
  let receiver: Receiver;
  beforeEach(async () => {
    // Receivers reject a signature timestamp more than five minutes from their own clock.
    ctx.clock.set(new Date());
    receiver = await startReceiver();
  });
  afterEach(async () => receiver.close());

  const worker = () =>
    createWebhookWorker({ db: ctx.database.db, now: () => ctx.clock.now(), publicBaseUrl: 'https://aidd.example.gov.uk', secretsKey: config.secretsKey, timeoutMs: 2000, allowLoopback: true, pollMs: 50 });
  /** Runs the worker until it finds nothing to do. */
  async function drain(): Promise<void> {
    const w = worker();
    for (let i = 0; i < 100; i += 1) {
      const done = await w.runOnce();
      if (done.swept + done.dispatched + done.attempted === 0) return;
    }
    throw new Error('the worker never ran out of work');
  }

  const open = async (agent: Agent, url: string) => {
    const res = await agent.get(url).set('accept', 'text/html').redirects(0);
    return { status: res.status, location: res.headers.location as string | undefined, page: readPage(res.text || EMPTY), html: res.text ?? '' };
  };
  const submit = async (agent: Agent, url: string, fields: Readonly<Record<string, string | readonly string[] | undefined>>) => {
    const res = await agent.post(url).type('form').send(new URLSearchParams(Object.entries(fields).flatMap(([k, v]) => (v === undefined ? [] : typeof v === 'string' ? [[k, v] as [string, string]] : v.map((item): [string, string] => [k, item])))).toString()).redirects(0);
    return { status: res.status, location: res.headers.location as string | undefined, page: readPage(res.text || EMPTY), html: res.text ?? '' };
  };
  const api = (org: SeededOrganisation, url: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(org.admin.token) });
  const endpointsOf = async (org: SeededOrganisation) => (await api(org, '/v1/webhooks')).json().items as Array<{ id: string; status: string; disabledReason: string | null; secretPrefix: string; url: string; events: string[] }>;
  const auditActions = async (org: SeededOrganisation) => ((await api(org, '/v1/audit-events?limit=100')).json().items as Array<{ action: string; actor: { id: string } }>).map((e) => e.action);

  async function adminAgent(org: SeededOrganisation): Promise<Agent> {
    return signedInAgent({ app: ctx.app, userId: org.admin.id });
  }

  /** Adds an endpoint through the pages; returns its id and the secret the next page showed. */
  async function addThroughPages(agent: Agent, { url = receiver.url, events = ['procurement.opened'], description = 'Contract register' }: { url?: string; events?: string[]; description?: string } = {}) {
    const form = await open(agent, '/admin/webhooks/new');
    const added = await submit(agent, '/admin/webhooks/new', { _csrf: csrfFrom(form.html), url, description, events });
    expect(added.status, added.html.slice(0, 500)).toBe(303);
    const id = /^\/admin\/webhooks\/([0-9a-f-]{36})\/secret$/.exec(added.location ?? '')?.[1];
    expect(id, added.location).toBeDefined();
    const shown = await open(agent, added.location!);
    const secret = shown.page.byLabel('Signing secret')?.getAttribute('value') ?? '';
    return { id: id!, secret, shown };
  }

  it('adds an endpoint and shows its signing secret once: a reload does not show it, and it signs real deliveries', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);

    const empty = await open(agent, '/admin/webhooks');
    expect(empty.status).toBe(200);
    expect(empty.page.h1).toEqual(['Webhooks']);
    expect(empty.page.heading('No endpoints yet')).toBeDefined();

    const form = await open(agent, '/admin/webhooks/new');
    expect(form.page.h1).toEqual(['Add a webhook endpoint']);
    // Every event the service sends is offered, each labelled in words.
    expect(form.page.byLabel('A supplier submitted its response')?.getAttribute('value')).toBe('response.submitted');
    expect([...(form.page.document.querySelectorAll('input[name="events"]') as unknown as Iterable<unknown>)]).toHaveLength(EVENT_TYPES.length);
    expect(form.page.byLabel('A response’s conditions register changed')?.getAttribute('value')).toBe('conditions.updated');

    const { id, secret, shown } = await addThroughPages(agent, { events: ['procurement.opened', 'invitation.sent'] });
    expect(shown.status).toBe(200);
    expect(shown.page.h1).toEqual(['Webhook endpoint added']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(shown.page.text).toContain('It will not be shown again');
    const [stored] = await endpointsOf(org);
    expect(stored).toMatchObject({ id, url: receiver.url, status: 'enabled', events: ['invitation.sent', 'procurement.opened'], secretPrefix: secret.slice(0, 12) });

    const reload = await open(agent, `/admin/webhooks/${id}/secret`);
    expect(reload.status).toBe(200);
    expect(reload.page.byLabel('Signing secret')).toBeUndefined();
    expect(reload.html).not.toContain(secret);
    expect(reload.page.text).toContain(`starts ${secret.slice(0, 12)}`);
    expect(reload.page.link('replace the signing secret')?.getAttribute('href')).toBe(`/admin/webhooks/${id}/rotate`);

    const list = await open(agent, '/admin/webhooks');
    expect(cardsOf(list.page)).toEqual([
      { title: 'Contract register', rows: { Status: 'Enabled', Address: receiver.url, Events: 'invitation.sent, procurement.opened', 'Last delivery': 'Nothing sent yet' } },
    ]);
    expect(list.html).not.toContain(secret);

    // The secret the page showed is the one the deliveries are signed with.
    receiver.useSecret(secret);
    await submittedResponses(ctx, org, ['Alpha AI']);
    await drain();
    expect(receiver.received.map((r) => JSON.parse(r.body).type).sort()).toEqual(['invitation.sent', 'procurement.opened']);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(cardsOf((await open(agent, '/admin/webhooks')).page)[0]!.rows['Last delivery']).toMatch(/^Delivered: /);
    expect(await auditActions(org)).toContain('webhook.created');
    // The first page a test file renders compiles its templates: on a busy machine that takes a while.
  }, 60_000);

  it('shows the problems the API’s validation finds on the fields, and adds nothing', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const csrf = csrfFrom((await open(agent, '/admin/webhooks/new')).html);

    const blank = await submit(agent, '/admin/webhooks/new', { _csrf: csrf, url: '', description: '' });
    expect(blank.status).toBe(422);
    expect(blank.page.title).toMatch(/^Error: /);
    expect(blank.page.errorSummary()).toEqual([
      { href: '#url', text: 'Enter the address to send events to' },
      { href: '#events', text: 'Select at least one event to send' },
    ]);
    expect(blank.page.inlineErrors()).toEqual(['Error: Enter the address to send events to', 'Error: Select at least one event to send']);

    const cases: Array<[string, string]> = [
      ['ftp://files.example.com/hook', 'Enter a full web address, starting with https://'],
      ['contracts.example.gov.uk/hook', 'Enter a full web address, starting with https://'],
      ['https://user:secret@contracts.example.gov.uk/hook', 'Enter an address without a user name or password in it'],
      ['http://10.1.2.3/hook', 'Enter an address the service may send to: 10.1.2.3 resolves to 10.1.2.3, which webhooks may not reach'],
    ];
    for (const [url, message] of cases) {
      const refused = await submit(agent, '/admin/webhooks/new', { _csrf: csrf, url, description: 'Register', events: ['procurement.opened'] });
      expect(refused.status, url).toBe(422);
      expect(refused.page.errorSummary(), url).toEqual([{ href: '#url', text: message }]);
      // What was typed and chosen is kept.
      expect(refused.page.byLabel('Address')?.getAttribute('value')).toBe(url);
      expect(refused.page.byLabel('A procurement opened to suppliers')?.hasAttribute('checked')).toBe(true);
      expect(refused.page.byLabel('Description (optional)')?.getAttribute('value')).toBe('Register');
    }

    const long = await submit(agent, '/admin/webhooks/new', { _csrf: csrf, url: receiver.url, description: 'x'.repeat(501), events: ['procurement.opened'] });
    expect(long.page.errorSummary()).toEqual([{ href: '#description', text: 'The description must be 500 characters or fewer' }]);
    const unknownEvent = await submit(agent, '/admin/webhooks/new', { _csrf: csrf, url: receiver.url, events: ['everything'] });
    expect(unknownEvent.status).toBe(422);
    expect(unknownEvent.page.errorSummary()).toEqual([{ href: '#events', text: 'Select at least one event to send' }]);

    expect(await endpointsOf(org)).toEqual([]);
  });

  it('lists each delivery with its attempts and last outcome, newest first, and “Send again” sends it once more as a new message', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const { id, secret } = await addThroughPages(agent, { events: ['procurement.opened'] });
    receiver.useSecret(secret);

    const before = await open(agent, `/admin/webhooks/${id}`);
    expect(before.page.text).toContain('Nothing has been sent to this endpoint yet');

    receiver.answerNext(500);
    await submittedResponses(ctx, org, ['Alpha AI']);
    await drain();
    expect(receiver.received).toHaveLength(1);

    const failed = await open(agent, `/admin/webhooks/${id}`);
    expect(failed.page.h1).toEqual(['Contract register']);
    const [card] = cardsOf(failed.page).map((c) => c.rows);
    expect(card).toMatchObject({ Status: 'Waiting', Event: 'procurement.opened', Attempts: '1' });
    expect(card!['Last outcome']).toMatch(/^Failed: answered 500, /);
    expect(card!['Start of the answer']).toBe('answered 500');

    const sendAgain = failed.page.button(/^Send again/);
    expect(sendAgain).toBeDefined();
    const form = failed.page.formValues(sendAgain);
    const action = (sendAgain as unknown as { closest(s: string): Element }).closest('form').getAttribute('action')!;
    ctx.clock.advance(1_000); // the new delivery is queued after the first, so it is listed above it
    const queued = await submit(agent, action, form as Record<string, string>);
    expect(queued.status).toBe(303);
    expect(queued.location).toBe(`/admin/webhooks/${id}`);
    const notice = await open(agent, queued.location!);
    expect(notice.page.text).toContain('The procurement.opened delivery has been queued to send again. It goes out in a moment as a new message, with its own webhook-id.');
    const [again, first] = cardsOf(notice.page).map((c) => c.rows);
    expect(again).toMatchObject({ Status: 'Waiting', Attempts: '0', 'Next attempt': 'As soon as possible', 'Sends again': expect.stringMatching(/^Delivery [0-9a-f-]{36}, as a new message/) });
    expect(first).toMatchObject({ Status: 'Waiting', Attempts: '1' });

    await drain();
    expect(receiver.received).toHaveLength(2);
    // A new message: its own webhook-id (a receiver that drops repeats takes it) and `redeliveryOf` in the body.
    expect(receiver.received[1]!.id).not.toBe(receiver.received[0]!.id);
    expect(receiver.received[1]!.verified).toBe(true);
    expect(JSON.parse(receiver.received[1]!.body)).toEqual({ ...JSON.parse(receiver.received[0]!.body), redeliveryOf: expect.any(String) });
    const delivered = cardsOf((await open(agent, `/admin/webhooks/${id}`)).page)[0]!.rows;
    expect(delivered).toMatchObject({ Status: 'Delivered', Attempts: '1' });
    expect(delivered['Last outcome']).toMatch(/^Delivered: answered 200, /);
    expect(await auditActions(org)).toContain('webhook.redelivery_requested');
  });

  it('pages through a long delivery log, newest first', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const { id, secret } = await addThroughPages(agent, { events: ['invitation.sent'] });
    receiver.useSecret(secret);
    const { procurementId } = await submittedResponses(ctx, org, ['Alpha AI']);
    for (let i = 0; i < 11; i += 1) {
      ctx.clock.advance(1000);
      const invited = await ctx.app.inject({ method: 'POST', url: `/v1/procurements/${procurementId}/invitations`, headers: bearer(org.admin.token), payload: { supplierName: `Supplier ${i}`, contactEmail: `bids${i}@example.com` } });
      expect(invited.statusCode).toBe(201);
      await drain();
    }
    const first = await open(agent, `/admin/webhooks/${id}`);
    const cards = cardsOf(first.page);
    expect(cards).toHaveLength(10);
    const next = first.page.link('Older deliveries')?.getAttribute('href');
    expect(next).toMatch(/^\/admin\/webhooks\/[0-9a-f-]{36}\?cursor=/);
    const second = await open(agent, next!);
    expect(cardsOf(second.page)).toHaveLength(2);
    expect(second.page.link('Newest deliveries')?.getAttribute('href')).toBe(`/admin/webhooks/${id}`);
    // Newest first across the pages: the API's log (oldest first) backwards.
    const shown = [...cards, ...cardsOf(second.page)].map((c) => c.rows['Event ID']);
    const logged = ((await api(org, `/v1/webhooks/${id}/deliveries?limit=100`)).json().items as Array<{ eventId: string }>).map((d) => d.eventId);
    expect(logged).toHaveLength(12);
    expect(shown).toEqual([...logged].reverse());
    // A cursor edited by hand goes back to the first page rather than failing.
    const edited = await open(agent, `/admin/webhooks/${id}?cursor=not-a-cursor`);
    expect(edited.status).toBe(303);
    expect(edited.location).toBe(`/admin/webhooks/${id}`);
  });

  it('replaces the signing secret after confirming: the new one is shown once, and both sign for a day', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const { id, secret: old } = await addThroughPages(agent, { events: ['procurement.opened'] });

    const endpointPage = await open(agent, `/admin/webhooks/${id}`);
    expect(endpointPage.page.link('Replace the signing secret')?.getAttribute('href')).toBe(`/admin/webhooks/${id}/rotate`);
    const confirm = await open(agent, `/admin/webhooks/${id}/rotate`);
    expect(confirm.page.h1).toEqual(['Replace the signing secret?']);
    expect(confirm.page.text).toContain(`starting ${old.slice(0, 12)}`);
    expect((await endpointsOf(org))[0]!.secretPrefix).toBe(old.slice(0, 12));

    const rotated = await submit(agent, `/admin/webhooks/${id}/rotate`, { _csrf: csrfFrom(confirm.html) });
    expect(rotated.status).toBe(303);
    expect(rotated.location).toBe(`/admin/webhooks/${id}/secret`);
    const shown = await open(agent, rotated.location!);
    expect(shown.page.h1).toEqual(['New signing secret']);
    const fresh = shown.page.byLabel('Signing secret')?.getAttribute('value') ?? '';
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(shown.page.text).toMatch(/Until \d{1,2} \w+ \d{4}, \d{2}:\d{2} \(UK time\), each message is signed with both/);
    expect((await endpointsOf(org))[0]!.secretPrefix).toBe(fresh.slice(0, 12));
    expect((await open(agent, rotated.location!)).html).not.toContain(fresh);

    // A receiver still holding the old secret accepts the next message, and so does one holding the new.
    receiver.useSecret(old);
    await submittedResponses(ctx, org, ['Alpha AI']);
    await drain();
    expect(receiver.received.map((r) => r.verified)).toEqual([true]);
    const [message] = receiver.received;
    expect(String(message!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => new Webhook(fresh).verify(message!.body, message!.headers as Record<string, string>)).not.toThrow();
    expect(await auditActions(org)).toContain('webhook.secret_rotated');
  });

  it('disables an endpoint, saying why, and enables it again: what waited then goes out', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const { id, secret } = await addThroughPages(agent, { events: ['procurement.opened'] });
    receiver.useSecret(secret);

    const page = await open(agent, `/admin/webhooks/${id}`);
    const disabled = await submit(agent, `/admin/webhooks/${id}/disable`, { _csrf: csrfFrom(page.html) });
    expect(disabled.status).toBe(303);
    const after = await open(agent, `/admin/webhooks/${id}`);
    expect(after.page.text).toContain('The endpoint is disabled.');
    expect(summaryOf(after.page)).toMatchObject({ Status: 'Disabled', 'Why it is disabled': 'Disabled by Ada Admin.' });
    expect(after.page.button('Enable')).toBeDefined();
    expect(await endpointsOf(org)).toMatchObject([{ status: 'disabled', disabledReason: 'Disabled by Ada Admin.' }]);
    expect(cardsOf((await open(agent, '/admin/webhooks')).page)[0]!.rows).toMatchObject({ Status: 'Disabled', 'Why it is disabled': 'Disabled by Ada Admin.' });

    await submittedResponses(ctx, org, ['Alpha AI']);
    await drain();
    expect(receiver.received).toEqual([]);

    // The enable form asks what to do with what was missed; sending it is what is selected.
    const enable = after.page.button('Enable')!;
    expect(after.page.formValues(enable)).toMatchObject({ missed: 'send' });
    expect(after.page.byLabel('Skip it')?.getAttribute('value')).toBe('skip');
    const enabled = await submit(agent, `/admin/webhooks/${id}/enable`, after.page.formValues(enable));
    expect(enabled.status).toBe(303);
    const on = await open(agent, `/admin/webhooks/${id}`);
    expect(on.page.text).toContain('The endpoint is enabled. Deliveries that were waiting go out now, oldest first');
    expect(summaryOf(on.page).Status).toBe('Enabled');
    expect(summaryOf(on.page)['Why it is disabled']).toBeUndefined();
    await drain();
    expect(receiver.received.map((r) => JSON.parse(r.body).type)).toEqual(['procurement.opened']);
    expect(await auditActions(org)).toEqual(expect.arrayContaining(['webhook.disabled', 'webhook.enabled']));
  });

  it('enables an endpoint skipping what it missed: the waiting deliveries are marked skipped and never sent', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const { id, secret } = await addThroughPages(agent, { events: ['procurement.opened'] });
    receiver.useSecret(secret);
    const page = await open(agent, `/admin/webhooks/${id}`);
    expect((await submit(agent, `/admin/webhooks/${id}/disable`, { _csrf: csrfFrom(page.html) })).status).toBe(303);
    await submittedResponses(ctx, org, ['Alpha AI']);
    await submittedResponses(ctx, org, ['Beta AI']);
    await drain();

    const disabled = await open(agent, `/admin/webhooks/${id}`);
    const enable = disabled.page.button('Enable')!;
    const enabled = await submit(agent, `/admin/webhooks/${id}/enable`, { ...disabled.page.formValues(enable), missed: 'skip' });
    expect(enabled.status).toBe(303);
    const on = await open(agent, `/admin/webhooks/${id}`);
    expect(on.page.text).toContain('The 2 deliveries that were waiting have been marked skipped and will not be sent');
    expect(summaryOf(on.page).Status).toBe('Enabled');
    expect(cardsOf(on.page).map((c) => c.rows.Status)).toEqual(['Skipped', 'Skipped']);
    await drain();
    expect(receiver.received).toEqual([]);
  });

  it('“Send test event” sends a signed webhook.test to the endpoint, shown in its log', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const { id, secret } = await addThroughPages(agent, { events: ['procurement.opened'] });
    receiver.useSecret(secret);
    const page = await open(agent, `/admin/webhooks/${id}`);
    const button = page.page.button('Send test event')!;
    const action = (button as unknown as { closest(s: string): Element }).closest('form').getAttribute('action')!;
    const sent = await submit(agent, action, page.page.formValues(button));
    expect([sent.status, sent.location]).toEqual([303, `/admin/webhooks/${id}`]);
    const notice = await open(agent, sent.location!);
    expect(notice.page.text).toContain('A test event (webhook.test) has been queued.');
    await drain();
    expect(receiver.received.map((r) => [JSON.parse(r.body).type, r.verified])).toEqual([['webhook.test', true]]);
    const [card] = cardsOf((await open(agent, `/admin/webhooks/${id}`)).page);
    expect(card).toMatchObject({ title: 'A test message someone asked for', rows: expect.objectContaining({ Status: 'Delivered', Event: 'webhook.test' }) });
  });

  it('deletes an endpoint after confirming; its pages are then not found', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const { id } = await addThroughPages(agent);
    const confirm = await open(agent, `/admin/webhooks/${id}/delete`);
    expect(confirm.page.h1).toEqual(['Delete this webhook endpoint?']);
    const deleted = await submit(agent, `/admin/webhooks/${id}/delete`, { _csrf: csrfFrom(confirm.html) });
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe('/admin/webhooks');
    const list = await open(agent, '/admin/webhooks');
    expect(list.page.text).toContain('The webhook endpoint “Contract register” has been deleted.');
    expect(cardsOf(list.page)).toEqual([]);
    expect((await api(org, `/v1/webhooks/${id}`)).statusCode).toBe(404);
    expect((await open(agent, `/admin/webhooks/${id}`)).status).toBe(404);
  });

  it('is for admins only: other roles get “Page not found”, and their forged forms change nothing', async () => {
    const org = await seedOrganisation(ctx);
    const { id } = await addThroughPages(await adminAgent(org));
    const stored = (await endpointsOf(org))[0]!;
    for (const role of ['officer', 'evaluator', 'viewer'] as const) {
      const user = await seedUser(ctx, org, { role });
      const agent = await signedInAgent({ app: ctx.app, userId: user.id });
      const csrf = csrfFrom((await open(agent, '/sign-out')).html);
      for (const url of ['/admin/webhooks', '/admin/webhooks/new', `/admin/webhooks/${id}`, `/admin/webhooks/${id}/secret`, `/admin/webhooks/${id}/rotate`, `/admin/webhooks/${id}/delete`]) {
        const seen = await open(agent, url);
        expect(seen.status, `${role} ${url}`).toBe(404);
        expect(seen.page.h1, `${role} ${url}`).toEqual(['Page not found']);
      }
      for (const url of ['/admin/webhooks/new', `/admin/webhooks/${id}/disable`, `/admin/webhooks/${id}/rotate`, `/admin/webhooks/${id}/delete`]) {
        const forged = await submit(agent, url, { _csrf: csrf, url: receiver.url, events: ['procurement.opened'] });
        expect(forged.status, `${role} POST ${url}`).toBe(404);
      }
    }
    expect(await endpointsOf(org)).toEqual([stored]);
  });

  it('treats another council’s endpoint and delivery ids as not found, and changes nothing of theirs', async () => {
    const ours = await seedOrganisation(ctx);
    const theirs = await seedOrganisation(ctx);
    const theirAgent = await adminAgent(theirs);
    const { id, secret } = await addThroughPages(theirAgent, { events: ['procurement.opened'] });
    receiver.useSecret(secret);
    await submittedResponses(ctx, theirs, ['Alpha AI']);
    await drain();
    const deliveryId = ((await api(theirs, `/v1/webhooks/${id}/deliveries`)).json().items as Array<{ id: string }>)[0]!.id;
    const before = await endpointsOf(theirs);

    const agent = await adminAgent(ours);
    const csrf = csrfFrom((await open(agent, '/admin/webhooks/new')).html);
    for (const url of [`/admin/webhooks/${id}`, `/admin/webhooks/${id}/secret`, `/admin/webhooks/${id}/rotate`, `/admin/webhooks/${id}/delete`, '/admin/webhooks/not-an-id']) {
      const seen = await open(agent, url);
      expect(seen.status, url).toBe(404);
      expect(seen.page.h1, url).toEqual(['Page not found']);
    }
    for (const url of [`/admin/webhooks/${id}/disable`, `/admin/webhooks/${id}/enable`, `/admin/webhooks/${id}/rotate`, `/admin/webhooks/${id}/delete`, `/admin/webhooks/${id}/deliveries/${deliveryId}/redeliver`, `/admin/webhooks/${id}/test`]) {
      const posted = await submit(agent, url, { _csrf: csrf, missed: 'skip' });
      expect(posted.status, url).toBe(404);
      expect(posted.page.h1, url).toEqual(['Page not found']);
    }
    // Our own endpoint with their delivery's id is not found either.
    const { id: ourId } = await addThroughPages(agent);
    expect((await submit(agent, `/admin/webhooks/${ourId}/deliveries/${deliveryId}/redeliver`, { _csrf: csrf })).status).toBe(404);

    expect(await endpointsOf(theirs)).toEqual(before);
    // Nothing was queued for them: no test event, no redelivery.
    expect((await api(theirs, `/v1/webhooks/${id}/deliveries`)).json().items).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 1 })]);
  });

  it('refuses a form without its CSRF token with “This page has expired”, and changes nothing', async () => {
    const org = await seedOrganisation(ctx);
    const agent = await adminAgent(org);
    const { id } = await addThroughPages(agent);
    const stored = await endpointsOf(org);
    for (const [url, fields] of [
      ['/admin/webhooks/new', { url: receiver.url, events: ['procurement.opened'] }],
      [`/admin/webhooks/${id}/disable`, {}],
      [`/admin/webhooks/${id}/rotate`, {}],
      [`/admin/webhooks/${id}/delete`, {}],
    ] as const) {
      for (const csrf of [undefined, 'forged-token']) {
        const refused = await submit(agent, url, { ...fields, ...(csrf ? { _csrf: csrf } : {}) });
        expect(refused.status, url).toBe(403);
        expect(refused.page.h1, url).toEqual(['This page has expired']);
      }
    }
    expect(await endpointsOf(org)).toEqual(stored);
  });
});

