import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../platform/errors';
import { page, putFlash, takeFlash } from '../../platform/web';
import type { ConsoleDeps } from '../accounts';
import { APPROVAL_ROLE_WORDS } from './approvals.models';
import { approvalRows, COMMENT_MAX, readSignOffForm, roleItems, signOffHref, type SignOffTyped } from './approvals.pages.models';
import { approvalsRecord, recordApproval } from './approvals.usecases';
import { resultsHref } from './console.models';
import type { FormBody, PageError } from './moderation.models';
import { RESULTS_READERS } from './scoring.access';

/**
 * The console's sign-off page (`/procurements/:id/sign-off`): the approvals recorded on the
 * procurement's evaluation and the form to record one's own, offering only the roles
 * `recordApproval` accepts from this person. Its own page, not a part of the results, because the
 * panel's evaluators sign off too and never see the results. Readers as
 * `GET /v1/procurements/{id}/approvals`; another council's id gets the 404 page.
 */

type Params = { id: string };
type Record = Awaited<ReturnType<typeof approvalsRecord>>;
const isId = (value: string) => z.uuid().safeParse(value).success;

export function registerApprovalPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, staff } = deps;
  const db = database.db;
  const onlyStaff = { preHandler: staff.requireStaff };
  const ctxOf = (request: FastifyRequest) => ({ db, now: now(), principal: staff.staffOf(request).principal });
  const flashBinding = (request: FastifyRequest, pagePath: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: pagePath, now: now() });

  /** The record, or the page already sent: 404 for an unknown or another council's id, 403 for an evaluator not on this panel. */
  async function load(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<Record | null> {
    if (!isId(request.params.id)) {
      await staff.notFound(request, reply);
      return null;
    }
    try {
      return await approvalsRecord({ ...ctxOf(request), procurementId: request.params.id });
    } catch (error) {
      if (isAppError(error) && error.status === 404) {
        await staff.notFound(request, reply);
        return null;
      }
      if (isAppError(error) && error.status === 403) {
        await page(request, reply, 'console/evaluations/not-on-panel.njk', { ...staff.common(request, 'evaluations'), title: 'You are not on this procurement’s panel' }, 403);
        return null;
      }
      throw error;
    }
  }

  function render(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, record: Record, form: { typed?: SignOffTyped; errors?: PageError[]; status?: number } = {}) {
    const { procurement } = record;
    const typed = form.typed ?? { role: record.roles.length === 1 ? record.roles[0]! : '', comment: '' };
    const errors = form.errors ?? [];
    const fieldError = (href: string) => {
      const found = errors.find((e) => e.href === href);
      return found ? { text: found.text } : undefined;
    };
    const userId = staff.staffOf(request).user.id;
    const readsResults = (RESULTS_READERS.roles as readonly string[]).includes(staff.staffOf(request).user.role);
    return page(
      request,
      reply,
      'console/results/sign-off.njk',
      {
        ...staff.common(request, readsResults ? 'procurements' : 'evaluations'),
        procurement: { id: procurement.id, title: procurement.title, reference: procurement.reference },
        backLink: readsResults ? { href: `/procurements/${procurement.id}`, text: 'Back to the procurement' } : { href: '/evaluations', text: 'Back to your evaluations' },
        title: 'Sign off the evaluation',
        notice: form.errors ? undefined : takeFlash(request, reply, flashBinding(request, signOffHref(procurement.id))),
        errors,
        approvals: approvalRows(record.approvals),
        open: record.open,
        closedReason: `The procurement is ${procurement.status}: sign-offs are recorded once it is being evaluated, and after its decision.`,
        roles: roleItems({ roles: record.roles, typed, mine: record.approvals.filter((a) => a.userId === userId) }),
        noRoleReason:
          'You cannot sign off this evaluation: evaluators and the moderator sign off once they have declared their interests, and officers or admins record the data protection officer’s, equality lead’s and approver’s sign-offs.',
        typed,
        roleError: fieldError('#role'),
        commentError: fieldError('#comment'),
        commentMax: COMMENT_MAX,
        action: signOffHref(procurement.id),
        resultsHref: readsResults ? resultsHref(procurement.id) : null,
      },
      form.status ?? 200,
    );
  }

  web.get<{ Params: Params }>('/procurements/:id/sign-off', onlyStaff, async (request, reply) => {
    const record = await load(request, reply);
    if (!record) return reply;
    return render(request, reply, record);
  });

  web.post<{ Params: Params; Body: FormBody }>('/procurements/:id/sign-off', onlyStaff, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    if (!staff.csrfOk(request, body._csrf)) return staff.csrfRefused(request, reply);
    const record = await load(request, reply);
    if (!record) return reply;
    const form = readSignOffForm({ body, roles: record.roles });
    if (!form.input) return render(request, reply, record, { typed: form.typed, errors: form.errors, status: 400 });
    try {
      await recordApproval({ ...ctxOf(request), procurementId: record.procurement.id, ...form.input });
    } catch (error) {
      // Refused after the page was read (a role taken away, the procurement cancelled): say so, keep what was typed.
      if (isAppError(error) && (error.status === 403 || error.status === 409)) return render(request, reply, record, { typed: form.typed, errors: [{ href: '#role', text: error.title }], status: error.status });
      throw error;
    }
    putFlash(reply, {
      ...flashBinding(request, signOffHref(record.procurement.id)),
      secure: config.cookieSecure,
      value: { type: 'success', text: `Your approval as ${APPROVAL_ROLE_WORDS[form.input.role].toLowerCase()} has been recorded.` },
    });
    return reply.redirect(signOffHref(record.procurement.id), 303);
  });
}
