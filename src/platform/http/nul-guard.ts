import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationFailed, type FieldProblem } from '../errors';

const NUL = '\u0000';
const MESSAGE = 'Remove the NUL character (U+0000)';
// Enough to show a client what to fix; a body of thousands of such strings needs no longer answer.
const MAX_REPORTED = 20;

/**
 * The path of every string (and object key) holding a NUL in `root`, in document order; a key's NUL
 * is shown as `\u0000`. Iterative, so a deeply nested body cannot exhaust the stack.
 */
function nulPaths(root: unknown, base: string): string[] {
  const found: string[] = [];
  // [value, its path, whether the key naming it holds a NUL itself]
  const pending: Array<[unknown, string, boolean]> = [[root, base, false]];
  while (pending.length > 0 && found.length < MAX_REPORTED) {
    const [value, path, badKey] = pending.pop()!;
    if (badKey || (typeof value === 'string' && value.includes(NUL))) {
      found.push(path);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${path}/${i}`, false]);
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        pending.push([item, `${path}/${key.replaceAll(NUL, '\\u0000')}`, key.includes(NUL)]);
      }
    }
  }
  return found;
}

/**
 * PostgreSQL cannot store U+0000 in text, and no field of ours has a use for it: a NUL anywhere in
 * a `/v1` request's body, query, path or headers is refused before validation, with every path at
 * fault, so no use case ever meets one. 422 wherever it is: the request parsed, its text is unusable.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!request.routeOptions.url?.startsWith('/v1/')) return;
    const parts = { body: request.body, querystring: request.query, params: request.params, headers: request.headers };
    const paths = Object.entries(parts).flatMap(([part, value]) => nulPaths(value, `/${part}`));
    if (paths.length === 0) return;
    const errors: FieldProblem[] = paths.slice(0, MAX_REPORTED).map((path) => ({ path, message: MESSAGE, code: 'nul_character' }));
    throw validationFailed({ errors });
  });
}
