import type { Role, Scope } from '../../src/platform/auth';
import { createApiKey, createOrganisationWithAdmin, createUser } from '../../src/modules/accounts';
import type { TestContext } from './app';

export type SeededOrganisation = {
  organisationId: string;
  admin: { id: string; token: string };
};

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** An organisation with its admin, made through the same use case as first-run setup. */
export async function seedOrganisation(ctx: TestContext, { name = `Council ${unique()}` }: { name?: string } = {}): Promise<SeededOrganisation> {
  const result = await createOrganisationWithAdmin({
    db: ctx.database.db,
    now: ctx.clock.now(),
    organisationName: name,
    adminEmail: `admin-${unique()}@example.gov.uk`,
    adminName: 'Ada Admin',
  });
  return { organisationId: result.organisation.id, admin: { id: result.user.id, token: result.token } };
}

export async function seedUser(ctx: TestContext, org: SeededOrganisation, { role, name = `User ${unique()}` }: { role: Role; name?: string }) {
  const result = await createUser({
    db: ctx.database.db,
    now: ctx.clock.now(),
    principal: { kind: 'user', organisationId: org.organisationId, userId: org.admin.id, role: 'admin', tokenId: 'seed' },
    email: `${role}-${unique()}@example.gov.uk`,
    name,
    role,
  });
  return { id: result.user.id, token: result.token, email: result.user.email };
}

export async function seedApiKey(ctx: TestContext, org: SeededOrganisation, { scopes, name = 'Contract system' }: { scopes: Scope[]; name?: string }) {
  const result = await createApiKey({
    db: ctx.database.db,
    now: ctx.clock.now(),
    principal: { kind: 'user', organisationId: org.organisationId, userId: org.admin.id, role: 'admin', tokenId: 'seed' },
    name,
    scopes,
  });
  return { id: result.apiKey.id, token: result.token };
}
