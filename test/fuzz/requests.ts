// One fuzzed HTTP request per draw, built from an operation of the document and the world: its
// path parameters (real ids, decoys, other tenants' ids, bad ids), query (bad limits and cursors),
// headers (If-Match, Idempotency-Key, tokens of every kind, oversized ones), and body (valid-ish,
// mutated, truncated, wrongly typed or encoded, broken multipart), now and then over a raw socket
// with framing no HTTP client would send. Each request says how it was made, for failure reports.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { encodeSegment, fillPath, type ApiDocument, type Operation } from './openapi';
import { arbitraryFor, createSchemaContext, mutated } from './schema';
import { describeValue, longStrings, nastyString, nastyValue, Raw, toJson, type Value } from './values';
import { PDF_BYTES, type IdKind, type World } from './world';

export type FuzzRequest = {
  /** The operation (`METHOD /template` or its operationId), or `odd method` / `raw framing`. */
  op: string;
  /** How this request departs from a well-formed call, e.g. `body: mutated; auth: dead token`. */
  variant: string[];
  method: string;
  /** The request target: path and query, percent-encoded as sent. */
  target: string;
  headers: Array<[string, string]>;
  body?: Buffer;
  /** Sent over a raw socket: fetch cannot send it (method, header bytes or framing). */
  raw?: { framing: Framing };
  /** Inputs of 2,048 characters or more: none may come back in an error. */
  probes: string[];
  /** The request is cut off on purpose: the server may close without answering. */
  mayGoUnanswered: boolean;
  /** A printable account of the body as generated. */
  bodyDescription?: unknown;
};

export type Framing =
  | 'plain'
  | 'oversized-header'
  | 'content-length-short'
  | 'content-length-long-then-close'
  | 'chunked'
  | 'chunked-broken'
  | 'content-length-and-chunked'
  | 'http-1.0'
  | 'no-host'
  | 'lf-only'
  | 'absolute-target'
  | 'many-headers'
  | 'duplicate-content-length'
  | 'control-bytes-in-target'
  | 'obs-fold';

const FETCH_FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const FETCH_FORBIDDEN_HEADERS = new Set(['expect', 'connection', 'upgrade', 'transfer-encoding', 'keep-alive', 'host', 'content-length', 'te', 'trailer']);

/** Which kind of id a path parameter holds, from the template around it. */
function idKind(template: string, name: string): IdKind | 'questionKey' | undefined {
  if (name === 'questionKey') return 'questionKey';
  if (name === 'evidenceId') return 'evidence';
  if (name === 'clarificationId') return 'clarification';
  if (name === 'declarationId') return 'declaration';
  if (name === 'deliveryId') return 'delivery';
  const resource = /\/v1\/([a-z-]+)\/\{id\}/.exec(template)?.[1];
  const byResource: Record<string, IdKind> = {
    users: 'user',
    'api-keys': 'apiKey',
    tokens: 'token',
    questionnaires: 'questionnaire',
    procurements: 'procurement',
    invitations: 'invitation',
    responses: 'response',
    webhooks: 'webhook',
  };
  if (template.startsWith('/v1/me/tokens/')) return 'token';
  return resource ? byResource[resource] : undefined;
}

/**
 * Operations that would take the world's own things away from the fuzz (revoking its tokens,
 * ending its procurements, deactivating its users): they are given decoys' ids only.
 */
function destructive(op: Operation): boolean {
  if (op.method === 'DELETE') return true;
  if (op.method === 'PATCH' && /^\/v1\/(users|procurements)\/\{id\}$/.test(op.path)) return true;
  return /\/(revoke|resend|open|close|start-evaluation|cancel|decision|publish|archive|enable|rotate-secret)$/.test(op.path);
}

const BAD_IDS: Array<{ value: string; raw?: boolean; label: string }> = [
  { value: '00000000-0000-0000-0000-000000000000', label: 'nil uuid' },
  { value: 'ffffffff-ffff-ffff-ffff-ffffffffffff', label: 'max uuid' },
  { value: 'not-a-uuid', label: 'not a uuid' },
  { value: '1', label: 'a number' },
  { value: '-1', label: 'a negative number' },
  { value: '0x10', label: 'hex' },
  { value: 'null', label: 'null' },
  { value: '%00', raw: true, label: 'NUL' },
  { value: '%zz', raw: true, label: 'bad percent-encoding' },
  { value: '%C0%80', raw: true, label: 'overlong NUL' },
  { value: '%ED%A0%80', raw: true, label: 'UTF-8 surrogate' },
  { value: '%FF%FE', raw: true, label: 'invalid UTF-8' },
  { value: '..', label: 'dot-dot' },
  { value: '%2e%2e%2f%2e%2e', raw: true, label: 'encoded traversal' },
  { value: 'a/b', label: 'encoded slash' },
  { value: '{id}', label: 'template' },
  { value: ' ', label: 'space' },
  { value: '😀', label: 'emoji' },
  { value: 'x'.repeat(600), label: '600 characters' },
  { value: 'x'.repeat(5_000), label: '5,000 characters' },
  { value: `${'9'.repeat(30)}`, label: 'huge number' },
];

