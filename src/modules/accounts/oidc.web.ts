import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { constantTimeEqual, openSecret, sealSecret } from '../../platform/crypto';
import { isUniqueViolation } from '../../platform/db';
import type { AppDeps } from '../../platform/http/deps';
import { page } from '../../platform/web';
import * as accountsRepo from './accounts.repository';
import { assessClaims, providerKindOf, redirectUriOf, type Claims } from './identity-providers.models';
import { matchOidcUser, providerForCallback, providerForEmail, type SignInProvider } from './identity-providers.usecases';
import { isUnreachable, oidcClientsFor } from './oidc.client';
import { refusalPage, type OidcRefusal } from './oidc.models';
import { safeReturnTo } from './staff.models';
import type { ConsoleDeps } from './console.web';
import type { BeforeEmailLink } from './sign-in.web';

/**
 * Single sign-on with the organisation's OpenID provider: authorization code flow with PKCE,
 * `state` and `nonce`. The sign-in page hands over an email address whose domain a provider claims
 * (`oidcBeforeEmailLink`); the browser goes to the provider and comes back to the callback, which
 * checks everything openid-client checks (state, nonce, issuer, audience, expiry, PKCE), then our
 * own rules (a verified email at an allowed domain, an active user of that organisation).
 */

/** The sign-in in flight, sealed in a cookie only the callback receives. */
export const OIDC_COOKIE = 'aidd_oidc';
const COOKIE_PATH = '/sign-in/oidc';
const TRANSACTION_MS = 10 * 60_000;
const SEAL_CONTEXT = 'oidc-sign-in';
export const OIDC_SCOPES = 'openid email profile';

type Transaction = {
  state: string;
  nonce: string;
  codeVerifier: string;
  organisationId: string;
  providerId: string;
  email: string;
  returnTo: string | null;
  expiresAt: number;
};

const field = (source: unknown, name: string): unknown => (source && typeof source === 'object' ? (source as Record<string, unknown>)[name] : undefined);

async function councilName(deps: AppDeps, organisationId: string): Promise<string | null> {
  return (await accountsRepo.findOrganisation({ db: deps.database.db, id: organisationId }))?.name ?? null;
}

function unavailable(request: FastifyRequest, reply: FastifyReply, council: string | null) {
  reply.header('retry-after', '60');
  return page(request, reply, 'console/sign-in/oidc-unavailable.njk', { title: 'Your sign-in service is not answering', council }, 502);
}

/**
 * For the sign-in page: null when no provider claims the email's domain (the page sends an emailed
 * link); otherwise a page that takes the browser on to the provider. Not a redirect: Chrome holds
 * a redirect that answers a form to the form page's CSP `form-action 'self'`, which the provider is
 * not, so the page goes on by itself (a zero-second refresh) and offers the link to follow by hand.
 */
export function oidcBeforeEmailLink(deps: AppDeps): BeforeEmailLink {
  const { database, config, now } = deps;
  const oidc = oidcClientsFor(config);
  return async (request, reply, email) => {
    const provider = await providerForEmail({ db: database.db, email, secretsKey: config.secretsKey });
    if (!provider) return null;
    const council = await councilName(deps, provider.organisationId);
    let configuration: client.Configuration;
    try {
      configuration = await oidc.configurationFor(provider);
    } catch (error) {
      request.log.warn({ issuer: provider.issuer, error: errorName(error) }, 'identity provider discovery failed');
      return unavailable(request, reply, council);
    }
    const transaction: Transaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      organisationId: provider.organisationId,
      providerId: provider.id,
      email: email.trim().toLowerCase(),
      returnTo: safeReturnTo(field(request.body, 'returnTo') ?? field(request.query, 'returnTo')),
      expiresAt: now().getTime() + TRANSACTION_MS,
    };
    const authorizationUrl = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUriOf(config.publicBaseUrl),
      scope: OIDC_SCOPES,
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
      login_hint: transaction.email,
    });
    reply.setCookie(OIDC_COOKIE, sealSecret({ key: config.secretsKey, plaintext: JSON.stringify(transaction), context: SEAL_CONTEXT }), {
      path: COOKIE_PATH,
      httpOnly: true,
      secure: config.cookieSecure,
      // Lax: sent when the provider sends the browser back with a top-level GET, not on other sites' requests.
      sameSite: 'lax',
      maxAge: TRANSACTION_MS / 1000,
    });
    return page(request, reply, 'console/sign-in/oidc-continue.njk', { title: 'Continue to sign in', council, authorizationUrl: authorizationUrl.href });
  };
}

function openTransaction(sealed: string | undefined, key: Buffer, now: Date): Transaction | null {
  if (!sealed) return null;
  try {
    const transaction = JSON.parse(openSecret({ key, sealed, context: SEAL_CONTEXT })) as Transaction;
    return transaction.expiresAt > now.getTime() ? transaction : null;
  } catch {
    return null;
  }
}

