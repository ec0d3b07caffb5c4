import { z } from 'zod';
import type { ErrorCodeEntry } from '../errors';
import { ROUTE_FACTS, type ResponseHeaderName, type RouteFacts } from './openapi-route';

type Json = Record<string, unknown>;
type Operation = Json & { responses?: Record<string, Json>; requestBody?: Json; [ROUTE_FACTS]?: RouteFacts };
export type OpenApiDocument = Json & {
  paths: Record<string, Record<string, Operation>>;
  components: Json & { schemas: Record<string, Json> };
};

/** A webhook event as the integrations module describes it. */
export type WebhookEventDoc = { summary: string; description: string; payload: z.ZodType; component: string };

const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted: queued', 204: 'Done; nothing to return' };

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });
const PROBLEM = ref('schemas', 'Problem');

const HEADERS: Record<string, Json> = {
  'X-Request-Id': { description: 'This answer’s id, also in the service’s logs: quote it when asking for support.', required: true, schema: { type: 'string' } },
  'RateLimit-Limit': { description: 'Requests allowed per window to this caller (a user, API key or supplier once authenticated; otherwise the client address).', required: true, schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current window.', required: true, schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window ends.', required: true, schema: { type: 'integer' } },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
  'WWW-Authenticate': { description: '`Bearer realm="aidd"` when the bearer token is missing or not accepted.', schema: { type: 'string' } },
  ETag: { description: 'The version of what was read or written: send it back in If-Match to change it only if nobody else has since.', required: true, schema: { type: 'string' } },
  Location: { description: 'Where to read what was created.', required: true, schema: { type: 'string', format: 'uri-reference' } },
  'Content-Disposition': { description: '`attachment` with the file’s name.', required: true, schema: { type: 'string' } },
  Link: { description: '`<…>; rel="next"`: the next page, while there is one.', schema: { type: 'string' } },
  'X-Content-SHA256': { description: 'The SHA-256 of the file, hex.', required: true, schema: { type: 'string' } },
  'X-Evaluation-Hash': { description: 'The hash of the evaluation the report shows.', required: true, schema: { type: 'string' } },
  'X-Report-Id': { description: 'The stored report’s id, as in the audit log.', required: true, schema: { type: 'string', format: 'uuid' } },
  'X-Submission-Reference': { description: 'The reference of the submission the receipt is for.', required: true, schema: { type: 'string' } },
} satisfies Record<ResponseHeaderName | string, Json>;

const RATE_LIMIT_HEADERS = { 'RateLimit-Limit': ref('headers', 'RateLimit-Limit'), 'RateLimit-Remaining': ref('headers', 'RateLimit-Remaining'), 'RateLimit-Reset': ref('headers', 'RateLimit-Reset') };

/** The error answers every operation shares, by status: `components.responses`, each problem+json. */
const ERROR_RESPONSES: Record<number, { name: string; description: string; headers?: string[] }> = {
  400: { name: 'BadRequest', description: 'The path, query or headers break the contract (`request.validation_failed`, each field in `errors`), the body is not JSON, or a cursor or If-Match value cannot be read.' },
  401: { name: 'Unauthorized', description: 'No bearer token, or one that is unknown, expired or revoked.', headers: ['WWW-Authenticate'] },
  403: { name: 'Forbidden', description: 'The token’s role, scopes or supplier access do not allow this; `code` says which rule.' },
  404: { name: 'NotFound', description: 'No such thing in your organisation: another organisation’s ids are not found either.' },
  409: { name: 'Conflict', description: 'Not possible in the current state of what it acts on; `code` says why.' },
  412: { name: 'PreconditionFailed', description: 'If-Match names a version that is no longer current: read it again and resend with the new ETag.' },
  413: { name: 'ContentTooLarge', description: 'The body is larger than this operation takes.' },
  415: { name: 'UnsupportedMediaType', description: 'The body’s Content-Type is not one this operation takes, or the uploaded file is not a type it accepts.' },
  422: { name: 'UnprocessableContent', description: 'The request is well-formed but breaks the rules; `errors` lists each field at fault. A NUL character anywhere in the request is refused this way.' },
  429: { name: 'TooManyRequests', description: 'Too many requests from this caller, or too many failed authentications from this address: wait Retry-After seconds.', headers: ['Retry-After'] },
  503: { name: 'ServiceUnavailable', description: 'The database cannot be reached, or the service is shutting down: try again after Retry-After seconds.', headers: ['Retry-After'] },
};