function pathParameter(op: Operation, name: string, world: World): fc.Arbitrary<{ value: string; raw?: boolean; label: string }> {
  const kind = idKind(op.path, name);
  const good: string[] =
    kind === 'questionKey' ? world.questionKeys : kind ? (destructive(op) ? world.ids[kind].decoys : world.ids[kind].all) : [...world.ids.response.all, ...world.ids.procurement.all];
  const real = fc.constantFrom(...good).map((value) => ({ value, label: `real ${kind ?? 'id'}` }));
  const bad = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...BAD_IDS) },
    { weight: 1, arbitrary: fc.uuid().map((value) => ({ value, label: 'unknown uuid' })) },
    { weight: 1, arbitrary: fc.constantFrom(...world.otherTenantIds).map((value) => ({ value, label: "another organisation's id" })) },
    { weight: 1, arbitrary: fc.constantFrom(...good).map((value) => ({ value: value.toUpperCase(), label: 'upper-cased real id' })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...good), fc.constantFrom(' ', '%20', '.json', '/', ';x=1', '%00')).map(([v, tail]) => ({ value: `${encodeSegment(v)}${tail}`, raw: true, label: 'real id with a tail' })) },
    { weight: 2, arbitrary: nastyString().map((value) => ({ value, label: 'hostile string' })) },
  );
  return fc.oneof({ weight: 7, arbitrary: real }, { weight: 3, arbitrary: bad });
}

function goodPathParameter(op: Operation, name: string, world: World): fc.Arbitrary<{ value: string; raw?: boolean; label: string }> {
  const kind = idKind(op.path, name);
  const good: string[] = kind === 'questionKey' ? world.questionKeys : kind ? (destructive(op) ? world.ids[kind].decoys : world.ids[kind].all) : world.ids.response.all;
  return fc.constantFrom(...good).map((value) => ({ value, label: `real ${kind ?? 'id'}` }));
}

