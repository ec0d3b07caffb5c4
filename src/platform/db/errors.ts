/** True when a database error is a unique-constraint violation (optionally on a named constraint). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = (error as { cause?: unknown })?.cause ?? error;
  const code = (e as { code?: unknown })?.code;
  if (code !== '23505') return false;
  return constraint === undefined || (e as { constraint?: unknown }).constraint === constraint;
}

// What a database error may show in a log: which statement and constraint failed, never the values.
const LOGGABLE_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType', 'routine', 'query'] as const;

type ErrorLike = Error & Record<string, unknown>;

/** drizzle's wrapper (message "Failed query: …\nparams: …"), or the driver's error (pg, PGlite: `detail` may hold the failing row). */
function isDatabaseError(error: ErrorLike): boolean {
  return 'params' in error || (typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) && 'severity' in error);
}

/**
 * A data exception (class 22: a bad cast, a value too long, out of range) quotes the value in its
 * message, as in `invalid input syntax for type integer: "…"`; the kind of failure is kept, the value not.
 */
function withoutQuotedValues(message: string, code: unknown): string {
  return typeof code === 'string' && code.startsWith('22') ? message.replace(/"(?:[^"]|"")*"/g, '"…"') : message;
}

function withoutValues(error: ErrorLike): Error {
  const message = withoutQuotedValues(error.message.replace(/\nparams: [\s\S]*$/, ''), error.code);
  const safe = Object.assign(new Error(message), Object.fromEntries(LOGGABLE_FIELDS.filter((field) => error[field] !== undefined).map((field) => [field, error[field]])));
  safe.name = error.name === 'Error' ? error.constructor.name : error.name;
  // The stack starts with the original message (values and all): keep only the frames after it.
  const at = error.stack?.indexOf(error.message) ?? -1;
  safe.stack = `${safe.name}: ${message}${at >= 0 ? error.stack!.slice(at + error.message.length) : ''}`;
  return safe;
}

/**
 * An error as it may be logged: any database error in it, or in its causes, loses the query's
 * parameters and the driver's `detail` (both can hold answers and token hashes). Other errors are
 * returned as they are.
 */
export function loggableError<T>(error: T, depth = 0): T | Error {
  if (!(error instanceof Error) || depth > 5) return error;
  const e = error as ErrorLike;
  const cause = e.cause === undefined ? undefined : loggableError(e.cause, depth + 1);
  if (isDatabaseError(e)) return Object.assign(withoutValues(e), cause === undefined ? {} : { cause });
  if (cause === e.cause) return error;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(e) as object) as ErrorLike, e, { cause });
  Object.defineProperties(copy, { message: { value: e.message, enumerable: false }, stack: { value: e.stack, enumerable: false } });
  return copy;
}
