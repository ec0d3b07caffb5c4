import type { AppError, FieldProblem } from './app-error';

/** One error code as the API description lists it. */
export type ErrorCodeEntry = { code: string; status: number; title: string };

/** The codes the platform answers with itself: authentication, the framework's own refusals, outages. */
export const PLATFORM_ERROR_CODES: readonly ErrorCodeEntry[] = [
  { code: 'auth.missing_token', status: 401, title: 'Authentication required' },
  { code: 'auth.malformed_token', status: 401, title: 'Authentication required' },
  { code: 'auth.invalid_token', status: 401, title: 'Authentication required' },
  { code: 'auth.forbidden', status: 403, title: 'Not allowed' },
  { code: 'auth.user_required', status: 403, title: 'Not allowed' },
  { code: 'request.validation_failed', status: 400, title: 'The request is not valid' },
  { code: 'request.validation_failed', status: 422, title: 'The request is not valid' },
  { code: 'request.malformed_json', status: 400, title: 'The request body is not valid JSON' },
  { code: 'request.empty_json_body', status: 400, title: 'The request body is empty but JSON was declared' },
  { code: 'request.invalid_content_length', status: 400, title: 'Content-Length does not match the body' },
  { code: 'request.unsupported_media_type', status: 415, title: 'Unsupported content type' },
  { code: 'request.body_too_large', status: 413, title: 'The request body is too large' },
  { code: 'request.invalid_if_match', status: 400, title: 'Invalid If-Match header' },
  { code: 'request.rate_limited', status: 429, title: 'Too many requests' },
  { code: 'request.bad_url', status: 400, title: 'The address is not valid' },
  { code: 'request.unroutable', status: 400, title: 'The request could not be routed' },
  { code: 'request.malformed', status: 400, title: 'The request is not valid HTTP' },
  { code: 'request.timeout', status: 408, title: 'The request took too long to arrive' },
  { code: 'request.uri_too_long', status: 414, title: 'The address is too long' },
  { code: 'request.headers_too_large', status: 431, title: 'The request headers are too large' },
  { code: 'request.missing_host', status: 400, title: 'The request has no Host header' },
  { code: 'request.method_not_allowed', status: 405, title: 'The method is not allowed' },
  { code: 'pagination.invalid_cursor', status: 400, title: 'Invalid cursor' },
  { code: 'route.not_found', status: 404, title: 'Not found' },
  { code: 'service.unavailable', status: 503, title: 'The service is temporarily unavailable' },
  { code: 'service.shutting_down', status: 503, title: 'The service is restarting' },
  { code: 'internal_error', status: 500, title: 'Something went wrong on our side' },
];

/** A module's error factories: `{ notFound: () => AppError, invalid: (problems) => AppError, … }`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- factories take any mix of arguments
export type ErrorFactories = Record<string, (...args: any[]) => AppError>;

// Stands in for any factory argument (a name, a number, a date, a list of field problems) so a
// factory can be called just to read its code, status and title.
const SOME_PROBLEMS: FieldProblem[] = [{ path: '/body', message: '…' }];
const ANY_ARGUMENT = Object.assign(new String('…'), { map: (f: (p: FieldProblem) => unknown) => SOME_PROBLEMS.map(f), toISOString: () => '…', valueOf: () => 1 });

/** Every code the factories make, with its status and title (a title built from an argument shows `…`). */
export function errorCodesOf(...groups: ErrorFactories[]): ErrorCodeEntry[] {
  return groups.flatMap((group) =>
    Object.values(group).map((make) => {
      const error = make(...Array.from({ length: make.length }, () => ANY_ARGUMENT));
      return { code: error.code, status: error.status, title: error.title };
    }),
  );
}

/** Sorted by code then status, each pair once. */
export function sortedCodes(entries: readonly ErrorCodeEntry[]): ErrorCodeEntry[] {
  const unique = new Map(entries.map((entry) => [`${entry.code} ${entry.status}`, entry]));
  return [...unique.values()].sort((a, b) => a.code.localeCompare(b.code) || a.status - b.status);
}
