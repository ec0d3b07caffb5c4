import type { SwaggerTransform } from '@fastify/swagger';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Access } from '../auth';

/** Response headers a route may declare it sends (those of every answer are added for it). */
export type ResponseHeaderName = 'ETag' | 'Location' | 'Content-Disposition' | 'Link' | 'X-Content-SHA256' | 'X-Evaluation-Hash' | 'X-Report-Id' | 'X-Submission-Reference';

declare module 'fastify' {
  interface FastifySchema {
    /** Headers the route sends with a status, beyond X-Request-Id and RateLimit-* (and ETag, when it takes If-Match). */
    responseHeaders?: Readonly<Partial<Record<number, readonly ResponseHeaderName[]>>>;
    /** Media types a status may also be sent as, besides its JSON schema, chosen with `Accept` (e.g. text/csv). */
    alsoAs?: Readonly<Partial<Record<number, readonly string[]>>>;
    /** The parts of a multipart/form-data body, for a route that reads them itself (no body validation). */
    multipartBody?: z.ZodType;
  }
}

/** What the whole-document step needs to know of a route; carried on the operation under this key, then removed. */
export const ROUTE_FACTS = 'x-route-facts';

export type RouteFacts = {
  isPublic: boolean;
  isSupplier: boolean;
  rateLimited: boolean;
  hasInput: boolean;
  hasParams: boolean;
  takesBody: boolean;
  takesIfMatch: boolean;
  responseHeaders: Partial<Record<number, readonly ResponseHeaderName[]>>;
  alsoAs: Partial<Record<number, readonly string[]>>;
  multipartBody?: unknown;
};

type Scopes = ReadonlyArray<string | readonly string[]>;
type Security = ReadonlyArray<Record<string, readonly string[]>>;

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const listed = (items: readonly string[]) => items.join(', ');
const scopeWords = (scopes: Scopes) => scopes.map((s) => (typeof s === 'string' ? s : s.join(' with '))).join(', or ');

/** "Who may call: …" for the description, from the route's declared access and security. */
export function whoMayCall(access: Access | undefined, security: Security): string {
  if (security.some((requirement) => 'setupToken' in requirement)) return 'Who may call: anyone holding the setup token, sent in X-Setup-Token; no bearer token.';
  if (access === undefined || access === 'public') return 'Who may call: anyone; no token is needed.';
  const who: string[] = [];
  if (access.roles?.length) who.push(`roles ${listed(access.roles)}`);
  if (access.scopes?.length) who.push(`API key scopes ${scopeWords(access.scopes)}`);
  else if (access.roles?.length) who.push('no API key');
  if (access.supplier) who.push('the supplier, with its invitation token');
  return `Who may call: ${who.join('; ')}.`;
}

/**
 * The zod type provider's transform, then what the route's `config.access` says: its security,
 * `x-roles` / `x-scopes` / `x-supplier` and a sentence in the description, so the document can
 * never say other than what the auth hook enforces.
 */
export const transformRoute: SwaggerTransform = (input) => {
  const transformed = jsonSchemaTransform(input as Parameters<typeof jsonSchemaTransform>[0]);
  const schema = transformed.schema as Record<string, unknown> | undefined;
  if (!input.schema || !schema || schema.hide) return transformed;
  const source = input.schema as { responseHeaders?: RouteFacts['responseHeaders']; alsoAs?: RouteFacts['alsoAs']; multipartBody?: z.ZodType; security?: Security };
  const route = input.route as { method: string | string[]; config?: { access?: Access; rateLimit?: unknown } };
  const access = route.config?.access;
  const isPublic = access === undefined || access === 'public';
  const security = source.security ?? (isPublic ? [] : [{ bearerAuth: [] }]);

  const headers = schema.headers as { properties?: Record<string, unknown> } | undefined;
  // The setup token is a security scheme; as a parameter too it would be described twice.
  if (headers?.properties && security.some((requirement) => 'setupToken' in requirement)) delete headers.properties['x-setup-token'];
  const hasHeaders = Object.keys(headers?.properties ?? {}).length > 0;
  if (!hasHeaders) delete schema.headers;

  const methods = [route.method].flat();
  const facts: RouteFacts = {
    isPublic,
    isSupplier: !isPublic && access.supplier === true,
    rateLimited: route.config?.rateLimit !== false,
    hasInput: Boolean(schema.params || schema.querystring || hasHeaders || schema.body),
    hasParams: Boolean(schema.params),
    takesBody: methods.some((method) => BODY_METHODS.has(method)),
    takesIfMatch: Boolean(headers?.properties?.['if-match']),
    responseHeaders: source.responseHeaders ?? {},
    alsoAs: source.alsoAs ?? {},
    ...(source.multipartBody ? { multipartBody: z.toJSONSchema(source.multipartBody, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) } : {}),
  };
  delete schema.responseHeaders;
  delete schema.alsoAs;
  delete schema.multipartBody;

  const scopes: Scopes = isPublic ? [] : (access.scopes ?? []);
  return {
    url: transformed.url,
    schema: {
      ...schema,
      description: [schema.description, whoMayCall(access, security)].filter(Boolean).join('\n\n'),
      security,
      'x-roles': isPublic ? [] : [...(access.roles ?? [])],
      'x-scopes': scopes.map((s) => (typeof s === 'string' ? s : [...s])),
      ...(!isPublic && access.supplier ? { 'x-supplier': true } : {}),
      [ROUTE_FACTS]: facts,
    },
  };
};
