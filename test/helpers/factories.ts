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

const call = (ctx: TestContext, method: 'POST', url: string, token: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

let questionnaireVersions = 0;

/** Imports and publishes a questionnaire (the small test fixture unless given), each time as a new version. */
export async function seedPublishedQuestionnaire(ctx: TestContext, org: SeededOrganisation, definition: Record<string, unknown>): Promise<string> {
  questionnaireVersions += 1;
  const imported = await call(ctx, 'POST', '/v1/questionnaires', org.admin.token, { ...definition, version: `7.${questionnaireVersions}.0` });
  if (imported.statusCode !== 201) throw new Error(`questionnaire import failed: ${imported.body}`);
  const { id } = imported.json();
  await call(ctx, 'POST', `/v1/questionnaires/${id}/publish`, org.admin.token);
  return id as string;
}

/** An open procurement on a freshly published questionnaire. */
export async function seedOpenProcurement(
  ctx: TestContext,
  org: SeededOrganisation,
  {
    definition,
    triage,
    deadline = '2026-12-10T17:00:00.000Z',
    title = 'AI chatbot',
    evaluatorIds,
    moderatorId,
  }: { definition: Record<string, unknown>; triage: Record<string, unknown>; deadline?: string; title?: string; evaluatorIds?: string[]; moderatorId?: string },
): Promise<string> {
  const questionnaireId = await seedPublishedQuestionnaire(ctx, org, definition);
  const created = await call(ctx, 'POST', '/v1/procurements', org.admin.token, { title, questionnaireId, deadline, triage, ...(evaluatorIds ? { evaluatorIds } : {}), ...(moderatorId ? { moderatorId } : {}) });
  if (created.statusCode !== 201) throw new Error(`procurement failed: ${created.body}`);
  const { id } = created.json();
  const opened = await call(ctx, 'POST', `/v1/procurements/${id}/open`, org.admin.token);
  if (opened.statusCode !== 200) throw new Error(`open failed: ${opened.body}`);
  return id as string;
}

/** Invites a supplier; returns the invitation with the supplier's token. */
export async function seedInvitation(ctx: TestContext, org: SeededOrganisation, procurementId: string, { supplierName = 'Acme AI Ltd' }: { supplierName?: string } = {}) {
  const created = await call(ctx, 'POST', `/v1/procurements/${procurementId}/invitations`, org.admin.token, { supplierName, contactEmail: 'bids@acme.example' });
  if (created.statusCode !== 201) throw new Error(`invitation failed: ${created.body}`);
  return created.json() as { id: string; responseId: string; token: string; respondUrl: string };
}
