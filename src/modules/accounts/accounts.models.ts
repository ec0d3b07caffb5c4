import type { Role, Scope } from '../../platform/auth';
import type { accessTokens, organisations, users } from './accounts.table';

export type OrganisationRow = typeof organisations.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type AccessTokenRow = typeof accessTokens.$inferSelect;

export type OrganisationDto = { id: string; name: string; createdAt: string };
export type UserDto = { id: string; email: string; name: string; role: Role; active: boolean; createdAt: string; updatedAt: string };
export type TokenDto = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};
export type ApiKeyDto = TokenDto & { scopes: Scope[]; createdBy: string | null };

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toOrganisationDto(row: OrganisationRow): OrganisationDto {
  return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString() };
}

export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toTokenDto(row: AccessTokenRow): TokenDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.displayPrefix,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}

export function toApiKeyDto(row: AccessTokenRow): ApiKeyDto {
  return { ...toTokenDto(row), scopes: row.scopes, createdBy: row.createdBy };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A token is usable while it is neither revoked nor expired. */
export function isTokenUsable(row: Pick<AccessTokenRow, 'revokedAt' | 'expiresAt'>, now: Date): boolean {
  return row.revokedAt === null && (row.expiresAt === null || row.expiresAt > now);
}

/** Recording every use would turn each read into a write; once a minute is enough to show a token is alive. */
export const LAST_USED_RESOLUTION_MS = 60_000;
