import { appendFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * Holds the server to its own OpenAPI document: every answer of a documented route (status,
 * media type, JSON body, required headers) is checked against the document the app serves, as
 * it is sent. The test app collects what does not match and fails the test file in `afterAll`.
 */

type Json = Record<string, unknown>;
type Document = { paths: Record<string, Record<string, Json>>; components?: { schemas?: Record<string, unknown>; responses?: Record<string, Json>; headers?: Record<string, Json> } };

export type ContractRecorder = {
  /** Adds the onSend hook that checks each answer; pass it to `buildApp({ observe })`. */
  observe: (app: FastifyInstance) => void;
  /** What did not match, one line each, naming the operation, the status and the error. */
  mismatches: () => string[];
  /** How many answers were checked, by `METHOD /path status`. */
  checked: () => Map<string, number>;
};

const COMPONENTS_ID = 'urn:aidd:components';

/** `$ref`s into `#/components/schemas/` point into one schema Ajv holds under COMPONENTS_ID. */
const rewriteRefs = <T>(node: T): T => JSON.parse(JSON.stringify(node).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`)) as T;

/** Checks one answer against the document; returns what does not match (exported for the checker's own test). */
export function createContractChecker(document: Document) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const format of ['binary', 'byte', 'int32', 'int64', 'float', 'double', 'password']) ajv.addFormat(format, true);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(document.components?.schemas ?? {}) });
  const validators = new Map<string, ValidateFunction>();
  const problem = document.components?.schemas?.Problem as { 'x-error-codes'?: Array<{ code: string }> } | undefined;
  const knownCodes = problem?.['x-error-codes'] ? new Set(problem['x-error-codes'].map((c) => c.code)) : undefined;

  const resolve = (node: Json | undefined, kind: 'responses' | 'headers'): Json | undefined => {
    const ref = node?.$ref;
    if (typeof ref !== 'string') return node;
    return document.components?.[kind]?.[ref.replace(`#/components/${kind}/`, '')];
  };

  // undefined: not an operation of the document (a web page, say), so nothing to check.
  return (answer: { method: string; route: string; status: number; contentType: string | undefined; body: string | undefined; headers: Record<string, unknown> }): string[] | undefined => {
    const path = answer.route.replace(/:(\w+)/g, '{$1}');
    const operation = document.paths[path]?.[answer.method.toLowerCase()] as { operationId?: string; responses?: Record<string, Json> } | undefined;
    const name = `${answer.method} ${path}${operation?.operationId ? ` (${operation.operationId})` : ''} ${answer.status}`;
    if (!operation) return path.startsWith('/v1/') ? [`${name}: the operation is not in the document`] : undefined;
    const responses = operation.responses ?? {};
    const declared = resolve(responses[String(answer.status)] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default, 'responses');
    if (!declared) return [`${name}: status not declared (declared: ${Object.keys(responses).join(', ')})`];

    const found: string[] = [];
    for (const [header, value] of Object.entries((declared.headers ?? {}) as Record<string, Json>)) {
      if (resolve(value, 'headers')?.required === true && answer.headers[header.toLowerCase()] === undefined) found.push(`${name}: required header ${header} missing`);
    }
    const content = declared.content as Record<string, { schema?: unknown }> | undefined;
    // Fastify and Node send no body (nor, for 204, a content type) with a 204 or 304, whatever the handler gave.
    const bodiless = answer.status === 204 || answer.status === 304;
    const hasBody = !bodiless && (answer.body === undefined ? answer.contentType !== undefined : answer.body.length > 0);
    if (!hasBody) return found;
    const mediaType = (answer.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (!content) return [...found, `${name}: sent ${mediaType || 'a body'} but the document declares no content`];
    const key = content[mediaType] ? mediaType : content[`${mediaType.split('/')[0]}/*`] ? `${mediaType.split('/')[0]}/*` : content['*/*'] ? '*/*' : undefined;
    if (!key) return [...found, `${name}: media type ${mediaType} not declared (declared: ${Object.keys(content).join(', ')})`];
    if (!/[/+]json$/.test(mediaType) || answer.body === undefined) return found;

    let data: unknown;
    try {
      data = JSON.parse(answer.body);
    } catch {
      return [...found, `${name}: the ${mediaType} body is not JSON`];
    }
    const schema = content[key]!.schema;
    if (schema !== undefined) {
      const id = `${path} ${answer.method} ${answer.status} ${key}`;
      let validate = validators.get(id);
      if (!validate) {
        validate = ajv.compile(rewriteRefs(schema as object));
        validators.set(id, validate);
      }
      if (!validate(data)) found.push(`${name}: body does not match the schema: ${ajv.errorsText(validate.errors?.slice(0, 5), { dataVar: 'body' })}`);
    }
    const code = (data as { code?: unknown } | null)?.code;
    if (mediaType === 'application/problem+json' && knownCodes && !knownCodes.has(String(code))) found.push(`${name}: error code ${String(code)} is not listed in Problem x-error-codes`);
    return found;
  };
}

export function createContractRecorder(): ContractRecorder {
  const mismatches = new Set<string>();
  const checked = new Map<string, number>();
  let check: ReturnType<typeof createContractChecker> | undefined;

  return {
    observe: (app) => {
      app.addHook('onSend', async (request, reply, payload) => {
        const route = request.routeOptions.url;
        if (!route || request.method === 'HEAD') return payload;
        try {
          check ??= createContractChecker(app.swagger() as unknown as Document);
          const contentType = reply.getHeader('content-type') as string | undefined;
          const isText = /json|text|csv/.test(contentType ?? '');
          const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) && isText ? payload.toString('utf8') : payload === null || payload === undefined ? '' : undefined;
          const found = check({ method: request.method, route, status: reply.statusCode, contentType, body, headers: reply.getHeaders() });
          for (const problem of found ?? []) mismatches.add(problem);
          if (found) checked.set(`${request.method} ${route} ${reply.statusCode}`, (checked.get(`${request.method} ${route} ${reply.statusCode}`) ?? 0) + 1);
        } catch (error) {
          mismatches.add(`${request.method} ${route.replace(/:(\w+)/g, '{$1}')} ${reply.statusCode}: the check itself failed: ${(error as Error).message}`);
        }
        return payload;
      });
    },
    mismatches: () => [...mismatches],
    checked: () => checked,
  };
}

/** With CONTRACT_LOG=<file>, each test file appends what it checked and what did not match (for the coverage of a whole run). */
export function logContract({ file, recorder }: { file: string | undefined; recorder: ContractRecorder }): void {
  const target = process.env.CONTRACT_LOG;
  if (!target) return;
  appendFileSync(target, `${JSON.stringify({ file, checked: Object.fromEntries(recorder.checked()), mismatches: recorder.mismatches() })}\n`);
}
