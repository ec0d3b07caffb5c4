import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError, type FieldProblem } from '../../platform/errors';
import { getQuestionnaire, listQuestionnaires, type QuestionnaireDefinition, type QuestionnaireSummary } from '../questionnaires';
import { defaultWeights } from './procurements.models';
import { createProcurementSchema, updateProcurementSchema } from './procurements.schemas';
import * as usecases from './procurements.usecases';
import type { Loaded, ProcurementWeb } from './web.context';
import {
  detailsErrors,
  detailsFromProcurement,
  emptyDetails,
  messageFor,
  newestBuiltIn,
  panelErrors,
  panelFields,
  questionnaireChoices,
  readDeadline,
  readDetailsForm,
  readPanelForm,
  readTriageForm,
  readWeightsForm,
  tierName,
  triageErrors,
  triageFields,
  triageFromProcurement,
  weightFields,
  weightsErrors,
  weightsTotal,
  zodProblems,
  type DetailsTyped,
  type PageError,
  type TriageTyped,
} from './web.models';

/**
 * A draft's forms: create one (questionnaire, title, reference, description, deadline), change
 * those details, the triage answers (and the risk tier they give), the section weights and the
 * panel. The form is parsed by the API's own schema, then the use case applies its rules; their
 * problems come back as GOV.UK errors on the fields. Only a draft can change: the use case
 * refuses anything else, and the pages of one that is no longer a draft lead back to it.
 */

// A deadline the schema accepts, for checking the other fields while the typed one is not a date yet.
const SOME_INSTANT = '2000-01-01T00:00:00.000Z';

/** What a refusal without field problems says on the page, by code; anything else is said as the use case put it. */
const PAGE_LEVEL: Record<string, string> = {
  'procurements.stale': 'Someone changed this procurement after you opened this page. Check it and make your change again.',
  'procurements.not_draft': 'Only a draft procurement can be changed. Once open, its questionnaire, triage, weights and deadline are what suppliers were told.',
};

/** A refusal as page errors: the field problems, through `toErrors`, or one line for the whole page. */
function refusalErrors(error: AppError, toErrors: (problems: FieldProblem[]) => PageError[]): PageError[] {
  if (error.code === 'procurements.reference_taken') return [{ href: '#reference', text: 'That reference is already used by another procurement: enter a different one or leave it blank' }];
  if (error.errors && error.errors.length > 0) {
    const mapped = toErrors(error.errors);
    if (mapped.length > 0) return mapped;
  }
  return [{ href: '#main-content', text: PAGE_LEVEL[error.code] ?? error.detail }];
}

/** A use case's refusals that a person can put right on the page (422, 409, 412); anything else is not theirs to fix. */
const correctable = (error: unknown): error is AppError => isAppError(error) && [409, 412, 422].includes(error.status);