function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function cursorValue(world: World): fc.Arbitrary<string> {
  const id = fc.constantFrom(...world.ids.response.all, ...world.ids.procurement.all);
  return fc.oneof(
    fc.tuple(fc.date({ noInvalidDate: true, min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') }), id).map(([d, i]) => encodeCursor([d.toISOString(), i])),
    fc.constantFrom(
      encodeCursor(['0000-01-01T00:00:00.000Z', randomUUID()]),
      encodeCursor(['9999-12-31T23:59:59.999Z', 'ffffffff-ffff-ffff-ffff-ffffffffffff']),
      encodeCursor(['2026-11-26T12:00:00.123456789Z', randomUUID()]),
      encodeCursor(['2026-11-26T12:00:00+14:00', randomUUID()]),
      encodeCursor(['2026-13-45T99:99:99.000Z', randomUUID()]),
      encodeCursor([2 ** 31]),
      encodeCursor([Number.MAX_SAFE_INTEGER]),
      encodeCursor([-(2 ** 53)]),
      encodeCursor([1.5]),
      encodeCursor([-1]),
      encodeCursor(['+275760-09-13T00:00:00.000Z', randomUUID()]),
      encodeCursor(['2026-01-01T00:00:00.000Z', 'not-a-uuid']),
      encodeCursor(['2026-01-01T00:00:00.000Z']),
      encodeCursor([1e308, -1]),
      encodeCursor({ a: 1 }),
      encodeCursor('string'),
      encodeCursor(null),
      encodeCursor(['2026-01-01T00:00:00.000Z', randomUUID(), 'extra', 4]),
      encodeCursor(Array.from({ length: 10_000 }, () => 1)).slice(0, 512),
      Buffer.from('{"unterminated').toString('base64url'),
      Buffer.from([0xff, 0xfe, 0x00, 0xc3]).toString('base64url'),
      '!!!not-base64!!!',
      '====',
      '',
      'a'.repeat(511),
      'a'.repeat(513),
      'a'.repeat(100_000),
    ),
    nastyString(),
  );
}

function queryValue(name: string, schema: Record<string, unknown>, world: World, ctx: ReturnType<typeof createSchemaContext>): fc.Arbitrary<string> {
  if (name === 'limit') return fc.oneof(fc.constantFrom('1', '20', '100'), fc.constantFrom('0', '-1', '101', '1e2', '1.5', '0x10', ' 5', '5 ', 'NaN', 'Infinity', '', '99999999999999999999', '٣'));
  if (name === 'cursor') return cursorValue(world);
  const valid = arbitraryFor(schema, { name, ctx }).map((v) => (typeof v === 'string' ? v : Array.isArray(v) ? v.map(String).join(',') : JSON.stringify(v) ?? ''));
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: nastyString() });
}

/** Query strings: the operation's own parameters, plus now and then repeats, arrays and broken escapes. */
function queryString(op: Operation, world: World, ctx: ReturnType<typeof createSchemaContext>): fc.Arbitrary<{ text: string; label?: string }> {
  const params = op.parameters.filter((p) => p.in === 'query');
  const pairs = fc.tuple(...params.map((p) => fc.option(queryValue(p.name, p.schema, world, ctx), { freq: 2 }).map((v) => [p.name, v] as const)));
  const base = (params.length > 0 ? pairs : fc.constant([] as Array<readonly [string, string | null]>)).map((list) => {
    const search = new URLSearchParams();
    for (const [k, v] of list) if (v !== null) search.append(k, v);
    return search.toString();
  });
  const names = params.map((p) => p.name).concat(['limit', 'cursor']);
  const tweak = fc.constantFrom(
    { text: '', label: undefined },
    { text: '', label: undefined },
    { text: '', label: undefined },
    { text: `${names[0]}=1&${names[0]}=2`, label: 'repeated parameter' },
    { text: `${names[0]}[]=1&${names[0]}[x]=2`, label: 'array-style parameter' },
    { text: `${names[0]}`, label: 'parameter without value' },
    { text: '%zz=%zz', label: 'bad escape' },
    { text: `${names[0]}=%00`, label: 'NUL in query' },
    { text: `${names[0]}=%C0%80`, label: 'overlong NUL in query' },
    { text: '&&&==&', label: 'empty pairs' },
    { text: `__proto__[x]=1&constructor[prototype][y]=2`, label: 'prototype keys' },
    { text: `q=${'x'.repeat(6_000)}`, label: 'long query' },
    { text: `${names[0]}=${encodeSegment('😀\u202e')}`, label: 'unicode query' },
  );
  return fc.tuple(base, tweak).map(([text, extra]) => ({ text: [text, extra.text].filter(Boolean).join('&'), ...(extra.label ? { label: extra.label } : {}) }));
}

/** The operation's query parameters with plausible values only (and often none). */
function goodQueryString(op: Operation, ctx: ReturnType<typeof createSchemaContext>): fc.Arbitrary<{ text: string; label?: string }> {
  const params = op.parameters.filter((p) => p.in === 'query' && p.name !== 'cursor');
  if (params.length === 0) return fc.constant({ text: '' });
  const value = (p: (typeof params)[number]) =>
    p.name === 'limit' ? fc.constantFrom('1', '2', '20', '100') : arbitraryFor(p.schema, { name: p.name, ctx }).map((v) => (typeof v === 'string' ? v : Array.isArray(v) ? v.map(String).join(',') : String(v)));
  return fc.tuple(...params.map((p) => fc.option(value(p), { freq: 2 }).map((v) => [p.name, v] as const))).map((list) => {
    const search = new URLSearchParams();
    for (const [k, v] of list) if (v !== null) search.append(k, v);
    return { text: search.toString() };
  });
}

type Auth = { header?: string; label: string };

/** The caller the operation is meant for: the admin mostly, the panel for marks, a draft supplier. */
function goodAuthorisation(op: Operation, world: World): fc.Arbitrary<Auth> {
  const pick = (label: string) => [...world.staff, ...world.suppliers].find((c) => c.label === label)!;
  const weighted = (entries: Array<[string, number]>) => fc.oneof(...entries.map(([label, weight]) => ({ weight, arbitrary: fc.constant({ header: `Bearer ${pick(label).token}`, label }) })));
  if (supplierStateChange(op)) return weighted([['supplier, complete draft', 1]]);
  if (op.path.startsWith('/v1/supplier/')) return weighted([['supplier, draft', 4], ['supplier, complete draft', 3], ['supplier, submitted', 2], ['supplier in evaluation', 1]]);
  if (/\/(marks|panel-view)/.test(op.path)) return weighted([['evaluator', 4], ['moderator (officer)', 2], ['admin', 1]]);
  if (/\/(moderation|gateways|declarations)/.test(op.path)) return weighted([['moderator (officer)', 4], ['evaluator', 2], ['admin', 1]]);
  return weighted([['admin', 8], ['api key (every scope)', 2], ['moderator (officer)', 1]]);
}

/** Withdrawing (and submitting) would stop a supplier answering: asked of the decoy supplier and the other organisation's. */
const supplierStateChange = (op: Operation) => /\/v1\/supplier\/response\/(withdraw|submit)$/.test(op.path);
const suppliersFor = (op: Operation, world: World) => (supplierStateChange(op) ? world.suppliers.filter((c) => /complete draft|other organisation/.test(c.label)) : world.suppliers);

function authorisation(op: Operation, world: World): fc.Arbitrary<Auth> {
  const supplierOp = op.path.startsWith('/v1/supplier/');
  const right = supplierOp ? suppliersFor(op, world) : world.staff;
  const wrong = supplierOp ? world.staff : world.suppliers;
  const token = (list: typeof right) => fc.constantFrom(...list).map((c) => ({ header: `Bearer ${c.token}`, label: c.label }));
  const anyToken = fc.constantFrom(...world.staff, ...world.suppliers).map((c) => c.token);
  return fc.oneof(
    { weight: 40, arbitrary: token(right) },
    { weight: 4, arbitrary: token(wrong) },
    { weight: 2, arbitrary: fc.constantFrom(...world.deadTokens).map((t) => ({ header: `Bearer ${t}`, label: 'dead or unknown token' })) },
    { weight: 2, arbitrary: fc.constant({ label: 'no token' }) },
    {
      weight: 3,
      arbitrary: fc.tuple(anyToken, fc.constantFrom('Bearer', 'Bearer ', 'bearer {t}', 'BEARER  {t}  ', 'Bearer\t{t}', 'Bearer {t} extra', 'Bearer {t}{t}', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'Token {t}', '{t}', 'Bearer {t}%00', 'Bearer aidd_pat_', 'Bearer aidd_xxx_{t}', `Bearer ${'A'.repeat(8_000)}`, 'Bearer aidd_pat_é', 'Bearer aidd_pat_\u0001\u007f')).map(([t, shape]) => ({
        header: shape.replaceAll('{t}', t),
        label: 'malformed Authorization',
      })),
    },
    { weight: 1, arbitrary: fc.constant({ header: `Bearer aidd_pat_${'😀'.repeat(10)}`, label: 'non-latin-1 token' }) },
  );
}

type Body = { bytes?: Buffer; contentType?: string; label: string; value?: Value; probes: string[] };

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/merge-patch+json',
  'application/problem+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'application/octet-stream',
  'application/xml',
  '*/*',
  '',
  'application/json, text/plain',
  `application/${'x'.repeat(3_000)}`,
  'application/json; boundary=😀',
];

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Byte-level damage to a JSON text: cut short, wrong encoding, stray bytes, nothing at all. */
const rawCorruptions: Array<{ label: string; apply: (text: string) => Buffer }> = [
  { label: 'truncated JSON (half)', apply: (t) => utf8(t.slice(0, Math.floor(t.length / 2))) },
  { label: 'truncated JSON (last byte)', apply: (t) => utf8(t.slice(0, -1)) },
  { label: 'truncated inside an escape', apply: (t) => utf8(`${t.slice(0, Math.max(0, t.length - 2))}"\\u12`) },
  { label: 'trailing garbage', apply: (t) => utf8(`${t} garbage`) },
  { label: 'two JSON documents', apply: (t) => utf8(`${t}${t}`) },
  { label: 'byte order mark', apply: (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(t)]) },
  { label: 'invalid UTF-8 inside a string', apply: (t) => Buffer.concat([utf8(t.startsWith('{') ? '{"title":"' : '["'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), utf8(t.startsWith('{') ? '"}' : '"]')]) },
  { label: 'UTF-16 encoded', apply: (t) => Buffer.from(t, 'utf16le') },
  { label: 'latin-1 encoded', apply: (t) => Buffer.from(`${t.slice(0, -1)}${t.endsWith('}') ? ',"é":"é"}' : ''}`, 'latin1') },
  { label: 'empty body', apply: () => Buffer.alloc(0) },
  { label: 'whitespace only', apply: () => utf8(' \n\t ') },
  { label: 'JSON null', apply: () => utf8('null') },
  { label: 'JSON string', apply: () => utf8('"just a string"') },
  { label: 'JSON number', apply: () => utf8('42') },
  { label: 'JSON array', apply: (t) => utf8(`[${t}]`) },
  { label: 'NUL bytes', apply: (t) => Buffer.concat([utf8(t), Buffer.from([0, 0, 0])]) },
  { label: 'single quotes', apply: (t) => utf8(t.replaceAll('"', "'")) },
  { label: 'comments', apply: (t) => utf8(`/* c */${t}// c`) },
  { label: 'NaN literal', apply: () => utf8('{"value":NaN,"score":Infinity}') },
  { label: 'unquoted keys', apply: () => utf8('{value: 1}') },
  { label: 'URL-encoded form', apply: () => utf8('value=1&declaration=true') },
];

