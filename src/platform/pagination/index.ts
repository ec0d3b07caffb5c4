export { pageQuerySchema, pageSchema, encodeCursor, decodeCursor, toPage, afterCreatedAtId, createdAtIdKey, type Page, type PageQuery } from './pagination';
