import { recordAudit } from '../../platform/audit';
import type { Actor } from '../../platform/auth';
import { hashToken, issueToken } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import { queueMail, type Mailer, type QueuedMail } from '../../platform/mail';
import * as accountsRepo from './accounts.repository';
import { normaliseEmail } from './accounts.models';
import { safeReturnTo } from './staff.models';
import * as repo from './staff.repository';

/**
 * One-time sign-in links for council staff, emailed (or printed by the CLI for a fresh install or a
 * locked-out admin): a 256-bit secret kept only as its hash, for one user in one organisation,
 * usable once within SIGN_IN_LINK_TTL_MS. Opening the link does not use it (mail scanners open
 * links before people do); only the "Sign in" button on that page does.
 */

export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;
/** Used and expired links are kept this long, so a second click says "already used", then deleted. */
const KEEP_SPENT_LINKS_MS = 24 * 60 * 60_000;
export const SIGN_IN_LINK_PATTERN = /^aidd_signin_[A-Za-z0-9_-]{43}$/;

export const signInLinkUrl = (publicBaseUrl: string, token: string) => `${publicBaseUrl}/sign-in/link/${token}`;

type Account = Awaited<ReturnType<typeof repo.activeUsersByEmail>>[number];
type Issued = { account: Account; token: string; url: string };

/** Makes one link per account, records each issue in that organisation's audit log. */
async function issueLinks({ db, now, publicBaseUrl, accounts, returnTo, issuedBy, actor }: { db: Db; now: Date; publicBaseUrl: string; accounts: Account[]; returnTo: string | null; issuedBy: 'email' | 'cli'; actor: Actor }): Promise<Issued[]> {
  const issued: Issued[] = [];
  for (const account of accounts) {
    await repo.deleteOldSignInLinksOf({ db, userId: account.userId, before: new Date(now.getTime() - KEEP_SPENT_LINKS_MS) });
    const { token, hash } = issueToken({ kind: 'signin' });
    const row = await repo.insertSignInLink({
      db,
      values: { organisationId: account.organisationId, userId: account.userId, tokenHash: hash, email: account.email, returnTo, issuedBy, createdAt: now, expiresAt: new Date(now.getTime() + SIGN_IN_LINK_TTL_MS) },
    });
    await recordAudit({ db, organisationId: account.organisationId, actor, action: 'staff.sign_in_link_issued', subject: { type: 'user', id: account.userId }, details: { linkId: row.id, issuedBy }, now });
    issued.push({ account, token, url: signInLinkUrl(publicBaseUrl, token) });
  }
  return issued;
}

const SUBJECT = 'Sign in to AI supplier due diligence';
const FOOTER = [
  `Each link works once, for ${SIGN_IN_LINK_TTL_MS / 60_000} minutes. If it has expired, ask for a new one on the sign-in page.`,
  '',
  'If you did not ask to sign in, you can ignore this email: nobody can sign in without the link. Do not forward it.',
];

function emailText(name: string, links: Issued[]): string {
  const lines = [`Hello ${name},`, ''];
  if (links.length === 1) {
    lines.push(`Use this link to sign in to AI supplier due diligence for ${links[0]!.account.organisationName}:`, '', links[0]!.url);
  } else {
    lines.push('You have an account with more than one organisation. Use the link for the one you want to sign in to.');
    for (const link of links) lines.push('', `${link.account.organisationName}:`, link.url);
  }
  return [...lines, '', ...FOOTER].join('\n');
}

/**
 * Someone asked for a sign-in link for `email`. For every active account with that address (one
 * per organisation), a link is made, and one email carries them all; each organisation's outbox
 * records only its own link (token redacted), so no council learns of another. Nothing happens for
 * an address without an account: the page says the same either way. Sending is not awaited by the
 * caller, so the answer takes as long whether or not the address is known; `delivery` settles once
 * the email has gone (or failed, recorded in the outbox).
 */