function jsonBody(op: Operation, world: World, ctx: ReturnType<typeof createSchemaContext>): fc.Arbitrary<Body> {
  const declared = op.bodies.find((b) => b.mediaType.includes('json'));
  const schema = declared?.schema ?? {};
  const examples = world.examples.get(`${op.method} ${op.path}`) ?? [];
  const valid = arbitraryFor(schema, { ctx });
  const base = examples.length > 0 ? fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...examples) }, { weight: 2, arbitrary: valid }) : valid;
  const value = fc.oneof(
    { weight: 3, arbitrary: base.map((v) => ({ value: v, label: 'valid-ish body' })) },
    { weight: 5, arbitrary: mutated(base).map((v) => ({ value: v, label: 'mutated body' })) },
    { weight: 1, arbitrary: nastyValue().map((v) => ({ value: v, label: 'hostile value as the whole body' })) },
  );
  const contentType = fc.oneof({ weight: 12, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...JSON_TYPES) }, { weight: 1, arbitrary: fc.constant(undefined) });
  const corruption = fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...rawCorruptions) });
  return fc.tuple(value, contentType, corruption).map(([{ value: v, label }, type, damage]) => {
    const text = toJson(v);
    const bytes = damage ? damage.apply(text) : utf8(text);
    return {
      bytes,
      ...(type === undefined ? {} : { contentType: type }),
      label: [label, damage?.label, type === 'application/json' ? undefined : `content-type ${type === undefined ? 'missing' : JSON.stringify(type.slice(0, 60))}`].filter(Boolean).join(', '),
      value: v,
      probes: longStrings(v, 2_048),
    };
  });
}

/** A body as a client following the document would send it: an accepted example or a schema-shaped value. */
/**
 * An accepted body made new: the fields that must be unique in an organisation (a questionnaire's
 * version, a procurement's reference, a user's email) get a fresh value, so it is accepted again.
 */
function uniquify(value: Value, nonce: number): Value {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Raw) return value;
  const fresh: Record<string, Value> = { ...value };
  if (typeof fresh.version === 'string' && /^\d+\.\d+\.\d+$/.test(fresh.version)) fresh.version = `${2 + (nonce % 97)}.${nonce % 89}.${nonce % 83}`;
  if (typeof fresh.reference === 'string') fresh.reference = `${fresh.reference.slice(0, 80)}-${nonce}`;
  if (typeof fresh.email === 'string') fresh.email = `n${nonce}-${fresh.email}`;
  return fresh;
}

function goodJsonBody(op: Operation, world: World, ctx: ReturnType<typeof createSchemaContext>): fc.Arbitrary<Body> {
  const schema = op.bodies.find((b) => b.mediaType.includes('json'))?.schema ?? {};
  const examples = world.examples.get(`${op.method} ${op.path}`) ?? [];
  const valid = arbitraryFor(schema, { ctx }).map((value) => ({ value, label: 'valid-ish body' }));
  const example = fc.tuple(fc.constantFrom(...(examples.length > 0 ? examples : [null])), fc.nat()).map(([v, nonce]) => ({ value: uniquify(v, nonce), label: 'accepted example body' }));
  const value = examples.length > 0 ? fc.oneof(example, valid) : valid;
  return value.map(({ value: v, label }) => ({ bytes: utf8(toJson(v)), contentType: 'application/json', label, value: v, probes: longStrings(v, 2_048) }));
}

