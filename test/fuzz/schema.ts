// JSON Schema (as the OpenAPI document gives it) → fast-check arbitraries: values that follow the
// schema closely enough to get past validation into the handler, and mutations of them (a member
// replaced by a hostile value, removed, added, wrapped or turned into a string).
import fc from 'fast-check';
import { resolveRef, type ApiDocument, type JsonSchema } from './openapi';
import { nastyKey, nastyValue, Raw, toJson, type Value } from './values';

/** Real things of the running service a generated value may name, so it gets past the lookups. */
export type Vocabulary = {
  /** Real ids of every kind (the fuzz's own organisation and another). */
  ids: string[];
  questionKeys: string[];
  triageKeys: string[];
  sectionKeys: string[];
  emails: string[];
};

// References nest at most this deep (the condition tree refers to itself); deeper, a value is null.
const MAX_REF_DEPTH = 3;
const MAX_DEPTH = 7;

type Context = { document: ApiDocument; vocabulary: Vocabulary; cache: Map<JsonSchema, Map<string, fc.Arbitrary<Value>>> };

const DAY = 24 * 60 * 60 * 1000;
const BASE_TIME = Date.UTC(2026, 10, 26, 12);

function dateTime(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.integer({ min: -400, max: 400 }).map((days) => new Date(BASE_TIME + days * DAY + 17 * 3_600_000).toISOString()),
    fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('2027-03-31T17:00:00Z', '2027-03-31T17:00:00+01:00', '2027-03-31T17:00:00.123456Z'),
    // Edges a database may hold differently from JavaScript: year 0, year 1, year 9999, leap days, far offsets, long fractions.
    fc.constantFrom('0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '9999-12-31T23:59:59-12:00', '1970-01-01T00:00:00+14:00', '2028-02-29T12:00:00Z', '2026-11-26T12:00:00.123456789Z', '1000-01-01T00:00:00Z'),
  );
}

function stringFor(schema: JsonSchema, name: string, ctx: Context): fc.Arbitrary<Value> {
  const format = schema.format as string | undefined;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 60;
  const { vocabulary } = ctx;
  if (format === 'uuid') return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...vocabulary.ids) }, { weight: 1, arbitrary: fc.uuid() });
  if (format === 'date-time') return dateTime();
  if (format === 'date') return dateTime().map((d) => d.slice(0, 10));
  if (format === 'email' || /email/i.test(name)) return fc.oneof(fc.constantFrom(...vocabulary.emails), fc.emailAddress());
  if (format === 'uri' || format === 'url' || /url$/i.test(name)) {
    return fc.oneof(fc.constantFrom('https://93.184.216.34/hooks/aidd', 'https://example.com/policy', 'http://127.0.0.1:9/x', 'https://10.0.0.1/', 'https://[::1]/'), fc.webUrl());
  }
  if (/questionKey$|^question$|^key$/.test(name)) {
    return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...vocabulary.questionKeys) }, { weight: 1, arbitrary: fc.string({ minLength, maxLength: Math.min(maxLength, 40) }) });
  }
  if (name === 'triage') return fc.constantFrom(...vocabulary.triageKeys);
  if (typeof schema.pattern === 'string') {
    try {
      const pattern = new RegExp(schema.pattern);
      return fc.stringMatching(pattern).filter((s) => s.length >= minLength && s.length <= maxLength);
    } catch {
      // A pattern JavaScript cannot read: fall through to any string.
    }
  }
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength: Math.max(minLength, Math.min(maxLength, 40)) }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, Math.min(maxLength, 20)) }) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(Math.min(Math.max(minLength, maxLength), 100_000))) },
  );
}

function numberFor(schema: JsonSchema, integer: boolean): fc.Arbitrary<Value> {
  const lowest = typeof schema.minimum === 'number' ? schema.minimum : -Number.MAX_VALUE;
  const highest = typeof schema.maximum === 'number' ? schema.maximum : Number.MAX_VALUE;
  const min = Math.max(lowest, -1e6);
  const max = Math.min(highest, 1e6);
  // The schema's own bounds and the limits of the columns behind them (int4, int8, doubles).
  const edges = [lowest, highest, 0, 1, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e300, 0.5].filter((n) => n >= lowest && n <= highest && (!integer || Number.isInteger(n)));
  if (integer) return fc.oneof(fc.integer({ min: Math.ceil(min), max: Math.floor(max) }), fc.constantFrom(...edges.map(Math.round)));
  return fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...edges));
}