const isProblem = (response: Json | undefined) => (response?.content as Record<string, { schema?: Json }> | undefined)?.['application/json']?.schema?.$ref === PROBLEM.$ref;
const binary = (mediaType: string) => ({ schema: /^text\/|json$/.test(mediaType) ? { type: 'string' } : { type: 'string', format: 'binary' } });

/** The statuses every operation of its kind can answer, whatever its handler does. */
function commonErrors(path: string, facts: RouteFacts): number[] {
  const v1 = path.startsWith('/v1/');
  return [
    ...(facts.hasInput || facts.takesBody ? [400] : []),
    ...(facts.isPublic ? [] : [401, 403]),
    // A supplier's own response or procurement is looked up on every call: gone, it is not found.
    ...(facts.hasParams || facts.isSupplier ? [404] : []),
    ...(facts.takesIfMatch ? [412] : []),
    ...(facts.takesBody ? [413, 415] : []),
    // The NUL guard refuses one anywhere in a /v1 request, the query included.
    ...(v1 ? [422] : []),
    ...(facts.rateLimited ? [429] : []),
    ...(v1 ? [503] : []),
  ];
}

function finishOperation(path: string, operation: Operation): Set<number> {
  const facts = operation[ROUTE_FACTS];
  delete operation[ROUTE_FACTS];
  const used = new Set<number>();
  if (!facts) return used;
  const declared = operation.responses ?? {};
  const statuses = new Set([...Object.keys(declared).map(Number), ...commonErrors(path, facts)]);
  const responses: Record<string, Json> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const response = declared[String(status)];
    if (status >= 400 && (response === undefined || isProblem(response)) && ERROR_RESPONSES[status]) {
      used.add(status);
      responses[String(status)] = ref('responses', ERROR_RESPONSES[status].name);
      continue;
    }
    const names: string[] = [...(facts.responseHeaders[status] ?? []), ...(facts.takesIfMatch && status < 300 ? ['ETag'] : [])];
    const headers: Json = {
      'X-Request-Id': ref('headers', 'X-Request-Id'),
      ...(facts.rateLimited ? RATE_LIMIT_HEADERS : {}),
      ...Object.fromEntries([...new Set(names)].map((name) => [name, ref('headers', name)])),
    };
    const content = response?.content as Record<string, Json> | undefined;
    const alsoAs = facts.alsoAs[status] ?? [];
    responses[String(status)] = {
      ...response,
      description: status === 304 ? 'Not modified: If-None-Match named the current ETag.' : response?.description && response.description !== 'Default Response' ? response.description : (SUCCESS[status] ?? 'Success'),
      headers,
      ...(content || alsoAs.length ? { content: { ...content, ...Object.fromEntries(alsoAs.map((type) => [type, binary(type)])) } } : {}),
    };
  }
  operation.responses = responses;
  if (facts.multipartBody) {
    const { $schema: _ignored, ...schema } = facts.multipartBody as Json;
    operation.requestBody = { required: true, content: { 'multipart/form-data': { schema } } };
  }
  return used;
}

/** `XInput` components identical to `X` (once refs to such pairs are taken as equal) are merged into `X`. */
function mergeInputTwins(document: OpenApiDocument): OpenApiDocument {
  const schemas = document.components.schemas;
  const twins = new Set(Object.keys(schemas).filter((name) => name.endsWith('Input') && schemas[name.slice(0, -5)]).map((name) => name.slice(0, -5)));
  const merged = (json: unknown) => JSON.stringify(json).replace(/"#\/components\/schemas\/([A-Za-z0-9_.-]+)Input"/g, (whole, base: string) => (twins.has(base) ? `"#/components/schemas/${base}"` : whole));
  for (let changed = true; changed; ) {
    changed = false;
    for (const base of twins) {
      if (merged(schemas[`${base}Input`]) !== merged(schemas[base])) {
        twins.delete(base);
        changed = true;
      }
    }
  }
  for (const base of twins) delete schemas[`${base}Input`];
  return JSON.parse(merged(document)) as OpenApiDocument;
}