export function registerDraftPages(web: FastifyInstance, pages: ProcurementWeb): void {
  const { staff, db, ctx, canChange, render, notAllowed, load, forChange, versionOf, done, noticeFor } = pages;
  const guarded = { preHandler: staff.requireStaff };

  /** Published, unarchived questionnaires the user's council may use, built-in ones included. */
  async function usableQuestionnaires(request: FastifyRequest): Promise<QuestionnaireSummary[]> {
    const found: QuestionnaireSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await listQuestionnaires({ db, principal: ctx(request).principal, limit: 100, cursor, status: 'published', includeArchived: false });
      found.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return found;
  }

  /** The triage answers to the questions `questionnaireId` also asks (all of them when it cannot be read: the use case then says why). */
  async function triageKeptFor(request: FastifyRequest, questionnaireId: string, triage: usecases.ProcurementDto['triage']): Promise<usecases.ProcurementDto['triage']> {
    let keys: Set<string>;
    try {
      keys = new Set((await getQuestionnaire({ db, principal: ctx(request).principal, id: questionnaireId })).definition.triage.questions.map((q) => q.key));
    } catch (error) {
      if (isAppError(error)) return triage;
      throw error;
    }
    return Object.fromEntries(Object.entries(triage).filter(([key]) => keys.has(key)));
  }

  /** A GET of a draft's form: the loaded draft, or null once the page has been answered (404, 403, or back to a procurement that is no longer a draft). */
  async function draftForm(request: FastifyRequest, reply: FastifyReply): Promise<Loaded | null> {
    const loaded = await load(request, reply);
    if (!loaded) return null;
    const base = `/procurements/${loaded.procurement.id}`;
    if (!canChange(request)) {
      await notAllowed(request, reply, base);
      return null;
    }
    if (loaded.procurement.status !== 'draft') {
      await reply.redirect(base, 303);
      return null;
    }
    return loaded;
  }

  // ── Details: create, and change ──

  async function renderDetails(
    request: FastifyRequest,
    reply: FastifyReply,
    { procurement, typed, errors = [], deadlineParts = [] }: { procurement: usecases.ProcurementDto | null; typed: DetailsTyped; errors?: PageError[]; deadlineParts?: string[] },
  ) {
    const available = await usableQuestionnaires(request);
    if (procurement && !available.some((q) => q.id === procurement.questionnaire.id)) {
      // The pinned version, even if it has since been archived: the use case says whether it can still be used.
      available.unshift({ id: procurement.questionnaire.id, title: procurement.questionnaire.title, version: procurement.questionnaire.version, builtIn: false, sectionCount: 0, questionCount: 0 } as QuestionnaireSummary);
    }
    const dateError = errors.find((e) => ['#deadline-day', '#deadline-month', '#deadline-year'].includes(e.href));
    return render(
      request,
      reply,
      'details.njk',
      {
        title: procurement ? 'Change the procurement’s details' : 'Create a procurement',
        backLink: { href: procurement ? `/procurements/${procurement.id}` : '/procurements' },
        procurement,
        action: procurement ? `/procurements/${procurement.id}/details` : '/procurements/new',
        version: procurement?.version,
        button: procurement ? 'Save details' : 'Create procurement',
        cancelHref: procurement ? `/procurements/${procurement.id}` : '/procurements',
        // A new procurement starts on the newest built-in version; a draft keeps the version it pinned.
        questionnaires: questionnaireChoices(available, typed.questionnaireId || (procurement === null && errors.length === 0 ? newestBuiltIn(available) : '')),
        typed,
        errors,
        fieldErrors: {
          questionnaireId: messageFor(errors, '#questionnaireId'),
          title: messageFor(errors, '#title'),
          reference: messageFor(errors, '#reference'),
          description: messageFor(errors, '#description'),
          deadlineDate: dateError ? { text: dateError.text } : undefined,
          deadlineTime: messageFor(errors, '#deadline-time'),
        },
        deadlineParts: Object.fromEntries(['day', 'month', 'year'].map((part) => [part, deadlineParts.includes(part) || (dateError !== undefined && deadlineParts.length === 0)])),
      },
      errors.length > 0 ? 400 : 200,
    );
  }

  /** The typed deadline and the schema's verdict on the details; the errors in the page's order. */
  function checkDetails(typed: DetailsTyped, schema: 'create' | 'update', changes: Record<string, unknown>) {
    const deadline = readDeadline(typed.deadline);
    const body = { ...changes, ...('deadline' in changes ? { deadline: deadline.iso ?? SOME_INSTANT } : {}) };
    const parsed = schema === 'create' ? createProcurementSchema.safeParse(body) : updateProcurementSchema.safeParse(body);
    const problems = parsed.success ? [] : zodProblems(parsed.error.issues).filter((p) => p.path !== '/body');
    const fieldErrors = detailsErrors(problems, typed);
    // In the page's order: questionnaire, title, reference, description, then the deadline.
    const errors = [...fieldErrors.filter((e) => !e.href.startsWith('#deadline')), ...deadline.errors.map(({ href, text }) => ({ href, text })), ...fieldErrors.filter((e) => e.href.startsWith('#deadline'))];
    return { deadline, parsed, errors, deadlineParts: deadline.errors.flatMap((e) => e.parts) };
  }

  web.get('/procurements/new', guarded, async (request, reply) => {
    if (!canChange(request)) return notAllowed(request, reply, '/procurements');
    return renderDetails(request, reply, { procurement: null, typed: emptyDetails() });
  });

  web.post('/procurements/new', guarded, async (request, reply) => {
    const form = pages.formOf(request);
    if (!staff.csrfOk(request, form._csrf)) return staff.csrfRefused(request, reply);
    if (!canChange(request)) return notAllowed(request, reply, '/procurements');
    const typed = readDetailsForm(form);
    const input = { title: typed.title, questionnaireId: typed.questionnaireId, deadline: '', ...(typed.reference ? { reference: typed.reference } : {}), ...(typed.description ? { description: typed.description } : {}) };
    const checked = checkDetails(typed, 'create', input);
    if (checked.errors.length > 0 || !checked.parsed.success) return renderDetails(request, reply, { procurement: null, typed, errors: checked.errors, deadlineParts: checked.deadlineParts });
    let created;
    try {
      created = await usecases.createProcurement({ ...ctx(request), input: createProcurementSchema.parse({ ...input, deadline: checked.deadline.iso }) });
    } catch (error) {
      if (!correctable(error)) throw error;
      return renderDetails(request, reply, { procurement: null, typed, errors: refusalErrors(error, (problems) => detailsErrors(problems, typed)) });
    }
    return done(request, reply, `/procurements/${created.id}`, 'Procurement created as a draft. Next, describe the use case.');
  });

  web.get('/procurements/:id/details', guarded, async (request, reply) => {
    const loaded = await draftForm(request, reply);
    if (!loaded) return reply;
    return renderDetails(request, reply, { procurement: loaded.procurement, typed: detailsFromProcurement(loaded.procurement) });
  });

  web.post('/procurements/:id/details', guarded, async (request, reply) => {
    const found = await forChange(request, reply);
    if (!found) return reply;
    const { procurement: p, form } = found;
    const typed = readDetailsForm(form);
    const before = detailsFromProcurement(p);
    // Only what changed goes to the use case: a questionnaire sent again, even the same one, would reset the weights.
    const changes: Record<string, unknown> = {};
    if (typed.questionnaireId !== before.questionnaireId) changes.questionnaireId = typed.questionnaireId;
    if (typed.title !== before.title) changes.title = typed.title;
    if (typed.reference !== before.reference) changes.reference = typed.reference === '' ? null : typed.reference;
    if (typed.description !== before.description) changes.description = typed.description;
    if (JSON.stringify(typed.deadline) !== JSON.stringify(before.deadline)) changes.deadline = '';
    const checked = checkDetails(typed, 'update', changes);
    if (checked.errors.length > 0) return renderDetails(request, reply, { procurement: p, typed, errors: checked.errors, deadlineParts: checked.deadlineParts });
    if (Object.keys(changes).length === 0) return reply.redirect(`/procurements/${p.id}`, 303);
    // Triage questions belong to a questionnaire: another one keeps only the answers to questions it also asks.
    if ('questionnaireId' in changes) changes.triage = await triageKeptFor(request, typed.questionnaireId, p.triage);
    try {
      await usecases.updateDraft({ ...ctx(request), id: p.id, ifMatch: versionOf(form), changes: updateProcurementSchema.parse({ ...changes, ...('deadline' in changes ? { deadline: checked.deadline.iso } : {}) }) });
    } catch (error) {
      if (!correctable(error)) throw error;
      return renderDetails(request, reply, { procurement: p, typed, errors: refusalErrors(error, (problems) => detailsErrors(problems, typed)) });
    }
    return done(request, reply, `/procurements/${p.id}`, 'Details saved.');
  });

  // ── Triage ──

  async function renderTriage(request: FastifyRequest, reply: FastifyReply, { procurement: p, definition, typed, errors = [] }: { procurement: usecases.ProcurementDto; definition: QuestionnaireDefinition; typed: TriageTyped; errors?: PageError[] }) {
    const path = `/procurements/${p.id}/triage`;
    return render(
      request,
      reply,
      'triage.njk',
      {
        title: 'Describe the use case',
        backLink: { href: `/procurements/${p.id}` },
        notice: errors.length === 0 ? noticeFor(request, reply, path) : undefined,
        procurement: p,
        action: path,
        version: p.version,
        tier: tierName(p.riskTier),
        tierReason: p.riskTierReason,
        fields: triageFields(definition, typed, errors),
        errors,
      },
      errors.length > 0 ? 400 : 200,
    );
  }

  web.get('/procurements/:id/triage', guarded, async (request, reply) => {
    const loaded = await draftForm(request, reply);
    if (!loaded) return reply;
    return renderTriage(request, reply, { procurement: loaded.procurement, definition: loaded.definition, typed: triageFromProcurement(loaded.procurement.triage) });
  });

  web.post('/procurements/:id/triage', guarded, async (request, reply) => {
    const found = await forChange(request, reply);
    if (!found) return reply;
    const { procurement: p, definition, form } = found;
    const { triage, typed } = readTriageForm(definition, form);
    const parsed = updateProcurementSchema.safeParse({ triage });
    if (!parsed.success) return renderTriage(request, reply, { procurement: p, definition, typed, errors: triageErrors(definition, zodProblems(parsed.error.issues)) });
    let updated;
    try {
      updated = await usecases.updateDraft({ ...ctx(request), id: p.id, ifMatch: versionOf(form), changes: parsed.data });
    } catch (error) {
      if (!correctable(error)) throw error;
      return renderTriage(request, reply, { procurement: p, definition, typed, errors: refusalErrors(error, (problems) => triageErrors(definition, problems)) });
    }
    const tierChanged = updated.riskTier !== p.riskTier;
    return done(request, reply, `/procurements/${p.id}/triage`, `Triage answers saved. The risk tier is ${tierChanged ? 'now ' : ''}${tierName(updated.riskTier).toLowerCase()}, and the section weights are the defaults for it.`);
  });

  // ── Weights ──

  async function renderWeights(request: FastifyRequest, reply: FastifyReply, { procurement: p, definition, typed, errors = [] }: { procurement: usecases.ProcurementDto; definition: QuestionnaireDefinition; typed: Record<string, string>; errors?: PageError[] }) {
    return render(
      request,
      reply,
      'weights.njk',
      {
        title: 'Set the section weights',
        backLink: { href: `/procurements/${p.id}` },
        procurement: p,
        action: `/procurements/${p.id}/weights`,
        version: p.version,
        tier: tierName(p.riskTier),
        fields: weightFields(definition, typed, errors),
        total: weightsTotal(typed),
        errors,
      },
      errors.length > 0 ? 400 : 200,
    );
  }

  const typedWeights = (weights: Record<string, number>) => Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, String(v)]));

  web.get('/procurements/:id/weights', guarded, async (request, reply) => {
    const loaded = await draftForm(request, reply);
    if (!loaded) return reply;
    return renderWeights(request, reply, { procurement: loaded.procurement, definition: loaded.definition, typed: typedWeights(loaded.procurement.weights) });
  });

  web.post('/procurements/:id/weights', guarded, async (request, reply) => {
    const found = await forChange(request, reply);
    if (!found) return reply;
    const { procurement: p, definition, form } = found;
    const read = form.action === 'defaults' ? { weights: defaultWeights(definition, p.riskTier), typed: typedWeights(defaultWeights(definition, p.riskTier)) } : readWeightsForm(definition, form);
    const parsed = updateProcurementSchema.safeParse({ weights: read.weights });
    if (!parsed.success) return renderWeights(request, reply, { procurement: p, definition, typed: read.typed, errors: weightsErrors(definition, zodProblems(parsed.error.issues), read.typed) });
    try {
      await usecases.updateDraft({ ...ctx(request), id: p.id, ifMatch: versionOf(form), changes: parsed.data });
    } catch (error) {
      if (!correctable(error)) throw error;
      return renderWeights(request, reply, { procurement: p, definition, typed: read.typed, errors: refusalErrors(error, (problems) => weightsErrors(definition, problems, read.typed)) });
    }
    return done(request, reply, `/procurements/${p.id}`, form.action === 'defaults' ? `Section weights reset to the defaults for the ${tierName(p.riskTier).toLowerCase()} tier.` : 'Section weights saved.');
  });

  // ── Panel ──

  async function renderPanel(request: FastifyRequest, reply: FastifyReply, { procurement: p, chosen, errors = [] }: { procurement: usecases.ProcurementDto; chosen: { evaluatorIds: string[]; moderatorId: string | null }; errors?: PageError[] }) {
    const candidates = await usecases.panelCandidates(ctx(request));
    const fields = panelFields({ candidates, ...chosen });
    return render(
      request,
      reply,
      'panel.njk',
      {
        title: 'Name the evaluation panel',
        backLink: { href: `/procurements/${p.id}` },
        procurement: p,
        action: `/procurements/${p.id}/panel`,
        version: p.version,
        evaluators: fields.evaluators,
        moderators: fields.moderators,
        errors,
        fieldErrors: { evaluatorIds: messageFor(errors, '#evaluatorIds'), moderatorId: messageFor(errors, '#moderatorId') },
      },
      errors.length > 0 ? 400 : 200,
    );
  }

  web.get('/procurements/:id/panel', guarded, async (request, reply) => {
    const loaded = await draftForm(request, reply);
    if (!loaded) return reply;
    const p = loaded.procurement;
    return renderPanel(request, reply, { procurement: p, chosen: { evaluatorIds: p.evaluatorIds, moderatorId: p.moderatorId } });
  });

  web.post('/procurements/:id/panel', guarded, async (request, reply) => {
    const found = await forChange(request, reply);
    if (!found) return reply;
    const { procurement: p, form } = found;
    const chosen = readPanelForm(form);
    const parsed = updateProcurementSchema.safeParse(chosen);
    if (!parsed.success) return renderPanel(request, reply, { procurement: p, chosen, errors: panelErrors(zodProblems(parsed.error.issues)) });
    try {
      await usecases.updateDraft({ ...ctx(request), id: p.id, ifMatch: versionOf(form), changes: parsed.data });
    } catch (error) {
      if (!correctable(error)) throw error;
      return renderPanel(request, reply, { procurement: p, chosen, errors: refusalErrors(error, panelErrors) });
    }
    return done(request, reply, `/procurements/${p.id}`, 'Evaluation panel saved.');
  });
}