function objectFor(schema: JsonSchema, depth: number, refDepth: number, ctx: Context): fc.Arbitrary<Value> {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const model: Record<string, fc.Arbitrary<Value>> = {};
  for (const [key, property] of Object.entries(properties)) model[key] = arbitraryFor(property, { depth: depth + 1, refDepth, name: key, ctx });
  const record = fc.record(model, { requiredKeys: Object.keys(model).filter((k) => required.has(k)) }) as fc.Arbitrary<Record<string, Value>>;
  const additional = schema.additionalProperties;
  if (additional && typeof additional === 'object' && Object.keys(properties).length === 0) {
    const names = (schema.propertyNames as JsonSchema | undefined) ?? {};
    const { vocabulary } = ctx;
    const keys = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...vocabulary.questionKeys, ...vocabulary.triageKeys, ...vocabulary.sectionKeys) },
      { weight: 1, arbitrary: stringFor(names, '', ctx) as fc.Arbitrary<string> },
    );
    return fc.dictionary(keys, arbitraryFor(additional as JsonSchema, { depth: depth + 1, refDepth, name: '', ctx }), { maxKeys: depth > 2 ? 2 : 6 });
  }
  return record;
}

/** A value shaped by the schema (references resolved, recursion bounded). */
export function arbitraryFor(schema: JsonSchema, { depth = 0, refDepth = 0, name = '', ctx }: { depth?: number; refDepth?: number; name?: string; ctx: Context }): fc.Arbitrary<Value> {
  const cacheKey = `${depth}:${refDepth}:${name}`;
  const cached = ctx.cache.get(schema)?.get(cacheKey);
  if (cached) return cached;
  const built = build(schema, depth, refDepth, name, ctx);
  if (!ctx.cache.has(schema)) ctx.cache.set(schema, new Map());
  ctx.cache.get(schema)!.set(cacheKey, built);
  return built;
}

function build(schema: JsonSchema, depth: number, refDepth: number, name: string, ctx: Context): fc.Arbitrary<Value> {
  if (depth > MAX_DEPTH) return fc.constant(null);
  if (typeof schema.$ref === 'string') {
    if (refDepth >= MAX_REF_DEPTH) return fc.constant(null);
    return arbitraryFor(resolveRef(ctx.document, schema.$ref), { depth, refDepth: refDepth + 1, name, ctx });
  }
  if ('const' in schema) return fc.constant(schema.const as Value);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as Value[]));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0) return fc.oneof(...(branches as JsonSchema[]).map((b) => arbitraryFor(b, { depth, refDepth, name, ctx })));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const merged = (schema.allOf as JsonSchema[]).reduce<JsonSchema>((all, part) => ({ ...all, ...part, properties: { ...(all.properties as object), ...(part.properties as object) } }), {});
    return arbitraryFor(merged, { depth, refDepth, name, ctx });
  }
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => arbitraryFor({ ...schema, type: t }, { depth, refDepth, name, ctx })));
  switch (type) {
    case 'string':
      return stringFor(schema, name, ctx);
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const cap = depth > 2 ? 2 : 4;
      const maxLength = Math.max(minLength, Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : cap, cap));
      return fc.array(arbitraryFor(items, { depth: depth + 1, refDepth, name, ctx }), { minLength, maxLength });
    }
    case 'object':
      return objectFor(schema, depth, refDepth, ctx);
    default:
      if (schema.properties) return objectFor(schema, depth, refDepth, ctx);
      // No type: any JSON, as the document promises nothing more.
      return fc.oneof(fc.constantFrom<Value>('yes', 'no', 24, 'A clear answer.', ['personal'], true), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Value>);
  }
}

export function createSchemaContext(document: ApiDocument, vocabulary: Vocabulary): Context {
  return { document, vocabulary, cache: new Map() };
}

