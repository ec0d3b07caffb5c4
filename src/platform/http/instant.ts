import { z } from 'zod';

// The instants PostgreSQL and JavaScript both write and read back alike: the years 1 to 9999 in UTC.
// An offset can carry a well-formed text past them (9999-12-31T23:59:59-12:00 is in year 10000).
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

export function isStorableInstant(text: string): boolean {
  const time = Date.parse(text);
  return time >= EARLIEST && time <= LATEST;
}

/** An ISO 8601 instant a client sends (with an offset, when `offset`), refused unless the database can store it. */
export function instantSchema({ offset = false }: { offset?: boolean } = {}) {
  return z.iso.datetime({ offset }).refine(isStorableInstant, 'Must be between the years 1 and 9999 (in UTC)');
}
