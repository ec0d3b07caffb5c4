import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { smallDefinition } from '../modules/questionnaires/fixtures';

// Found by the fuzz (test/fuzz): a questionnaire whose show-if condition was nested 1,000 deep
// ({"not":{"not":…}}) was saved and then answered 500 (the response serialiser ran out of stack);
// 20,000 deep, the schema check itself did. Both must be a 422 that saves nothing.
const CONDITION = { equals: { question: 'a.training', value: 'opt_in' } };
const nested = (depth: number) => `${'{"not":'.repeat(depth)}${JSON.stringify(CONDITION)}${'}'.repeat(depth)}`;

/** The small questionnaire as JSON text, with a.training_detail's condition nested `depth` deep. */
function definitionText(key: string, depth: number): string {
  const text = JSON.stringify(smallDefinition({ key }));
  const condition = `"showIf":${JSON.stringify(CONDITION)}`;
  expect(text).toContain(condition);
  return text.replace(condition, `"showIf":${nested(depth)}`);
}

describe('a request body nested deeper than any the API reads', () => {
  const ctx = useTestApp();
  const send = (method: 'POST' | 'PUT', url: string, token: string, payload: string) => ctx.app.inject({ method, url, headers: { ...bearer(token), 'content-type': 'application/json' }, payload });

  it.each([1_000, 20_000])('a questionnaire whose condition is nested %i deep is a 422 with its path, and nothing is saved', async (depth) => {
    const org = await seedOrganisation(ctx);
    const list = async () => (await ctx.app.inject({ method: 'GET', url: '/v1/questionnaires?builtIn=false', headers: bearer(org.admin.token) })).json();
    const before = await list();
    const response = await send('POST', '/v1/questionnaires', org.admin.token, definitionText('deep', depth));
    expect(response.statusCode, response.body.slice(0, 300)).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('request.validation_failed');
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors![0]!.path).toMatch(/^\/body\/sections\/0\/questions\/1\/showIf(\/not)+$/);
    expect(problem.errors![0]!.code).toBe('too_deep');
    expect(await list()).toEqual(before);
  });

  it('replacing a draft with one nested 5,000 deep is a 422, and the draft is unchanged', async () => {
    const org = await seedOrganisation(ctx);
    const created = await send('POST', '/v1/questionnaires', org.admin.token, definitionText('draft', 1));
    expect(created.statusCode, created.body).toBe(201);
    const read = async () => (await ctx.app.inject({ method: 'GET', url: `/v1/questionnaires/${created.json().id}`, headers: bearer(org.admin.token) })).json();
    const before = await read();
    const response = await send('PUT', `/v1/questionnaires/${created.json().id}`, org.admin.token, definitionText('draft', 5_000));
    expect(response.statusCode, response.body.slice(0, 300)).toBe(422);
    expect(problemOf(response).errors![0]!.code).toBe('too_deep');
    expect(await read()).toEqual(before);
  });

  it('still takes a condition nested 40 deep, far more than any real questionnaire', async () => {
    const org = await seedOrganisation(ctx);
    const response = await send('POST', '/v1/questionnaires', org.admin.token, definitionText('forty', 40));
    expect(response.statusCode, response.body.slice(0, 300)).toBe(201);
    expect(JSON.stringify(response.json().sections[0].questions[1].showIf)).toBe(nested(40));
  });
});
