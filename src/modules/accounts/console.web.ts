import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { segmentTooLongToRoute } from '../../platform/errors';
import type { AppDeps } from '../../platform/http/deps';
import { users } from './accounts.table';
import { homeOf } from './staff.models';
import { startStaffSession } from './staff-sessions.usecases';
import type { StaffWeb } from './staff.web';

/** What each module's console pages are registered with: the app's dependencies and the shared staff helpers. */
export type ConsoleDeps = AppDeps & { staff: StaffWeb };

/**
 * The console's front door and its "Page not found": `/` sends a signed-in user to their home
 * (`homeOf`) and anyone else to sign in; an address no page answers gets the console's 404 page
 * when a browser asks for HTML, and the API's problem+json otherwise.
 */
export function registerConsolePages(web: FastifyInstance, { staff, database, config, now }: ConsoleDeps): void {
  starters.set(web.server, async ({ userId }) => {
    const [user] = await database.db.select({ organisationId: users.organisationId }).from(users).where(eq(users.id, userId));
    if (!user) throw new Error(`no user ${userId}`);
    return startStaffSession({ db: database.db, now: now(), config, userId, organisationId: user.organisationId, method: 'link' });
  });
  web.get('/', async (request, reply) => {
    const session = await staff.sessionOf(request);
    // An evaluator's work is on the panels they sit on, not the procurement list.
    return reply.redirect(!session ? '/sign-in' : homeOf(session.user.role), 303);
  });

  web.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const tooLong = segmentTooLongToRoute(path, request.server.initialConfig.maxParamLength ?? 100);
    if (tooLong) throw tooLong;
    if (path === '/v1' || path.startsWith('/v1/') || !String(request.headers.accept ?? '').includes('text/html')) return reply.callNotFound();
    await staff.sessionOf(request);
    return staff.notFound(request, reply);
  });
}

type Starter = (input: { userId: string }) => Promise<{ secret: string; absoluteExpiresAt: Date }>;
const starters = new WeakMap<object, Starter>();

/**
 * For tests (`test/helpers/staff.ts`): starts a session for a user of the app serving on `server`,
 * through the same use case as every sign-in, so a test can begin signed in without a sign-in journey.
 */
export function staffSessionStarter(server: object): Starter {
  const starter = starters.get(server);
  if (!starter) throw new Error('this server has no officer console');
  return starter;
}
