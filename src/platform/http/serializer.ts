import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * Responses are written by fast-json-stringify from each route's zod response schema (converted to
 * JSON Schema once, at start-up). It writes only the declared fields, so a repository returning an
 * extra column cannot leak it, and it costs a fraction of validating every response with zod.
 * A schema JSON Schema cannot express falls back to zod's own serializer.
 */
const fastSerializers = new WeakSet<object>();

/** True when a compiled serializer is the fast path, not the zod fallback (for tests). */
export function isFastSerializer(serialize: unknown): boolean {
  return typeof serialize === 'function' && fastSerializers.has(serialize);
}

export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = (route) => {
  const schema = route.schema as unknown;
  if (!(schema instanceof z.ZodType)) return zodSerializerCompiler(route as never);
  try {
    const jsonSchema = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw' });
    const serialize = fastJson(withoutClosedObjects(jsonSchema) as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
    fastSerializers.add(serialize);
    return serialize;
  } catch {
    return zodSerializerCompiler(route as never);
  }
};

/**
 * fast-json-stringify already writes only declared properties; `additionalProperties: false` would
 * only make a union branch refuse a value that carries an extra field, instead of dropping the field.
 */
function withoutClosedObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutClosedObjects);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = withoutClosedObjects(value);
  }
  return out;
}
