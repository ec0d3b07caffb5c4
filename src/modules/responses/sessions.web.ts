import type { FastifyInstance } from 'fastify';
import { endSupplierSession, startSupplierSession } from './sessions.usecases';
import type { FormBody } from './web.models';
import { SESSION_COOKIE, type WebDeps } from './web.context';

/** Opening the invitation link (which starts a session) and signing out. */

export function registerSessionPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, config } = deps;
  const db = database.db;
  const { linkProblem } = deps.web;
  web.get<{ Params: { token: string } }>('/respond/:token', { config: { access: 'public' } }, async (request, reply) => {
    const started = await startSupplierSession({ db, now: now(), token: request.params.token, current: request.cookies[SESSION_COOKIE] });
    if ('problem' in started) return linkProblem(request, reply, started.problem.reason, started.problem.council, 404);
    // Max-Age, not Expires: the browser counts it from now by its own clock.
    const maxAge = Math.max(1, Math.floor((started.expiresAt.getTime() - now().getTime()) / 1000));
    if (started.session) reply.setCookie(SESSION_COOKIE, started.session, { path: '/respond', httpOnly: true, secure: config.cookieSecure, sameSite: 'lax', maxAge });
    // Away from the address bar, history and Referer: the token has done its work.
    return reply.redirect('/respond', 303);
  });

  web.post<{ Body: FormBody }>('/respond/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) await endSupplierSession({ db, session: cookie });
    reply.clearCookie(SESSION_COOKIE, { path: '/respond' });
    return reply.redirect('/respond', 303);
  });
}