type Mutation = { kind: 'replace' | 'delete' | 'add' | 'wrap-array' | 'wrap-object' | 'stringify' | 'retype' | 'deepen'; at: number; replacement: Value; key: string; depth: number };

/** Every place in a value, root first: [the container, the key in it] (the root has none). */
function places(value: Value): Array<{ parent: Value[] | Record<string, Value> | null; key: string | number }> {
  const found: Array<{ parent: Value[] | Record<string, Value> | null; key: string | number }> = [{ parent: null, key: '' }];
  const walk = (node: Value, depth: number) => {
    if (depth > 12 || node === null || typeof node !== 'object' || node instanceof Raw || !(Array.isArray(node) || Object.getPrototypeOf(node) === Object.prototype)) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        found.push({ parent: node, key: i });
        walk(item, depth + 1);
      });
    } else {
      for (const [k, v] of Object.entries(node)) {
        found.push({ parent: node as Record<string, Value>, key: k });
        walk(v, depth + 1);
      }
    }
  };
  walk(value, 0);
  return found;
}

const retype = (value: Value): Value => {
  if (typeof value === 'string') return value === '' ? 0 : [value];
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length > 0 ? (value[0] as Value) : {};
  return [value];
};

function applyMutation(root: Value, m: Mutation): Value {
  const spots = places(root);
  const spot = spots[m.at % spots.length]!;
  const current = spot.parent === null ? root : (spot.parent as Record<string | number, Value>)[spot.key]!;
  const transformed = (() => {
    switch (m.kind) {
      case 'replace':
        return m.replacement;
      case 'wrap-array':
        return [current];
      case 'wrap-object':
        return { value: current };
      case 'stringify':
        return JSON.stringify(current) ?? 'undefined';
      case 'retype':
        return retype(current);
      case 'add':
        if (Array.isArray(current)) return [...current, m.replacement];
        if (current !== null && typeof current === 'object') return { ...current, [m.key]: m.replacement };
        return m.replacement;
      case 'delete':
        return undefined;
      case 'deepen': {
        // The value's own shape repeated thousands of times: {"not":{"not":…}}, [[[…]]].
        if (Array.isArray(current)) return new Raw(`${'['.repeat(m.depth)}${toJson(current)}${']'.repeat(m.depth)}`, `[…] nested ${m.depth} deep`);
        const key = current !== null && typeof current === 'object' && !(current instanceof Raw) ? Object.keys(current)[0] : undefined;
        if (key === undefined) return new Raw(`${'['.repeat(m.depth)}${toJson(current)}${']'.repeat(m.depth)}`, `value nested in arrays ${m.depth} deep`);
        return new Raw(`${`{${JSON.stringify(key)}:`.repeat(m.depth)}${toJson(current)}${'}'.repeat(m.depth)}`, `{"${key}":…} nested ${m.depth} deep`);
      }
    }
  })();
  if (spot.parent === null) return transformed === undefined ? null : transformed;
  if (transformed === undefined) {
    if (Array.isArray(spot.parent)) spot.parent.splice(spot.key as number, 1);
    else delete (spot.parent as Record<string, Value>)[spot.key as string];
  } else {
    (spot.parent as Record<string | number, Value>)[spot.key] = transformed;
  }
  return root;
}

const clone = (value: Value): Value => (value === null || typeof value !== 'object' || !(Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) ? value : Array.isArray(value) ? value.map(clone) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)])));

/** The base value with one to three mutations applied anywhere in it. */
export function mutated(base: fc.Arbitrary<Value>): fc.Arbitrary<Value> {
  const mutation = fc.record({
    kind: fc.constantFrom<Mutation['kind']>('replace', 'replace', 'replace', 'delete', 'add', 'wrap-array', 'wrap-object', 'stringify', 'retype', 'retype', 'deepen'),
    at: fc.nat(),
    replacement: nastyValue(),
    key: nastyKey(),
    depth: fc.constantFrom(50, 2_000, 20_000),
  });
  return fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([value, mutations]) => mutations.reduce((v, m) => applyMutation(v, m), clone(value)));
}
