import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/auth';
import { isAppError, type AppError } from '../../platform/errors';
import { ukDayTime, ukWallTime } from '../../platform/format';
import { page, putFlash, takeFlash } from '../../platform/web';
import type { ConsoleDeps } from '../accounts';
import { getProcurement, type ProcurementDto } from '../procurements';
import { readExtendForm, readInviteForm, suppliersHref, supplierCards, supplierHref, suppliersSummary, procurementHref, type FormBody, type PageError } from './console.models';
import * as invitations from './invitations.usecases';
import { PROGRESS_READERS } from './responses.access';
import { getResponseForOfficer, extendDeadline, listResponsesOfProcurement } from './responses.usecases';

/**
 * The console's suppliers page (`/procurements/:id/suppliers`): each invited supplier's progress,
 * inviting one (its link shown once), a new link, a reminder, more time, revoking. The same use
 * cases as the API, with the signed-in officer as principal; roles as in the API: council staff
 * but the panel's evaluators read progress, admins and officers act.
 */

const MANAGERS: readonly Role[] = ['admin', 'officer'];
const READERS: readonly Role[] = PROGRESS_READERS.roles;
const PAGE_SIZE = 20;
const isId = (value: string) => z.uuid().safeParse(value).success;

type Params = { id: string };
type SupplierParams = { id: string; invitationId: string };
type Action = 'new-link' | 'remind' | 'extend' | 'revoke';
/** What the link page shows once, carried to it in the sealed flash cookie. */
type ShownOnce = { kind: 'invited' | 'new_link'; respondUrl: string; emailed: boolean; to: string; email: { subject: string; text: string } };

/** What the use cases refuse, in the words of the page it is shown on. */
function refusal(error: AppError): string {
  switch (error.code) {
    case 'invitations.procurement_not_open':
      return `Suppliers cannot be invited now. ${error.detail}`;
    case 'invitations.revoked':
      return 'This supplier’s link was revoked. Invite the supplier again instead.';
    case 'invitations.cannot_remind':
      return `There is nothing to remind this supplier of: ${error.detail.replace(/^The response is /, 'the response is ').replace(/\.$/, '')}.`;
    case 'responses.cannot_extend':
      return `This supplier’s deadline cannot be extended ${error.detail.replace(/^Because /, 'because ')}`;
    default:
      return error.title;
  }
}

