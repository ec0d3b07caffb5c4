import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app';
import { seedOrganisation, seedUser } from '../../helpers/factories';
import { csrfFrom, signedInAgent } from '../../helpers/staff';
import { readPage } from '../../helpers/web';

describe('the staff console contract', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('a signed-in agent reaches a console page, with the council, the user and the navigation', async () => {
    const org = await seedOrganisation(ctx, { name: 'Borsetshire County Council' });
    const officer = await seedUser(ctx, org, { role: 'officer', name: 'Olu Officer' });
    const agent = await signedInAgent({ app: ctx.app, userId: officer.id });
    const res = await agent.get('/account').redirects(0);
    expect(res.status).toBe(200);
    const page = readPage(res.text);
    expect(page.h1).toEqual(['Your account']);
    expect(page.title).toBe('Your account – AI supplier due diligence – Borsetshire County Council');
    expect(page.text).toContain('Olu Officer');
    expect(page.link('Procurements')?.getAttribute('href')).toBe('/procurements');
    expect(page.link('Administration')).toBeUndefined();
    expect(page.link('Sign out')?.getAttribute('href')).toBe('/sign-out');
    expect(page.document.documentElement.getAttribute('lang')).toBe('en-GB');
    const confirm = await agent.get('/sign-out').redirects(0);
    expect(csrfFrom(confirm.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('without a session, a GET goes to sign in and comes back; a POST goes to sign in', async () => {
    const anonymous = supertest.agent(ctx.app.server);
    const get = await anonymous.get('/account/sessions?x=1').redirects(0);
    expect(get.status).toBe(303);
    expect(get.headers.location).toBe('/sign-in?returnTo=%2Faccount%2Fsessions%3Fx%3D1');
    const post = await anonymous.post('/account/sessions/end-others').type('form').send({ _csrf: 'x' }).redirects(0);
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/sign-in');
    expect((await anonymous.get('/').redirects(0)).headers.location).toBe('/sign-in');
  });

  it('an unknown console address is the console 404 page for a browser, problem+json for the API', async () => {
    const html = await supertest(ctx.app.server).get('/no-such-page').set('accept', 'text/html').redirects(0);
    expect(html.status).toBe(404);
    expect(readPage(html.text).h1).toEqual(['Page not found']);
    const api = await supertest(ctx.app.server).get('/v1/no-such-thing').set('accept', 'text/html').redirects(0);
    expect(api.status).toBe(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
  });
});
