import type { FastifyReply, FastifyRequest } from 'fastify';
import { openSecret, sealSecret } from '../crypto';

/**
 * Something for the very next page only, after a form posts and redirects (a notification banner,
 * or a link that may be shown just once): sealed with SECRETS_KEY in a short-lived HttpOnly cookie,
 * bound to one session and one page, and cleared the first time that page reads it, so reloading
 * the page never shows it again. Nothing is kept on the server, so any instance can show it.
 */

export const FLASH_COOKIE = 'aidd_flash';
const LIFETIME_SECONDS = 300;

type Binding = {
  /** `config.secretsKey`. */
  key: Buffer;
  /** The session it belongs to: another session's cookie does not open. */
  session: string;
  /** The path of the page that shows it. */
  page: string;
  now: Date;
};

const context = (session: string) => `flash:${session}`;

export function putFlash(reply: FastifyReply, { key, session, page, now, secure, value }: Binding & { secure: boolean; value: unknown }): void {
  const plaintext = JSON.stringify({ page, expiresAt: now.getTime() + LIFETIME_SECONDS * 1000, value });
  reply.setCookie(FLASH_COOKIE, sealSecret({ key, plaintext, context: context(session) }), { path: '/', httpOnly: true, secure, sameSite: 'lax', maxAge: LIFETIME_SECONDS });
}

/**
 * The value left for this page, once: the cookie is cleared as it is read. A value left for
 * another page stays for it; one that is stale, altered or another session's is dropped.
 */
export function takeFlash<T>(request: FastifyRequest, reply: FastifyReply, { key, session, page, now }: Binding): T | null {
  const sealed = request.cookies[FLASH_COOKIE];
  if (!sealed) return null;
  let flash: { page: string; expiresAt: number; value: T };
  try {
    flash = JSON.parse(openSecret({ key, sealed, context: context(session) })) as typeof flash;
  } catch {
    reply.clearCookie(FLASH_COOKIE, { path: '/' });
    return null;
  }
  if (flash.page !== page && flash.expiresAt > now.getTime()) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  return flash.page === page && flash.expiresAt > now.getTime() ? flash.value : null;
}
