import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { constantTimeEqual } from '../../platform/crypto';
import { isAppError } from '../../platform/errors';
import { page, putFlash, takeFlash } from '../../platform/web';
import { isSetupComplete, setupFirstOrganisation } from './accounts.usecases';
import type { ConsoleDeps } from './console.web';
import { checkSignInLink, requestSignInLinks, SIGN_IN_LINK_TTL_MS, useSignInLink, type LinkProblem } from './sign-in-links.usecases';
import { CONSOLE_HOME, homeOf, safeReturnTo } from './staff.models';

/**
 * Runs before an emailed link is made for an address: single sign-on answers with its own reply
 * (a redirect to the organisation's identity provider, say) to take over; null lets the link go out.
 */
export type BeforeEmailLink = (request: FastifyRequest, reply: FastifyReply, email: string) => Promise<FastifyReply | null>;

export type SignInDeps = ConsoleDeps & { beforeEmailLink?: BeforeEmailLink | undefined };

type Form = Record<string, string | string[] | undefined> | undefined;
type FieldError = { text: string; href: string };

const text = (form: Form, name: string): string => {
  const value = form?.[name];
  return typeof value === 'string' ? value : '';
};

const EMAIL = z.string().trim().toLowerCase().pipe(z.email().max(320));
const ENTER_EMAIL = 'Enter your email address';
const EMAIL_FORMAT = 'Enter an email address in the correct format, like name@example.gov.uk';
const CHECK_EMAIL = '/sign-in/check-email';
const LINK_MINUTES = SIGN_IN_LINK_TTL_MS / 60_000;

/** The email field's error, or null with the address as it will be looked up. */
function emailProblem(raw: string): { error: string } | { email: string } {
  if (raw.trim() === '') return { error: ENTER_EMAIL };
  const parsed = EMAIL.safeParse(raw);
  return parsed.success ? { email: parsed.data } : { error: EMAIL_FORMAT };
}

/**
 * Signing in by emailed link, and first-run setup in the browser. The sign-in page asks for an
 * email address only; single sign-on (`beforeEmailLink`) may take the address over, else links are
 * emailed, and the next page says the same whether or not the address has an account. Opening a
 * link shows a button; only pressing it uses the link. Every form here is sent before any session
 * exists, so each carries the sign-in CSRF cookie's token.
 */
export function registerSignInPages(web: FastifyInstance, deps: SignInDeps): void {
  const { database, config, now, mailer, staff, beforeEmailLink } = deps;
  const db = database.db;

  const emailPage = async (request: FastifyRequest, reply: FastifyReply, values: { email: string; returnTo: string | null; error?: string }, status = 200) =>
    page(
      request,
      reply,
      'console/sign-in/email.njk',
      {
        title: 'Sign in',
        csrfToken: staff.signInCsrf(request, reply),
        email: values.email,
        returnTo: values.returnTo,
        errors: values.error ? [{ text: values.error, href: '#email' }] : [],
        emailError: values.error ? { text: values.error } : undefined,
        freshInstall: !(await isSetupComplete({ db })),
      },
      status,
    );

  web.get<{ Querystring: { returnTo?: string; signedOut?: string } }>('/sign-in', async (request, reply) => {
    const returnTo = safeReturnTo(request.query.returnTo);
    const session = await staff.sessionOf(request);
    if (session) return reply.redirect(returnTo ?? homeOf(session.user.role), 303);
    if (request.query.signedOut === '1') {
      return page(request, reply, 'console/sign-in/email.njk', {
        title: 'Sign in',
        csrfToken: staff.signInCsrf(request, reply),
        returnTo: null,
        notice: { type: 'success', text: 'You have signed out.' },
        freshInstall: false,
      });
    }
    return emailPage(request, reply, { email: '', returnTo });
  });

  web.post<{ Body: Form }>('/sign-in/email', { config: { checksCredential: 'sign-in' } }, async (request, reply) => {
    if (!staff.signInCsrfOk(request, request.body?._csrf)) return staff.csrfRefused(request, reply);
    const returnTo = safeReturnTo(text(request.body, 'returnTo'));
    const checked = emailProblem(text(request.body, 'email'));
    if ('error' in checked) return emailPage(request, reply, { email: text(request.body, 'email'), returnTo, error: checked.error }, 400);
    const taken = beforeEmailLink ? await beforeEmailLink(request, reply, checked.email) : null;
    if (taken) return taken;
    // Per address asked for, known or not: one inbox cannot be flooded with links, and the answer says nothing about accounts.
    await deps.rateLimits.emailAttempt({ request, reply, email: checked.email });
    const { delivery } = await requestSignInLinks({ db, now: now(), mailer, publicBaseUrl: config.publicBaseUrl, email: checked.email, returnTo });
    delivery.catch((error: unknown) => request.log.warn({ err: error }, 'sign-in email not delivered'));
    putFlash(reply, { key: config.secretsKey, session: staff.signInCsrf(request, reply), page: CHECK_EMAIL, now: now(), secure: config.cookieSecure, value: { email: checked.email } });
    return reply.redirect(CHECK_EMAIL, 303);
  });

  web.get(CHECK_EMAIL, async (request, reply) => {
    const flash = takeFlash<{ email: string }>(request, reply, { key: config.secretsKey, session: staff.signInCsrf(request, reply), page: CHECK_EMAIL, now: now() });
    return page(request, reply, 'console/sign-in/check-email.njk', { title: 'Check your email', email: flash?.email ?? null, minutes: LINK_MINUTES, backLink: { href: '/sign-in', text: 'Back' } });
  });

  const problemPage = (request: FastifyRequest, reply: FastifyReply, problem: LinkProblem) =>
    page(
      request,
      reply,
      'console/sign-in/link-problem.njk',
      { title: problem === 'used' ? 'This sign-in link has already been used' : problem === 'expired' ? 'This sign-in link has expired' : 'This sign-in link does not work', problem, minutes: LINK_MINUTES },
      problem === 'unknown' ? 404 : 410,
    );

  // Opening a link uses nothing: mail scanners open links before people do. The button's POST does.
  web.get<{ Params: { token: string } }>('/sign-in/link/:token', { config: { checksCredential: 'sign-in' } }, async (request, reply) => {
    const checked = await checkSignInLink({ db, now: now(), token: request.params.token });
    if (!checked.ok) {
      if (checked.problem === 'unknown') await deps.rateLimits.authenticationFailed({ request, reply });
      return problemPage(request, reply, checked.problem);
    }
    return page(request, reply, 'console/sign-in/link.njk', { title: `Sign in to ${checked.organisation}`, csrfToken: staff.signInCsrf(request, reply), action: `/sign-in/link/${request.params.token}` });
  });

  web.post<{ Params: { token: string }; Body: Form }>('/sign-in/link/:token', { config: { checksCredential: 'sign-in' } }, async (request, reply) => {
    if (!staff.signInCsrfOk(request, request.body?._csrf)) return staff.csrfRefused(request, reply);
    const used = await useSignInLink({ db, now: now(), token: request.params.token });
    if (!used.ok) {
      await staff.signInFailed(request, reply);
      return problemPage(request, reply, used.problem);
    }
    return staff.signIn(request, reply, { userId: used.userId, organisationId: used.organisationId, method: 'link', returnTo: used.returnTo });
  });

  registerSetupPage(web, deps);
}

