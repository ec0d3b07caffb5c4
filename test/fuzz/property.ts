// What every answer must be, whatever was sent: below 500; an error as problem+json whose `status`
// is the HTTP status, with `type`, `title` and `code`; short, and without any huge input in it.
import type { SendResult } from './client';
import type { FuzzRequest } from './requests';

/** An error body longer than this is an echo or a dump, not a problem report. */
const MAX_ERROR_BODY = 64 * 1024;
const PROBE_LENGTH = 512;

/** The HTML pages (the web form, the console): everything but the API, its description and health. */
function webPage(target: string): boolean {
  const path = target.split('?')[0]!;
  return !/^\/(v1|healthz|readyz|openapi\.json|docs)(\/|$)/.test(path);
}

/** Every way this answer breaks the property; empty when it holds. */
export function violations(request: FuzzRequest, result: SendResult): string[] {
  if (!result.response) return request.mayGoUnanswered ? [] : [`no answer: ${result.error}`];
  const { status, headers, body } = result.response;
  const found: string[] = [];
  if (status >= 500) found.push(`answered ${status}`);
  const text = body.toString('utf8');
  if (status >= 400) {
    const type = headers['content-type'] ?? '';
    if (webPage(request.target) && type.startsWith('text/html')) {
      // The supplier's and the officers' pages answer their own errors as pages, by design.
    } else if (!type.startsWith('application/problem+json')) found.push(`a ${status} with content-type ${JSON.stringify(type)}, not application/problem+json`);
    else if (request.method !== 'HEAD') {
      try {
        const problem = JSON.parse(text) as Record<string, unknown>;
        if (typeof problem.type !== 'string' || problem.type === '') found.push('the problem has no `type`');
        if (typeof problem.title !== 'string' || problem.title === '') found.push('the problem has no `title`');
        if (problem.status !== status) found.push(`the problem's status ${JSON.stringify(problem.status)} is not the HTTP status ${status}`);
        if (typeof problem.code !== 'string' || problem.code === '') found.push('the problem has no `code`');
      } catch {
        found.push(`the problem+json body is not JSON: ${text.slice(0, 200)}`);
      }
    }
    if (body.length > MAX_ERROR_BODY) found.push(`a ${body.length}-byte error body`);
    for (const probe of request.probes) {
      const middle = probe.slice(Math.max(0, Math.floor(probe.length / 2) - PROBE_LENGTH / 2)).slice(0, PROBE_LENGTH);
      const start = probe.slice(0, PROBE_LENGTH);
      if (text.includes(middle) || text.includes(start)) found.push(`the error echoes a ${probe.length}-character input`);
    }
  } else if ((headers['content-type'] ?? '').startsWith('application/json') && request.method !== 'HEAD' && body.length > 0) {
    try {
      JSON.parse(text);
    } catch {
      found.push(`a ${status} application/json body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  if (found.length > 0) found.push(`body: ${text.slice(0, 600)}`);
  return found;
}