/** A body where none is expected: sometimes JSON, sometimes junk. */
function strayBody(): fc.Arbitrary<Body> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant<Body>({ label: 'no body', probes: [] }) },
    { weight: 1, arbitrary: nastyValue().map((v) => ({ bytes: utf8(toJson(v)), contentType: 'application/json', label: 'unexpected JSON body', value: v, probes: longStrings(v, 2_048) })) },
    { weight: 1, arbitrary: fc.constantFrom(...JSON_TYPES).map((t) => ({ bytes: utf8('{"a":'), contentType: t, label: `unexpected broken body as ${t.slice(0, 40)}`, probes: [] })) },
  );
}

const FILES: Array<{ name: string; type: string; bytes: Buffer }> = [
  { name: 'certificate.pdf', type: 'application/pdf', bytes: PDF_BYTES },
  { name: 'notes.txt', type: 'text/plain', bytes: utf8('Plain notes.\n') },
  { name: 'image.png', type: 'image/png', bytes: Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201b0a6d6de0000000049454e44ae426082', 'hex') },
  { name: 'empty.pdf', type: 'application/pdf', bytes: Buffer.alloc(0) },
  { name: 'program.exe', type: 'application/pdf', bytes: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]) },
  { name: 'zip.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes: Buffer.from('504b0304140000000000', 'hex') },
  { name: 'nul.txt', type: 'text/plain', bytes: Buffer.from([0x41, 0, 0x42, 0xff, 0xfe]) },
  { name: 'big.txt', type: 'text/plain', bytes: Buffer.alloc(300 * 1024, 0x61) },
  { name: 'pdf-header-only.pdf', type: 'application/pdf', bytes: utf8('%PDF-') },
];

const FILENAMES = ['certificate.pdf', '', ' ', '../../etc/passwd', '..\\..\\boot.ini', 'a\u0000b.pdf', '\u202egpj.exe', 'x'.repeat(5_000), '😀.pdf', 'line\r\nX-Injected: 1.pdf', 'quote".pdf', 'semi;colon.pdf', 'con.pdf', '\u0001\u001f.pdf', '%00.pdf', 'e\u0301.pdf'];

/** A multipart/form-data body for the evidence upload, from well-formed to broken. */
function multipartBody(world: World, good: boolean): fc.Arbitrary<Body> {
  const fileQuestions = world.questionKeys.filter((k) => /certificate|report_summary|test_results|reduction_plan|financial_standing/.test(k));
  if (good) {
    return fc.record({ questionKey: fc.constantFrom(...fileQuestions, ...world.questionKeys.slice(0, 5)), file: fc.constantFrom(...FILES.slice(0, 3)) }).map(({ questionKey, file }) => {
      const boundary = 'fuzzBoundary7MA4YWxkTrZu0gW';
      const bytes = Buffer.concat([
        utf8(`--${boundary}\r\nContent-Disposition: form-data; name="questionKey"\r\n\r\n${questionKey}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`),
        file.bytes,
        utf8(`\r\n--${boundary}--\r\n`),
      ]);
      return { bytes, contentType: `multipart/form-data; boundary=${boundary}`, label: `multipart: well-formed, ${file.name} for ${questionKey}`, probes: [] };
    });
  }
  return fc
    .record({
      questionKey: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fileQuestions, ...world.questionKeys.slice(0, 40)) }, { weight: 1, arbitrary: nastyString() }, { weight: 1, arbitrary: fc.constant<string | null>(null) }),
      file: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FILES) }, { weight: 1, arbitrary: fc.constant(null) }),
      filename: fc.oneof({ weight: 3, arbitrary: fc.constant<string | null>(null) }, { weight: 1, arbitrary: fc.constantFrom(...FILENAMES) }),
      damage: fc.oneof(
        { weight: 6, arbitrary: fc.constant('none') },
        {
          weight: 4,
          arbitrary: fc.constantFrom(
            'no closing boundary',
            'truncated in the file',
            'other boundary than declared',
            'no boundary parameter',
            'boundary of 200 characters',
            'two files',
            'file before questionKey',
            'questionKey twice',
            'field longer than its limit',
            'ten fields',
            'part without Content-Disposition',
            'LF line endings',
            'nested multipart/mixed',
            'header with NUL',
            'empty body',
            'preamble and epilogue',
            'field named with unicode',
            'file field not named file',
          ),
        },
      ),
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('multipart') }, { weight: 1, arbitrary: fc.constantFrom(...JSON_TYPES) }),
    })
    .map(({ questionKey, file, filename, damage, contentType }) => {
      const boundary = damage === 'boundary of 200 characters' ? 'b'.repeat(200) : 'fuzzBoundary7MA4YWxkTrZu0gW';
      const crlf = damage === 'LF line endings' ? '\n' : '\r\n';
      const field = (name: string, value: string) => utf8(`--${boundary}${crlf}Content-Disposition: form-data; name="${name}"${crlf}${crlf}${value}${crlf}`);
      const parts: Buffer[] = [];
      const filePart = (fieldName = 'file') =>
        file
          ? Buffer.concat([
              utf8(`--${boundary}${crlf}${damage === 'part without Content-Disposition' ? '' : `Content-Disposition: form-data; name="${fieldName}"; filename="${filename ?? file.name}"${crlf}`}Content-Type: ${file.type}${damage === 'header with NUL' ? '\u0000' : ''}${crlf}${crlf}`),
              damage === 'truncated in the file' ? file.bytes.subarray(0, Math.floor(file.bytes.length / 2)) : file.bytes,
              utf8(crlf),
            ])
          : Buffer.alloc(0);
      if (damage === 'preamble and epilogue') parts.push(utf8(`preamble text${crlf}`));
      if (damage === 'file before questionKey') parts.push(filePart());
      if (questionKey !== null) parts.push(field(damage === 'field named with unicode' ? 'questionKey😀' : 'questionKey', questionKey));
      if (damage === 'questionKey twice') parts.push(field('questionKey', 'other.key'));
      if (damage === 'field longer than its limit') parts.push(field('note', 'n'.repeat(5_000)));
      if (damage === 'ten fields') for (let i = 0; i < 10; i += 1) parts.push(field(`f${i}`, String(i)));
      if (damage === 'nested multipart/mixed') parts.push(utf8(`--${boundary}${crlf}Content-Disposition: form-data; name="file"${crlf}Content-Type: multipart/mixed; boundary=inner${crlf}${crlf}--inner${crlf}Content-Disposition: file; filename="a.txt"${crlf}${crlf}a${crlf}--inner--${crlf}${crlf}`));
      if (damage !== 'file before questionKey') parts.push(filePart(damage === 'file field not named file' ? 'upload' : 'file'));
      if (damage === 'two files') parts.push(filePart());
      if (damage !== 'no closing boundary' && damage !== 'truncated in the file') parts.push(utf8(`--${boundary}--${crlf}`));
      if (damage === 'preamble and epilogue') parts.push(utf8('epilogue'));
      const bytes = damage === 'empty body' ? Buffer.alloc(0) : Buffer.concat(parts);
      const declared =
        contentType !== 'multipart'
          ? contentType
          : damage === 'other boundary than declared'
            ? 'multipart/form-data; boundary=somethingElse'
            : damage === 'no boundary parameter'
              ? 'multipart/form-data'
              : `multipart/form-data; boundary=${boundary}`;
      const probes = [questionKey ?? '', filename ?? ''].filter((s) => s.length >= 2_048);
      return {
        bytes,
        contentType: declared,
        label: `multipart: ${damage}; file ${file?.name ?? 'none'}${filename !== null ? `, named ${JSON.stringify(filename.slice(0, 40))}` : ''}${questionKey === null ? ', no questionKey' : ''}${contentType === 'multipart' ? '' : `, content-type ${contentType.slice(0, 40)}`}`,
        probes,
      };
    });
}

