export { pageQuerySchema, pageSchema, encodeCursor, decodeCursor, toPage, afterCreatedAtId, beforeCreatedAtId, createdAtIdKey, type Page, type PageQuery } from './pagination';
