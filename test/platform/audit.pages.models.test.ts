import { describe, expect, it } from 'vitest';
import { filterQuery, readAuditFilter, verificationView } from '../../src/platform/audit/audit.pages.models';

/** The audit log page's pure parts: the filter form read as UK dates, its links, and the verification's words. */
describe('the audit log filter', () => {
  it.each([
    { name: 'a winter day runs midnight to midnight GMT', query: { 'from-day': '20', 'from-month': '3', 'from-year': '2026', 'to-day': '20', 'to-month': '3', 'to-year': '2026' }, from: '2026-03-20T00:00:00.000Z', until: '2026-03-21T00:00:00.000Z' },
    { name: 'a summer day starts at 23:00 UTC the day before (BST)', query: { 'from-day': '6', 'from-month': '4', 'from-year': '2026' }, from: '2026-04-05T23:00:00.000Z', until: undefined },
    { name: 'the day the clocks go forward is 23 hours long', query: { 'from-day': '29', 'from-month': '3', 'from-year': '2026', 'to-day': '29', 'to-month': '3', 'to-year': '2026' }, from: '2026-03-29T00:00:00.000Z', until: '2026-03-29T23:00:00.000Z' },
    { name: 'the day the clocks go back is 25 hours long', query: { 'from-day': '25', 'from-month': '10', 'from-year': '2026', 'to-day': '25', 'to-month': '10', 'to-year': '2026' }, from: '2026-10-24T23:00:00.000Z', until: '2026-10-26T00:00:00.000Z' },
    { name: 'the last day of a year ends at the new year', query: { 'to-day': '31', 'to-month': '12', 'to-year': '2026' }, from: undefined, until: '2027-01-01T00:00:00.000Z' },
  ])('$name', ({ query, from, until }) => {
    const read = readAuditFilter(query);
    expect(read.errors).toEqual([]);
    expect(read.filter.from?.toISOString()).toBe(from);
    expect(read.filter.until?.toISOString()).toBe(until);
  });

  it.each([
    { name: 'a day that does not exist', query: { 'to-day': '29', 'to-month': '2', 'to-year': '2026' }, errors: [{ href: '#to-day', text: 'The to date must be a real date' }] },
    { name: 'a month of 13', query: { 'from-day': '1', 'from-month': '13', 'from-year': '2026' }, errors: [{ href: '#from-day', text: 'The from date must be a real date' }] },
    { name: 'a day and a month left out', query: { 'from-year': '2026' }, errors: [{ href: '#from-day', text: 'The from date must include a day and month' }] },
    { name: 'a two-digit year', query: { 'from-day': '1', 'from-month': '2', 'from-year': '26' }, errors: [{ href: '#from-year', text: 'Year must include 4 numbers' }] },
    { name: 'the end before the start', query: { 'from-day': '2', 'from-month': '2', 'from-year': '2026', 'to-day': '1', 'to-month': '2', 'to-year': '2026' }, errors: [{ href: '#to-day', text: 'The to date must be the same as or after the from date' }] },
  ])('refuses $name', ({ query, errors }) => {
    expect(readAuditFilter(query).errors).toEqual(errors);
  });

  it('keeps the filters, and only the filled ones, in the links to other pages', () => {
    const { values } = readAuditFilter({ who: 'u1', action: 'invitation.sent', 'from-day': '1', 'from-month': '2', 'from-year': '2026', procurement: '' });
    expect(filterQuery(values, { cursor: 'abc' })).toBe('?who=u1&action=invitation.sent&from-day=1&from-month=2&from-year=2026&cursor=abc');
    expect(filterQuery(readAuditFilter({}).values)).toBe('');
  });

  it('names the first broken event and links to the log from it', () => {
    const view = verificationView({ result: { ok: false, organisationId: 'o', checked: 4, firstBroken: { id: 'e5', seq: 5, reason: 'its content does not match its hash: the row was edited' } }, broken: null });
    expect(view).toMatchObject({ ok: false, checked: 4, seq: 5, reason: 'Its content does not match its hash: the row was edited', when: null, title: null });
    // The log's page starting at event 5 is the one whose cursor is event 6.
    expect(view.ok === false && JSON.parse(Buffer.from(view.eventHref.split('cursor=')[1]!, 'base64url').toString())).toEqual([6]);
  });
});
