import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { meSchema, userSchema } from '../../src/modules/accounts/accounts.schemas';
import { problemSchema } from '../../src/platform/errors';
import { isFastSerializer, serializerCompiler } from '../../src/platform/http/serializer';
import { pageSchema } from '../../src/platform/pagination';

const compile = (schema: z.ZodType) => serializerCompiler({ schema, method: 'GET', url: '/test', httpStatus: '200' } as never) as (data: unknown) => string;

const user = { id: '0190a0c4-7b1e-7000-8000-000000000001', email: 'a@example.gov.uk', name: 'A', role: 'admin', active: true, createdAt: '2026-11-26T12:00:00.000Z', updatedAt: '2026-11-26T12:00:00.000Z' };

describe('response serialisation', () => {
  it('writes only the fields a response schema declares, so an extra column never leaks', () => {
    const json = compile(pageSchema(userSchema))({ items: [{ ...user, tokenHash: 'secret-hash' }], nextCursor: null, internal: 1 });
    expect(JSON.parse(json)).toEqual({ items: [user], nextCursor: null });
  });

  it('handles the union of /v1/me for users and API keys', () => {
    const organisation = { id: user.id, name: 'C', createdAt: user.createdAt };
    const serialize = compile(meSchema);
    expect(JSON.parse(serialize({ kind: 'user', organisation, user: { ...user, secret: 'x' } }))).toEqual({ kind: 'user', organisation, user });
    const key = { kind: 'api_key', organisation, apiKey: { id: user.id, scopes: ['scores:read'] } };
    expect(JSON.parse(serialize(key))).toEqual(key);
  });

  it.each([
    ['a page of users', pageSchema(userSchema)],
    ['the /v1/me union', meSchema],
    ['a problem', problemSchema],
  ])('compiles %s to the fast serializer, not the zod fallback', (_name, schema) => {
    expect(isFastSerializer(compile(schema))).toBe(true);
  });

  it('keeps problem details intact, field errors included', () => {
    const problem = { type: 'urn:problem-type:x', title: 'T', status: 422, code: 'x', errors: [{ path: '/body/a', message: 'm' }] };
    expect(JSON.parse(compile(problemSchema)(problem))).toEqual(problem);
  });
});
