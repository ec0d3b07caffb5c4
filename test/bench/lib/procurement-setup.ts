// One procurement on S2's 150-question questionnaire (test/bench/lib/scoring-fixture.ts), set up
// through the real HTTP API: the questionnaire imported and published, the procurement opened, one
// invitation per supplier with all its answers (one bulk PATCH each) and evidence PDFs, every
// response submitted (which computes and stores its evaluation), the procurement closed; then,
// optionally, the fixture's moderated marks. Shared by S2 (scoring) and S3 (reports).
import { performance } from 'node:perf_hooks';
import { call, forEachLimit } from './http';
import { fmt } from './load';
import { QUESTIONS_PER_SECTION, scoringDefinitionInput, SECTIONS, TIER, TRIAGE, type SupplierData } from './scoring-fixture';

const QUESTIONS = SECTIONS * QUESTIONS_PER_SECTION;

/** The smallest well-formed PDF: enough for content sniffing to call it application/pdf. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

async function uploadEvidence(base: string, token: string, questionKey: string): Promise<void> {
  const form = new FormData();
  form.set('questionKey', questionKey);
  form.set('file', new Blob([PDF], { type: 'application/pdf' }), `${questionKey}.pdf`);
  const response = await fetch(`${base}/v1/supplier/response/evidence`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /v1/supplier/response/evidence (${questionKey}) answered ${response.status}: ${text.slice(0, 1000)}`);
}

export const supplierName = (i: number) => `Bench Supplier ${i + 1} Ltd`;

export type ProcurementSetup = {
  procurementId: string;
  /** Response ids in supplier order. */
  responseIds: string[];
  seconds: number;
  evidenceFiles: number;
  moderations: number;
  moderationMs: number[];
  moderationSeconds: number;
};

/**
 * Sets the procurement up, 10 suppliers at a time; throws once `deadlineAt` (a `performance.now()`
 * time) has passed. `marks: 'api'` then puts every moderated mark of the fixture through
 * PUT /v1/responses/{id}/moderation/{key} (each call recomputes and stores that evaluation).
 */
export async function setUpProcurement(
  base: string,
  adminToken: string,
  suppliers: SupplierData[],
  { title, marks, deadlineAt }: { title: string; marks: 'api' | 'none'; deadlineAt: number },
): Promise<ProcurementSetup> {
  const started = performance.now();
  const checkBudget = () => {
    if (performance.now() > deadlineAt) throw new Error(`setup still running after ${fmt((performance.now() - started) / 1000, 0)} s, past the scenario's budget; given up`);
  };
  const me = await call<{ user: { id: string } }>(base, adminToken, 'GET', '/v1/me');
  const imported = await call<{ id: string; questionCount: number }>(base, adminToken, 'POST', '/v1/questionnaires', scoringDefinitionInput(), [201]);
  if (imported.questionCount !== QUESTIONS) throw new Error(`imported ${imported.questionCount} questions, not ${QUESTIONS}`);
  await call(base, adminToken, 'POST', `/v1/questionnaires/${imported.id}/publish`);
  const deadline = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
  const procurement = await call<{ id: string; riskTier: string }>(
    base,
    adminToken,
    'POST',
    '/v1/procurements',
    { title, questionnaireId: imported.id, deadline, triage: TRIAGE, moderatorId: me.user.id },
    [201],
  );
  if (procurement.riskTier !== TIER) throw new Error(`the procurement's tier is ${procurement.riskTier}, not ${TIER}`);
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/open`);
  let evidenceFiles = 0;
  const responseIds: string[] = new Array(suppliers.length);
  await forEachLimit(suppliers, 10, async (supplier, i) => {
    checkBudget();
    const invited = await call<{ token: string; responseId: string }>(
      base,
      adminToken,
      'POST',
      `/v1/procurements/${procurement.id}/invitations`,
      { supplierName: supplierName(i), contactEmail: `bids${i + 1}@supplier${i + 1}.example` },
      [201],
    );
    responseIds[i] = invited.responseId;
    // Every question is visible and required here: all of them in one all-or-nothing save.
    const answers = Object.fromEntries(Object.entries(supplier.answers).map(([key, value]) => [key, { value }]));
    await call(base, invited.token, 'PATCH', '/v1/supplier/response/answers', { answers });
    for (const [key, files] of Object.entries(supplier.evidence)) {
      for (let n = 0; n < files; n += 1) {
        await uploadEvidence(base, invited.token, key);
        evidenceFiles += 1;
      }
    }
    await call(base, invited.token, 'POST', '/v1/supplier/response/submit', { declaration: true });
  });
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/close`);

  // The fixture's moderated marks, by the admin as the procurement's declared moderator: the
  // consensus marks of the long-text questions and the few overrides. Each call recomputes and
  // stores that response's evaluation.
  const moderationStarted = performance.now();
  const moderationMs: number[] = [];
  if (marks === 'api') {
    await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/start-evaluation`);
    await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/declarations`, { hasConflict: false, details: 'None' }, [201]);
    await forEachLimit(suppliers, 10, async (supplier, i) => {
      for (const [key, mark] of Object.entries(supplier.marks)) {
        checkBudget();
        const t = performance.now();
        await call(base, adminToken, 'PUT', `/v1/responses/${responseIds[i]}/moderation/${key}`, { score: mark.score, rationale: mark.rationale });
        moderationMs.push(performance.now() - t);
      }
    });
  }
  return {
    procurementId: procurement.id,
    responseIds,
    seconds: (performance.now() - started) / 1000,
    evidenceFiles,
    moderations: moderationMs.length,
    moderationMs,
    moderationSeconds: (performance.now() - moderationStarted) / 1000,
  };
}
