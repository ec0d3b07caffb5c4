import { recordAudit } from '../../platform/audit';
import { actorOf, type Principal } from '../../platform/auth';
import { canonicalJson, sha256Hex } from '../../platform/crypto';
import { inTransaction, isUniqueViolation, type Db } from '../../platform/db';
import type { Page } from '../../platform/pagination';
import { lgaResponsibleAi } from './builtin/lga-responsible-ai';
import { lgaResponsibleAi_1_1_0 } from './builtin/lga-responsible-ai-1.1.0';
import { questionnaireDefinitionSchema, type QuestionnaireDefinition } from './questionnaires.definition';
import { questionnairesErrors } from './questionnaires.errors';
import { buildMethodology, type Methodology } from './questionnaires.methodology';
import { compareVersions, countQuestions, nextMinorVersion } from './questionnaires.models';
import * as repo from './questionnaires.repository';
import { validateDefinition } from './questionnaires.validation';

type Ctx = { db: Db; now: Date; principal: Principal };

export type QuestionnaireSummary = {
  id: string;
  key: string;
  version: string;
  title: string;
  status: 'draft' | 'published';
  builtIn: boolean;
  archived: boolean;
  definitionHash: string;
  sectionCount: number;
  questionCount: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  archivedAt: string | null;
};

export type QuestionnaireDetail = QuestionnaireSummary & { definition: QuestionnaireDefinition };

function toSummary(row: repo.QuestionnaireRow): QuestionnaireSummary {
  return {
    id: row.id,
    key: row.key,
    version: row.version,
    title: row.title,
    status: row.status,
    builtIn: row.organisationId === null,
    archived: row.archivedAt !== null,
    definitionHash: row.definitionHash,
    sectionCount: row.definition.sections.length,
    questionCount: countQuestions(row.definition),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
  };
}

/** Stored jsonb loses key order; re-parsing restores the schema's order, so exports are byte-stable. */
export function normaliseDefinition(stored: unknown): QuestionnaireDefinition {
  return questionnaireDefinitionSchema.parse(stored);
}

export function definitionHash(definition: QuestionnaireDefinition): string {
  return sha256Hex(canonicalJson(definition));
}

/** The definition exactly as `GET …/export` gives it: import it again and nothing changes. */
export function exportDefinition(definition: QuestionnaireDefinition): string {
  return `${JSON.stringify(normaliseDefinition(definition), null, 2)}\n`;
}

/**
 * Parsed definitions by their SHA-256. A definition's hash names its content, so an entry can never
 * be stale; parsing a 150-question definition with zod costs milliseconds, and every supplier save
 * needs it. Bounded, oldest out first.
 */
const parsedDefinitions = new Map<string, QuestionnaireDefinition>();
const PARSED_DEFINITIONS_MAX = 100;

async function definitionByHash(hash: string, load: () => unknown | Promise<unknown>): Promise<QuestionnaireDefinition> {
  const cached = parsedDefinitions.get(hash);
  if (cached) return cached;
  const definition = deepFreeze(normaliseDefinition(await load()));
  if (parsedDefinitions.size >= PARSED_DEFINITIONS_MAX) parsedDefinitions.delete(parsedDefinitions.keys().next().value!);
  parsedDefinitions.set(hash, definition);
  return definition;
}

