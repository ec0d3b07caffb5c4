import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The security headers of every API answer: the OWASP REST set, as the API answers JSON and nothing
 * may load, frame or sniff it (HTML pages and /docs set their own policy). Sent by
 * `registerApiSecurityHeaders`, and by the framework's own errors and the HTTP parser's, which
 * never reach a hook; a test compares the two.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/**
 * Sets API_SECURITY_HEADERS on every answer. They are constants, so they are set from one object;
 * @fastify/helmet, used before, built helmet's middleware again on every request, parsing the policy
 * each time (11% of GET /v1/me's CPU under load).
 */
export function registerApiSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(API_SECURITY_HEADERS);
    done();
  });
}

export const HSTS = 'max-age=31536000; includeSubDomains';

type HttpsConfig = { publicBaseUrl: string; trustProxy: boolean };

/**
 * Over https: the public address says so, or a trusted proxy says this request came that way. Read
 * from the header, not `request.protocol`, which fastify's own early errors compute without the proxy.
 */
export function servedOverHttps({ publicBaseUrl, trustProxy }: HttpsConfig, request?: Pick<FastifyRequest, 'headers'>): boolean {
  if (publicBaseUrl.startsWith('https:')) return true;
  const forwarded = request?.headers['x-forwarded-proto'];
  return trustProxy && String(forwarded ?? '').split(',')[0]!.trim().toLowerCase() === 'https';
}

/** Strict-Transport-Security on every answer served over https, never over plain http (browsers would pin a host that has no TLS). */
export function registerHsts(app: FastifyInstance, config: HttpsConfig): void {
  app.addHook('onRequest', async (request, reply) => {
    if (servedOverHttps(config, request)) reply.header('strict-transport-security', HSTS);
  });
}
