/** One field-level problem inside a problem+json body. */
export type FieldProblem = {
  /** JSON pointer-ish path, e.g. `/body/sections/0/key`. */
  path: string;
  message: string;
  code?: string;
};

export type AppErrorInput = {
  status: number;
  /** Stable, namespaced code clients branch on, e.g. `accounts.user_not_found`. */
  code: string;
  title: string;
  headers?: Record<string, string>;
} & (
  // Every problem tells the caller what to do: in `detail`, or field by field in `errors`.
  { detail: string; errors?: FieldProblem[] } | { detail?: string; errors: FieldProblem[] }
);

// A problem stays short whatever the request held: a message may quote what the client sent (an
// unknown key), and a client may send thousands of bad fields. So each path and message is cut, at
// most MAX_LISTED problems are listed, and `detail` names the first few and counts the rest.
const MAX_LISTED = 200;
const MAX_TEXT = 300;
const IN_DETAIL = 10;
const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

/** The field problems as one sentence, for clients that show only `detail`. */
const detailOf = (errors: readonly FieldProblem[]): string =>
  errors
    .slice(0, IN_DETAIL)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ') + (errors.length > IN_DETAIL ? `; and ${errors.length - IN_DETAIL} more` : '');

/** An error the client caused or may act on. Rendered as RFC 9457 problem+json by the error handler. */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(input: AppErrorInput) {
    const errors = input.errors?.map((e) => ({ ...e, path: cut(e.path), message: cut(e.message) }));
    const detail = input.detail ?? detailOf(errors ?? []);
    super(detail || input.title);
    this.name = 'AppError';
    this.status = input.status;
    this.code = input.code;
    this.title = input.title;
    this.detail = detail || 'Correct the request and send it again.';
    this.errors = errors?.slice(0, MAX_LISTED);
    this.headers = input.headers;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * The request breaks the contract: every field at fault with its path. 422 by default (a body that
 * parses but breaks the rules); the schema check answers 400 for a bad path, query or header.
 */
export function validationFailed({ errors, status = 422 }: { errors: FieldProblem[]; status?: 400 | 422 }): AppError {
  return new AppError({ status, code: 'request.validation_failed', title: 'The request is not valid', errors });
}

/** Shorthand for the common "no such thing, or not yours" answer: both give 404 so nothing leaks. */
export function notFound({ code, what }: { code: string; what: string }): AppError {
  return new AppError({ status: 404, code, title: `${what} not found`, detail: `No ${what.toLowerCase()} with that id exists.` });
}
