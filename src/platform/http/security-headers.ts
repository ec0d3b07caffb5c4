import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The headers helmet sends on every API answer (see the helmet setup in app.ts), for the answers
 * that never reach helmet: the framework's own errors and the HTTP parser's. A test compares the
 * two, so they cannot drift apart.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

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
