import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse as parseQuery } from 'node:querystring';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import nunjucks from 'nunjucks';
import { loggableError } from '../db';
import { isAppError, isDatabaseUnavailable } from '../errors';
import { ukClock, ukDay } from '../format';
import { retryAfterOf } from '../http/rate-limit';
import { projectRoot } from '../project-root';

/**
 * The HTML side of the service: GOV.UK Frontend templates through Nunjucks, its assets served
 * from the package, urlencoded forms and cookies, and a Content-Security-Policy with a fresh nonce
 * per page so GOV.UK's own scripts run and nothing else does. Everything here is registered inside
 * the plugin that receives it, so the JSON API keeps its own stricter policy and body parsers.
 */

// Resolved when the web is registered, not when this module loads: drizzle-kit loads the table
// files (and what they import) as CommonJS, where import.meta is empty.
const govukDist = () => path.dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')) + '/dist';
const viewsDir = () => path.join(projectRoot(), 'src/views');

declare module 'fastify' {
  interface FastifyRequest {
    cspNonce: string;
  }
}


/**
 * A NUL cannot be typed, only pasted from another program, and the database cannot store it, so
 * every form drops it from names and values here, once (the JSON API refuses it with a 422 instead).
 */
export function parseForm(body: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of Object.entries(parseQuery(body))) {
    if (value === undefined) continue;
    form[name.replaceAll('\u0000', '')] = Array.isArray(value) ? value.map((v) => v.replaceAll('\u0000', '')) : value.replaceAll('\u0000', '');
  }
  return form;
}

/** The filters every page's templates use, beside nunjucks' own. */
export function addPageFilters(env: nunjucks.Environment): void {
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
}

type TemplateWithExports = nunjucks.Template & { getExported: (...args: unknown[]) => unknown; aiddExported?: unknown };
type EnvironmentInternals = { getTemplate: (...args: unknown[]) => unknown };

/**
 * Every GOV.UK macro includes its template, and each template imports the macros it uses (label, hint,
 * error message, fieldset), so a page of ten questions looks up and imports templates hundreds of
 * times per render: nunjucks resolves each relative name with path.resolve and runs the imported
 * file's top level again each time, about half of a section page's render. Templates never change
 * while the server runs (no watching; compiled ones are cached by nunjucks), so both are remembered:
 * the template an include or import finds, once per (parent, name), and the macros a template exports,
 * once per template, for plain imports only (`import ... with context` depends on the page and is left alone).
 */
export function memoiseTemplateLookups(env: nunjucks.Environment): void {
  const internals = env as unknown as EnvironmentInternals;
  const getTemplate = internals.getTemplate.bind(env);
  const templates = new Map<string, TemplateWithExports>();
  type Callback = (error: unknown, template?: TemplateWithExports) => void;
  // The compiled templates call getTemplate(name, eagerCompile, parentName, ignoreMissing, callback) for
  // every include and import; any other shape (a first render by name) goes to nunjucks as it is.
  internals.getTemplate = (name, eagerCompile, parentName, ignoreMissing, callback) => {
    if (typeof name !== 'string' || typeof callback !== 'function' || typeof eagerCompile === 'function' || typeof parentName === 'function') {
      return getTemplate(name, eagerCompile, parentName, ignoreMissing, callback);
    }
    const key = `${(parentName as string | null) ?? ''}\u0000${name}`;
    const known = templates.get(key);
    if (known) return (callback as Callback)(null, known);
    return getTemplate(name, eagerCompile, parentName, ignoreMissing, (error: unknown, template?: TemplateWithExports) => {
      if (!error && template) {
        rememberExports(template);
        templates.set(key, template);
      }
      (callback as Callback)(error, template);
    });
  };
}

/** A template's exported macros, collected on its first plain import and handed out again after that. */
function rememberExports(template: TemplateWithExports): void {
  if (Object.hasOwn(template, 'getExported')) return;
  const getExported = template.getExported.bind(template);
  type Exported = (error: unknown, exported?: unknown) => void;
  template.getExported = (...args: unknown[]) => {
    const [first] = args;
    if (typeof first !== 'function') return getExported(...args);
    if (template.aiddExported !== undefined) return (first as Exported)(null, template.aiddExported);
    return getExported((error: unknown, exported: unknown) => {
      if (!error) template.aiddExported = exported;
      (first as Exported)(error, exported);
    });
  };
}

/** GOV.UK's assets are routes of the whole server: served once, by the first group of pages registered. */
const assetsServed = new WeakSet<object>();

/** The pages a group of pages shows for a rate limit's refusal and for a failure on our side (the supplier form's by default). */
export type WebOptions = { tooManyAttempts?: string; serviceProblem?: string };

export async function registerWeb(app: FastifyInstance, { tooManyAttempts = 'too-many-attempts.njk', serviceProblem = 'service-problem.njk' }: WebOptions = {}): Promise<void> {
  const dist = govukDist();
  await app.register(formbody, { parser: parseForm });
  await app.register(cookie);
  await app.register(view, {
    engine: { nunjucks },
    templates: [viewsDir(), dist],
    options: {
      autoescape: true,
      throwOnUndefined: false,
      onConfigure: (env: nunjucks.Environment) => {
        addPageFilters(env);
        memoiseTemplateLookups(env);
      },
    },
  });
  // GOV.UK Frontend's fonts, images and manifest, and its compiled CSS and JavaScript, from the package.
  if (!assetsServed.has(app.server)) {
    assetsServed.add(app.server);
    await app.register(fastifyStatic, { root: path.join(dist, 'govuk/assets'), prefix: '/assets/', decorateReply: false, maxAge: '1d' });
    await app.register(fastifyStatic, {
      root: path.join(dist, 'govuk'),
      prefix: '/govuk/',
      decorateReply: false,
      maxAge: '1d',
      allowedPath: (pathName) => pathName === '/govuk-frontend.min.css' || pathName === '/govuk-frontend.min.js',
    });
  }

  // A rate limit's refusal is a page saying how long to wait, and a failure on our side a page
  // saying so (never JSON, never the error's text); other client errors go on to the app's handler.
  app.setErrorHandler((error, request, reply) => {
    const wait = retryAfterOf(error);
    if (wait !== null) {
      reply.header('retry-after', wait);
      return page(request, reply, tooManyAttempts, { title: 'Too many attempts', minutes: Math.max(1, Math.ceil(wait / 60)) }, 429);
    }
    const status = (error as { statusCode?: unknown }).statusCode;
    if (isAppError(error) || (typeof status === 'number' && status < 500)) throw error;
    request.log.error({ err: loggableError(error) }, 'page failed');
    const unavailable = isDatabaseUnavailable(error);
    if (unavailable) reply.header('retry-after', '30');
    const title = unavailable ? 'Sorry, the service is unavailable' : 'Sorry, there is a problem with the service';
    return page(request, reply, serviceProblem, { title, unavailable, reference: String(request.id) }, unavailable ? 503 : 500);
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

/** Pages are not part of the API contract: keeps every route registered on `web` out of the OpenAPI document. */
export function hideFromOpenApi(web: FastifyInstance): void {
  web.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
}