/** The error's class and code, for the log: never its message, which may quote a token. */
function errorName(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown; error?: unknown } | null;
  return [e?.name, e?.code, e?.error].filter((part) => typeof part === 'string').join(' ') || 'unknown';
}

export function registerOidcPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, config, now, staff } = deps;
  const db = database.db;
  const oidc = oidcClientsFor(config);

  const refuse = async (request: FastifyRequest, reply: FastifyReply, refusal: OidcRefusal, { email, council }: { email: string | undefined; council: string | null }) => {
    request.log.info({ reason: refusal.reason }, 'single sign-on refused');
    // Counts as a failed sign-in, for the address and the email; past the allowance this throws the 429 page instead.
    await staff.signInFailed(request, reply, email);
    const shown = refusalPage(refusal, { council });
    return page(request, reply, 'console/sign-in/oidc-refused.njk', { ...shown, council }, shown.status);
  };

  // Claims from the ID token, and from the userinfo endpoint when the token leaves out the email or
  // whether it is verified (as providers following the specification do). Entra ID's come in the
  // token as optional claims, and its userinfo endpoint is Microsoft Graph's, so it is not asked.
  const claimsOf = async (configuration: client.Configuration, provider: SignInProvider, tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): Promise<Claims> => {
    const fromToken = (tokens.claims() ?? {}) as Claims;
    const needsMore = typeof fromToken.email !== 'string' || fromToken.email_verified === undefined;
    if (!needsMore || providerKindOf(provider.issuer).kind === 'entra' || !configuration.serverMetadata().userinfo_endpoint || !tokens.access_token) return fromToken;
    const fromUserInfo = (await client.fetchUserInfo(configuration, tokens.access_token, String(fromToken.sub))) as Claims;
    return { ...fromUserInfo, ...fromToken };
  };

  web.get('/sign-in/oidc/callback', { config: { access: 'public', checksCredential: 'sign-in' } }, async (request, reply) => {
    const at = now();
    const transaction = openTransaction(request.cookies[OIDC_COOKIE], config.secretsKey, at);
    // Once only: whatever happens next, this browser's sign-in in flight is over.
    reply.clearCookie(OIDC_COOKIE, { path: COOKIE_PATH });
    if (!transaction) return refuse(request, reply, { reason: 'expired' }, { email: undefined, council: null });
    const council = await councilName(deps, transaction.organisationId);
    const givenState = field(request.query, 'state');
    if (typeof givenState !== 'string' || !constantTimeEqual(givenState, transaction.state)) {
      return refuse(request, reply, { reason: 'state' }, { email: transaction.email, council });
    }
    const provider = await providerForCallback({ db, organisationId: transaction.organisationId, providerId: transaction.providerId, secretsKey: config.secretsKey });
    if (!provider) return refuse(request, reply, { reason: 'provider_changed' }, { email: transaction.email, council });

    let claims: Claims;
    try {
      const configuration = await oidc.configurationFor(provider);
      // The address the provider sent the browser to, as registered: never built from the Host header.
      const currentUrl = new URL(redirectUriOf(config.publicBaseUrl));
      currentUrl.search = new URL(request.url, 'http://callback').search;
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
      claims = await claimsOf(configuration, provider, tokens);
    } catch (error) {
      request.log.info({ issuer: provider.issuer, error: errorName(error) }, 'single sign-on did not complete');
      if (isUnreachable(error)) return unavailable(request, reply, council);
      return refuse(request, reply, { reason: 'provider_refused' }, { email: transaction.email, council });
    }

    const assessed = assessClaims({ issuer: provider.issuer, allowedDomains: provider.allowedDomains, claims });
    if (!assessed.ok) {
      const { ok: _ok, ...refusal } = assessed;
      return refuse(request, reply, refusal, { email: typeof claims.email === 'string' ? claims.email : transaction.email, council });
    }
    const match = async () => matchOidcUser({ db, now: at, provider, subject: assessed.subject, email: assessed.email, name: assessed.name });
    let matched;
    try {
      matched = await match();
    } catch (error) {
      // Two first sign-ins of one person at once: the other made the user or the link; this one finds it.
      if (!isUniqueViolation(error)) throw error;
      matched = await match();
    }
    if (!matched.ok) {
      const refusal: OidcRefusal = matched.reason === 'deactivated' ? { reason: 'deactivated' } : { reason: matched.reason, email: assessed.email };
      return refuse(request, reply, refusal, { email: assessed.email, council });
    }
    return staff.signIn(request, reply, { userId: matched.userId, organisationId: provider.organisationId, method: 'oidc', returnTo: transaction.returnTo });
  });
}
