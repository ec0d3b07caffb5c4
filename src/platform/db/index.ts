export { openDatabase, MIGRATIONS_FOLDER, type Database, type DatabaseKind, type Db } from './database';
export { inTransaction } from './transaction';
export { lockOrganisation } from './locks';
export { isUniqueViolation, loggableError } from './errors';
export { queryRows } from './query';
export { prepared } from './prepared';
