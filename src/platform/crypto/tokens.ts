import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Kinds of bearer secret; the kind is readable in the token so a leaked one is easy to recognise and route.
 * `team` is a bid-team colleague's link and `signin` a council user's one-time sign-in link: they open
 * web pages only and have no API resolver, so as a bearer token they are refused like an unknown one.
 */
export type TokenKind = 'pat' | 'key' | 'inv' | 'team' | 'signin';

const TOKEN_PATTERN = /^aidd_(pat|key|inv|team|signin)_([A-Za-z0-9_-]{43})$/;

export type IssuedToken = {
  /** The secret itself: shown to its owner once, never stored. */
  token: string;
  /** What we store and look up by. */
  hash: string;
  /** A short, non-secret label to tell tokens apart in lists, e.g. `aidd_pat_Xy12Ab`. */
  displayPrefix: string;
};

/** 256 bits from the operating system's CSPRNG, with a readable prefix. */
export function issueToken({ kind }: { kind: TokenKind }): IssuedToken {
  const secret = randomBytes(32).toString('base64url');
  const token = `aidd_${kind}_${secret}`;
  return { token, hash: hashToken(token), displayPrefix: `aidd_${kind}_${secret.slice(0, 6)}` };
}

/**
 * SHA-256 is the right hash here: the input already has 256 bits of entropy, so a slow password
 * hash would add cost on every request and no protection.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function parseToken(token: string): { kind: TokenKind } | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { kind: match[1] as TokenKind } : null;
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

export function sha256Hex(input: string | Uint8Array): string {
  const hash = createHash('sha256');
  return (typeof input === 'string' ? hash.update(input, 'utf8') : hash.update(input)).digest('hex');
}