export function registerSupplierPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, mailer, principalCache, accessChanges, staff } = deps;
  const db = database.db;
  const onlyStaff = { preHandler: staff.requireStaff };

  /**
   * The signed-in user and the procurement the URL names, or the page already sent: the console's
   * 404 for an id that is not one of this council's (or not an id), 403 for a role that may not.
   */
  async function load(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, roles: readonly Role[]): Promise<{ procurement: ProcurementDto } | null> {
    const { id } = request.params;
    const session = staff.staffOf(request);
    if (!roles.includes(session.user.role)) {
      await forbidden(request, reply);
      return null;
    }
    if (!isId(id) || ((request.params as Partial<SupplierParams>).invitationId !== undefined && !isId((request.params as SupplierParams).invitationId))) {
      await staff.notFound(request, reply);
      return null;
    }
    try {
      return { procurement: await getProcurement({ db, now: now(), principal: session.principal, id }) };
    } catch (error) {
      if (isAppError(error) && error.status === 404) {
        await staff.notFound(request, reply);
        return null;
      }
      throw error;
    }
  }

  const forbidden = (request: FastifyRequest, reply: FastifyReply) =>
    page(request, reply, 'console/suppliers/not-allowed.njk', { ...staff.common(request, 'procurements'), title: 'You cannot do this' }, 403);

  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });
  const flashBinding = (request: FastifyRequest, pagePath: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: pagePath, now: now() });
  const notice = (request: FastifyRequest, reply: FastifyReply, pagePath: string) => takeFlash<{ type?: string; text: string }>(request, reply, flashBinding(request, pagePath));
  const leaveNotice = (request: FastifyRequest, reply: FastifyReply, pagePath: string, value: unknown) => putFlash(reply, { ...flashBinding(request, pagePath), secure: config.cookieSecure, value });

  const heading = (procurement: ProcurementDto) => ({
    procurement: { id: procurement.id, title: procurement.title, reference: procurement.reference, status: procurement.status },
    backLink: { href: procurementHref(procurement.id), text: 'Back to the procurement' },
  });

  async function renderSuppliers(
    request: FastifyRequest<{ Params: Params; Querystring?: unknown }>,
    reply: FastifyReply,
    procurement: ProcurementDto,
    form: { typed?: { supplierName: string; contactEmail: string; companyNumber: string }; errors?: PageError[]; status?: number } = {},
  ) {
    const session = staff.staffOf(request);
    const canManage = MANAGERS.includes(session.user.role);
    const cursor = typeof (request.query as { cursor?: unknown } | undefined)?.cursor === 'string' ? (request.query as { cursor: string }).cursor : undefined;
    const listed = await invitations.listInvitations({ ...ctxOf(request), procurementId: procurement.id, limit: PAGE_SIZE, cursor: cursor || undefined });
    const progress = await listResponsesOfProcurement({ ...ctxOf(request), procurementId: procurement.id });
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    return page(
      request,
      reply,
      'console/suppliers/index.njk',
      {
        ...staff.common(request, 'procurements'),
        ...heading(procurement),
        title: 'Suppliers',
        errors,
        notice: form.errors ? null : notice(request, reply, suppliersHref(procurement.id)),
        summary: suppliersSummary(progress),
        cards: supplierCards({ procurementId: procurement.id, procurementStatus: procurement.status, invitations: listed.items, progress, canManage }),
        pagination: {
          previous: cursor ? { href: suppliersHref(procurement.id), labelText: 'First page' } : undefined,
          next: listed.nextCursor ? { href: `${suppliersHref(procurement.id)}?cursor=${encodeURIComponent(listed.nextCursor)}`, labelText: 'More suppliers' } : undefined,
        },
        canInvite: canManage && (procurement.status === 'draft' || procurement.status === 'open'),
        inviteClosedReason: canManage && !(procurement.status === 'draft' || procurement.status === 'open') ? `The procurement is ${procurement.status}: suppliers can be invited only while it is a draft or open.` : null,
        draft: procurement.status === 'draft',
        action: suppliersHref(procurement.id),
        typed: form.typed ?? { supplierName: '', contactEmail: '', companyNumber: '' },
        fieldErrors: { supplierName: fieldError('#supplierName'), contactEmail: fieldError('#contactEmail'), companyNumber: fieldError('#companyNumber') },
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: Params }>('/procurements/:id/suppliers', onlyStaff, async (request, reply) => {
    const loaded = await load(request, reply, READERS);
    if (!loaded) return reply;
    try {
      return await renderSuppliers(request, reply, loaded.procurement);
    } catch (error) {
      // A cursor that is not one of ours.
      if (isAppError(error) && error.code === 'pagination.invalid_cursor') return staff.notFound(request, reply);
      throw error;
    }
  });

  web.post<{ Params: Params; Body: FormBody }>('/procurements/:id/suppliers', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    const loaded = await load(request, reply, MANAGERS);
    if (!loaded) return reply;
    const { procurement } = loaded;
    const form = readInviteForm(body);
    if (!form.input) return renderSuppliers(request, reply, procurement, { typed: form.typed, errors: form.errors, status: 400 });
    try {
      const result = await invitations.inviteSupplier({ ...ctxOf(request), mailer, procurementId: procurement.id, ...form.input, publicBaseUrl: config.publicBaseUrl });
      const linkPage = supplierHref(procurement.id, result.invitation.id, 'link');
      const shown: ShownOnce = { kind: 'invited', respondUrl: result.respondUrl, emailed: result.emailed, to: result.invitation.contactEmail, email: result.email };
      leaveNotice(request, reply, linkPage, shown);
      return reply.redirect(linkPage, 303);
    } catch (error) {
      if (isAppError(error) && error.status === 409) return renderSuppliers(request, reply, procurement, { typed: form.typed, errors: [{ href: '#supplierName', text: refusal(error) }], status: 409 });
      throw error;
    }
  });

  // The link, once: the page reads it from the flash cookie and clears it, so a reload shows it no more.
  web.get<{ Params: SupplierParams }>('/procurements/:id/suppliers/:invitationId/link', onlyStaff, async (request, reply) => {
    const loaded = await load(request, reply, MANAGERS);
    if (!loaded) return reply;
    const invitation = await invitationOr404(request, reply, loaded.procurement);
    if (!invitation) return reply;
    const shown = takeFlash<ShownOnce>(request, reply, flashBinding(request, supplierHref(loaded.procurement.id, invitation.id, 'link')));
    return page(request, reply, 'console/suppliers/link.njk', {
      ...staff.common(request, 'procurements'),
      ...heading(loaded.procurement),
      backLink: { href: suppliersHref(loaded.procurement.id), text: 'Back to suppliers' },
      title: shown ? (shown.kind === 'invited' ? `${invitation.supplierName} has been invited` : `A new link for ${invitation.supplierName}`) : `The link for ${invitation.supplierName} is no longer shown`,
      supplierName: invitation.supplierName,
      shown: shown ? { ...shown, emailLines: shown.email.text.split('\n') } : null,
      newLinkHref: invitation.revokedAt ? null : supplierHref(loaded.procurement.id, invitation.id, 'new-link'),
      suppliersHref: suppliersHref(loaded.procurement.id),
    });
  });

  async function invitationOr404(request: FastifyRequest<{ Params: SupplierParams }>, reply: FastifyReply, procurement: ProcurementDto) {
    try {
      return await invitations.invitationOfProcurement({ ...ctxOf(request), procurementId: procurement.id, invitationId: request.params.invitationId });
    } catch (error) {
      if (isAppError(error) && error.status === 404) {
        await staff.notFound(request, reply);
        return null;
      }
      throw error;
    }
  }

  /** The confirmation or form page of one action on one supplier. */
  async function renderAction(
    request: FastifyRequest<{ Params: SupplierParams }>,
    reply: FastifyReply,
    procurement: ProcurementDto,
    invitation: invitations.InvitationDto,
    action: Action,
    problem: { errors: PageError[]; status: number; typed?: Record<string, string> } | null = null,
  ) {
    const name = invitation.supplierName;
    const base = {
      ...staff.common(request, 'procurements'),
      ...heading(procurement),
      backLink: { href: suppliersHref(procurement.id), text: 'Back to suppliers' },
      supplierName: name,
      contactEmail: invitation.contactEmail,
      action: supplierHref(procurement.id, invitation.id, action),
      cancelHref: suppliersHref(procurement.id),
      errors: problem?.errors ?? [],
    };
    const status = problem?.status ?? 200;
    switch (action) {
      case 'new-link':
        return page(request, reply, 'console/suppliers/new-link.njk', { ...base, title: `Send a new link to ${name}?` }, status);
      case 'revoke':
        return page(request, reply, 'console/suppliers/revoke.njk', { ...base, title: `Revoke ${name}’s link?` }, status);
      case 'remind': {
        const progress = (await listResponsesOfProcurement({ ...ctxOf(request), procurementId: procurement.id })).find((p) => p.responseId === invitation.responseId);
        return page(request, reply, 'console/suppliers/remind.njk', { ...base, title: `Send a reminder to ${name}?`, outstanding: progress?.outstanding ?? null }, status);
      }
      case 'extend': {
        const response = await getResponseForOfficer({ ...ctxOf(request), id: invitation.responseId });
        const wall = ukWallTime(response.deadline);
        const typed = problem?.typed ?? { day: '', month: '', year: '', time: `${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`, reason: '' };
        const fieldError = (...hrefs: string[]) => {
          const found = base.errors.find((e) => hrefs.includes(e.href));
          return found ? { text: found.text } : undefined;
        };
        return page(
          request,
          reply,
          'console/suppliers/extend.njk',
          {
            ...base,
            title: `Give ${name} more time`,
            currentDeadline: ukDayTime(response.deadline),
            typed,
            dateError: fieldError('#deadline-day', '#deadline-month', '#deadline-year'),
            dateErrorField: base.errors.find((e) => e.href.startsWith('#deadline-') && e.href !== '#deadline-time')?.href.slice('#deadline-'.length) ?? null,
            timeError: fieldError('#deadline-time'),
            reasonError: fieldError('#reason'),
          },
          status,
        );
      }
    }
  }

  for (const action of ['new-link', 'remind', 'extend', 'revoke'] as const) {
    web.get<{ Params: SupplierParams }>(`/procurements/:id/suppliers/:invitationId/${action}`, onlyStaff, async (request, reply) => {
      const loaded = await load(request, reply, MANAGERS);
      if (!loaded) return reply;
      const invitation = await invitationOr404(request, reply, loaded.procurement);
      if (!invitation) return reply;
      return renderAction(request, reply, loaded.procurement, invitation, action);
    });

    web.post<{ Params: SupplierParams; Body: FormBody }>(`/procurements/:id/suppliers/:invitationId/${action}`, onlyStaff, async (request, reply) => {
      const body = (request.body ?? {}) as FormBody;
      if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
      const loaded = await load(request, reply, MANAGERS);
      if (!loaded) return reply;
      const { procurement } = loaded;
      const invitation = await invitationOr404(request, reply, procurement);
      if (!invitation) return reply;
      const ctx = ctxOf(request);
      const organisationId = ctx.principal.organisationId;
      const done = (text: string) => {
        leaveNotice(request, reply, suppliersHref(procurement.id), { type: 'success', text });
        return reply.redirect(suppliersHref(procurement.id), 303);
      };
      try {
        switch (action) {
          case 'new-link': {
            const result = await invitations.resendInvitation({ ...ctx, mailer, id: invitation.id, publicBaseUrl: config.publicBaseUrl });
            // As the API does: every instance forgets the old token's cached access once this has committed.
            principalCache.forgetOrganisation(organisationId);
            await accessChanges.announce({ db, organisationId });
            const linkPage = supplierHref(procurement.id, invitation.id, 'link');
            leaveNotice(request, reply, linkPage, { kind: 'new_link', respondUrl: result.respondUrl, emailed: result.emailed, to: result.invitation.contactEmail, email: result.email } satisfies ShownOnce);
            return reply.redirect(linkPage, 303);
          }
          case 'remind':
            await invitations.remindSupplier({ ...ctx, mailer, id: invitation.id });
            return done(`A reminder has been sent to ${invitation.supplierName} at ${invitation.contactEmail}`);
          case 'revoke':
            await accessChanges.apply({ db, organisationId }, (tx) => invitations.revokeInvitation({ ...ctx, db: tx, id: invitation.id }));
            return done(`${invitation.supplierName}’s link has been revoked: it no longer opens their questionnaire`);
          case 'extend': {
            const form = readExtendForm(body);
            if (!form.input) return renderAction(request, reply, procurement, invitation, action, { errors: form.errors, status: 400, typed: form.typed });
            try {
              const updated = await extendDeadline({ ...ctx, mailer, responseId: invitation.responseId, deadline: form.input.deadline, reason: form.input.reason });
              principalCache.forgetOrganisation(organisationId);
              await accessChanges.announce({ db, organisationId });
              return done(`${invitation.supplierName}’s deadline is now ${ukDayTime(updated.deadline)}. They have been emailed.`);
            } catch (error) {
              if (isAppError(error) && error.code === 'responses.extension_not_later') {
                const current = (await getResponseForOfficer({ ...ctx, id: invitation.responseId })).deadline;
                return renderAction(request, reply, procurement, invitation, action, { errors: [{ href: '#deadline-day', text: `The new deadline must be later than ${ukDayTime(current)}` }], status: 400, typed: form.typed });
              }
              throw error;
            }
          }
        }
      } catch (error) {
        if (isAppError(error) && error.status === 409) return renderAction(request, reply, procurement, invitation, action, { errors: [{ href: '#main-content', text: refusal(error) }], status: 409 });
        throw error;
      }
    });
  }
}
