import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { inTransaction, type Db } from '../db';
import { afterCreatedAtId, beforeCreatedAtId, createdAtIdKey, toPage, type Page } from '../pagination';
import { outbox } from './mail.table';

export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  kind: string;
  about: { type: string; id: string };
  /** Strings in the text that must never be stored (tokens inside links). */
  secrets?: string[];
};

/**
 * `copies`: further outbox rows recording the same email in other organisations' outboxes (a person
 * with an account in several gets one email); their status follows this one's.
 */
export type QueuedMail = { id: string; organisationId: string; message: MailMessage; copies?: string[] };

export const REDACTED = '[REDACTED]';

export function redact(text: string, secrets: string[] = []): string {
  return secrets.filter((s) => s.length > 0).reduce((out, secret) => out.split(secret).join(REDACTED), text);
}

/**
 * Records a message in the outbox inside the caller's transaction. The returned value carries the
 * unredacted message in memory only, for `Mailer.deliver` after commit.
 */
export async function queueMail({ db, organisationId, message, now }: { db: Db; organisationId: string; message: MailMessage; now: Date }): Promise<QueuedMail> {
  const [row] = await db
    .insert(outbox)
    .values({
      organisationId,
      kind: message.kind,
      subjectType: message.about.type,
      subjectId: message.about.id,
      to: message.to,
      subject: message.subject,
      text: redact(message.text, message.secrets),
      status: 'held',
      createdAt: now,
    })
    .returning({ id: outbox.id });
  return { id: row!.id, organisationId, message };
}

export type Mailer = {
  /** Sends queued messages after their transaction committed; never throws. */
  deliver: (input: { db: Db; mails: QueuedMail[]; now: () => Date }) => Promise<void>;
  transport: 'smtp' | 'outbox';
};

/** Keeps messages in the outbox for admins to read: the default when no SMTP server is set. */
export function createOutboxMailer(): Mailer {
  return { transport: 'outbox', deliver: async () => undefined };
}

/** Sends through SMTP with nodemailer, recording the outcome on each outbox row. */
export function createSmtpMailer({ url, from, logger }: { url: string; from: string; logger: { warn: (obj: object, msg: string) => void } }): Mailer {
  // Short timeouts: an unreachable mail server must not hold a supplier's request for minutes.
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    transport: 'smtp',
    deliver: async ({ db, mails, now }) => {
      for (const mail of mails) {
        try {
          await transporter.sendMail({ from, to: mail.message.to, subject: mail.message.subject, text: mail.message.text });
          await db.update(outbox).set({ status: 'sent', sentAt: now() }).where(inArray(outbox.id, [mail.id, ...(mail.copies ?? [])]));
        } catch (error) {
          // The error text is the SMTP server's; it never contains the message body.
          const reason = error instanceof Error ? error.message.slice(0, 500) : 'unknown error';
          logger.warn({ outboxId: mail.id, kind: mail.message.kind }, 'email delivery failed');
          await db
            .update(outbox)
            .set({ status: 'failed', error: redact(reason, mail.message.secrets) })
            .where(inArray(outbox.id, [mail.id, ...(mail.copies ?? [])]))
            .catch(() => undefined);
        }
      }
    },
  };
}

export type OutboxRow = typeof outbox.$inferSelect;

/** The organisation's messages, oldest first (the API's order) or newest first (the console's). */
export async function listOutbox({
  db,
  organisationId,
  limit,
  cursor,
  order = 'oldest',
}: {
  db: Db;
  organisationId: string;
  limit: number;
  cursor?: string | undefined;
  order?: 'oldest' | 'newest';
}): Promise<Page<OutboxRow>> {
  const newest = order === 'newest';
  const position = (newest ? beforeCreatedAtId : afterCreatedAtId)({ cursor, createdAt: outbox.createdAt, id: outbox.id });
  const rows = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.organisationId, organisationId), position))
    .orderBy(...(newest ? [desc(outbox.createdAt), desc(outbox.id)] : [asc(outbox.createdAt), asc(outbox.id)]))
    .limit(limit + 1);
  return toPage({ rows, limit, keyOf: createdAtIdKey, toItem: (row) => row });
}

/** One message of the organisation, or undefined (another organisation's included). */
export async function findOutboxMessage({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<OutboxRow | undefined> {
  const [row] = await db.select().from(outbox).where(and(eq(outbox.organisationId, organisationId), eq(outbox.id, id)));
  return row;
}

/**
 * Runs `work` in a transaction in which it may queue email, and delivers what it queued only once
 * the transaction has committed: a rolled-back action never emails anyone. (Inside an outer
 * transaction, delivery happens when this block ends, before the outer commit.)
 */
export async function transactionWithMail<T>(
  { db, mailer, now }: { db: Db; mailer: Mailer; now: Date },
  work: (tx: Db, send: (input: { organisationId: string; message: MailMessage }) => Promise<QueuedMail>) => Promise<T>,
): Promise<T> {
  const queued: QueuedMail[] = [];
  const result = await inTransaction(db, (tx) =>
    work(tx, async ({ organisationId, message }) => {
      const mail = await queueMail({ db: tx, organisationId, message, now });
      queued.push(mail);
      return mail;
    }),
  );
  await mailer.deliver({ db, mails: queued, now: () => new Date() });
  return result;
}
