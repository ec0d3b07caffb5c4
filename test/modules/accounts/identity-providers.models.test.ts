import { describe, expect, it } from 'vitest';
import { assessClaims, emailDomain, isValidDomain, issuerAllowed, normaliseDomain, providerKindOf } from '../../../src/modules/accounts/identity-providers.models';
import { refusalPage } from '../../../src/modules/accounts/oidc.models';

const TENANT = '7d3c1a52-0b8e-4a7f-9c61-2f4e8d9b0a13';
const ENTRA = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const GOOGLE = 'https://accounts.google.com';
const OTHER = 'https://adfs.borsetshire.gov.uk/adfs';
const allowedDomains = ['borsetshire.gov.uk'];
const ada = { sub: 'sub-1', email: 'Ada@Borsetshire.gov.uk', name: 'Ada Lovelace' };

describe('whose word on an email address is taken', () => {
  it.each([
    ['any provider: email_verified true', OTHER, { ...ada, email_verified: true }, { ok: true, email: 'ada@borsetshire.gov.uk', subject: 'sub-1', name: 'Ada Lovelace' }],
    ['any provider: email_verified "true", as some send it', OTHER, { ...ada, email_verified: 'true' }, { ok: true }],
    ['any provider: email_verified false', OTHER, { ...ada, email_verified: false }, { ok: false, reason: 'email_unverified' }],
    ['any provider: email_verified left out', OTHER, ada, { ok: false, reason: 'email_unverified' }],
    ['any provider: no email at all', OTHER, { sub: 'sub-1' }, { ok: false, reason: 'email_missing' }],
    ['any provider: an email without a domain', OTHER, { sub: 'sub-1', email: 'ada', email_verified: true }, { ok: false, reason: 'email_missing' }],
    ['any provider: a verified email at a domain not allowed', OTHER, { ...ada, email: 'ada@gmail.com', email_verified: true }, { ok: false, reason: 'domain_not_allowed', domain: 'gmail.com' }],
    ['Entra ID: the tenant verified the email domain (xms_edov) in our tenant', ENTRA, { ...ada, tid: TENANT, xms_edov: true }, { ok: true, email: 'ada@borsetshire.gov.uk' }],
    ['Entra ID: without xms_edov (the optional claim not added)', ENTRA, { ...ada, tid: TENANT }, { ok: false, reason: 'entra_claims_missing', missing: ['xms_edov'] }],
    ['Entra ID: xms_edov false', ENTRA, { ...ada, tid: TENANT, xms_edov: false }, { ok: false, reason: 'entra_claims_missing', missing: ['xms_edov'] }],
    ['Entra ID: another tenant', ENTRA, { ...ada, tid: '00000000-0000-0000-0000-000000000000', xms_edov: true }, { ok: false, reason: 'entra_claims_missing', missing: ['tid', 'xms_edov'] }],
    ['Entra ID: no email claim (the optional claim not added)', ENTRA, { sub: 'sub-1', tid: TENANT }, { ok: false, reason: 'entra_claims_missing', missing: ['email', 'xms_edov'] }],
    ['Entra ID: email_verified, when the tenant sends it', ENTRA, { ...ada, email_verified: true }, { ok: true }],
    ['Entra ID: a verified domain that is not the organisation’s', ENTRA, { ...ada, email: 'ada@contoso.com', tid: TENANT, xms_edov: true }, { ok: false, reason: 'domain_not_allowed', domain: 'contoso.com' }],
    ['Google Workspace: verified, hosted at an allowed domain', GOOGLE, { ...ada, email_verified: true, hd: 'borsetshire.gov.uk' }, { ok: true }],
    ['Google: a personal account (no hd)', GOOGLE, { ...ada, email_verified: true }, { ok: false, reason: 'google_hosted_domain' }],
    ['Google: hosted at another domain', GOOGLE, { ...ada, email_verified: true, hd: 'elsewhere.example' }, { ok: false, reason: 'google_hosted_domain' }],
    ['Google: not verified', GOOGLE, { ...ada, email_verified: false, hd: 'borsetshire.gov.uk' }, { ok: false, reason: 'email_unverified' }],
  ])('%s', (_label, issuer, claims, expected) => {
    expect(assessClaims({ issuer, allowedDomains, claims })).toMatchObject(expected);
  });

  it('names a person without a name by nothing, so their email stands in', () => {
    expect(assessClaims({ issuer: OTHER, allowedDomains, claims: { sub: 's', email: 'ada@borsetshire.gov.uk', email_verified: true, name: '  ' } })).toMatchObject({ ok: true, name: null });
  });
});

