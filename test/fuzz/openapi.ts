// The fuzz reads the OpenAPI document the running service serves, so it follows the contract as it
// is today: each operation's path, query and header parameters and its request body's media types
// and schema, with `#/components/schemas/<Name>` references resolved lazily (they may be recursive).

export type JsonSchema = Record<string, unknown>;

export type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required: boolean; schema: JsonSchema };

export type Operation = {
  /** The operationId, or `METHOD /path` when the document has none. */
  id: string;
  method: string;
  path: string;
  parameters: Parameter[];
  /** Media type → schema of the request body, in the document's order; empty when it takes none. */
  bodies: Array<{ mediaType: string; schema: JsonSchema }>;
  bodyRequired: boolean;
  /** The operation declares no bearer requirement. */
  public: boolean;
  /** Multipart upload described only in words (the evidence upload): the fuzz builds its parts itself. */
  multipart: boolean;
};

export type ApiDocument = { operations: Operation[]; schemas: Record<string, JsonSchema>; paths: string[] };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const LOCAL_REF = /^#\/components\/schemas\/([^/#]+)$/;

/**
 * The schema a `$ref` names, or `{}` (any JSON) when it is not a plain local component reference we
 * can find: the document may be mid-rewrite, and an unresolvable reference must not stop the fuzz.
 */
export function resolveRef(document: ApiDocument, ref: string): JsonSchema {
  const match = LOCAL_REF.exec(ref);
  const schema = match ? document.schemas[decodeURIComponent(match[1]!)] : undefined;
  return schema && typeof schema === 'object' ? schema : {};
}

export function readDocument(raw: unknown): ApiDocument {
  const doc = raw as { paths?: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, JsonSchema> } };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = (item.parameters as Parameter[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as
        | { operationId?: string; parameters?: Parameter[]; requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> }; security?: unknown[]; description?: string }
        | undefined;
      if (!op) continue;
      const content = op.requestBody?.content ?? {};
      const multipart = Object.keys(content).some((type) => type.startsWith('multipart/')) || /multipart\/form-data/.test(op.description ?? '');
      operations.push({
        id: op.operationId ?? `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: [...shared, ...(op.parameters ?? [])].map((p) => ({ ...p, required: p.required ?? p.in === 'path', schema: p.schema ?? {} })),
        bodies: Object.entries(content).map(([mediaType, media]) => ({ mediaType, schema: media.schema ?? {} })),
        bodyRequired: op.requestBody?.required ?? false,
        public: !(Array.isArray(op.security) && op.security.length > 0),
        multipart,
      });
    }
  }
  return { operations, schemas: doc.components?.schemas ?? {}, paths: Object.keys(doc.paths ?? {}) };
}

/** Fills `{name}` segments of a templated path; values are percent-encoded unless `raw`. */
export function fillPath(template: string, values: Record<string, { value: string; raw?: boolean }>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const entry = values[name];
    if (!entry) return 'missing';
    return entry.raw ? entry.value : encodeSegment(entry.value);
  });
}

/** encodeURIComponent, except that a lone surrogate is sent as the UTF-8 of U+FFFD instead of throwing. */
export function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  }
}
