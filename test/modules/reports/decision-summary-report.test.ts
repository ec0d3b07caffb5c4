import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../helpers/app';
import { readPdf } from '../../helpers/pdf';
import { evaluatingWorld } from '../scoring/evaluating-world';
import { flat } from './report-input';

/**
 * The evaluation report's decision summary through the API: on its first pages, with the sign-off
 * block "Not yet signed" until approvals are recorded, and filled from them after. An approval
 * changes the document, so a new file is drawn (the stored one is reused only for the same content).
 */

describe('the decision summary in the evaluation report', { timeout: 120_000 }, () => {
  const ctx = useTestApp();

  it('is on pages 1 to 3, says “Not yet signed” before any approval, and names who signed after, in a new file', async () => {
    const w = await evaluatingWorld(ctx);
    expect((await w.declare()).statusCode).toBe(201);
    const url = `/v1/responses/${w.b.responseId}/report.pdf`;
    const before = await w.call('GET', url, w.org.admin.token);
    expect(before.statusCode, before.body.slice(0, 300)).toBe(200);
    const first = await readPdf(before.rawPayload);
    const front = flat(first.pages.slice(0, 3).join('\n'));
    expect(front).toContain('Decision summary');
    expect(front).toMatch(/Recommendation: (Award|Award with conditions|Do not proceed)\.|Provisional: not for decision/);
    expect(front).toContain('Critical sections');
    expect(front).toContain('Evaluator Eve One Not yet signed');
    expect(front).toContain('Evaluator Evan Two Not yet signed');
    expect(front).toContain('Moderator Mo Derator Not yet signed');
    for (const role of ['Data protection officer', 'Equality lead', 'Approver']) expect(front).toContain(`${role} Not yet signed`);
    // The summary comes before the rest of the report, and the heading levels never skip.
    expect(first.pages.findIndex((p) => p.includes('Decision summary'))).toBe(0);
    expect(first.pages.findIndex((p) => /^Summary$/m.test(p))).toBeGreaterThan(0);
    expect(first.headingLevels.every((level, i) => level <= (i === 0 ? 1 : first.headingLevels[i - 1]! + 1))).toBe(true);

    // Unchanged content: the stored file is reused.
    const same = await w.call('GET', url, w.org.admin.token);
    expect(same.headers['x-report-id']).toBe(before.headers['x-report-id']);

    ctx.clock.advance(60_000);
    const approvals = `/v1/procurements/${w.procurementId}/approvals`;
    expect((await w.call('POST', approvals, w.e1.token, { role: 'evaluator' })).statusCode).toBe(201);
    expect((await w.call('POST', approvals, w.moderator.token, { role: 'moderator', comment: 'Moderation complete.' })).statusCode).toBe(201);
    expect((await w.call('POST', approvals, w.org.admin.token, { role: 'approver', comment: 'Approved for the board.' })).statusCode).toBe(201);
    const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' }).format(ctx.clock.now());

    const after = await w.call('GET', url, w.org.admin.token);
    expect(after.statusCode).toBe(200);
    expect(after.headers['x-report-id']).not.toBe(before.headers['x-report-id']);
    expect(after.headers['x-content-sha256']).not.toBe(before.headers['x-content-sha256']);
    // The evaluation did not change: only the sign-offs did.
    expect(after.headers['x-evaluation-hash']).toBe(before.headers['x-evaluation-hash']);
    const second = await readPdf(after.rawPayload);
    const signed = flat(second.pages.slice(0, 3).join('\n'));
    expect(signed).toContain(`Evaluator Eve One ${day}`);
    expect(signed).toContain('Evaluator Evan Two Not yet signed');
    expect(signed).toContain(`Moderator Mo Derator ${day}`);
    expect(signed).toContain(`Approver Ada Admin ${day}`);
    expect(signed).toContain('Data protection officer Not yet signed');
    // The audit trail appendix says who signed off, in words.
    expect(flat(second.text)).toContain('Signed off the evaluation as approver: Approved for the board.');

    const generated = (await w.call('GET', '/v1/audit-events?limit=100', w.org.admin.token)).json().items.filter((e: { action: string; subject: { id: string } }) => e.action === 'report.generated' && e.subject.id === w.b.responseId);
    expect(generated).toHaveLength(2);
  });
});
