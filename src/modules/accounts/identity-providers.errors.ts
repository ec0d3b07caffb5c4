import { AppError } from '../../platform/errors';

/** What the identity provider API answers besides the platform's own errors. */
export const identityProviderErrors = {
  notFound: () =>
    new AppError({
      status: 404,
      code: 'accounts.identity_provider_not_found',
      title: 'Identity provider not found',
      detail: 'Your organisation has not registered an identity provider. Register one with PUT /v1/identity-provider.',
    }),
  domainTaken: (domain: string) =>
    new AppError({
      status: 409,
      code: 'accounts.identity_provider_domain_taken',
      title: 'That email domain belongs to another organisation',
      detail: `Another organisation's identity provider already signs in people from ${domain}. An email domain can belong to one organisation only.`,
      errors: [{ path: '/body/allowedDomains', message: `${domain} is already used by another organisation` }],
    }),
  stale: () =>
    new AppError({
      status: 412,
      code: 'accounts.identity_provider_stale',
      title: 'The identity provider has changed since you read it',
      detail: 'Read it again (GET /v1/identity-provider) and resend with the new ETag in If-Match.',
    }),
  insecureIssuer: () =>
    new AppError({
      status: 422,
      code: 'accounts.identity_provider_https_required',
      title: 'The issuer must be an https:// URL',
      detail: 'Sign-in tokens come from the issuer, so it is only reached over TLS (plain http only for a provider on this machine, outside production).',
      errors: [{ path: '/body/issuer', message: 'must be https' }],
    }),
  discoveryFailed: (reason: string) =>
    new AppError({
      status: 422,
      code: 'accounts.identity_provider_discovery_failed',
      title: 'No OpenID provider answers at that issuer',
      detail: `${reason} Check the issuer URL: for Entra ID it is https://login.microsoftonline.com/<tenant-id>/v2.0, for Google https://accounts.google.com.`,
      errors: [{ path: '/body/issuer', message: reason }],
    }),
};
