import { describe, expect, it } from 'vitest';
import { apiKeyCards, apiKeyStatus, readApiKeyForm, readRole, readUserForm, SCOPE_HINTS, scopeOptions } from '../../../src/modules/accounts/admin.models';
import { kindName, textParagraphs } from '../../../src/platform/mail/mail.pages';
import { SCOPES } from '../../../src/platform/auth';

/** What the administration pages show and accept, as plain functions. */

const NOW = new Date('2026-11-26T12:00:00.000Z');

describe('the add-user form', () => {
  it.each([
    { case: 'a complete form is read as the API reads it', form: { name: ' Priya Shah ', email: ' Priya@Example.GOV.UK', role: 'officer' }, value: { name: 'Priya Shah', email: 'priya@example.gov.uk', role: 'officer' } },
  ])('$case', ({ form, value }) => {
    expect(readUserForm(form).result).toEqual({ ok: true, value });
  });

  it.each([
    { case: 'nothing filled in', form: {}, errors: { name: 'Enter the user’s full name', email: 'Enter the user’s email address', role: 'Select the user’s role' } },
    { case: 'an email without an @', form: { name: 'A', email: 'priya', role: 'viewer' }, errors: { email: 'Enter an email address in the correct format, like name@example.gov.uk' } },
    { case: 'a name too long', form: { name: 'x'.repeat(201), email: 'a@b.gov.uk', role: 'viewer' }, errors: { name: 'The name must be 200 characters or fewer' } },
    { case: 'a role that is not one', form: { name: 'A', email: 'a@b.gov.uk', role: 'owner' }, errors: { role: 'Select the user’s role' } },
    { case: 'a field sent twice', form: { name: ['A', 'B'], email: 'a@b.gov.uk', role: 'viewer' }, errors: { name: 'Enter the user’s full name' } },
  ])('$case is refused with a message on the field', ({ form, errors }) => {
    expect(readUserForm(form).result).toEqual({ ok: false, errors });
  });

  it('a role is read only when it is one of the roles', () => {
    expect(readRole({ role: 'evaluator' })).toBe('evaluator');
    expect(readRole({ role: 'root' })).toBeNull();
    expect(readRole({})).toBeNull();
  });
});

describe('the new-key form', () => {
  it('reads one scope or several, each once', () => {
    expect(readApiKeyForm({ name: 'Sync', scopes: 'scores:read' }).result).toEqual({ ok: true, value: { name: 'Sync', scopes: ['scores:read'] } });
    expect(readApiKeyForm({ name: 'Sync', scopes: ['audit:read', 'audit:read', 'reports:read'] }).result).toEqual({ ok: true, value: { name: 'Sync', scopes: ['audit:read', 'reports:read'] } });
  });

  it.each([
    { case: 'no name and no scope', form: {}, errors: { name: 'Enter a name for the key, like the system that will use it', scopes: 'Select what the key may read or do' } },
    { case: 'a scope that does not exist', form: { name: 'Sync', scopes: ['scores:write'] }, errors: { scopes: 'Select only the scopes listed' } },
  ])('$case is refused with a message on the field', ({ form, errors }) => {
    expect(readApiKeyForm(form).result).toEqual({ ok: false, errors });
  });

  it('offers every scope with a line saying what it allows', () => {
    expect(scopeOptions(['webhooks:manage']).map((o) => [o.value, o.checked, o.hint.text.length > 0])).toEqual(SCOPES.map((s) => [s, s === 'webhooks:manage', true]));
    expect(Object.keys(SCOPE_HINTS).sort()).toEqual([...SCOPES].sort());
  });
});

describe('an API key as the list shows it', () => {
  const key = { id: 'k', name: 'Sync <script>', prefix: 'aidd_key_Ab', scopes: ['scores:read' as const], createdAt: '2026-07-01T08:00:00.000Z', createdBy: null, expiresAt: null, lastUsedAt: null, revokedAt: null };

  it.each([
    { case: 'a working key', key: {}, status: 'Active' },
    { case: 'a revoked key', key: { revokedAt: '2026-11-01T09:00:00.000Z' }, status: 'Revoked' },
    { case: 'a key past its expiry', key: { expiresAt: '2026-11-26T11:59:59.000Z' }, status: 'Expired' },
    { case: 'a key with an expiry still ahead', key: { expiresAt: '2026-12-01T00:00:00.000Z' }, status: 'Active' },
  ])('$case reads $status', ({ key: change, status }) => {
    expect(apiKeyStatus({ ...key, ...change }, NOW).text).toBe(status);
  });

  it('gives UK times, "Never" for an unused key, and escapes what it puts in HTML', () => {
    const [card] = apiKeyCards([key], NOW);
    expect(card!.rows.map((r) => [r.key.text, r.value.text ?? r.value.html])).toEqual([
      ['Starts with', '<code class="govuk-!-text-break-word">aidd_key_Ab</code>'],
      ['Scopes', '<ul class="govuk-list"><li>scores:read</li></ul>'],
      ['Created', '09:00 on 1 July 2026'],
      ['Last used', 'Never'],
    ]);
    expect(card!.name).toBe('Sync <script>'); // a text field: the template escapes it
  });
});

describe('an outbox message as the page shows it', () => {
  it('keeps paragraphs and line breaks, whatever the line endings', () => {
    expect(textParagraphs('Hello Priya,\r\n\r\nOpen this link:\r\nhttps://x/sign-in/link/[REDACTED]\n\n\n\nThanks\n')).toEqual([['Hello Priya,'], ['Open this link:', 'https://x/sign-in/link/[REDACTED]'], ['Thanks']]);
  });

  it.each([
    ['staff.sign_in_link', 'Sign-in link'],
    ['invitation', 'Invitation to a supplier'],
    ['something_new', 'Something new'],
  ])('names the kind %s as "%s"', (kind, name) => {
    expect(kindName(kind)).toBe(name);
  });
});
