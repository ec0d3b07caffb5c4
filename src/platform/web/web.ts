import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import nunjucks from 'nunjucks';
import { ukClock, ukDay } from '../format';

/**
 * The HTML side of the service: GOV.UK Frontend templates through Nunjucks, its assets served
 * from the package, urlencoded forms and cookies, and a Content-Security-Policy with a fresh nonce
 * per page so GOV.UK's own scripts run and nothing else does. Everything here is registered inside
 * the plugin that receives it, so the JSON API keeps its own stricter policy and body parsers.
 */

// Resolved when the web is registered, not when this module loads: drizzle-kit loads the table
// files (and what they import) as CommonJS, where import.meta is empty.
const govukDist = () => path.dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')) + '/dist';
const viewsDir = () => path.resolve(import.meta.dirname, '../../views');

declare module 'fastify' {
  interface FastifyRequest {
    cspNonce: string;
  }
}


export async function registerWeb(app: FastifyInstance): Promise<void> {
  const dist = govukDist();
  await app.register(formbody);
  await app.register(cookie);
  await app.register(view, {
    engine: { nunjucks },
    templates: [viewsDir(), dist],
    options: {
      autoescape: true,
      throwOnUndefined: false,
      onConfigure: (env: nunjucks.Environment) => {
        // GOV.UK's component templates pipe whole blocks of HTML through `trim`; nunjucks' own trim
        // is a regex that is quadratic in long runs of white space and was half of a page's CPU.
        // String#trim removes the same characters, and the result keeps the input's safeness.
        env.addFilter('trim', (value: unknown) => {
          const text = String(value ?? '').trim();
          return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(text) : text;
        });
        // UK dates and times as GOV.UK writes them: "17:00 on 31 March 2027".
        env.addFilter('ukDate', ukDay);
        env.addFilter('ukTime', ukClock);
      },
    },
  });
  // GOV.UK Frontend's fonts, images and manifest, and its compiled CSS and JavaScript, from the package.
  await app.register(fastifyStatic, { root: path.join(dist, 'govuk/assets'), prefix: '/assets/', decorateReply: false, maxAge: '1d' });
  await app.register(fastifyStatic, {
    root: path.join(dist, 'govuk'),
    prefix: '/govuk/',
    decorateReply: false,
    maxAge: '1d',
    allowedPath: (pathName) => pathName === '/govuk-frontend.min.css' || pathName === '/govuk-frontend.min.js',
  });

  app.decorateRequest('cspNonce', '');
  app.addHook('onRequest', async (request) => {
    request.cspNonce = randomBytes(16).toString('base64');
  });
  app.addHook('onSend', async (request, reply) => {
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return;
    reply.header(
      'content-security-policy',
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${request.cspNonce}'`,
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
      ].join('; '),
    );
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
  });
}

/** Renders a page with what every page needs: the nonce, and the service name for the header. */
export function page(request: FastifyRequest, reply: FastifyReply, template: string, context: Record<string, unknown>, status = 200) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .view(template, { ...context, cspNonce: request.cspNonce, serviceName: 'AI supplier due diligence' });
}
