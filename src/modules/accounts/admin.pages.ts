import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UserPrincipal } from '../../platform/auth';
import { isAppError } from '../../platform/errors';
import type { Page } from '../../platform/pagination';
import { page, putFlash, takeFlash } from '../../platform/web';
import {
  apiKeyCards,
  errorSummary,
  fieldMessages,
  readApiKeyForm,
  readRole,
  readUserForm,
  roleOptions,
  scopeOptions,
  userRows,
  userStatus,
  type FieldErrors,
  type KeyField,
  type UserField,
} from './admin.models';
import type { ApiKeyDto, UserDto } from './accounts.models';
import * as usecases from './accounts.usecases';
import type { ConsoleDeps } from './console.web';
import { ROLE_NAMES, ukWhen } from './staff.models';

/**
 * The console's administration pages: the index, users (add, change role, deactivate and
 * reactivate) and organisation API keys (create, with the secret shown once, and revoke). Each calls
 * the API's use case with the signed-in admin as principal. The API answers a non-admin 403 on every
 * one of these operations; the console shows such a user its "Page not found" instead, on every
 * /admin address and for every method, so the pages' existence is not advertised to them.
 */

const PAGE_SIZE = 20;
const T = 'console/admin';
const idParams = z.object({ id: z.uuid() });

type Form = Record<string, unknown>;

const USER_DONE = {
  added: (u: UserDto) => `${u.name} has been added as ${ROLE_NAMES[u.role].toLowerCase()}. They can sign in with ${u.email}.`,
  role: (u: UserDto) => `${u.name}’s role is now ${ROLE_NAMES[u.role].toLowerCase()}.`,
  deactivated: (u: UserDto) => `${u.name} has been deactivated and signed out everywhere.`,
  reactivated: (u: UserDto) => `${u.name} has been reactivated and can sign in again.`,
} as const;
type UserDone = keyof typeof USER_DONE;

