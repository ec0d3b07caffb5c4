import * as client from 'openid-client';
import type { Config } from '../../config';
import { isPlainHttpIssuer } from './identity-providers.models';

/**
 * The OpenID Connect relying party (openid-client): discovery from the issuer, and the client
 * configuration each sign-in uses, kept for a few minutes per provider version so a sign-in does
 * not fetch the discovery document twice. A failed discovery is forgotten at once.
 */

export type ProviderClient = { id: string; version: number; issuer: string; clientId: string; clientSecret: string | null };

export type OidcClients = {
  /** The client configuration for a provider as registered now; throws when discovery fails. */
  configurationFor(provider: ProviderClient): Promise<client.Configuration>;
  /** Discovers the issuer without keeping anything: for checking a registration before it is saved. */
  discover(input: { issuer: string; clientId: string; clientSecret: string | null }): Promise<client.Configuration>;
};

const TTL_MS = 10 * 60_000;
const TIMEOUT_SECONDS = 10;

export function createOidcClients(): OidcClients {
  const cache = new Map<string, { at: number; configuration: Promise<client.Configuration> }>();

  const discover: OidcClients['discover'] = ({ issuer, clientId, clientSecret }) =>
    client.discovery(new URL(issuer), clientId, clientSecret ?? undefined, clientSecret ? client.ClientSecretPost(clientSecret) : client.None(), {
      timeout: TIMEOUT_SECONDS,
      // Only reached for a provider on this machine outside production: the registration refuses http otherwise.
      ...(isPlainHttpIssuer(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
    });

  return {
    discover,
    configurationFor(provider) {
      const key = `${provider.id}:${provider.version}`;
      const cached = cache.get(key);
      if (cached && Date.now() - cached.at < TTL_MS) return cached.configuration;
      for (const [other] of cache) if (other.startsWith(`${provider.id}:`)) cache.delete(other);
      const configuration = discover(provider);
      cache.set(key, { at: Date.now(), configuration });
      configuration.catch(() => cache.delete(key));
      return configuration;
    },
  };
}

const clientsByConfig = new WeakMap<Config, OidcClients>();

/** One set of clients per app (its configuration object), shared by the sign-in pages and the API. */
export function oidcClientsFor(config: Config): OidcClients {
  let clients = clientsByConfig.get(config);
  if (!clients) {
    clients = createOidcClients();
    clientsByConfig.set(config, clients);
  }
  return clients;
}

/** A failure to reach the provider at all, as against the provider refusing or answering wrongly. */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof TypeError) return true; // fetch: connection refused, DNS, TLS
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof client.ClientError && (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON');
}

/** A short, safe account of a discovery failure for the person registering the provider. */
export function discoveryProblem(error: unknown): string {
  if (isUnreachable(error)) return 'The issuer could not be reached, or did not answer with an OpenID Connect discovery document.';
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') return 'The discovery document names a different issuer than the one given.';
  return 'The issuer did not answer with a usable OpenID Connect discovery document.';
}
