import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationFailed } from '../errors';

/**
 * Deeper than any body the API reads: a questionnaire with its conditions nested ten deep is about
 * twenty levels. Schema checks and serialisers recurse, so much deeper bodies would exhaust the stack.
 */
export const MAX_BODY_DEPTH = 64;

type Container = { value: object; depth: number; parent: number; key: string };

/** The path of the first object or array nested deeper than `max`, if any. Iterative, so no depth can exhaust the stack. */
export function tooDeepPath(root: unknown, base: string, max: number): string | undefined {
  if (root === null || typeof root !== 'object') return undefined;
  const containers: Container[] = [{ value: root, depth: 1, parent: -1, key: '' }];
  const pending = [0];
  while (pending.length > 0) {
    const index = pending.pop()!;
    const { value, depth } = containers[index]!;
    if (depth > max) {
      const keys: string[] = [];
      for (let at = index; at > 0; at = containers[at]!.parent) keys.push(containers[at]!.key);
      return [base, ...keys.reverse()].join('/');
    }
    const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
    for (const [key, item] of entries) {
      if (item === null || typeof item !== 'object' || Buffer.isBuffer(item)) continue;
      containers.push({ value: item, depth: depth + 1, parent: index, key });
      pending.push(containers.length - 1);
    }
  }
  return undefined;
}

/** A `/v1` JSON body nested deeper than MAX_BODY_DEPTH is refused (422) before any schema or use case reads it. */
export function registerDepthGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!request.routeOptions.url?.startsWith('/v1/')) return;
    const path = tooDeepPath(request.body, '/body', MAX_BODY_DEPTH);
    if (path === undefined) return;
    throw validationFailed({ errors: [{ path, message: `Nested more than ${MAX_BODY_DEPTH} levels deep: no field of the API goes so deep`, code: 'too_deep' }] });
  });
}
