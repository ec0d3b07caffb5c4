import { eq, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

export const ROLES = ['admin', 'officer', 'evaluator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What an organisation API key may be allowed to do. Keys never act as a user. The README's
 * "Scopes" table says what each allows; `responses:read-confidential` only widens the others.
 */
export const SCOPES = [
  'scores:read',
  'procurements:read',
  'responses:read',
  'responses:read-confidential',
  'reports:read',
  'questionnaires:read',
  'webhooks:manage',
  'audit:read',
] as const;
export type Scope = (typeof SCOPES)[number];

/** Whether the principal is an API key that lacks `scope`; users, suppliers and the system never are. */
export function isKeyWithout(principal: Principal, scope: Scope): boolean {
  return principal.kind === 'api_key' && !principal.scopes.includes(scope);
}

export type UserPrincipal = {
  kind: 'user';
  organisationId: string;
  userId: string;
  role: Role;
  tokenId: string;
};

export type ApiKeyPrincipal = {
  kind: 'api_key';
  organisationId: string;
  apiKeyId: string;
  scopes: Scope[];
  tokenId: string;
};

/** A supplier acting through its invitation token: it sees one response and nothing else. */
export type SupplierPrincipal = {
  kind: 'supplier';
  organisationId: string;
  invitationId: string;
  responseId: string;
  procurementId: string;
  /**
   * A bid-team colleague the lead added: it reads and answers only `sections`, and cannot submit,
   * reply to clarifications or manage the team. Absent for the lead (the invitation's own link or token).
   */
  teamMember?: { id: string; sections: string[] } | undefined;
};

/** The service itself or an operator's CLI command: never resolved from a request. */
export type SystemPrincipal = { kind: 'system'; organisationId: string; name: string };

export type Principal = UserPrincipal | ApiKeyPrincipal | SupplierPrincipal | SystemPrincipal;

/** Who did something, as the audit log records it. */
export type Actor =
  | { type: 'user'; id: string }
  | { type: 'api_key'; id: string }
  | { type: 'supplier'; id: string }
  | { type: 'system'; id: string };

export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'user':
      return { type: 'user', id: principal.userId };
    case 'api_key':
      return { type: 'api_key', id: principal.apiKeyId };
    case 'supplier':
      return { type: 'supplier', id: principal.invitationId };
    case 'system':
      return { type: 'system', id: principal.name };
  }
}

/** The one condition every tenant-owned query carries: rows of the caller's organisation only. */
export function inOrganisation(column: PgColumn, principal: { organisationId: string }): SQL {
  return eq(column, principal.organisationId);
}
