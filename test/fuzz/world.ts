// What the fuzz's requests name: an organisation set up over HTTP as a council would (first-run
// setup, users, an API key with every scope, procurements on the built-in questionnaire in each
// state, invitations with supplier tokens, answers, evidence, a submitted response, a panel that
// has declared and marked), and a second organisation with its own, whose ids must all be 404s.
// Things a fuzzed request may destroy (revoke, resend, deactivate, close, cancel, decide, delete)
// are only ever asked of decoys made for the purpose, so the fuzz keeps its way into the handlers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createApiKey, createOrganisationWithAdmin } from '../../src/modules/accounts';
import type { Scope } from '../../src/platform/auth';
import { BUILT_IN_TRIAGE } from '../helpers/built-in-triage';
import { FUZZ_SETUP_TOKEN, type FuzzServer } from './server';
import type { Value } from './values';

const root = path.resolve(import.meta.dirname, '../..');
const DAY = 24 * 60 * 60 * 1000;

const TRIAGE = BUILT_IN_TRIAGE;
const FILE_QUESTIONS = ['security.cyber_essentials_certificate', 'security.test_report_summary', 'fairness.bias_test_results', 'environment.carbon_reduction_plan', 'viability.financial_standing'];
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** A bearer token the fuzz may send, and what it is. */
export type Credential = { label: string; token: string; kind: 'staff' | 'supplier' };

export type World = {
  /** Who may call what: staff tokens (users and the API key) and supplier tokens, of both organisations. */
  staff: Credential[];
  suppliers: Credential[];
  /** Tokens of the right shape never issued, and the decoys' own (revoked or replaced as the fuzz goes on). */
  deadTokens: string[];
  setupToken: string;
  /** Path parameter values by kind; `decoys` leave out anything whose loss would stop the fuzz getting in. */
  ids: Record<IdKind, { all: string[]; decoys: string[] }>;
  questionKeys: string[];
  triageKeys: string[];
  sectionKeys: string[];
  emails: string[];
  /** Bodies the service accepted during set-up, by `METHOD /template`: starting points for mutation. */
  examples: Map<string, Value[]>;
  /** The other organisation's ids of every kind, for the tenant-scoping cases. */
  otherTenantIds: string[];
};

export type IdKind = 'user' | 'apiKey' | 'token' | 'questionnaire' | 'procurement' | 'invitation' | 'response' | 'evidence' | 'clarification' | 'declaration' | 'webhook' | 'delivery';

type Call = { method: string; path: string; template: string; token?: string; body?: Value; headers?: Record<string, string>; expect?: number[] };

