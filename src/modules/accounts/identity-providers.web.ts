import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../platform/errors';
import { page, putFlash, takeFlash } from '../../platform/web';
import type { ConsoleDeps } from './console.web';
import { redirectUriOf, type IdentityProviderDto } from './identity-providers.models';
import { discoverIssuer } from './identity-providers.api';
import { identityProviderForm, type FormErrors, type IdentityProviderFormValues } from './identity-providers.pages.models';
import { putIdentityProviderBodySchema } from './identity-providers.schemas';
import * as usecases from './identity-providers.usecases';
import { oidcClientsFor } from './oidc.client';

/**
 * The admin page for the organisation's identity provider: the same use cases as
 * `/v1/identity-provider`, with the signed-in admin as principal. Other roles get the console's
 * "Page not found", as for any page they may not see.
 */

const PAGE = '/admin/identity-provider';
const REMOVE = `${PAGE}/remove`;

type FormBody = Record<string, string | string[] | undefined>;
const text = (value: unknown) => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');

export function registerIdentityProviderPages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, config, now, staff } = deps;
  const db = database.db;
  const oidc = oidcClientsFor(config);
  const guard = { preHandler: staff.requireStaff };
  const isAdmin = (request: FastifyRequest) => staff.staffOf(request).user.role === 'admin';
  const flashBinding = (request: FastifyRequest, path: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: path, now: now() });

  const current = async (request: FastifyRequest): Promise<{ provider: IdentityProviderDto; version: number } | null> => {
    try {
      return await usecases.getIdentityProvider({ db, principal: staff.staffOf(request).principal, publicBaseUrl: config.publicBaseUrl });
    } catch (error) {
      if (isAppError(error) && error.status === 404) return null;
      throw error;
    }
  };

  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    { saved, values, errors, version, notice }: { saved: IdentityProviderDto | null; values: IdentityProviderFormValues; errors: FormErrors; version: number | null; notice?: unknown },
    status = 200,
  ) =>
    page(
      request,
      reply,
      'console/admin/identity-provider.njk',
      {
        ...staff.common(request, 'admin'),
        title: 'Identity provider',
        backLink: { href: '/admin', text: 'Back to administration' },
        ...identityProviderForm({ saved, values, errors }),
        version,
        redirectUri: redirectUriOf(config.publicBaseUrl),
        notice,
      },
      status,
    );

  web.get(PAGE, guard, async (request, reply) => {
    if (!isAdmin(request)) return staff.notFound(request, reply);
    const found = await current(request);
    const notice = takeFlash(request, reply, flashBinding(request, PAGE));
    const values: IdentityProviderFormValues = found
      ? { issuer: found.provider.issuer, clientId: found.provider.clientId, allowedDomains: found.provider.allowedDomains.join('\n'), createViewers: found.provider.createViewers }
      : { issuer: '', clientId: '', allowedDomains: '', createViewers: false };
    return show(request, reply, { saved: found?.provider ?? null, values, errors: {}, version: found?.version ?? null, notice });
  });

  web.post<{ Body: FormBody }>(PAGE, guard, async (request, reply) => {
    if (!isAdmin(request)) return staff.notFound(request, reply);
    const form = request.body ?? {};
    if (!staff.csrfOk(request, form._csrf)) return staff.csrfRefused(request, reply);
    const values: IdentityProviderFormValues = {
      issuer: text(form.issuer).trim(),
      clientId: text(form.clientId).trim(),
      allowedDomains: text(form.allowedDomains),
      createViewers: text(form.createViewers) === 'yes',
    };
    const secret = text(form.clientSecret).trim();
    const version = /^\d{1,9}$/.test(text(form.version)) ? Number(text(form.version)) : undefined;
    const found = await current(request);
    const again = (errors: FormErrors, status: number) => show(request, reply, { saved: found?.provider ?? null, values, errors, version: found?.version ?? null }, status);

    const parsed = putIdentityProviderBodySchema.safeParse({
      issuer: values.issuer,
      clientId: values.clientId,
      ...(secret ? { clientSecret: secret } : {}),
      allowedDomains: values.allowedDomains.split(/[\s,;]+/).filter(Boolean),
      createViewers: values.createViewers,
    });
    if (!parsed.success) return again(fieldErrors(parsed.error.issues, values), 422);
    try {
      await usecases.putIdentityProvider({
        db,
        now: now(),
        principal: staff.staffOf(request).principal,
        secretsKey: config.secretsKey,
        publicBaseUrl: config.publicBaseUrl,
        production: config.env === 'production',
        body: parsed.data,
        ifMatch: version,
        discover: discoverIssuer(oidc),
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      switch (error.code) {
        case 'accounts.identity_provider_https_required':
          return again({ issuer: 'Enter an issuer URL that starts with https://' }, 422);
        case 'accounts.identity_provider_discovery_failed':
          return again({ issuer: `${error.errors?.[0]?.message ?? 'No OpenID provider answers at that issuer.'} Check the issuer URL.` }, 422);
        case 'accounts.identity_provider_domain_taken':
          return again({ allowedDomains: `${error.errors?.[0]?.message ?? 'A domain is already used by another organisation'}. An email domain can belong to one organisation only.` }, 409);
        case 'accounts.identity_provider_stale':
          return again({ form: 'Someone else changed these settings while you were editing them. Check the settings below and save again.' }, 409);
        default:
          throw error;
      }
    }
    putFlash(reply, { ...flashBinding(request, PAGE), secure: config.cookieSecure, value: { type: 'success', text: 'Identity provider saved. People from the allowed domains now sign in through it.' } });
    return reply.redirect(PAGE, 303);
  });

  web.get(REMOVE, guard, async (request, reply) => {
    if (!isAdmin(request)) return staff.notFound(request, reply);
    const found = await current(request);
    if (!found) return reply.redirect(PAGE, 303);
    return page(request, reply, 'console/admin/identity-provider-remove.njk', {
      ...staff.common(request, 'admin'),
      title: 'Are you sure you want to remove the identity provider?',
      provider: found.provider,
      version: found.version,
      backLink: { href: PAGE },
    });
  });

  web.post<{ Body: FormBody }>(REMOVE, guard, async (request, reply) => {
    if (!isAdmin(request)) return staff.notFound(request, reply);
    const form = request.body ?? {};
    if (!staff.csrfOk(request, form._csrf)) return staff.csrfRefused(request, reply);
    const version = /^\d{1,9}$/.test(text(form.version)) ? Number(text(form.version)) : undefined;
    try {
      await usecases.deleteIdentityProvider({ db, now: now(), principal: staff.staffOf(request).principal, ifMatch: version });
    } catch (error) {
      // Already removed, or changed since the confirmation was shown: the settings page says how things are now.
      if (!isAppError(error) || (error.status !== 404 && error.status !== 412)) throw error;
      putFlash(reply, { ...flashBinding(request, PAGE), secure: config.cookieSecure, value: { type: 'important', text: error.status === 404 ? 'There was no identity provider to remove.' : 'The identity provider changed after you asked to remove it, so it has not been removed. Check it and try again.' } });
      return reply.redirect(PAGE, 303);
    }
    putFlash(reply, { ...flashBinding(request, PAGE), secure: config.cookieSecure, value: { type: 'success', text: 'Identity provider removed. Your staff now sign in with an emailed link.' } });
    return reply.redirect(PAGE, 303);
  });
}

/** zod's problems with the form, as GOV.UK error messages, one per field (the first). */
function fieldErrors(issues: ReadonlyArray<{ path: PropertyKey[]; code: string; message: string }>, values: IdentityProviderFormValues): FormErrors {
  const errors: FormErrors = {};
  for (const issue of issues) {
    const name = String(issue.path[0] ?? 'form');
    if (name in errors) continue;
    switch (name) {
      case 'issuer':
        errors.issuer = values.issuer ? 'Enter the issuer as a full URL starting with https://, like https://accounts.google.com' : 'Enter the issuer URL';
        break;
      case 'clientId':
        errors.clientId = values.clientId ? 'Client ID must be 500 characters or fewer' : 'Enter the client ID';
        break;
      case 'clientSecret':
        errors.clientSecret = 'Client secret must be 2,000 characters or fewer';
        break;
      case 'allowedDomains': {
        const index = issue.path[1];
        const given = values.allowedDomains.split(/[\s,;]+/).filter(Boolean);
        if (given.length === 0) errors.allowedDomains = 'Enter at least one email domain';
        else if (typeof index === 'number' && given[index]) errors.allowedDomains = `Enter each email domain like borsetshire.gov.uk: “${given[index]!.slice(0, 100)}” is not one`;
        else errors.allowedDomains = issue.code === 'too_big' ? 'Enter 50 email domains or fewer' : 'Enter each email domain like borsetshire.gov.uk';
        break;
      }
      default:
        errors.form = 'Check the settings and save again';
    }
  }
  return errors;
}
