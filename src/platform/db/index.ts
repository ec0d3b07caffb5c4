export { openDatabase, MIGRATIONS_FOLDER, type Database, type DatabaseKind, type Db } from './database';
export { DataDirError, resolveDataDir } from './data-dir';
export { DataDirInUseError } from './data-dir-lock';
export { inTransaction } from './transaction';
export { lockOrganisation, tryLockForTransaction } from './locks';
export { isUniqueViolation, loggableError } from './errors';
export { queryRows } from './query';
export { prepared, preparedRows } from './prepared';
export { notify, type ListenInput, type NotificationListener } from './notifications';