type SetupValues = { organisationName: string; adminName: string; adminEmail: string };
const SETUP_NAME = z.string().trim().min(1).max(200);

/** Checks the setup form: each field's error in the page's order, or the values to set up with. */
function setupProblems(form: Form, tokenOk: (given: string) => boolean): { errors: Record<string, string> } | { values: SetupValues } {
  const errors: Record<string, string> = {};
  const token = text(form, 'setupToken');
  if (token.trim() === '') errors.setupToken = 'Enter the setup token';
  else if (!tokenOk(token.trim())) errors.setupToken = 'The setup token is not right: copy it again from where the service printed it when it started';
  const organisationName = SETUP_NAME.safeParse(text(form, 'organisationName'));
  if (!organisationName.success) errors.organisationName = text(form, 'organisationName').trim() === '' ? 'Enter the name of your council or organisation' : 'The name must be 200 characters or fewer';
  const adminName = SETUP_NAME.safeParse(text(form, 'adminName'));
  if (!adminName.success) errors.adminName = text(form, 'adminName').trim() === '' ? 'Enter your full name' : 'Your name must be 200 characters or fewer';
  const email = emailProblem(text(form, 'adminEmail'));
  if ('error' in email) errors.adminEmail = email.error;
  if (Object.keys(errors).length > 0 || !organisationName.success || !adminName.success || 'error' in email) return { errors };
  return { values: { organisationName: organisationName.data, adminName: adminName.data, adminEmail: email.email } };
}

/**
 * First run in the browser: the same use case as POST /v1/setup (the setup token, the council's
 * name, the first admin), ending signed in as that admin. Once an organisation exists it is gone.
 */
function registerSetupPage(web: FastifyInstance, { database, config, now, staff, rateLimits }: SignInDeps): void {
  const db = database.db;
  const order = ['setupToken', 'organisationName', 'adminName', 'adminEmail'];

  const setupPage = (request: FastifyRequest, reply: FastifyReply, values: Partial<SetupValues>, errors: Record<string, string> = {}, status = 200) =>
    page(
      request,
      reply,
      'console/sign-in/setup.njk',
      {
        title: 'Set up the service',
        csrfToken: staff.signInCsrf(request, reply),
        values,
        errors: order.filter((field) => errors[field]).map((field): FieldError => ({ text: errors[field]!, href: `#${field}` })),
        fieldErrors: Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { text: message }])),
      },
      status,
    );

  web.get('/setup', async (request, reply) => {
    if (await isSetupComplete({ db })) return reply.redirect('/sign-in', 303);
    if (!config.setupToken) return staff.notFound(request, reply);
    return setupPage(request, reply, {});
  });

  web.post<{ Body: Form }>('/setup', { config: { checksCredential: 'setup' } }, async (request, reply) => {
    if (!staff.signInCsrfOk(request, request.body?._csrf)) return staff.csrfRefused(request, reply);
    if (await isSetupComplete({ db })) return reply.redirect('/sign-in', 303);
    const setupToken = config.setupToken;
    if (!setupToken) return staff.notFound(request, reply);
    const checked = setupProblems(request.body, (given) => constantTimeEqual(given, setupToken));
    const entered = { organisationName: text(request.body, 'organisationName'), adminName: text(request.body, 'adminName'), adminEmail: text(request.body, 'adminEmail') };
    if ('errors' in checked) {
      if (checked.errors.setupToken && text(request.body, 'setupToken').trim() !== '') await rateLimits.authenticationFailed({ request, reply });
      return setupPage(request, reply, entered, checked.errors, 400);
    }
    let created;
    try {
      created = await setupFirstOrganisation({ db, now: now(), ...checked.values });
    } catch (error) {
      // Someone else finished setting up a moment ago: there is nothing left to set up.
      if (isAppError(error) && error.code === 'setup.already_done') return reply.redirect('/sign-in', 303);
      throw error;
    }
    return staff.signIn(request, reply, { userId: created.user.id, organisationId: created.organisation.id, method: 'setup', returnTo: CONSOLE_HOME });
  });
}
