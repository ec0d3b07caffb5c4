import { and, asc, eq, getTableColumns, isNull, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { prepared, type Db } from '../../platform/db';
import { afterCreatedAtId, createdAtIdKey, toPage, type Page } from '../../platform/pagination';
import { questionnaires } from './questionnaires.table';

export type QuestionnaireRow = typeof questionnaires.$inferSelect;

/** Built-in questionnaires and the organisation's own: everything it may read. */
const readableBy = (organisationId: string | Placeholder): SQL => or(eq(questionnaires.organisationId, organisationId), isNull(questionnaires.organisationId))!;

export async function findReadable({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<QuestionnaireRow | undefined> {
  const [row] = await db.select().from(questionnaires).where(and(eq(questionnaires.id, id), readableBy(organisationId)));
  return row;
}

export type QuestionnaireMeta = Omit<QuestionnaireRow, 'definition'>;

/** The row without its definition (tens of kilobytes of jsonb), for when the definition is cached. A prepared statement: every supplier save reads it. */
export async function findReadableMeta({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<QuestionnaireMeta | undefined> {
  const statement = prepared(db, 'questionnaire_meta_readable', (handle) => {
    const { definition: _definition, ...columns } = getTableColumns(questionnaires);
    return handle.select(columns).from(questionnaires).where(and(eq(questionnaires.id, sql.placeholder('id')), readableBy(sql.placeholder('organisationId')))).prepare('questionnaire_meta_readable');
  });
  const [row] = await statement.execute({ organisationId, id });
  return row;
}

export async function findDefinition({ db, id }: { db: Db; id: string }): Promise<unknown> {
  const [row] = await db.select({ definition: questionnaires.definition }).from(questionnaires).where(eq(questionnaires.id, id));
  return row?.definition;
}

/** For changes: locks the row so two edits or an edit and a publish take turns. */
export async function findOwnForUpdate({ db, organisationId, id }: { db: Db; organisationId: string; id: string }): Promise<QuestionnaireRow | undefined> {
  const [row] = await db
    .select()
    .from(questionnaires)
    .where(and(eq(questionnaires.id, id), eq(questionnaires.organisationId, organisationId)))
    .for('update');
  return row;
}

export async function listReadable({
  db,
  organisationId,
  limit,
  cursor,
  status,
  builtIn,
  includeArchived,
}: {
  db: Db;
  organisationId: string;
  limit: number;
  cursor?: string | undefined;
  status?: 'draft' | 'published' | undefined;
  builtIn?: boolean | undefined;
  includeArchived: boolean;
}): Promise<Page<QuestionnaireRow>> {
  const ownership = builtIn === undefined ? readableBy(organisationId) : builtIn ? isNull(questionnaires.organisationId) : eq(questionnaires.organisationId, organisationId);
  const rows = await db
    .select()
    .from(questionnaires)
    .where(
      and(
        ownership,
        status ? eq(questionnaires.status, status) : undefined,
        includeArchived ? undefined : isNull(questionnaires.archivedAt),
        afterCreatedAtId({ cursor, createdAt: questionnaires.createdAt, id: questionnaires.id }),
      ),
    )
    .orderBy(asc(questionnaires.createdAt), asc(questionnaires.id))
    .limit(limit + 1);
  return toPage({ rows, limit, keyOf: createdAtIdKey, toItem: (row) => row });
}

export async function versionsOfKey({ db, organisationId, key }: { db: Db; organisationId: string | null; key: string }): Promise<string[]> {
  const rows = await db
    .select({ version: questionnaires.version })
    .from(questionnaires)
    .where(and(organisationId === null ? isNull(questionnaires.organisationId) : eq(questionnaires.organisationId, organisationId), eq(questionnaires.key, key)));
  return rows.map((r) => r.version);
}

export async function insertQuestionnaire({ db, values }: { db: Db; values: typeof questionnaires.$inferInsert }): Promise<QuestionnaireRow> {
  const [row] = await db.insert(questionnaires).values(values).returning();
  return row!;
}

/** Inserts a built-in version unless it is already there; returns whether it was new. */
export async function insertBuiltInIfMissing({ db, values }: { db: Db; values: typeof questionnaires.$inferInsert }): Promise<boolean> {
  const rows = await db.insert(questionnaires).values(values).onConflictDoNothing().returning({ id: questionnaires.id });
  return rows.length > 0;
}

export async function updateQuestionnaire({ db, id, changes }: { db: Db; id: string; changes: Partial<typeof questionnaires.$inferInsert> }): Promise<QuestionnaireRow> {
  const [row] = await db.update(questionnaires).set(changes).where(eq(questionnaires.id, id)).returning();
  return row!;
}
