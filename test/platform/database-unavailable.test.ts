import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/platform/errors/error-handler';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
/** As drizzle throws it: its own error, with the driver's in `cause`. */
const wrapped = (cause: unknown) => new Error('Failed query: update "responses" set …', { cause });
const selfCaused = () => {
  const error = new Error('odd') as Error & { cause?: unknown };
  error.cause = error;
  return error;
};

describe('what counts as the database being unavailable (503 and retry, not a 500)', () => {
  it.each([
    ['an administrator shutting the server down (57P01), wrapped by drizzle', wrapped(withCode('terminating connection due to administrator command', '57P01')), true],
    ['the server starting up or shutting down (57P03)', withCode('the database system is starting up', '57P03'), true],
    ['a statement cancelled by its timeout (57014), wrapped', wrapped(withCode('canceling statement due to statement timeout', '57014')), true],
    ['a connection exception (08006)', withCode('connection failure', '08006'), true],
    ['connection refused, two causes deep', wrapped(wrapped(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))), true],
    ['the pool waiting too long for a connection, wrapped', wrapped(new Error('timeout exceeded when trying to connect')), true],
    ['a connection cut under a query, wrapped', wrapped(new Error('Connection terminated unexpectedly')), true],
    ['a unique violation (23505), wrapped: a conflict, not an outage', wrapped(withCode('duplicate key value violates unique constraint', '23505')), false],
    ['a bug', new TypeError('Cannot read properties of undefined'), false],
    ['an error that is its own cause', selfCaused(), false],
  ])('%s', (_name, error, unavailable) => {
    expect(isDatabaseUnavailable(error)).toBe(unavailable);
  });
});
