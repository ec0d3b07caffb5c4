import { seedBuiltInQuestionnaires } from './modules/questionnaires';
import type { Database } from './platform/db';

/** Everything a database needs before the app serves from it: the schema, then the built-in data. */
export async function prepareDatabase({ database, now = new Date() }: { database: Database; now?: Date }): Promise<void> {
  await database.migrate();
  await seedBuiltInQuestionnaires({ db: database.db, now });
}
