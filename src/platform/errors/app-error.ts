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
  detail?: string;
  errors?: FieldProblem[];
  headers?: Record<string, string>;
};

/** An error the client caused or may act on. Rendered as RFC 9457 problem+json by the error handler. */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(input: AppErrorInput) {
    super(input.detail ?? input.title);
    this.name = 'AppError';
    this.status = input.status;
    this.code = input.code;
    this.title = input.title;
    this.detail = input.detail;
    this.errors = input.errors;
    this.headers = input.headers;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Shorthand for the common "no such thing, or not yours" answer: both give 404 so nothing leaks. */
export function notFound({ code, what }: { code: string; what: string }): AppError {
  return new AppError({ status: 404, code, title: `${what} not found`, detail: `No ${what.toLowerCase()} with that id exists.` });
}
