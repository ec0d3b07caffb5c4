import type { FastifyInstance } from 'fastify';

/** The OpenAPI document as committed in openapi/openapi.json: stable key order, two-space indent. */
export function renderOpenApi(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}