type HeaderChoice = { name: string; value: string; label?: string };

function headerParameters(op: Operation, world: World): fc.Arbitrary<HeaderChoice[]> {
  const params = op.parameters.filter((p) => p.in === 'header');
  const valueFor = (name: string): fc.Arbitrary<string> => {
    if (name === 'if-match') return fc.oneof(fc.constantFrom('"1"', '"2"', '"3"', '*', 'W/"1"', ' "1" '), fc.constantFrom('"999999999"', '"9999999999"', '"-1"', '""', '"abc"', 'W/', '"1", "2"', '1'), nastyString());
    if (name === 'idempotency-key') return fc.oneof(fc.uuid(), fc.constantFrom('same-key-every-time', '', 'k'.repeat(300)), nastyString());
    if (name === 'x-setup-token') return fc.oneof(fc.constant(world.setupToken), nastyString());
    return fc.oneof(fc.string({ maxLength: 40 }), nastyString());
  };
  return fc.tuple(...params.map((p) => fc.option(valueFor(p.name.toLowerCase()), { freq: 2 }).map((value) => (value === null ? null : { name: p.name, value })))).map((list) => list.filter((h): h is HeaderChoice => h !== null));
}

function goodHeaderParameters(op: Operation, world: World): fc.Arbitrary<HeaderChoice[]> {
  const params = op.parameters.filter((p) => p.in === 'header');
  const valueFor = (name: string): fc.Arbitrary<string> => {
    if (name === 'if-match') return fc.constant('*');
    if (name === 'idempotency-key') return fc.uuid();
    if (name === 'x-setup-token') return fc.constant(world.setupToken);
    return fc.string({ maxLength: 20 });
  };
  return fc.tuple(...params.map((p) => fc.option(valueFor(p.name.toLowerCase()), { freq: 3 }).map((value) => (value === null ? null : { name: p.name, value })))).map((list) => list.filter((h): h is HeaderChoice => h !== null));
}