describe('issuers and domains', () => {
  it.each([
    [ENTRA, { kind: 'entra', tenantId: TENANT }],
    [`https://login.microsoftonline.com/${TENANT.toUpperCase()}/v2.0/`, { kind: 'entra', tenantId: TENANT }],
    ['https://login.microsoftonline.com/common/v2.0', { kind: 'other' }],
    [GOOGLE, { kind: 'google' }],
    [OTHER, { kind: 'other' }],
  ])('%s is %o', (issuer, kind) => {
    expect(providerKindOf(issuer)).toEqual(kind);
  });

  it.each([
    ['https://idp.example', false, true],
    ['https://idp.example', true, true],
    ['http://127.0.0.1:4000', false, true],
    ['http://localhost:4000', false, true],
    ['http://[::1]:4000', false, true],
    ['http://127.0.0.1:4000', true, false],
    ['http://idp.example', false, false],
    ['http://10.0.0.1', false, false],
  ])('%s in production %s: allowed %s', (issuer, production, allowed) => {
    expect(issuerAllowed({ issuer, production })).toBe(allowed);
  });

  it.each([
    ['@Borsetshire.GOV.uk ', 'borsetshire.gov.uk', true],
    ['schools.borsetshire.gov.uk.', 'schools.borsetshire.gov.uk', true],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', true],
    ['borsetshire', 'borsetshire', false],
    ['borsetshire gov uk', 'borsetshire gov uk', false],
    ['-borsetshire.gov.uk', '-borsetshire.gov.uk', false],
    ['borsetshire.123', 'borsetshire.123', false],
    ['ada@borsetshire.gov.uk', 'ada@borsetshire.gov.uk', false],
  ])('the domain %j is kept as %j, valid %s', (raw, normal, valid) => {
    expect(normaliseDomain(raw)).toBe(normal);
    expect(isValidDomain(normaliseDomain(raw))).toBe(valid);
  });

  it('reads an email address’s domain', () => {
    expect(emailDomain('Ada@Borsetshire.GOV.uk')).toBe('borsetshire.gov.uk');
    expect(emailDomain('no-domain@')).toBeNull();
    expect(emailDomain('@borsetshire.gov.uk')).toBeNull();
  });
});

describe('what a refused person is told', () => {
  it('says which Entra ID claims were missing and how an admin adds them', () => {
    const shown = refusalPage({ reason: 'entra_claims_missing', missing: ['email', 'xms_edov'] }, { council: 'Borsetshire County Council' });
    expect(shown.status).toBe(403);
    expect(shown.paragraphs.join(' ')).toContain('did not include email and xms_edov');
    expect(shown.paragraphs.join(' ')).toContain('add the optional ID token claims email and xms_edov');
  });

  it.each([
    ['expired', 400],
    ['state', 400],
    ['provider_changed', 400],
    ['provider_refused', 400],
    ['email_missing', 403],
    ['email_unverified', 403],
    ['google_hosted_domain', 403],
    ['deactivated', 403],
  ] as const)('%s is a %i page that says what to do next', (reason, status) => {
    const shown = refusalPage({ reason }, { council: null });
    expect(shown.status).toBe(status);
    expect(shown.title.length).toBeGreaterThan(10);
    expect(shown.paragraphs.length).toBeGreaterThanOrEqual(2);
  });
});
