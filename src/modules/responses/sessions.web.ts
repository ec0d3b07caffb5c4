import type { FastifyInstance } from 'fastify';
import { page } from '../../platform/web';
import { countPending } from './pending.usecases';
import { endSupplierSession, startSupplierSession } from './sessions.usecases';
import type { FormBody } from './web.models';
import { SESSION_COOKIE, type WebDeps } from './web.context';

/** Opening the invitation link (which starts a session) and signing out. */

export function registerSessionPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, config, rateLimits } = deps;
  const db = database.db;
  const { linkProblem, load, csrfOk, forbidden, common } = deps.web;
  // Opening links is limited per address, and a link that does not work counts as a failed authentication.
  web.get<{ Params: { token: string } }>('/respond/:token', { config: { access: 'public', checksCredential: 'link' } }, async (request, reply) => {
    const started = await startSupplierSession({ db, now: now(), token: request.params.token, current: request.cookies[SESSION_COOKIE] });
    if ('problem' in started) {
      await rateLimits.authenticationFailed({ request, reply });
      return linkProblem(request, reply, started.problem.reason, started.problem.council, 404);
    }
    // Max-Age, not Expires: the browser counts it from now by its own clock.
    const maxAge = Math.max(1, Math.floor((started.expiresAt.getTime() - now().getTime()) / 1000));
    if (started.session) reply.setCookie(SESSION_COOKIE, started.session, { path: '/respond', httpOnly: true, secure: config.cookieSecure, sameSite: 'lax', maxAge });
    // Answers typed after an earlier session ended wait for the supplier to confirm them first.
    const unsaved = await countPending({ db, now: now(), owner: started, kind: 'expired_session' });
    // Away from the address bar, history and Referer: the token has done its work.
    return reply.redirect(unsaved > 0 ? '/respond/unsaved' : '/respond', 303);
  });

  // Signing out asks first (a link in the header must not end a session by itself); the form carries the CSRF token.
  web.get('/respond/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    return page(request, reply, 'respond/sign-out.njk', { ...common(ctx), title: 'Are you sure you want to sign out?', signOutPage: true, backLink: { href: '/respond', text: 'Back to your questionnaire' } });
  });

  web.post<{ Body: FormBody }>('/respond/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    if (!csrfOk(ctx, (request.body ?? {})._csrf)) return forbidden(request, reply, ctx);
    await endSupplierSession({ db, session: request.cookies[SESSION_COOKIE]! });
    reply.clearCookie(SESSION_COOKIE, { path: '/respond' });
    return reply.redirect('/respond/signed-out', 303);
  });

  web.get('/respond/signed-out', { config: { access: 'public' } }, async (request, reply) => page(request, reply, 'respond/signed-out.njk', { title: 'You have signed out' }));
}
