import type { FastifyInstance } from 'fastify';
import { isAppError } from '../../platform/errors';
import { userNames, type ConsoleDeps } from '../accounts';
import { registerDraftPages } from './drafts.web';
import { registerLifecyclePages } from './lifecycle.web';
import { nextStatus, PROCUREMENT_STATUSES, type ProcurementStatus } from './procurements.models';
import * as usecases from './procurements.usecases';
import { procurementWeb } from './web.context';
import { lifecycleTasks, listRows, statusFilter, statusTag, suppliersText, tierName, ukMoment } from './web.models';

/**
 * The officer console's procurement pages: the list, one procurement with its lifecycle as a
 * task list, the draft's forms (drafts.web.ts) and the confirmations that move it on
 * (lifecycle.web.ts). Every page calls the same use cases as the API with the signed-in user as
 * principal; who may change what is the API's rule (procurements.access.ts).
 */
export function registerProcurementPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const pages = procurementWeb(deps);
  registerListPage(web, pages);
  // The draft's forms first: `/procurements/new` must not be read as a procurement id.
  registerDraftPages(web, pages);
  registerSummaryPage(web, pages);
  registerLifecyclePages(web, pages);
}

const PAGE_SIZE = 25;

function registerListPage(web: FastifyInstance, pages: ReturnType<typeof procurementWeb>): void {
  const { staff, ctx, canChange, render, factsOf } = pages;

  web.get('/procurements', { preHandler: staff.requireStaff }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const status = (PROCUREMENT_STATUSES as readonly string[]).includes(String(query.status)) ? (query.status as ProcurementStatus) : undefined;
    const cursor = typeof query.cursor === 'string' && query.cursor.length > 0 && query.cursor.length <= 512 ? query.cursor : undefined;
    const list = (after: string | undefined) => usecases.listProcurements({ ...ctx(request), limit: PAGE_SIZE, cursor: after, status });
    let result;
    let first = !cursor;
    try {
      result = await list(cursor);
    } catch (error) {
      // A cursor that was altered or outlived its list: the first page rather than a problem.
      if (!(isAppError(error) && error.code === 'pagination.invalid_cursor')) throw error;
      result = await list(undefined);
      first = true;
    }
    const facts = await factsOf(request, result.items.map((p) => p.id));
    const href = (after?: string) => {
      const params = new URLSearchParams();
      if (status) params.set('status', status);
      if (after) params.set('cursor', after);
      const q = params.toString();
      return q ? `/procurements?${q}` : '/procurements';
    };
    const writer = canChange(request);
    const statusWord = status ? statusTag(status).text.toLowerCase() : null;
    return render(request, reply, 'list.njk', {
      title: 'Procurements',
      fullWidth: true,
      canChange: writer,
      statusItems: statusFilter(status),
      caption: statusWord ? `Procurements that are ${statusWord}` : 'All procurements',
      rows: listRows(result.items, facts),
      empty: status
        ? { heading: `No procurements are ${statusWord}`, text: 'Choose another status, or show them all.', link: { href: '/procurements', text: 'Show all procurements' } }
        : {
            heading: 'There are no procurements yet',
            text: writer
              ? 'Create a procurement to choose a questionnaire, describe the use case and invite suppliers.'
              : 'When an officer of your council creates a procurement, it appears here.',
            link: writer ? { href: '/procurements/new', text: 'Create a procurement' } : null,
          },
      nextHref: result.nextCursor ? href(result.nextCursor) : null,
      firstHref: first ? null : href(),
    });
  });
}

function registerSummaryPage(web: FastifyInstance, pages: ReturnType<typeof procurementWeb>): void {
  const { staff, db, canChange, render, load, factsOf, noticeFor } = pages;

  web.get('/procurements/:id', { preHandler: staff.requireStaff }, async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const { procurement: p, definition, principal } = loaded;
    const [facts, names] = await Promise.all([
      factsOf(request, [p.id]).then((all) => all.get(p.id)),
      p.evaluatorIds.length > 0 || p.moderatorId ? userNames({ db, organisationId: principal.organisationId, ids: [...p.evaluatorIds, ...(p.moderatorId ? [p.moderatorId] : [])] }) : new Map<string, string>(),
    ]);
    const writer = canChange(request);
    const nameOf = (id: string) => names.get(id) ?? 'A user who is no longer in your council';
    const suppliers = suppliersText(facts);
    const row = (key: string, value: string, href?: string, what?: string) => ({
      key: { text: key },
      value: { text: value },
      ...(href ? { actions: { items: [{ href, text: 'Change', visuallyHiddenText: what ?? key.toLowerCase() }] } } : {}),
    });
    const editable = p.status === 'draft' && writer;
    const base = `/procurements/${p.id}`;
    return render(request, reply, 'summary.njk', {
      title: p.title,
      notice: noticeFor(request, reply, base),
      procurement: p,
      status: statusTag(p.status),
      cancelledNote: p.cancelledAt ? `Cancelled at ${ukMoment(p.cancelledAt)}. Nothing more can happen in it; its records are kept.` : null,
      rows: [
        row('Reference', p.reference ?? 'None', editable ? `${base}/details#reference` : undefined),
        row('Questionnaire', `${p.questionnaire.title}, version ${p.questionnaire.version}`, editable ? `${base}/details#questionnaireId` : undefined),
        row('Description', p.description || 'None', editable ? `${base}/details#description` : undefined),
        row('Risk tier', `${tierName(p.riskTier)}. ${p.riskTierReason}`, editable ? `${base}/triage` : undefined, 'triage answers'),
        row('Deadline (UK time)', ukMoment(p.deadline) + (p.closesAt !== p.deadline ? `. One or more suppliers have until ${ukMoment(p.closesAt)}.` : ''), editable ? `${base}/details#deadline-day` : undefined, 'deadline'),
        row('Evaluators', p.evaluatorIds.length > 0 ? p.evaluatorIds.map(nameOf).join(', ') : 'None yet', editable ? `${base}/panel` : undefined, 'evaluators'),
        row('Moderator', p.moderatorId ? nameOf(p.moderatorId) : 'None yet', editable ? `${base}/panel` : undefined, 'moderator'),
        ...(suppliers ? [row('Suppliers', suppliers)] : []),
      ],
      tasks: lifecycleTasks({ procurement: p, definition, facts, canChange: writer }),
      canCancel: writer && nextStatus(p.status, 'cancel') !== null,
    });
  });
}