/** Shared between requests, so nobody may change one by accident. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

async function toDetail(row: repo.QuestionnaireRow): Promise<QuestionnaireDetail> {
  return { ...toSummary(row), definition: await definitionByHash(row.definitionHash, () => row.definition) };
}

function validOrThrow(input: unknown): QuestionnaireDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw questionnairesErrors.invalidDefinition(result.problems.map((p) => ({ path: `/body${p.path === '/' ? '' : p.path}`, message: p.message })));
  return result.definition;
}

const auditOf = (ctx: Ctx, action: string, row: repo.QuestionnaireRow, details: Record<string, unknown> = {}) =>
  recordAudit({
    db: ctx.db,
    organisationId: ctx.principal.organisationId,
    actor: actorOf(ctx.principal),
    action,
    subject: { type: 'questionnaire', id: row.id },
    details: { key: row.key, version: row.version, definitionHash: row.definitionHash, ...details },
    now: ctx.now,
  });

async function insertOwn(ctx: Ctx, definition: QuestionnaireDefinition, extra: Record<string, unknown>): Promise<repo.QuestionnaireRow> {
  try {
    return await repo.insertQuestionnaire({
      db: ctx.db,
      values: {
        organisationId: ctx.principal.organisationId,
        key: definition.key,
        version: definition.version,
        title: definition.title,
        status: 'draft',
        definition,
        definitionHash: definitionHash(definition),
        createdBy: actorOf(ctx.principal).id,
        createdAt: ctx.now,
        updatedAt: ctx.now,
        ...extra,
      },
    });
  } catch (error) {
    if (isUniqueViolation(error, 'questionnaires_organisation_key_version')) throw questionnairesErrors.versionExists(definition.key, definition.version);
    throw error;
  }
}

export async function importQuestionnaire(ctx: Ctx & { input: unknown }): Promise<QuestionnaireDetail> {
  const definition = validOrThrow(ctx.input);
  return inTransaction(ctx.db, async (tx) => {
    const row = await insertOwn({ ...ctx, db: tx }, definition, {});
    await auditOf({ ...ctx, db: tx }, 'questionnaire.imported', row);
    return toDetail(row);
  });
}

async function ownEditable(ctx: Ctx, id: string): Promise<repo.QuestionnaireRow> {
  const row = await repo.findOwnForUpdate({ db: ctx.db, organisationId: ctx.principal.organisationId, id });
  if (!row) {
    const readable = await repo.findReadable({ db: ctx.db, organisationId: ctx.principal.organisationId, id });
    if (readable) throw questionnairesErrors.builtInReadOnly();
    throw questionnairesErrors.notFound();
  }
  if (row.status === 'published') throw questionnairesErrors.versionLocked();
  if (row.archivedAt) throw questionnairesErrors.archived();
  return row;
}

export async function replaceDraft(ctx: Ctx & { id: string; input: unknown }): Promise<QuestionnaireDetail> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    // Check the row before the body, so editing a published version says so even with a bad body.
    await ownEditable(scoped, ctx.id);
    const definition = validOrThrow(ctx.input);
    let row;
    try {
      row = await repo.updateQuestionnaire({
        db: tx,
        id: ctx.id,
        changes: { key: definition.key, version: definition.version, title: definition.title, definition, definitionHash: definitionHash(definition), updatedAt: ctx.now },
      });
    } catch (error) {
      if (isUniqueViolation(error, 'questionnaires_organisation_key_version')) throw questionnairesErrors.versionExists(definition.key, definition.version);
      throw error;
    }
    await auditOf(scoped, 'questionnaire.updated', row);
    return toDetail(row);
  });
}

export async function publish(ctx: Ctx & { id: string }): Promise<QuestionnaireDetail> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const draft = await ownEditable(scoped, ctx.id);
    validOrThrow(draft.definition);
    const row = await repo.updateQuestionnaire({ db: tx, id: ctx.id, changes: { status: 'published', publishedAt: ctx.now, updatedAt: ctx.now } });
    await auditOf(scoped, 'questionnaire.published', row);
    return toDetail(row);
  });
}

export async function archive(ctx: Ctx & { id: string }): Promise<QuestionnaireDetail> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const row = await repo.findOwnForUpdate({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id });
    if (!row) {
      if (await repo.findReadable({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id })) throw questionnairesErrors.builtInReadOnly();
      throw questionnairesErrors.notFound();
    }
    if (row.archivedAt) return toDetail(row);
    const archived = await repo.updateQuestionnaire({ db: tx, id: ctx.id, changes: { archivedAt: ctx.now, updatedAt: ctx.now } });
    await auditOf(scoped, 'questionnaire.archived', archived);
    return toDetail(archived);
  });
}

/**
 * Copies any questionnaire the caller can read (a built-in one included) into its organisation as a
 * draft. Without a version, it takes the next minor version free in the organisation.
 */
