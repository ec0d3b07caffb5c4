import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import supertest from 'supertest';
import { afterAll, beforeAll } from 'vitest';

/**
 * A real OpenID provider (oidc-provider, the certified one) on loopback, for sign-in tests: one
 * confidential client registered with our callback, PKCE required, and accounts whose claims the
 * test chooses (an email that is verified, unverified or not said to be either, a `sub`). Its login
 * page is ours and minimal: one field naming the account, no password, no consent screen; the grant
 * covers every scope asked for. `signIn` plays the browser at the provider.
 */

export type TestAccount = {
  /** The `sub` claim; the login name when not given. */
  sub?: string;
  email?: string;
  /** Left out of the claims when undefined, as many providers do. */
  email_verified?: boolean;
  name?: string;
};

export type OidcProviderHandle = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The accounts by login name: change them between tests as needed. */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

/** The login page: a labelled field for the account and a button, as a keyboard or a test fills it. */
function loginPage(uid: string, problem?: string): string {
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Test identity provider: sign in</title></head><body><main>
<h1>Test identity provider</h1>${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}"><label for="login">Account</label> <input id="login" name="login" autocomplete="off"> <button type="submit">Sign in</button></form>
</main></body></html>`;
}

type Stored = { payload: Record<string, unknown>; expiresAt: number };

/**
 * The provider's storage (codes, tokens, sessions, interactions), in this provider's own memory:
 * oidc-provider's built-in one is shared by every provider in the process, and says so on stderr.
 */
function memoryAdapter() {
  const rows = new Map<string, Stored>();
  const live = (key: string) => {
    const row = rows.get(key);
    if (row && row.expiresAt <= Date.now()) rows.delete(key);
    return rows.get(key)?.payload;
  };
  return class Adapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      rows.set(this.key(id), { payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUid(uid: string) {
      for (const key of rows.keys()) if (key.startsWith(`${this.model}:`) && live(key)?.uid === uid) return live(key);
      return undefined;
    }
    async findByUserCode(userCode: string) {
      for (const key of rows.keys()) if (key.startsWith(`${this.model}:`) && live(key)?.userCode === userCode) return live(key);
      return undefined;
    }
    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      rows.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, row] of rows) if (row.payload.grantId === grantId) rows.delete(key);
    }
  };
}

export async function startOidcProvider({ redirectUri, accounts = {} }: { redirectUri: string; accounts?: Record<string, TestAccount> }): Promise<OidcProviderHandle> {
  const held = new Map(Object.entries(accounts));
  const clientId = `aidd-test-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

  // The port first, so the issuer the provider names itself by is the address it answers at.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_post' }],
    pkce: { required: () => true, methods: ['S256'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx, id) => {
      const account = held.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: account.sub ?? id,
          ...(account.email !== undefined ? { email: account.email } : {}),
          ...(account.email_verified !== undefined ? { email_verified: account.email_verified } : {}),
          ...(account.name !== undefined ? { name: account.name } : {}),
        }),
      };
    },
    adapter: memoryAdapter(),
    // Each artefact's lifetime said outright (the defaults are announced on stdout); a code lives one minute.
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    jwks: { keys: [{ ...jwk, kid: 'test-signing-key', alg: 'RS256', use: 'sig' }] },
  });
  const handle = provider.callback();

  const interaction = async (req: IncomingMessage, res: ServerResponse, uid: string) => {
    if (req.method === 'GET') {
      await provider.interactionDetails(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(uid));
      return;
    }
    const form = await readForm(req);
    const details = await provider.interactionDetails(req, res);
    const accountId = form.get('login') ?? '';
    if (!held.has(accountId)) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(uid, `No account ${accountId}`));
      return;
    }
    // Signed in, and every scope asked for granted: the login and consent prompts are both answered.
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const uid = /^\/interaction\/([\w-]+)$/.exec((req.url ?? '').split('?')[0]!)?.[1];
    if (!uid) return handle(req, res);
    interaction(req, res, uid).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    accounts: held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A provider for the whole test file, started before the app (the callback is the default PUBLIC_BASE_URL's unless given). */
export function useOidcProvider({ redirectUri = () => 'http://localhost:3000/sign-in/oidc/callback', accounts }: { redirectUri?: () => string; accounts?: Record<string, TestAccount> } = {}): OidcProviderHandle {
  const holder = {} as { handle: OidcProviderHandle };
  beforeAll(async () => {
    holder.handle = await startOidcProvider({ redirectUri: redirectUri(), accounts });
  });
  afterAll(async () => holder.handle?.close());
  return new Proxy({} as OidcProviderHandle, { get: (_target, name) => holder.handle[name as keyof OidcProviderHandle] });
}

/**
 * Plays the browser at the provider: opens the authorization URL, signs in as `login` on the login
 * page, and follows the provider's redirects until it sends the browser back to the relying party.
 * Returns where it sent it (the callback with `code` and `state`, or with `error`). A fresh cookie
 * jar each time, as a browser that has not signed in at the provider before.
 */
export async function signInAtProvider({ issuer, authorizationUrl, login }: { issuer: string; authorizationUrl: string; login: string }): Promise<URL> {
  const agent = supertest.agent(issuer);
  const pathOf = (location: string) => {
    const url = new URL(location, issuer);
    return url.origin === new URL(issuer).origin ? `${url.pathname}${url.search}` : null;
  };
  let next = pathOf(authorizationUrl);
  if (!next) throw new Error(`the authorization URL ${authorizationUrl} is not the provider's (${issuer})`);
  for (let hops = 0; hops < 10; hops += 1) {
    const response = await agent.get(next).redirects(0);
    const location = response.headers.location as string | undefined;
    if (response.status === 200 && /^\/interaction\//.test(next)) {
      const submitted = await agent.post(next).type('form').send({ login }).redirects(0);
      if (submitted.status !== 303 && submitted.status !== 302) throw new Error(`the provider's login page answered ${submitted.status}: ${submitted.text.slice(0, 300)}`);
      next = pathOf(submitted.headers.location as string);
      if (!next) return new URL(submitted.headers.location as string);
      continue;
    }
    if (!location || response.status < 300 || response.status >= 400) throw new Error(`the provider answered ${response.status} at ${next}: ${response.text.slice(0, 300)}`);
    const inside = pathOf(location);
    if (!inside) return new URL(location);
    next = inside;
  }
  throw new Error('the provider redirected more than 10 times');
}