/** Drops component schemas nothing else in the document refers to (the zod type provider emits an input and an output form of each). */
function pruneSchemas(schemas: Record<string, Json>, roots: unknown): void {
  const refsIn = (node: unknown) => [...JSON.stringify(node).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  const reached = new Set<string>();
  const queue = refsIn(roots);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (reached.has(name) || !schemas[name]) continue;
    reached.add(name);
    queue.push(...refsIn(schemas[name]));
  }
  for (const name of Object.keys(schemas)) if (!reached.has(name)) delete schemas[name];
}

function webhooksSection(events: Record<string, WebhookEventDoc>, schemas: Record<string, Json>): Json {
  const header = (name: string, description: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } });
  const parameters = [
    header('webhook-id', 'The message id: the same on every retry of one message, so duplicates can be ignored.'),
    header('webhook-timestamp', 'Unix seconds when this attempt was signed: reject one more than 5 minutes from now.'),
    header('webhook-signature', '`v1,` then the base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the base64-decoded part of the secret after `whsec_`; during a secret rotation, one such signature per secret, separated by spaces.'),
  ];
  return Object.fromEntries(
    Object.entries(events).map(([type, event]) => {
      const { $schema: _ignored, ...schema } = z.toJSONSchema(event.payload, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' }) as Json;
      schemas[event.component] = schema;
      const name = type.replace(/(^|[._])(\w)/g, (_m, _sep, c: string) => c.toUpperCase());
      return [
        type,
        {
          post: {
            operationId: `receive${name}Event`,
            summary: event.summary,
            description: event.description,
            tags: ['webhooks'],
            security: [],
            parameters,
            requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', event.component) } } },
            responses: {
              '2XX': { description: 'Received: answer within 10 seconds.' },
              '410': { description: 'Gone: the endpoint is disabled at once and nothing more is sent to it.' },
              '4XX': { description: 'Any other answer, or none within 10 seconds: the delivery is tried again later.' },
            },
          },
        },
      ];
    }),
  );
}

/**
 * Turns the document @fastify/swagger and the zod type provider produced into the one we publish:
 * problem+json errors (shared `components.responses`), response headers, the setup token scheme,
 * the server, the webhooks, the error codes; each component once, none unused.
 */
export function finishDocument(
  raw: OpenApiDocument,
  { publicBaseUrl, errorCodes, webhooks }: { publicBaseUrl: string | undefined; errorCodes: ErrorCodeEntry[]; webhooks: Record<string, WebhookEventDoc> },
): OpenApiDocument {
  const used = new Set<number>();
  for (const [path, operations] of Object.entries(raw.paths)) {
    for (const operation of Object.values(operations)) for (const status of finishOperation(path, operation)) used.add(status);
  }
  const document = mergeInputTwins(raw);
  const schemas = document.components.schemas;
  const hooks = Object.keys(webhooks).length > 0 ? webhooksSection(webhooks, schemas) : undefined;
  const responses = Object.fromEntries(
    [...used]
      .sort((a, b) => a - b)
      .map((status) => {
        const { name, description, headers = [] } = ERROR_RESPONSES[status]!;
        const headerRefs = { 'X-Request-Id': ref('headers', 'X-Request-Id'), ...RATE_LIMIT_HEADERS, ...Object.fromEntries(headers.map((h) => [h, ref('headers', h)])) };
        return [name, { description, headers: headerRefs, content: { 'application/problem+json': { schema: PROBLEM } } }];
      }),
  );
  const { schemas: _schemas, ...otherComponents } = document.components;
  pruneSchemas(schemas, { paths: document.paths, hooks, otherComponents, responses });
  const problem = schemas.Problem;
  if (problem) problem['x-error-codes'] = errorCodes;
  const referencedHeaders = new Set([...JSON.stringify({ paths: document.paths, responses }).matchAll(/"#\/components\/headers\/([^"]+)"/g)].map((m) => m[1]!));
  const { openapi, info, tags, paths, components, ...rest } = document;
  return {
    openapi,
    info,
    ...(publicBaseUrl ? { servers: [{ url: publicBaseUrl, description: 'This instance (PUBLIC_BASE_URL)' }] } : {}),
    ...rest,
    tags,
    paths,
    ...(hooks ? { webhooks: hooks } : {}),
    components: {
      ...components,
      // By name: the registry holds them in the order their modules were first imported, which differs
      // between a server and a test process that imported some module earlier (the committed document must not).
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      responses,
      headers: Object.fromEntries(Object.entries(HEADERS).filter(([name]) => referencedHeaders.has(name))),
    },
  };
}
