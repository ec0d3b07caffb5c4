import type { identityProviders } from './identity-providers.table';

/**
 * The rules of single sign-on that need no database and no network: what an email domain and an
 * issuer may be, which kind of provider an issuer is, and whether a provider's claims prove who the
 * person is well enough to match them to a user by email.
 */

export type IdentityProviderRow = typeof identityProviders.$inferSelect;

export type IdentityProviderDto = {
  issuer: string;
  clientId: string;
  clientSecretSet: boolean;
  allowedDomains: string[];
  createViewers: boolean;
  redirectUri: string;
  createdAt: string;
  updatedAt: string;
};

/** What a council registers at its provider as the redirect URI. */
export const OIDC_CALLBACK_PATH = '/sign-in/oidc/callback';
export const redirectUriOf = (publicBaseUrl: string) => `${publicBaseUrl}${OIDC_CALLBACK_PATH}`;

export function toIdentityProviderDto(row: IdentityProviderRow, domains: string[], publicBaseUrl: string): IdentityProviderDto {
  return {
    issuer: row.issuer,
    clientId: row.clientId,
    clientSecretSet: row.clientSecretSealed !== null,
    allowedDomains: [...domains].sort(),
    createViewers: row.createViewers,
    redirectUri: redirectUriOf(publicBaseUrl),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

// A host name as DNS allows it (labels of letters, digits and inner hyphens, a top-level label that
// is not all digits), in lower case; internationalised domains are given in their xn-- form.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?|xn--[a-z0-9-]{1,59})$/;

/** "@Borsetshire.GOV.uk " → "borsetshire.gov.uk": how a person may type a domain, as it is kept. */
export function normaliseDomain(raw: string): string {
  return raw.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
}

export function isValidDomain(domain: string): boolean {
  return DOMAIN.test(domain);
}

/** The domain of an email address, lower-cased; null when it has none. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  return email.slice(at + 1).trim().toLowerCase();
}

const isLoopbackHost = (hostname: string) => {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
};

/**
 * Whether an issuer may be used: https always; plain http only for a provider on this machine and
 * never in production (tests and a developer's own provider), since the tokens come from it.
 */
export function issuerAllowed({ issuer, production }: { issuer: string; production: boolean }): boolean {
  const url = new URL(issuer);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && !production && isLoopbackHost(url.hostname);
}

export const isPlainHttpIssuer = (issuer: string) => new URL(issuer).protocol === 'http:';

export type ProviderKind = { kind: 'entra'; tenantId: string } | { kind: 'google' } | { kind: 'other' };

/** Entra ID and Google say who a person is in their own ways; every other provider by `email_verified`. */
export function providerKindOf(issuer: string): ProviderKind {
  const entra = /^https:\/\/login\.microsoftonline\.com\/([0-9a-f-]{36})\/v2\.0\/?$/i.exec(issuer);
  if (entra) return { kind: 'entra', tenantId: entra[1]!.toLowerCase() };
  if (/^https:\/\/accounts\.google\.com\/?$/.test(issuer)) return { kind: 'google' };
  return { kind: 'other' };
}

export type Claims = Record<string, unknown>;

/** Why the claims do not let us match the person by email; each has its own page. */
export type ClaimsRefusal =
  | { reason: 'email_missing' }
  | { reason: 'email_unverified' }
  | { reason: 'entra_claims_missing'; missing: string[] }
  | { reason: 'google_hosted_domain' }
  | { reason: 'domain_not_allowed'; domain: string };

export type ClaimsAssessment = { ok: true; subject: string; email: string; name: string | null } | ({ ok: false } & ClaimsRefusal);

// Some providers send booleans as strings ("true"); nothing else counts as true.
const isTrue = (value: unknown) => value === true || value === 'true';

/**
 * Whether the provider vouches for the email address, and that address is one of the
 * organisation's. Entra ID does not usually send `email_verified`, and its `email` is not proof of
 * a mailbox: there the email's domain must be verified by the tenant (`xms_edov`, an optional claim)
 * and the token must come from the organisation's own tenant (`tid`). Google Workspace marks its
 * accounts with `hd`, which personal Gmail accounts lack. Any other provider must say `email_verified`.
 */
export function assessClaims({ issuer, allowedDomains, claims }: { issuer: string; allowedDomains: readonly string[]; claims: Claims }): ClaimsAssessment {
  const subject = typeof claims.sub === 'string' ? claims.sub : '';
  const rawEmail = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const kind = providerKindOf(issuer);
  if (!subject || !rawEmail) {
    return kind.kind === 'entra' ? { ok: false, reason: 'entra_claims_missing', missing: ['email', ...(isTrue(claims.xms_edov) ? [] : ['xms_edov'])] } : { ok: false, reason: 'email_missing' };
  }
  const domain = emailDomain(rawEmail);
  if (!domain) return { ok: false, reason: 'email_missing' };

  if (kind.kind === 'entra') {
    const tenantMatches = typeof claims.tid === 'string' && claims.tid.toLowerCase() === kind.tenantId;
    if (!isTrue(claims.email_verified) && !(tenantMatches && isTrue(claims.xms_edov))) {
      return { ok: false, reason: 'entra_claims_missing', missing: tenantMatches ? ['xms_edov'] : ['tid', 'xms_edov'] };
    }
  } else if (!isTrue(claims.email_verified)) {
    return { ok: false, reason: 'email_unverified' };
  }
  if (!allowedDomains.includes(domain)) return { ok: false, reason: 'domain_not_allowed', domain };
  if (kind.kind === 'google' && !(typeof claims.hd === 'string' && allowedDomains.includes(claims.hd.toLowerCase()))) return { ok: false, reason: 'google_hosted_domain' };

  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : null;
  return { ok: true, subject, email: rawEmail, name };
}
