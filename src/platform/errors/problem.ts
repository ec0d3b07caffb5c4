import { z } from 'zod';

/** RFC 9457 problem details, with our stable `code` and the request id as extensions. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().describe('Stable and namespaced (`area.what_happened`): branch on it, not on `title`. Every code, with its status, is listed in `x-error-codes`.'),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
      .optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details. Clients branch on `code`.' });

export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemType(code: string): string {
  return `urn:problem-type:${code}`;
}

/**
 * The problem answers a route declares itself (409, and the like): statuses its own rules give. Those
 * every route of its kind can give (401, 403, 404 with an id in the path, 422…) the document adds for it.
 */
export function problemResponses<const S extends number>(...statuses: S[]): Record<S, typeof problemSchema> {
  return Object.fromEntries(statuses.map((status) => [status, problemSchema])) as Record<S, typeof problemSchema>;
}
