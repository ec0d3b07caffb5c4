import type { FastifyInstance } from 'fastify';
import { page } from '../../platform/web';
import type { ConsoleDeps } from './console.web';
import { METHOD_NAMES, ukWhen } from './staff.models';
import { endOtherStaffSessions, listStaffSessions } from './staff-sessions.usecases';

type Form = Record<string, string | string[] | undefined> | undefined;

/** Signing out, and the signed-in user's own account: who they are, and their sessions, which they may end. */
export function registerAccountPages(web: FastifyInstance, { database, config, now, staff }: ConsoleDeps): void {
  const db = database.db;
  const guarded = { preHandler: staff.requireStaff };

  // Signing out asks first, so a stray click on "Sign out" ends nothing; the form carries the CSRF token.
  web.get('/sign-out', async (request, reply) => {
    if (!(await staff.sessionOf(request))) return reply.redirect('/sign-in', 303);
    return page(request, reply, 'console/account/sign-out.njk', { ...staff.common(request), title: 'Are you sure you want to sign out?' });
  });

  web.post<{ Body: Form }>('/sign-out', async (request, reply) => {
    if (!(await staff.sessionOf(request))) return reply.redirect('/sign-in', 303);
    if (!staff.csrfOk(request, request.body?._csrf)) return staff.csrfRefused(request, reply);
    await staff.signOut(request, reply);
    return reply.redirect('/sign-in?signedOut=1', 303);
  });

  web.get('/account', guarded, async (request, reply) => {
    const session = staff.staffOf(request);
    return page(request, reply, 'console/account/account.njk', { ...staff.common(request, 'account'), title: 'Your account', account: session.user, organisation: session.organisation });
  });

  web.get<{ Querystring: { ended?: string } }>('/account/sessions', guarded, async (request, reply) => {
    const session = staff.staffOf(request);
    const items = await listStaffSessions({ db, now: now(), config, session });
    const rows = items.map((item) => ({ ...item, started: ukWhen(item.startedAt), lastActive: item.current ? 'Now' : ukWhen(item.lastActiveAt), method: METHOD_NAMES[item.method] }));
    const ended = Number(request.query.ended);
    const notice = Number.isInteger(ended) && ended > 0 ? { type: 'success', text: ended === 1 ? 'The session has been ended.' : `${ended} sessions have been ended.` } : null;
    return page(request, reply, 'console/account/sessions.njk', {
      ...staff.common(request, 'account'),
      title: 'Your sessions',
      rows,
      others: rows.filter((row) => !row.current).length,
      notice,
      backLink: { href: '/account', text: 'Back to your account' },
    });
  });

  web.post<{ Params: { id: string }; Body: Form }>('/account/sessions/:id/end', guarded, async (request, reply) => {
    if (!staff.csrfOk(request, request.body?._csrf)) return staff.csrfRefused(request, reply);
    const ended = await endOtherStaffSessions({ db, now: now(), session: staff.staffOf(request), id: request.params.id });
    if (ended === 0) return staff.notFound(request, reply);
    return reply.redirect('/account/sessions?ended=1', 303);
  });

  web.post<{ Body: Form }>('/account/sessions/end-others', guarded, async (request, reply) => {
    if (!staff.csrfOk(request, request.body?._csrf)) return staff.csrfRefused(request, reply);
    const ended = await endOtherStaffSessions({ db, now: now(), session: staff.staffOf(request) });
    return reply.redirect(ended > 0 ? `/account/sessions?ended=${ended}` : '/account/sessions', 303);
  });
}
