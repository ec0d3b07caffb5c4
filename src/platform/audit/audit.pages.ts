import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../auth';
import { isAppError } from '../errors';
import type { AppDeps } from '../http/deps';
import { page } from '../web';
import { verifyAuditChain } from './audit';
import { AUDIT_READERS } from './audit.api';
import { auditEventCards, filterChoices, filterQuery, isFiltered, readAuditFilter, supplierIdsOf, verificationView, type Names, type Person, type ProcurementName } from './audit.pages.models';
import { auditedActions, findAuditEvent, invitedSupplierNames, searchAuditEvents } from './audit.search';

/**
 * The console's audit log (`/admin/audit`): the organisation's events newest first, narrowed by
 * who, what, when (UK dates) and which procurement, and the check of its hash chain. Readers as in
 * `GET /v1/audit-events`: admins and viewers; anyone else gets the console's "Page not found".
 *
 * The staff helpers come from the accounts module, which platform code does not import: this is
 * the part of them these pages use, and the console's `ConsoleDeps` provides it.
 */
export type AuditPagesDeps = AppDeps & {
  staff: {
    requireStaff: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    staffOf: (request: FastifyRequest) => { principal: { organisationId: string }; user: { role: Role } };
    csrfOk: (request: FastifyRequest, given: unknown) => boolean;
    csrfRefused: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
    notFound: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
    common: (request: FastifyRequest, current?: 'admin') => object;
  };
};

const PAGE = '/admin/audit';
const PAGE_SIZE = 20;

type Form = Record<string, string | string[] | undefined> | undefined;

export function registerAuditPages(web: FastifyInstance, { database, hooks, staff }: AuditPagesDeps): void {
  const db = database.db;
  const guard = { preHandler: staff.requireStaff };
  const mayRead = (request: FastifyRequest) => (AUDIT_READERS.roles as readonly Role[]).includes(staff.staffOf(request).user.role);

  /** The people and procurements the modules can name for this organisation. */
  async function directory(organisationId: string): Promise<Pick<Names, 'people' | 'procurements'>> {
    const people = new Map<string, Person>();
    const procurements = new Map<string, ProcurementName>();
    for (const hook of hooks.auditNames) {
      const found = await hook({ db, organisationId });
      for (const person of found.people ?? []) people.set(person.id, person);
      for (const procurement of found.procurements ?? []) procurements.set(procurement.id, procurement);
    }
    return { people, procurements };
  }

  web.get<{ Querystring: Record<string, unknown> }>(PAGE, guard, async (request, reply) => {
    if (!mayRead(request)) return staff.notFound(request, reply);
    const { organisationId } = staff.staffOf(request).principal;
    const read = readAuditFilter(request.query);
    const [known, actions] = await Promise.all([directory(organisationId), auditedActions({ db, organisationId })]);

    let events: Awaited<ReturnType<typeof searchAuditEvents>> = { items: [], nextCursor: null };
    let cursor = read.cursor;
    if (read.errors.length === 0) {
      try {
        events = await searchAuditEvents({ db, organisationId, filter: read.filter, limit: PAGE_SIZE, cursor });
      } catch (error) {
        // A cursor that was edited by hand: show the first page rather than an error.
        if (!isAppError(error) || error.code !== 'pagination.invalid_cursor') throw error;
        cursor = undefined;
        events = await searchAuditEvents({ db, organisationId, filter: read.filter, limit: PAGE_SIZE });
      }
    }
    const names: Names = { ...known, suppliers: await invitedSupplierNames({ db, organisationId, ids: supplierIdsOf(events.items) }) };
    const dateField = (side: 'from' | 'to') => {
      const problem = read.dateProblems[side];
      return {
        errorMessage: problem ? { text: problem.text } : undefined,
        items: (['day', 'month', 'year'] as const).map((part) => ({
          name: part,
          label: part[0]!.toUpperCase() + part.slice(1),
          value: read.values[side][part],
          classes: `${part === 'year' ? 'govuk-input--width-4' : 'govuk-input--width-2'}${problem?.parts.includes(part) ? ' govuk-input--error' : ''}`,
          inputmode: 'numeric',
        })),
      };
    };
    return page(
      request,
      reply,
      'console/admin/audit.njk',
      {
        ...staff.common(request, 'admin'),
        title: 'Audit log',
        fullWidth: true,
        errors: read.errors,
        choices: filterChoices({ values: read.values, names, actions }),
        from: dateField('from'),
        to: dateField('to'),
        filtered: isFiltered(read.values),
        cards: auditEventCards({ events: events.items, names }),
        firstHref: cursor ? `${PAGE}${filterQuery(read.values)}` : null,
        nextHref: events.nextCursor ? `${PAGE}${filterQuery(read.values, { cursor: events.nextCursor })}` : null,
        clearHref: PAGE,
      },
      read.errors.length > 0 ? 400 : 200,
    );
  });

  // Verifying reads the whole chain and changes nothing; it is a form (POST) so a link or a crawler never sets it off.
  web.post<{ Body: Form }>(`${PAGE}/verify`, guard, async (request, reply) => {
    if (!mayRead(request)) return staff.notFound(request, reply);
    if (!staff.csrfOk(request, request.body?._csrf)) return staff.csrfRefused(request, reply);
    const { organisationId } = staff.staffOf(request).principal;
    const result = await verifyAuditChain({ db, organisationId });
    const broken = result.ok ? null : await findAuditEvent({ db, organisationId, id: result.firstBroken.id });
    return page(request, reply, 'console/admin/audit-verify.njk', {
      ...staff.common(request, 'admin'),
      title: result.ok ? 'The audit log is intact' : 'The audit log has been altered',
      result: verificationView({ result, broken }),
      backLink: { href: PAGE, text: 'Back to the audit log' },
    });
  });
}
