import { AppError } from '../errors';

/** A strong ETag from a row's version number. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an `If-Match` header asks for, or undefined when there is none. `*` means any.
 * A header we cannot read is a 400, so a typo never turns into an unconditional write.
 */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) {
    throw new AppError({ status: 400, code: 'request.invalid_if_match', title: 'Invalid If-Match header', detail: 'Send the ETag from the last GET, e.g. If-Match: "3".' });
  }
  return Number(match[1]);
}