/** Headers no operation declares, which every one must survive. */
function extraHeaders(): fc.Arbitrary<HeaderChoice[]> {
  const one = fc.constantFrom<HeaderChoice>(
    { name: 'accept', value: 'text/csv', label: 'Accept: text/csv' },
    { name: 'accept', value: 'application/xml', label: 'Accept: application/xml' },
    { name: 'accept', value: 'application/pdf;q=abc, */*;q=0', label: 'Accept with bad q' },
    { name: 'accept', value: 'text/html', label: 'Accept: text/html' },
    { name: 'accept-encoding', value: 'gzip;q=2, br, zstd, x-unknown', label: 'odd Accept-Encoding' },
    { name: 'content-encoding', value: 'gzip', label: 'Content-Encoding: gzip on a plain body' },
    { name: 'x-forwarded-for', value: '1.2.3.4, not-an-ip, ::1', label: 'X-Forwarded-For' },
    { name: 'x-forwarded-proto', value: 'https', label: 'X-Forwarded-Proto' },
    { name: 'x-forwarded-host', value: 'evil.example', label: 'X-Forwarded-Host' },
    { name: 'cookie', value: 'aidd_session=%zz; =; ;;; a=b=c', label: 'malformed cookie' },
    { name: 'cookie', value: `a=${'c'.repeat(7_000)}`, label: 'big cookie' },
    { name: 'range', value: 'bytes=0-1,5-2,-0', label: 'Range' },
    { name: 'if-none-match', value: '*', label: 'If-None-Match: *' },
    { name: 'if-modified-since', value: 'not a date', label: 'bad If-Modified-Since' },
    { name: 'origin', value: 'null', label: 'Origin: null' },
    { name: 'expect', value: '100-continue', label: 'Expect: 100-continue' },
    { name: 'x-http-method-override', value: 'DELETE', label: 'method override header' },
    { name: 'x-request-id', value: '../../x\u00ff', label: 'X-Request-Id' },
    { name: 'x-padding', value: 'p'.repeat(12_000), label: '12 KB header' },
  );
  return fc.oneof({ weight: 6, arbitrary: fc.constant<HeaderChoice[]>([]) }, { weight: 1, arbitrary: fc.array(one, { minLength: 1, maxLength: 2 }) });
}

const FRAMINGS: Framing[] = [
  'oversized-header',
  'content-length-short',
  'content-length-long-then-close',
  'chunked',
  'chunked-broken',
  'content-length-and-chunked',
  'http-1.0',
  'no-host',
  'lf-only',
  'absolute-target',
  'many-headers',
  'duplicate-content-length',
  'control-bytes-in-target',
  'obs-fold',
];

/** Header bytes fetch refuses to send: control characters, or anything past Latin-1. */
const needsRawHeader = (value: string) => /[^\t\x20-\x7e\x80-\xff]/.test(value);

function assemble({
  op,
  method,
  path,
  query,
  auth,
  headers,
  body,
  framing,
  labels,
  probes,
}: {
  op: string;
  method: string;
  path: string;
  query: { text: string; label?: string };
  auth: Auth;
  headers: HeaderChoice[];
  body: Body;
  framing: Framing;
  labels: string[];
  probes: string[];
}): FuzzRequest {
  const target = query.text ? `${path}?${query.text}` : path;
  const all: Array<[string, string]> = [];
  if (auth.header !== undefined) all.push(['authorization', auth.header]);
  for (const h of headers) all.push([h.name, h.value]);
  if (body.contentType !== undefined && body.bytes !== undefined) all.push(['content-type', body.contentType]);
  const variant = [...labels, `auth: ${auth.label}`, body.label, ...(query.label ? [`query: ${query.label}`] : []), ...headers.filter((h) => h.label).map((h) => `header: ${h.label}`)];
  if (framing !== 'plain') variant.push(`framing: ${framing}`);
  const rawNeeded =
    framing !== 'plain' || FETCH_FORBIDDEN_METHODS.has(method) || !/^[A-Z]+$/.test(method) || all.some(([k, v]) => needsRawHeader(v) || FETCH_FORBIDDEN_HEADERS.has(k)) || /[^\x21-\x7e]/.test(target);
  const allProbes = [...probes, ...body.probes, ...all.map(([, v]) => v).filter((v) => v.length >= 2_048), ...(target.length >= 2_048 ? [target] : [])];
  return {
    op,
    variant,
    method,
    target,
    headers: all,
    ...(body.bytes !== undefined && !(method === 'GET' && !rawNeeded) && method !== 'HEAD' ? { body: body.bytes } : {}),
    ...(rawNeeded ? { raw: { framing } } : {}),
    probes: allProbes,
    mayGoUnanswered: framing === 'content-length-long-then-close',
    ...(body.value !== undefined ? { bodyDescription: describeValue(body.value) } : {}),
  };
}

type Dimension = 'ids' | 'query' | 'auth' | 'headers' | 'body' | 'framing';
const DIMENSIONS: Dimension[] = ['ids', 'query', 'auth', 'headers', 'body', 'framing'];

/**
 * A request for one operation. A third are clean (what the document describes, so they reach the
 * handler's own rules), half break one thing only (so each fault meets the code behind the others),
 * and the rest break anything at all.
 */