export async function clone(ctx: Ctx & { id: string; key?: string | undefined; version?: string | undefined; title?: string | undefined }): Promise<QuestionnaireDetail> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const source = await repo.findReadable({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id });
    if (!source) throw questionnairesErrors.notFound();
    const key = ctx.key ?? source.key;
    let version = ctx.version;
    if (!version) {
      const taken = await repo.versionsOfKey({ db: tx, organisationId: ctx.principal.organisationId, key });
      const highest = [source.version, ...taken].sort(compareVersions).at(-1)!;
      version = nextMinorVersion(highest);
    }
    const definition = validOrThrow({ ...normaliseDefinition(source.definition), key, version, ...(ctx.title ? { title: ctx.title } : {}) });
    const row = await insertOwn(scoped, definition, {});
    await auditOf(scoped, 'questionnaire.cloned', row, { sourceId: source.id, sourceKey: source.key, sourceVersion: source.version, sourceBuiltIn: source.organisationId === null });
    return toDetail(row);
  });
}

export async function getQuestionnaire({ db, principal, id }: { db: Db; principal: Principal; id: string }): Promise<QuestionnaireDetail> {
  const meta = await repo.findReadableMeta({ db, organisationId: principal.organisationId, id });
  if (!meta) throw questionnairesErrors.notFound();
  const definition = await definitionByHash(meta.definitionHash, () => repo.findDefinition({ db, id }));
  return { ...toSummary({ ...meta, definition }), definition };
}

export async function getMethodology({ db, principal, id }: { db: Db; principal: Principal; id: string }): Promise<Methodology> {
  return buildMethodology((await getQuestionnaire({ db, principal, id })).definition);
}

export async function listQuestionnaires({
  db,
  principal,
  ...filters
}: {
  db: Db;
  principal: Principal;
  limit: number;
  cursor?: string | undefined;
  status?: 'draft' | 'published' | undefined;
  builtIn?: boolean | undefined;
  includeArchived: boolean;
}): Promise<Page<QuestionnaireSummary>> {
  const page = await repo.listReadable({ db, organisationId: principal.organisationId, ...filters });
  return { ...page, items: page.items.map(toSummary) };
}

/**
 * The built-in questionnaires shipped with the service, each validated by the same rules as an import.
 * A published version never changes: a new one is added beside it, oldest first.
 */
export const BUILT_IN_DEFINITIONS: readonly unknown[] = [lgaResponsibleAi, lgaResponsibleAi_1_1_0];

/** Makes sure every built-in version is in the database; safe to run at every start, on any number of instances. */
export async function seedBuiltInQuestionnaires({ db, now }: { db: Db; now: Date }): Promise<{ inserted: number }> {
  let inserted = 0;
  for (const [index, input] of BUILT_IN_DEFINITIONS.entries()) {
    const result = validateDefinition(input);
    if (!result.ok) throw new Error(`built-in questionnaire is invalid: ${result.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    const definition = result.definition;
    const isNew = await repo.insertBuiltInIfMissing({
      db,
      values: {
        organisationId: null,
        key: definition.key,
        version: definition.version,
        title: definition.title,
        status: 'published',
        definition,
        definitionHash: definitionHash(definition),
        createdBy: 'system',
        // A millisecond apart, so versions seeded together list in the order shipped rather than by their random ids.
        createdAt: new Date(now.getTime() + index),
        updatedAt: now,
        publishedAt: now,
      },
    });
    if (isNew) inserted += 1;
  }
  return { inserted };
}
