/** True when a database error is a unique-constraint violation (optionally on a named constraint). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = (error as { cause?: unknown })?.cause ?? error;
  const code = (e as { code?: unknown })?.code;
  if (code !== '23505') return false;
  return constraint === undefined || (e as { constraint?: unknown }).constraint === constraint;
}