function operationRequest(op: Operation, world: World, ctx: ReturnType<typeof createSchemaContext>): fc.Arbitrary<FuzzRequest> {
  const pathNames = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const takesJson = op.bodies.some((b) => b.mediaType.includes('json'));
  const parts = {
    ids: { good: fc.tuple(...pathNames.map((name) => goodPathParameter(op, name, world))), bad: fc.tuple(...pathNames.map((name) => pathParameter(op, name, world))) },
    query: { good: goodQueryString(op, ctx), bad: queryString(op, world, ctx) },
    auth: { good: goodAuthorisation(op, world), bad: authorisation(op, world) },
    headers: {
      good: goodHeaderParameters(op, world),
      bad: fc.tuple(headerParameters(op, world), extraHeaders()).map(([declared, extra]) => [...declared, ...extra]),
    },
    body: {
      good: op.multipart ? multipartBody(world, true) : takesJson ? goodJsonBody(op, world, ctx) : fc.constant<Body>({ label: 'no body', probes: [] }),
      bad: op.multipart ? multipartBody(world, false) : takesJson ? fc.oneof({ weight: 12, arbitrary: jsonBody(op, world, ctx) }, { weight: 1, arbitrary: strayBody() }) : strayBody(),
    },
    framing: { good: fc.constant<Framing>('plain'), bad: fc.oneof({ weight: 3, arbitrary: fc.constant<Framing>('plain') }, { weight: 1, arbitrary: fc.constantFrom(...FRAMINGS) }) },
  };
  const faulty = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Dimension[]>([]) },
    { weight: 3, arbitrary: fc.constantFrom<Dimension>('ids', 'query', 'auth', 'headers', 'body').map((d) => [d]) },
    { weight: 1, arbitrary: fc.constant<Dimension[]>(DIMENSIONS) },
  );
  return faulty.chain((bad) => {
    const choose = <T>(dimension: Dimension, pair: { good: fc.Arbitrary<T>; bad: fc.Arbitrary<T> }) => (bad.includes(dimension) ? pair.bad : pair.good);
    return fc
      .record({
        params: choose('ids', parts.ids),
        query: choose('query', parts.query),
        auth: choose('auth', parts.auth),
        headers: choose('headers', parts.headers),
        body: choose('body', parts.body),
        framing: choose('framing', parts.framing),
      })
      .map(({ params: values, query, auth, headers, body, framing }) => {
        const path = fillPath(op.path, Object.fromEntries(pathNames.map((name, i) => [name, values[i]!])));
        const labels = [bad.length === 0 ? 'clean' : bad.length === 1 ? `one fault: ${bad[0]}` : 'any faults', ...pathNames.map((name, i) => `${name}: ${values[i]!.label}`)];
        return assemble({ op: op.id, method: op.method, path, query, auth, headers, body, framing, labels, probes: values.map((v) => v.value).filter((v) => v.length >= 2_048) });
      });
  });
}

const ODD_METHODS = ['PROPFIND', 'TRACE', 'CONNECT', 'MKCOL', 'SEARCH', 'PURGE', 'LINK', 'QUERY', 'M-SEARCH', 'OPTIONS', 'HEAD', 'PATCH', 'PUT', 'DELETE', 'POST', 'GET', 'get', 'Get', 'FOO', 'G\u00e9T'];

/** A method on a known path that the path does not take (or takes in an odd spelling). */
function oddMethodRequest(document: ApiDocument, world: World): fc.Arbitrary<FuzzRequest> {
  const paths = [...document.paths, '/healthz', '/readyz', '/openapi.json', '/docs', '/docs/static/index.html', '/v1', '/v1/', '/', '/respond', '/sign-in'];
  return fc.record({ path: fc.constantFrom(...paths), method: fc.constantFrom(...ODD_METHODS), auth: fc.constantFrom(...world.staff) }).map(({ path, method, auth }) => {
    const filled = path.replace(/\{[^}]+\}/g, (m) => (m === '{questionKey}' ? world.questionKeys[0]! : world.ids.procurement.all[0]!));
    return assemble({
      op: 'odd method',
      method,
      path: filled,
      query: { text: '' },
      auth: { header: `Bearer ${auth.token}`, label: auth.label },
      headers: [],
      body: { label: 'no body', probes: [] },
      framing: 'plain',
      labels: [`${method} ${path}`],
      probes: [],
    });
  });
}

export type RequestSpace = { arbitrary: fc.Arbitrary<FuzzRequest>; operations: Operation[] };

/** Every operation of the document equally often, plus odd methods on known paths. */
export function requestSpace(document: ApiDocument, world: World, only?: RegExp): RequestSpace {
  const ctx = createSchemaContext(document, { ids: Object.values(world.ids).flatMap((k) => k.all), questionKeys: world.questionKeys, triageKeys: world.triageKeys, sectionKeys: world.sectionKeys, emails: world.emails });
  const operations = document.operations.filter((op) => op.path !== '/openapi.json' && (!only || only.test(op.id) || only.test(`${op.method} ${op.path}`)));
  // Drawing a PDF or a workbook costs a hundred requests' time and reads its input like any other route: drawn less often.
  const perOperation = operations.map((op) => ({ weight: /\.(pdf|xlsx|csv)$/.test(op.path) ? 3 : 10, arbitrary: operationRequest(op, world, ctx) }));
  const odd = !only || only.test('odd method') ? [{ weight: 25, arbitrary: oddMethodRequest(document, world) }] : [];
  return { arbitrary: fc.oneof(...perOperation, ...odd), operations };
}

/** The request as a short text for a failure report: what was sent, with long parts cut. */
export function describeRequest(request: FuzzRequest): string {
  const cut = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  const body = request.body ? cut(request.body.toString('utf8').replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), 600) : '(none)';
  return [
    `${request.method} ${cut(request.target, 300)}${request.raw ? ` [raw socket, ${request.raw.framing}]` : ''}`,
    `  operation: ${request.op}`,
    `  variant: ${request.variant.join('; ')}`,
    ...request.headers.map(([k, v]) => `  ${k}: ${cut(JSON.stringify(v).slice(1, -1), 160)}`),
    `  body (${request.body?.length ?? 0} bytes): ${body}`,
    ...(request.bodyDescription !== undefined ? [`  body as generated: ${cut(JSON.stringify(request.bodyDescription), 800)}`] : []),
  ].join('\n');
}