export function registerAdminPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, staff, accessChanges } = deps;
  const db = database.db;

  const principalOf = (request: FastifyRequest): UserPrincipal => staff.staffOf(request).principal;

  /** Every administration page: a live session, then the API's rule (admins only), answered as not found. */
  const adminOnly = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (principalOf(request).role !== 'admin') await staff.notFound(request, reply);
  };
  const admin = { preHandler: [staff.requireStaff, adminOnly] };

  const render = (request: FastifyRequest, reply: FastifyReply, template: string, context: Record<string, unknown>, status = 200) =>
    page(request, reply, `${T}/${template}`, { ...staff.common(request, 'admin'), ...context }, status);

  const formOf = (request: FastifyRequest): Form => (request.body && typeof request.body === 'object' ? (request.body as Form) : {});
  const idOf = (request: FastifyRequest): string | null => {
    const parsed = idParams.safeParse(request.params);
    return parsed.success ? parsed.data.id : null;
  };
  const cursorOf = (request: FastifyRequest): string | undefined => {
    const cursor = (request.query as Record<string, unknown> | undefined)?.cursor;
    return typeof cursor === 'string' && cursor.length > 0 && cursor.length <= 512 ? cursor : undefined;
  };

  /** A page of a list; a cursor that was tampered with or outlived its page shows the first page rather than a problem. */
  async function pageOf<T>(request: FastifyRequest, list: (cursor: string | undefined) => Promise<Page<T>>): Promise<{ page: Page<T>; first: boolean }> {
    const cursor = cursorOf(request);
    try {
      return { page: await list(cursor), first: !cursor };
    } catch (error) {
      if (!(isAppError(error) && error.code === 'pagination.invalid_cursor')) throw error;
      return { page: await list(undefined), first: true };
    }
  }

  /** Runs a use case on one of the organisation's records; not found (or another organisation's) is the console's 404 page. */
  async function found<T>(request: FastifyRequest, reply: FastifyReply, code: string, read: (id: string) => Promise<T>): Promise<T | null> {
    const id = idOf(request);
    try {
      if (id) return await read(id);
    } catch (error) {
      if (!(isAppError(error) && error.code === code)) throw error;
    }
    await staff.notFound(request, reply);
    return null;
  }
  const loadUser = (request: FastifyRequest, reply: FastifyReply) =>
    found(request, reply, 'accounts.user_not_found', (id) => usecases.getUser({ db, principal: principalOf(request), id }));
  const loadKey = (request: FastifyRequest, reply: FastifyReply) =>
    found(request, reply, 'accounts.api_key_not_found', (id) => usecases.getApiKey({ db, principal: principalOf(request), id }));

  /** A POST's CSRF token; false once the "page has expired" page has been sent. */
  async function csrfChecked(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (staff.csrfOk(request, formOf(request)._csrf)) return true;
    await staff.csrfRefused(request, reply);
    return false;
  }

  // A banner (or the new key's secret) for the very next page only, sealed in a cookie bound to this session and that page.
  const flashBinding = (request: FastifyRequest, path: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: path, now: now() });
  const redirectWith = (request: FastifyRequest, reply: FastifyReply, path: string, value: unknown) => {
    putFlash(reply, { ...flashBinding(request, path), secure: config.cookieSecure, value });
    return reply.redirect(path, 303);
  };
  const flashFor = <V>(request: FastifyRequest, reply: FastifyReply, path: string) => takeFlash<V>(request, reply, flashBinding(request, path));

  /** Role and active changes go through the same cache invalidation as the API, so a changed user's tokens follow at once. */
  const changeUser = (request: FastifyRequest, id: string, changes: { role?: UserDto['role']; active?: boolean }) => {
    const principal = principalOf(request);
    return accessChanges.apply({ db, organisationId: principal.organisationId }, (tx) => usecases.updateUser({ db: tx, now: now(), principal, id, changes }));
  };

  // ── The index ──

  web.get('/admin', admin, async (request, reply) => render(request, reply, 'index.njk', { title: 'Administration' }));

  // ── Users ──

  web.get('/admin/users', admin, async (request, reply) => {
    const { page: list, first } = await pageOf(request, (cursor) => usecases.listUsers({ db, principal: principalOf(request), limit: PAGE_SIZE, cursor }));
    return render(request, reply, 'users.njk', {
      title: 'Users',
      rows: userRows(list.items),
      nextHref: list.nextCursor ? `/admin/users?cursor=${encodeURIComponent(list.nextCursor)}` : null,
      firstHref: first ? null : '/admin/users',
      backLink: { href: '/admin', text: 'Back to administration' },
    });
  });

  const renderNewUser = (request: FastifyRequest, reply: FastifyReply, values: { name: string; email: string; role: string }, errors: FieldErrors<UserField> = {}, status = 200) =>
    render(
      request,
      reply,
      'user-new.njk',
      {
        title: 'Add a user',
        values,
        roles: roleOptions(values.role),
        errors: errorSummary(errors, { role: 'role' }),
        fieldErrors: fieldMessages(errors),
        backLink: { href: '/admin/users', text: 'Back to users' },
      },
      status,
    );

  web.get('/admin/users/new', admin, async (request, reply) => renderNewUser(request, reply, { name: '', email: '', role: '' }));

  web.post('/admin/users/new', admin, async (request, reply) => {
    if (!(await csrfChecked(request, reply))) return reply;
    const { values, result } = readUserForm(formOf(request));
    if (!result.ok) return renderNewUser(request, reply, values, result.errors, 400);
    try {
      // The API also hands back the new user's first personal token; the console does not show it
      // (people sign in by link or single sign-on), and only its hash is kept.
      const created = await usecases.createUser({ db, now: now(), principal: principalOf(request), ...result.value });
      return redirectWith(request, reply, `/admin/users/${created.user.id}`, 'added' satisfies UserDone);
    } catch (error) {
      if (isAppError(error) && error.code === 'accounts.email_taken') return renderNewUser(request, reply, values, { email: error.detail ?? error.title }, 409);
      throw error;
    }
  });

  const renderUser = (
    request: FastifyRequest,
    reply: FastifyReply,
    user: UserDto,
    { errors = {}, chosenRole, done }: { errors?: FieldErrors<'role'>; chosenRole?: string | undefined; done?: UserDone | null } = {},
    status = 200,
  ) =>
    render(
      request,
      reply,
      'user.njk',
      {
        title: user.name,
        pageTitle: `${user.name} – Users`,
        account: user,
        roleName: ROLE_NAMES[user.role],
        status: userStatus(user.active),
        added: ukWhen(new Date(user.createdAt)),
        isYou: user.id === principalOf(request).userId,
        roles: roleOptions(chosenRole ?? user.role),
        errors: errorSummary(errors, { role: 'role' }),
        fieldErrors: fieldMessages(errors),
        notice: done ? { type: 'success', text: USER_DONE[done](user) } : null,
        backLink: { href: '/admin/users', text: 'Back to users' },
      },
      status,
    );

  web.get('/admin/users/:id', admin, async (request, reply) => {
    const user = await loadUser(request, reply);
    if (!user) return reply;
    const done = flashFor<UserDone>(request, reply, `/admin/users/${user.id}`);
    return renderUser(request, reply, user, { done: done && done in USER_DONE ? done : null });
  });

  web.post('/admin/users/:id/role', admin, async (request, reply) => {
    if (!(await csrfChecked(request, reply))) return reply;
    const user = await loadUser(request, reply);
    if (!user) return reply;
    const role = readRole(formOf(request));
    if (!role) return renderUser(request, reply, user, { errors: { role: 'Select the user’s role' } }, 400);
    try {
      const after = await changeUser(request, user.id, { role });
      // An admin who made themselves something else has no administration pages any more: show them their account.
      if (after.id === principalOf(request).userId && after.role !== 'admin') return reply.redirect('/account', 303);
      return redirectWith(request, reply, `/admin/users/${user.id}`, 'role' satisfies UserDone);
    } catch (error) {
      if (isAppError(error) && error.code === 'accounts.last_admin') return renderUser(request, reply, user, { errors: { role: `${error.title}. ${error.detail ?? ''}`.trim() }, chosenRole: role }, 409);
      if (isAppError(error) && error.code === 'accounts.user_not_found') return staff.notFound(request, reply);
      throw error;
    }
  });

  const ACTIVATION = {
    deactivate: { active: false, title: 'Deactivate', done: 'deactivated' },
    reactivate: { active: true, title: 'Reactivate', done: 'reactivated' },
  } as const;

  for (const [action, how] of Object.entries(ACTIVATION) as Array<[keyof typeof ACTIVATION, (typeof ACTIVATION)[keyof typeof ACTIVATION]]>) {
    const renderConfirm = (request: FastifyRequest, reply: FastifyReply, user: UserDto, error: string | null = null, status = 200) =>
      render(
        request,
        reply,
        'user-activation.njk',
        {
          title: `${how.title} ${user.name}?`,
          action,
          account: user,
          isYou: user.id === principalOf(request).userId,
          errors: error ? [{ href: '#confirm', text: error }] : [],
          backLink: { href: `/admin/users/${user.id}`, text: 'Back' },
        },
        status,
      );

    web.get(`/admin/users/:id/${action}`, admin, async (request, reply) => {
      const user = await loadUser(request, reply);
      if (!user) return reply;
      // Nothing to confirm: the user is already as asked.
      if (user.active === how.active) return reply.redirect(`/admin/users/${user.id}`, 303);
      return renderConfirm(request, reply, user);
    });

    web.post(`/admin/users/:id/${action}`, admin, async (request, reply) => {
      if (!(await csrfChecked(request, reply))) return reply;
      const user = await loadUser(request, reply);
      if (!user) return reply;
      try {
        const after = await changeUser(request, user.id, { active: how.active });
        // Deactivating yourself ends your own session too (the next request finds it gone): go to sign in.
        if (!after.active && after.id === principalOf(request).userId) return reply.redirect('/sign-in', 303);
        return redirectWith(request, reply, `/admin/users/${user.id}`, how.done satisfies UserDone);
      } catch (error) {
        if (isAppError(error) && error.code === 'accounts.last_admin') return renderConfirm(request, reply, user, `${error.title}. ${error.detail ?? ''}`.trim(), 409);
        if (isAppError(error) && error.code === 'accounts.user_not_found') return staff.notFound(request, reply);
        throw error;
      }
    });
  }

  // ── API keys ──

  web.get('/admin/api-keys', admin, async (request, reply) => {
    const { page: list, first } = await pageOf(request, (cursor) => usecases.listApiKeys({ db, principal: principalOf(request), limit: PAGE_SIZE, cursor }));
    const revoked = flashFor<{ revoked: string }>(request, reply, '/admin/api-keys');
    return render(request, reply, 'api-keys.njk', {
      title: 'API keys',
      cards: apiKeyCards(list.items, now()),
      notice: revoked && typeof revoked.revoked === 'string' ? { type: 'success', text: `The key “${revoked.revoked}” has been revoked. It no longer works.` } : null,
      nextHref: list.nextCursor ? `/admin/api-keys?cursor=${encodeURIComponent(list.nextCursor)}` : null,
      firstHref: first ? null : '/admin/api-keys',
      backLink: { href: '/admin', text: 'Back to administration' },
    });
  });

  const renderNewKey = (request: FastifyRequest, reply: FastifyReply, values: { name: string; scopes: string[] }, errors: FieldErrors<KeyField> = {}, status = 200) =>
    render(
      request,
      reply,
      'api-key-new.njk',
      {
        title: 'Create an API key',
        values,
        scopes: scopeOptions(values.scopes),
        errors: errorSummary(errors),
        fieldErrors: fieldMessages(errors),
        backLink: { href: '/admin/api-keys', text: 'Back to API keys' },
      },
      status,
    );

  web.get('/admin/api-keys/new', admin, async (request, reply) => renderNewKey(request, reply, { name: '', scopes: [] }));

  web.post('/admin/api-keys/new', admin, async (request, reply) => {
    if (!(await csrfChecked(request, reply))) return reply;
    const { values, result } = readApiKeyForm(formOf(request));
    if (!result.ok) return renderNewKey(request, reply, values, result.errors, 400);
    const created = await usecases.createApiKey({ db, now: now(), principal: principalOf(request), name: result.value.name, scopes: result.value.scopes });
    // The secret goes to the next page only, sealed in a cookie that page clears as it reads it: a reload does not show it again.
    return redirectWith(request, reply, `/admin/api-keys/${created.apiKey.id}/created`, { id: created.apiKey.id, token: created.token });
  });

  web.get('/admin/api-keys/:id/created', admin, async (request, reply) => {
    const key = await loadKey(request, reply);
    if (!key) return reply;
    const flash = flashFor<{ id: string; token: string }>(request, reply, `/admin/api-keys/${key.id}/created`);
    const secret = flash && flash.id === key.id && typeof flash.token === 'string' ? flash.token : null;
    return render(request, reply, 'api-key-created.njk', {
      title: secret ? 'API key created' : 'The key’s secret cannot be shown again',
      card: apiKeyCards([key], now())[0],
      secret,
      backLink: secret ? undefined : { href: '/admin/api-keys', text: 'Back to API keys' },
    });
  });

  const renderRevoke = (request: FastifyRequest, reply: FastifyReply, key: ApiKeyDto) =>
    render(request, reply, 'api-key-revoke.njk', { title: `Revoke the key “${key.name}”?`, key, backLink: { href: '/admin/api-keys', text: 'Back to API keys' } });

  web.get('/admin/api-keys/:id/revoke', admin, async (request, reply) => {
    const key = await loadKey(request, reply);
    if (!key) return reply;
    if (key.revokedAt) return reply.redirect('/admin/api-keys', 303);
    return renderRevoke(request, reply, key);
  });

  web.post('/admin/api-keys/:id/revoke', admin, async (request, reply) => {
    if (!(await csrfChecked(request, reply))) return reply;
    const id = idOf(request);
    if (!id) return staff.notFound(request, reply);
    const principal = principalOf(request);
    try {
      // Through the same cache invalidation as the API: the key stops working on every instance at once.
      const key = await accessChanges.apply({ db, organisationId: principal.organisationId }, (tx) => usecases.revokeApiKey({ db: tx, now: now(), principal, id }));
      return redirectWith(request, reply, '/admin/api-keys', { revoked: key.name });
    } catch (error) {
      if (isAppError(error) && error.code === 'accounts.api_key_not_found') return staff.notFound(request, reply);
      throw error;
    }
  });
}