export async function requestSignInLinks({
  db,
  now,
  mailer,
  publicBaseUrl,
  email,
  returnTo,
}: {
  db: Db;
  now: Date;
  mailer: Mailer;
  publicBaseUrl: string;
  email: string;
  returnTo?: string | null | undefined;
}): Promise<{ accounts: number; delivery: Promise<void> }> {
  const accounts = await repo.activeUsersByEmail({ db, email: normaliseEmail(email) });
  if (accounts.length === 0) return { accounts: 0, delivery: Promise.resolve() };
  const mails = await inTransaction(db, async (tx) => {
    const links = await issueLinks({ db: tx, now, publicBaseUrl, accounts, returnTo: safeReturnTo(returnTo), issuedBy: 'email', actor: { type: 'system', id: 'sign-in' } });
    const rows: QueuedMail[] = [];
    for (const link of links) {
      const message = { to: link.account.email, subject: SUBJECT, text: emailText(link.account.name, [link]), kind: 'staff.sign_in_link', about: { type: 'user', id: link.account.userId }, secrets: [link.token] };
      rows.push(await queueMail({ db: tx, organisationId: link.account.organisationId, message, now }));
    }
    const [first, ...copies] = rows;
    const message = { ...first!.message, text: emailText(accounts[0]!.name, links), secrets: links.map((link) => link.token) };
    return [{ ...first!, message, copies: copies.map((row) => row.id) }];
  });
  return { accounts: accounts.length, delivery: mailer.deliver({ db, mails, now: () => new Date() }) };
}

/**
 * The CLI's `sign-in-link`: a link for each active account with the address, printed rather than
 * emailed (a fresh install without mail, an admin locked out). Recorded as issued by the CLI.
 */
export async function issueCliSignInLinks({ db, now, publicBaseUrl, email }: { db: Db; now: Date; publicBaseUrl: string; email: string }): Promise<Array<{ organisation: string; name: string; url: string }>> {
  return inTransaction(db, async (tx) => {
    const accounts = await repo.activeUsersByEmail({ db: tx, email: normaliseEmail(email) });
    const links = await issueLinks({ db: tx, now, publicBaseUrl, accounts, returnTo: null, issuedBy: 'cli', actor: { type: 'system', id: 'cli' } });
    return links.map((link) => ({ organisation: link.account.organisationName, name: link.account.name, url: link.url }));
  });
}

export type LinkProblem = 'unknown' | 'used' | 'expired';

/** What the link page says before anything is spent: whether the link would work, and for which organisation. */
export async function checkSignInLink({ db, now, token }: { db: Db; now: Date; token: string }): Promise<{ ok: true; organisation: string } | { ok: false; problem: LinkProblem }> {
  if (!SIGN_IN_LINK_PATTERN.test(token)) return { ok: false, problem: 'unknown' };
  const row = await repo.findSignInLink({ db, hash: hashToken(token) });
  if (!row) return { ok: false, problem: 'unknown' };
  if (row.usedAt) return { ok: false, problem: 'used' };
  if (row.expiresAt <= now) return { ok: false, problem: 'expired' };
  const user = await accountsRepo.findUserWithOrganisation({ db, organisationId: row.organisationId, id: row.userId });
  if (!user || !user.user.active) return { ok: false, problem: 'unknown' };
  return { ok: true, organisation: user.organisation.name };
}

/**
 * Spends a link, atomically: of two requests with the same link exactly one gets the account. A
 * link that is unknown, used, expired, or whose user has since been deactivated gives the reason.
 */
export async function useSignInLink({ db, now, token }: { db: Db; now: Date; token: string }): Promise<{ ok: true; userId: string; organisationId: string; returnTo: string | null } | { ok: false; problem: LinkProblem }> {
  if (!SIGN_IN_LINK_PATTERN.test(token)) return { ok: false, problem: 'unknown' };
  const hash = hashToken(token);
  const spent = await repo.useSignInLink({ db, hash, now });
  if (!spent) {
    const row = await repo.findSignInLink({ db, hash });
    return { ok: false, problem: !row ? 'unknown' : row.usedAt ? 'used' : 'expired' };
  }
  const user = await accountsRepo.findUser({ db, organisationId: spent.organisationId, id: spent.userId });
  if (!user || !user.active) return { ok: false, problem: 'unknown' };
  return { ok: true, userId: spent.userId, organisationId: spent.organisationId, returnTo: spent.returnTo };
}
