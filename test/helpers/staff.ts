import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import supertest from 'supertest';
import { STAFF_COOKIE, staffSessionStarter } from '../../src/modules/accounts';

/**
 * Signed-in council staff for console tests. `signedInAgent` gives a supertest agent whose cookie
 * jar holds a live staff session for the user, started through the same use case as every sign-in
 * (`startStaffSession`), not a hand-made cookie. Like curl's jar, supertest's never sends a `Secure`
 * cookie over http, so the jar holds it without the flag; pages that set cookies themselves (the
 * sign-in journeys) need the app built with COOKIE_SECURE=false.
 *
 *   const agent = await signedInAgent({ app: ctx.app, userId: org.admin.id });
 *   const form = await agent.get('/account/sessions');            // 200, signed in
 *   await agent.post('/sign-out').type('form').send({ _csrf: csrfFrom(form.text) });
 *
 * In Chromium (test/browser), add the same cookie to the context before opening a page:
 *
 *   const { cookie } = await staffCookie({ app: ctx.app, userId });
 *   await context.addCookies([{ name: cookie.name, value: cookie.value, url: chrome.base }]);
 */

/** A live session's cookie for the user, as the browser would hold it after signing in. */
export async function staffCookie({ app, userId }: { app: FastifyInstance; userId: string }): Promise<{ cookie: { name: string; value: string }; absoluteExpiresAt: Date }> {
  await app.ready();
  const started = await staffSessionStarter(app.server)({ userId });
  return { cookie: { name: STAFF_COOKIE, value: started.secret }, absoluteExpiresAt: started.absoluteExpiresAt };
}

export async function signedInAgent({ app, userId }: { app: FastifyInstance; userId: string }): Promise<ReturnType<typeof supertest.agent>> {
  const { cookie } = await staffCookie({ app, userId });
  const agent = supertest.agent(app.server);
  // The jar keys cookies by host; supertest calls the app's server on 127.0.0.1.
  agent.jar.setCookie(`${cookie.name}=${cookie.value}; Path=/; HttpOnly; SameSite=Lax`, '127.0.0.1', '/');
  return agent;
}

/** The first `_csrf` value on the page (the form's CSRF token), or throws when the page has none. */
export function csrfFrom(html: string): string {
  const { document } = parseHTML(html);
  const input = document.querySelector('input[name="_csrf"]');
  const value = input?.getAttribute('value');
  if (!value) throw new Error('no _csrf field on the page');
  return value;
}
