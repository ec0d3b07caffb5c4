import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli';
import { recordAudit, verifyAuditChain } from '../../src/platform/audit';
import { bearer, useTestApp } from '../helpers/app';
import { seedOrganisation, seedUser } from '../helpers/factories';

describe('the audit log', () => {
  const ctx = useTestApp();

  async function organisationWithEvents(count: number) {
    const org = await seedOrganisation(ctx); // writes organisation.created as event 1
    for (let i = 2; i <= count; i += 1) {
      ctx.clock.advance(1000);
      await recordAudit({
        db: ctx.database.db,
        organisationId: org.organisationId,
        actor: { type: 'user', id: org.admin.id },
        action: 'test.event',
        subject: { type: 'thing', id: `t${i}` },
        details: { n: i, nested: { b: 2, a: 1 } },
        now: ctx.clock.now(),
      });
    }
    return org;
  }

  const tamper = async (statement: string) => {
    await ctx.database.db.execute(sql.raw('alter table audit_events disable trigger user'));
    try {
      await ctx.database.db.execute(sql.raw(statement));
    } finally {
      await ctx.database.db.execute(sql.raw('alter table audit_events enable trigger user'));
    }
  };

  it('records account changes in the same organisation chain, in order, and the chain verifies', async () => {
    const org = await seedOrganisation(ctx);
    const officer = await seedUser(ctx, org, { role: 'officer' });
    await ctx.app.inject({ method: 'PATCH', url: `/v1/users/${officer.id}`, headers: bearer(org.admin.token), payload: { role: 'evaluator' } });
    await ctx.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(org.admin.token), payload: { name: 'CMS', scopes: ['scores:read'] } });

    const page = (await ctx.app.inject({ method: 'GET', url: '/v1/audit-events?order=asc', headers: bearer(org.admin.token) })).json();
    expect(page.items.map((e: { action: string }) => e.action)).toEqual(['organisation.created', 'user.created', 'user.role_changed', 'api_key.created']);
    expect(page.items[2]).toMatchObject({ actor: { type: 'user', id: org.admin.id }, subject: { type: 'user', id: officer.id }, details: { from: 'officer', to: 'evaluator' } });
    expect(page.items[1].prevHash).toBe(page.items[0].hash);

    const verification = await verifyAuditChain({ db: ctx.database.db, organisationId: org.organisationId });
    expect(verification).toMatchObject({ ok: true, checked: 4 });
  });

  it('refuses UPDATE and DELETE on audit rows at the database', async () => {
    await organisationWithEvents(2);
    await expect(ctx.database.db.execute(sql.raw("update audit_events set action = 'x'"))).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) } });
    await expect(ctx.database.db.execute(sql.raw('delete from audit_events'))).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) } });
  });

  it('detects an edited row and names it', async () => {
    const org = await organisationWithEvents(5);
    await tamper(`update audit_events set details = '{"n": 99}' where organisation_id = '${org.organisationId}' and seq = 3`);
    const result = await verifyAuditChain({ db: ctx.database.db, organisationId: org.organisationId });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.firstBroken).toMatchObject({ seq: 3, reason: expect.stringContaining('edited') });
  });

  it('detects a deleted row at the row after the gap', async () => {
    const org = await organisationWithEvents(5);
    await tamper(`delete from audit_events where organisation_id = '${org.organisationId}' and seq = 3`);
    const result = await verifyAuditChain({ db: ctx.database.db, organisationId: org.organisationId });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.firstBroken.seq).toBe(4);
  });

  it('detects reordered rows, even when the sequence numbers are renumbered to look continuous', async () => {
    const org = await organisationWithEvents(5);
    const where = `organisation_id = '${org.organisationId}'`;
    await tamper(`update audit_events set seq = -1 where ${where} and seq = 2`);
    await tamper(`update audit_events set seq = 2 where ${where} and seq = 3`);
    await tamper(`update audit_events set seq = 3 where ${where} and seq = -1`);
    const result = await verifyAuditChain({ db: ctx.database.db, organisationId: org.organisationId });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.firstBroken.seq).toBe(2);
  });

  it('a broken chain in one organisation does not implicate another', async () => {
    const broken = await organisationWithEvents(3);
    const intact = await organisationWithEvents(3);
    await tamper(`update audit_events set action = 'rewritten' where organisation_id = '${broken.organisationId}' and seq = 2`);
    expect((await verifyAuditChain({ db: ctx.database.db, organisationId: intact.organisationId })).ok).toBe(true);
    expect((await verifyAuditChain({ db: ctx.database.db, organisationId: broken.organisationId })).ok).toBe(false);
  });

  it('`audit verify` on the CLI exits 1 and names the first broken row', async () => {
    const org = await organisationWithEvents(4);
    const lines: string[] = [];
    const output = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    expect(await runCli({ argv: ['audit', 'verify'], database: ctx.database, output })).toBe(0);
    await tamper(`update audit_events set subject_id = 'other' where organisation_id = '${org.organisationId}' and seq = 2`);
    lines.length = 0;
    expect(await runCli({ argv: ['audit', 'verify', '--org-id', org.organisationId], database: ctx.database, output })).toBe(1);
    expect(lines.join('\n')).toMatch(/BROKEN .* seq 2 /);
  });

  it('concurrent writers to one chain never fork it', async () => {
    const org = await seedOrganisation(ctx);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit({ db: ctx.database.db, organisationId: org.organisationId, actor: { type: 'system', id: 'test' }, action: 'parallel', subject: { type: 'n', id: String(i) } }),
      ),
    );
    expect(await verifyAuditChain({ db: ctx.database.db, organisationId: org.organisationId })).toMatchObject({ ok: true, checked: 21 });
  });

  it('pages through events newest first with an opaque cursor', async () => {
    const org = await organisationWithEvents(7);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/audit-events?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await ctx.app.inject({ method: 'GET', url, headers: bearer(org.admin.token) })).json();
      seen.push(...page.items.map((e: { seq: number }) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });
});