/** Sets the world up; `server` may be restarted once on the embedded engine to add the second organisation. */
export async function buildWorld(server: FuzzServer): Promise<World> {
  const examples = new Map<string, Value[]>();
  const call = async <T>({ method, path: route, template, token, body, headers = {}, expect = [200, 201] }: Call): Promise<T> => {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!expect.includes(response.status)) throw new Error(`fuzz set-up: ${method} ${route} answered ${response.status}: ${text.slice(0, 1000)}`);
    if (body !== undefined) examples.set(`${method} ${template}`, [...(examples.get(`${method} ${template}`) ?? []), body]);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const upload = async (token: string, questionKey: string): Promise<string> => {
    const form = new FormData();
    form.set('questionKey', questionKey);
    form.set('file', new Blob([PDF_BYTES], { type: 'application/pdf' }), `${questionKey}.pdf`);
    const response = await fetch(`${server.url}/v1/supplier/response/evidence`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`fuzz set-up: evidence upload answered ${response.status}: ${text.slice(0, 500)}`);
    return (JSON.parse(text) as { evidence: { id: string } }).evidence.id;
  };
  const acme = JSON.parse(readFileSync(path.join(root, 'examples/acme-ai-answers.json'), 'utf8')) as Value;
  const bright = JSON.parse(readFileSync(path.join(root, 'examples/bright-analytics-answers.json'), 'utf8')) as Value;

  const setup = await call<{ user: { id: string }; token: string }>({
    method: 'POST',
    path: '/v1/setup',
    template: '/v1/setup',
    headers: { 'x-setup-token': FUZZ_SETUP_TOKEN },
    body: { organisationName: 'Fuzz Borough Council', adminEmail: 'admin@fuzz.example.gov.uk', adminName: 'Ada Admin' },
    expect: [201],
  });
  // The second organisation straight into the database: first-run setup makes only one.
  const other = await server.withDatabase(async (database) => {
    const created = await createOrganisationWithAdmin({ db: database.db, now: new Date(), organisationName: 'Other Borough Council', adminEmail: 'admin@other.example.gov.uk', adminName: 'Olu Other' });
    const key = await createApiKey({ db: database.db, now: new Date(), principal: { kind: 'system', organisationId: created.organisation.id, name: 'fuzz' }, name: 'Other contract system', scopes: ['procurements:read'] as Scope[] });
    return { token: created.token, userId: created.user.id, keyId: key.apiKey.id, keyToken: key.token };
  });

  const admin = setup.token;
  const as = (token: string) => ({ token });

  const user = async (name: string, email: string, role: string) =>
    call<{ user: { id: string }; token: string }>({ method: 'POST', path: '/v1/users', template: '/v1/users', ...as(admin), body: { name, email, role }, expect: [201] });
  const evaluator = await user('Eve Evaluator', 'eve@fuzz.example.gov.uk', 'evaluator');
  const moderator = await user('Mo Moderator', 'mo@fuzz.example.gov.uk', 'officer');
  const viewer = await user('Vi Viewer', 'vi@fuzz.example.gov.uk', 'viewer');
  const decoyUsers = [await user('Dee Decoy', 'dee@fuzz.example.gov.uk', 'officer'), await user('Dan Decoy', 'dan@fuzz.example.gov.uk', 'evaluator')];

  const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { components?: { schemas?: Record<string, { enum?: string[] }> } };
  const scopes = document.components?.schemas?.ScopeInput?.enum ?? document.components?.schemas?.Scope?.enum ?? ['scores:read', 'procurements:read'];
  const key = await call<{ apiKey: { id: string }; token: string }>({ method: 'POST', path: '/v1/api-keys', template: '/v1/api-keys', ...as(admin), body: { name: 'Fuzz contract system', scopes }, expect: [201] });
  const decoyKey = await call<{ apiKey: { id: string }; token: string }>({ method: 'POST', path: '/v1/api-keys', template: '/v1/api-keys', ...as(admin), body: { name: 'Decoy key', scopes: scopes.slice(0, 1) }, expect: [201] });
  const decoyToken = await call<{ personalToken: { id: string }; token: string }>({ method: 'POST', path: '/v1/me/tokens', template: '/v1/me/tokens', ...as(admin), body: { name: 'Decoy token' }, expect: [201] });

  const builtIn = (await call<{ items: Array<{ id: string }> }>({ method: 'GET', path: '/v1/questionnaires?builtIn=true', template: '/v1/questionnaires', ...as(admin) })).items[0]!.id;
  const definition = await call<{ definition?: { sections: Array<{ key: string; questions: Array<{ key: string; followUps?: unknown }> }>; triage: { questions: Array<{ key: string }> } } } & Record<string, unknown>>({
    method: 'GET',
    path: `/v1/questionnaires/${builtIn}/export`,
    template: '/v1/questionnaires/{id}/export',
    ...as(admin),
  });
  const exported = (definition.definition ?? definition) as unknown as { key: string; version: string; sections: Array<{ key: string }>; triage: { questions: Array<{ key: string }> } };
  const questionKeys = [...new Set([...JSON.stringify(exported).matchAll(/"key":"([a-z][a-z0-9_]*\.[a-z0-9_.]+)"/g)].map((m) => m[1]!))].filter((k) => !k.startsWith('triage.'));
  const draft = await call<{ id: string }>({ method: 'POST', path: '/v1/questionnaires', template: '/v1/questionnaires', ...as(admin), body: { ...(exported as object), key: 'fuzz-draft', version: '1.0.0' } as Value, expect: [201] });
  const decoyQuestionnaire = await call<{ id: string }>({ method: 'POST', path: `/v1/questionnaires/${builtIn}/clone`, template: '/v1/questionnaires/{id}/clone', ...as(admin), body: { key: 'fuzz-clone', title: 'Clone' }, expect: [201] });

  const deadline = new Date(Date.now() + 60 * DAY).toISOString();
  const procurement = async (title: string, panel: boolean) =>
    (
      await call<{ id: string }>({
        method: 'POST',
        path: '/v1/procurements',
        template: '/v1/procurements',
        ...as(admin),
        body: { title, reference: `FZ-${title.replace(/\W+/g, '-')}`, questionnaireId: builtIn, deadline, triage: TRIAGE, ...(panel ? { evaluatorIds: [evaluator.user.id], moderatorId: moderator.user.id } : {}) },
        expect: [201],
      })
    ).id;
  const open = (id: string) => call({ method: 'POST', path: `/v1/procurements/${id}/open`, template: '/v1/procurements/{id}/open', ...as(admin) });
  const invite = (procurementId: string, supplierName: string) =>
    call<{ id: string; responseId: string; token: string }>({
      method: 'POST',
      path: `/v1/procurements/${procurementId}/invitations`,
      template: '/v1/procurements/{id}/invitations',
      ...as(admin),
      body: { supplierName, contactEmail: `bids@${supplierName.toLowerCase().replace(/\W+/g, '')}.example` },
      expect: [201],
    });
  const answer = (token: string, answers: Value) => call({ method: 'PUT', path: '/v1/supplier/response/import', template: '/v1/supplier/response/import', token, body: answers });
  const evidenceOf = async (token: string) => {
    const ids: string[] = [];
    for (const q of FILE_QUESTIONS) ids.push(await upload(token, q));
    return ids;
  };
  const submit = (token: string) => call({ method: 'POST', path: '/v1/supplier/response/submit', template: '/v1/supplier/response/submit', token, body: { declaration: true } });

  // P1: open, with a submitted response (S1), a draft with answers (S2), a complete draft to submit and withdraw (S3), a decoy invitation.
  const main = await procurement('Council tax chatbot', true);
  await open(main);
  const s1 = await invite(main, 'Acme AI Ltd');
  await answer(s1.token, acme);
  const s1Evidence = await evidenceOf(s1.token);
  await submit(s1.token);
  const s2 = await invite(main, 'Bright Analytics Ltd');
  await answer(s2.token, bright);
  const s2Evidence = [await upload(s2.token, FILE_QUESTIONS[0]!)];
  await call({ method: 'PUT', path: '/v1/supplier/response/answers/data_protection.training_on_council_data', template: '/v1/supplier/response/answers/{questionKey}', token: s2.token, body: { value: 'never' } });
  await call({
    method: 'PATCH',
    path: '/v1/supplier/response/answers',
    template: '/v1/supplier/response/answers',
    token: s2.token,
    body: { answers: { 'security.cyber_essentials': { value: 'ce_plus' }, 'security.incident_notification_hours': { value: 24 }, 'data_protection.retention_days': { value: 30, comment: 'Logs only', confidential: true, confidentialReason: 'Commercial terms' } } },
  });
  const s3 = await invite(main, 'Decoy Submitter Ltd');
  await answer(s3.token, acme);
  await evidenceOf(s3.token);
  const decoyInvitation = await invite(main, 'Decoy Invitee Ltd');
  const clarification = await call<{ id: string }>({
    method: 'POST',
    path: `/v1/responses/${s1.responseId}/clarifications`,
    template: '/v1/responses/{id}/clarifications',
    ...as(admin),
    body: { questionKey: 'security.incident_notification_hours', question: 'Is that 24 calendar hours?', allowAmend: true },
    expect: [201],
  });

  // P2: in evaluation, both panel members declared, some marks and moderation done.
  const evaluation = await procurement('Social care triage', true);
  await open(evaluation);
  const s4 = await invite(evaluation, 'Acme AI Ltd');
  await answer(s4.token, acme);
  await evidenceOf(s4.token);
  await submit(s4.token);
  const s6 = await invite(evaluation, 'Bright Analytics Ltd');
  await answer(s6.token, bright);
  await evidenceOf(s6.token);
  await submit(s6.token);
  await call({ method: 'POST', path: `/v1/procurements/${evaluation}/close`, template: '/v1/procurements/{id}/close', ...as(admin) });
  await call({ method: 'POST', path: `/v1/procurements/${evaluation}/start-evaluation`, template: '/v1/procurements/{id}/start-evaluation', ...as(admin) });
  const declarations: string[] = [];
  for (const member of [evaluator, moderator]) {
    const declared = await call<{ id: string }>({
      method: 'POST',
      path: `/v1/procurements/${evaluation}/declarations`,
      template: '/v1/procurements/{id}/declarations',
      token: member.token,
      body: { hasConflict: false, details: 'No interest in any bidder.' },
      expect: [201],
    });
    declarations.push(declared.id);
  }
  const toMark = (await call<{ questionsToMark: string[] }>({ method: 'GET', path: `/v1/responses/${s4.responseId}/panel-view`, template: '/v1/responses/{id}/panel-view', token: evaluator.token })).questionsToMark;
  for (const q of toMark.slice(0, 3)) {
    await call({ method: 'PUT', path: `/v1/responses/${s4.responseId}/marks/${q}`, template: '/v1/responses/{id}/marks/{questionKey}', token: evaluator.token, body: { score: 3, justification: 'Specific and evidenced.' } });
    await call({ method: 'PUT', path: `/v1/responses/${s4.responseId}/moderation/${q}`, template: '/v1/responses/{id}/moderation/{questionKey}', token: moderator.token, body: { score: 3, rationale: 'Agreed.' } });
  }

  // Decoy procurements for the lifecycle operations: one draft, one open.
  const decoyDraft = await procurement('Decoy draft', false);
  const decoyOpen = await procurement('Decoy open', false);
  await open(decoyOpen);

  const webhook = await call<{ id: string }>({ method: 'POST', path: '/v1/webhooks', template: '/v1/webhooks', ...as(admin), body: { url: 'https://93.184.216.34/hooks/aidd', events: ['response.submitted', 'invitation.sent'] }, expect: [201] });
  const decoyWebhook = await call<{ id: string }>({ method: 'POST', path: '/v1/webhooks', template: '/v1/webhooks', ...as(admin), body: { url: 'https://93.184.216.34/hooks/decoy', events: ['procurement.opened'] }, expect: [201] });
  await open(await procurement('Event source', false)); // an event for the webhooks, so deliveries exist
  const deliveries = (await call<{ items: Array<{ id: string }> }>({ method: 'GET', path: `/v1/webhooks/${decoyWebhook.id}/deliveries`, template: '/v1/webhooks/{id}/deliveries', ...as(admin) })).items.map((d) => d.id);

  // The other organisation's things, made over HTTP with its own admin's token.
  const otherProcurement = (await call<{ id: string }>({ method: 'POST', path: '/v1/procurements', template: '/v1/procurements', token: other.token, body: { title: 'Other', questionnaireId: builtIn, deadline, triage: TRIAGE }, expect: [201] })).id;
  await call({ method: 'POST', path: `/v1/procurements/${otherProcurement}/open`, template: '/v1/procurements/{id}/open', token: other.token });
  const otherInvitation = await call<{ id: string; responseId: string; token: string }>({
    method: 'POST',
    path: `/v1/procurements/${otherProcurement}/invitations`,
    template: '/v1/procurements/{id}/invitations',
    token: other.token,
    body: { supplierName: 'Other Supplier Ltd', contactEmail: 'bids@other.example' },
    expect: [201],
  });
  const otherEvidence = await upload(otherInvitation.token, FILE_QUESTIONS[0]!);
  const otherWebhook = await call<{ id: string }>({ method: 'POST', path: '/v1/webhooks', template: '/v1/webhooks', token: other.token, body: { url: 'https://93.184.216.34/hooks/other', events: ['procurement.opened'] }, expect: [201] });
  const otherQuestionnaire = await call<{ id: string }>({ method: 'POST', path: `/v1/questionnaires/${builtIn}/clone`, template: '/v1/questionnaires/{id}/clone', token: other.token, body: { key: 'other-clone' }, expect: [201] });
  const otherClarification = await call<{ id: string }>({
    method: 'POST',
    path: `/v1/responses/${otherInvitation.responseId}/clarifications`,
    template: '/v1/responses/{id}/clarifications',
    token: other.token,
    body: { questionKey: 'security.incident_notification_hours', question: 'Calendar hours?' },
    expect: [201],
  }).catch(() => ({ id: '00000000-0000-4000-8000-000000000000' })); // a draft may not be asked: then an unknown id

  const otherTenantIds = [other.userId, other.keyId, otherProcurement, otherInvitation.id, otherInvitation.responseId, otherEvidence, otherWebhook.id, otherQuestionnaire.id, otherClarification.id];
  const ids: World['ids'] = {
    user: { all: [setup.user.id, evaluator.user.id, moderator.user.id, viewer.user.id, ...decoyUsers.map((u) => u.user.id), other.userId], decoys: [...decoyUsers.map((u) => u.user.id), other.userId] },
    apiKey: { all: [key.apiKey.id, decoyKey.apiKey.id, other.keyId], decoys: [decoyKey.apiKey.id, other.keyId] },
    token: { all: [decoyToken.personalToken.id], decoys: [decoyToken.personalToken.id] },
    questionnaire: { all: [builtIn, draft.id, decoyQuestionnaire.id, otherQuestionnaire.id], decoys: [draft.id, decoyQuestionnaire.id, otherQuestionnaire.id, builtIn] },
    procurement: { all: [main, evaluation, decoyDraft, decoyOpen, otherProcurement], decoys: [decoyDraft, decoyOpen, otherProcurement] },
    invitation: { all: [s1.id, s2.id, decoyInvitation.id, otherInvitation.id], decoys: [decoyInvitation.id, otherInvitation.id] },
    response: { all: [s1.responseId, s2.responseId, s3.responseId, s4.responseId, s6.responseId, otherInvitation.responseId], decoys: [s4.responseId, s6.responseId, otherInvitation.responseId] },
    evidence: { all: [...s1Evidence.slice(0, 2), ...s2Evidence, otherEvidence], decoys: [...s2Evidence, otherEvidence] },
    clarification: { all: [clarification.id, otherClarification.id], decoys: [clarification.id, otherClarification.id] },
    declaration: { all: declarations, decoys: declarations },
    webhook: { all: [webhook.id, decoyWebhook.id, otherWebhook.id], decoys: [decoyWebhook.id, otherWebhook.id] },
    delivery: { all: deliveries.length > 0 ? deliveries : ['00000000-0000-4000-8000-000000000001'], decoys: deliveries.length > 0 ? deliveries : ['00000000-0000-4000-8000-000000000001'] },
  };

  for (const kind of Object.values(ids)) {
    for (const list of [kind.all, kind.decoys]) if (list.some((id) => typeof id !== 'string')) throw new Error(`fuzz set-up: an id is missing in ${JSON.stringify(ids)}`);
  }
  return {
    staff: [
      { label: 'admin', token: admin, kind: 'staff' },
      { label: 'api key (every scope)', token: key.token, kind: 'staff' },
      { label: 'evaluator', token: evaluator.token, kind: 'staff' },
      { label: 'moderator (officer)', token: moderator.token, kind: 'staff' },
      { label: 'viewer', token: viewer.token, kind: 'staff' },
      { label: 'other organisation admin', token: other.token, kind: 'staff' },
      { label: 'other organisation key', token: other.keyToken, kind: 'staff' },
    ],
    suppliers: [
      { label: 'supplier, submitted', token: s1.token, kind: 'supplier' },
      { label: 'supplier, draft', token: s2.token, kind: 'supplier' },
      { label: 'supplier, complete draft', token: s3.token, kind: 'supplier' },
      { label: 'supplier in evaluation', token: s4.token, kind: 'supplier' },
      { label: 'other organisation supplier', token: otherInvitation.token, kind: 'supplier' },
    ],
    deadTokens: ['aidd_pat_' + 'A'.repeat(43), 'aidd_inv_' + 'B'.repeat(43), 'aidd_key_' + 'C'.repeat(43), decoyKey.token, decoyToken.token, decoyInvitation.token],
    setupToken: FUZZ_SETUP_TOKEN,
    ids,
    questionKeys,
    triageKeys: Object.keys(TRIAGE),
    sectionKeys: exported.sections.map((s) => s.key),
    emails: ['eve@fuzz.example.gov.uk', 'new@fuzz.example.gov.uk', 'admin@other.example.gov.uk'],
    examples,
    otherTenantIds,
  };
}
