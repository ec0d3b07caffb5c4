import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../helpers/factories';
import { readPage, webAgent } from '../helpers/web';
import { smallDefinition } from '../modules/questionnaires/fixtures';

describe('a failure on our side while a supplier uses the web form', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });

  it('shows a GOV.UK page with a reference to quote, not JSON, and never claims the last change was saved', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
    const invitation = await seedInvitation(ctx, org, procurementId);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${invitation.token}`);
    expect((await web.get('/respond')).statusCode).toBe(200);

    // The sessions table going missing stands for any fault of ours the page did not expect.
    await ctx.database.db.execute(sql`alter table supplier_sessions rename to supplier_sessions_gone`);
    try {
      const failed = await web.get('/respond');
      expect(failed.statusCode).toBe(500);
      expect(failed.headers['content-type']).toMatch(/^text\/html/);
      const page = readPage(failed.body);
      expect(page.title).toContain('Sorry, there is a problem with the service');
      expect(page.text).toContain('Your last change may not have been saved');
      expect(page.text).toContain(String(failed.headers['x-request-id']));
      expect(failed.body).not.toMatch(/supplier_sessions_gone|relation|does not exist|at .*\.ts/);
    } finally {
      await ctx.database.db.execute(sql`alter table supplier_sessions_gone rename to supplier_sessions`);
    }
  });
});
