import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../errors';
import { ukClock, ukDay } from '../format';
import type { AppDeps } from '../http/deps';
import { page } from '../web';
import { findOutboxMessage, listOutbox, type OutboxRow } from './mail';

/**
 * The outbox in the officer console, for admins: every email the service sent or, without SMTP_URL,
 * holds instead of sending, newest first, each readable in full. The text is the outbox's own, in
 * which any token a link carried was replaced by [REDACTED] before it was stored (as `GET /v1/outbox`
 * shows it). platform/ uses no module, so the console's helpers are described here by what these
 * pages use of them; the console plugin passes its `ConsoleDeps`.
 */

type Tag = { text: string; classes: string };

export type OutboxPagesDeps = AppDeps & {
  staff: {
    requireStaff: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    staffOf: (request: FastifyRequest) => { principal: { organisationId: string; role: string } };
    notFound: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
    common: (request: FastifyRequest, current?: 'admin') => object;
  };
};

const PAGE_SIZE = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATUS: Record<OutboxRow['status'], Tag> = {
  held: { text: 'Held, not sent', classes: 'govuk-tag--yellow' },
  sent: { text: 'Sent', classes: 'govuk-tag--green' },
  failed: { text: 'Sending failed', classes: 'govuk-tag--red' },
};

/** "14:05 on 27 November 2026". */
const when = (at: Date) => `${ukClock(at)} on ${ukDay(at)}`;

/** What each kind of message is, in words; a kind not listed reads as its name ("deadline_extended" → "Deadline extended"). */
const KIND_NAMES: Record<string, string> = {
  invitation: 'Invitation to a supplier',
  new_link: 'New link for a supplier',
  reminder: 'Reminder to a supplier',
  deadline_extended: 'Deadline extended for a supplier',
  clarification: 'Clarification question to a supplier',
  team_member: 'Invitation to a bid team member',
  'staff.sign_in_link': 'Sign-in link',
};

export const kindName = (kind: string): string => {
  const known = KIND_NAMES[kind];
  if (known) return known;
  const words = kind.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export type OutboxListRow = { href: string; subject: string; to: string; kind: string; status: Tag; at: string };

export function outboxRows(rows: OutboxRow[]): OutboxListRow[] {
  return rows.map((row) => ({ href: `/admin/outbox/${row.id}`, subject: row.subject, to: row.to, kind: kindName(row.kind), status: STATUS[row.status], at: when(row.createdAt) }));
}

/** A message's text as paragraphs of lines, so the page keeps its line breaks without preformatted text (which would not reflow). */
export function textParagraphs(text: string): string[][] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((paragraph) => paragraph.replace(/^\n+|\s+$/g, ''))
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => paragraph.split('\n'));
}

/** What the message page says about a message besides its text (GOV.UK summary list rows). */
export function messageRows(message: OutboxRow) {
  const status = STATUS[message.status];
  return [
    { key: { text: 'To' }, value: { text: message.to } },
    { key: { text: 'Status' }, value: { html: `<strong class="govuk-tag ${status.classes}">${status.text}</strong>` } },
    { key: { text: 'Written' }, value: { text: when(message.createdAt) } },
    ...(message.sentAt ? [{ key: { text: 'Sent' }, value: { text: when(message.sentAt) } }] : []),
    ...(message.error ? [{ key: { text: 'Why it failed' }, value: { text: message.error } }] : []),
  ];
}

export function registerOutboxPages(web: FastifyInstance, { database, mailer, staff }: OutboxPagesDeps): void {
  const db = database.db;
  const organisationOf = (request: FastifyRequest) => staff.staffOf(request).principal.organisationId;
  // As `GET /v1/outbox`: admins only; anyone else meets the console's "Page not found".
  const adminOnly = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (staff.staffOf(request).principal.role !== 'admin') await staff.notFound(request, reply);
  };
  const admin = { preHandler: [staff.requireStaff, adminOnly] };
  const held = mailer.transport === 'outbox';

  web.get('/admin/outbox', admin, async (request, reply) => {
    const raw = (request.query as Record<string, unknown> | undefined)?.cursor;
    const cursor = typeof raw === 'string' && raw.length > 0 && raw.length <= 512 ? raw : undefined;
    const list = (after: string | undefined) => listOutbox({ db, organisationId: organisationOf(request), limit: PAGE_SIZE, cursor: after, order: 'newest' });
    let result;
    let first = !cursor;
    try {
      result = await list(cursor);
    } catch (error) {
      // A cursor that was tampered with or outlived its page: the first page rather than a problem.
      if (!(isAppError(error) && error.code === 'pagination.invalid_cursor')) throw error;
      result = await list(undefined);
      first = true;
    }
    return page(request, reply, 'console/admin/outbox.njk', {
      ...staff.common(request, 'admin'),
      title: 'Outbox',
      held,
      rows: outboxRows(result.items),
      nextHref: result.nextCursor ? `/admin/outbox?cursor=${encodeURIComponent(result.nextCursor)}` : null,
      firstHref: first ? null : '/admin/outbox',
      backLink: { href: '/admin', text: 'Back to administration' },
    });
  });

  web.get<{ Params: { id: string } }>('/admin/outbox/:id', admin, async (request, reply) => {
    const { id } = request.params;
    const message = UUID.test(id) ? await findOutboxMessage({ db, organisationId: organisationOf(request), id }) : undefined;
    if (!message) return staff.notFound(request, reply);
    return page(request, reply, 'console/admin/outbox-message.njk', {
      ...staff.common(request, 'admin'),
      title: message.subject,
      pageTitle: `${message.subject} – Outbox`,
      message: { kind: kindName(message.kind), rows: messageRows(message), paragraphs: textParagraphs(message.text) },
      held,
      backLink: { href: '/admin/outbox', text: 'Back to the outbox' },
    });
  });
}
