import { recordAudit } from '../../platform/audit';
import { emitEvent, type EventType } from '../../platform/events';
import { actorOf, type Actor, type Principal } from '../../platform/auth';
import { inTransaction, isUniqueViolation, type Db } from '../../platform/db';
import type { Page } from '../../platform/pagination';
import { activeUsersAmong, listUsers } from '../accounts';
import { computeRiskTier, getQuestionnaire, type Answers, type QuestionnaireDefinition, type RiskTier } from '../questionnaires';
import { procurementsErrors } from './procurements.errors';
import { checkTriage, checkWeights, defaultWeights, missingTriage, nextStatus, type ProcurementStatus, type TransitionName, type TriageValue } from './procurements.models';
import * as repo from './procurements.repository';

type Ctx = { db: Db; now: Date; principal: Principal };

export type ProcurementDto = {
  id: string;
  title: string;
  reference: string | null;
  description: string;
  status: ProcurementStatus;
  questionnaire: { id: string; key: string; version: string; title: string };
  triage: Record<string, TriageValue>;
  riskTier: RiskTier;
  riskTierReason: string;
  weights: Record<string, number>;
  deadline: string;
  /** When it closes by itself: the deadline, or later when one supplier has been given more time. */
  closesAt: string;
  evaluatorIds: string[];
  moderatorId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  openedAt: string | null;
  closedAt: string | null;
  decidedAt: string | null;
  cancelledAt: string | null;
  /** What its OCDS award release discloses of the bids: who bid, with their scores, or with their non-confidential answers too. */
  ocdsDisclosure: OcdsDisclosure;
};

export type OcdsDisclosure = repo.ProcurementRow['ocdsDisclosure'];

const iso = (d: Date | null) => d?.toISOString() ?? null;

async function toDto(ctx: { db: Db; principal: Principal }, row: repo.ProcurementRow): Promise<ProcurementDto> {
  return dtoOf(row, await getQuestionnaire({ db: ctx.db, principal: ctx.principal, id: row.questionnaireId }));
}

function dtoOf(row: repo.ProcurementRow, q: { id: string; key: string; version: string; title: string }): ProcurementDto {
  return {
    id: row.id,
    title: row.title,
    reference: row.reference,
    description: row.description,
    status: row.status,
    questionnaire: { id: q.id, key: q.key, version: q.version, title: q.title },
    triage: row.triage,
    riskTier: row.riskTier,
    riskTierReason: row.riskTierReason,
    weights: row.weights,
    deadline: row.deadline.toISOString(),
    closesAt: closesAt(row).toISOString(),
    evaluatorIds: row.evaluatorIds,
    moderatorId: row.moderatorId,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    openedAt: iso(row.openedAt),
    closedAt: iso(row.closedAt),
    decidedAt: iso(row.decidedAt),
    cancelledAt: iso(row.cancelledAt),
    ocdsDisclosure: row.ocdsDisclosure,
  };
}

/** A questionnaire a new procurement may pin: readable, published and not archived. */
async function usableQuestionnaire(ctx: Ctx, id: string): Promise<QuestionnaireDefinition> {
  let q;
  try {
    q = await getQuestionnaire({ db: ctx.db, principal: ctx.principal, id });
  } catch {
    throw procurementsErrors.questionnaireNotUsable('No questionnaire with that id is visible to your organisation.');
  }
  if (q.status !== 'published') throw procurementsErrors.questionnaireNotUsable('Publish the questionnaire first: bidders must answer a version that cannot change.');
  if (q.archived) throw procurementsErrors.questionnaireNotUsable('That questionnaire is archived.');
  return q.definition;
}

async function checkPeople(ctx: Ctx, evaluatorIds: string[], moderatorId: string | null): Promise<void> {
  const wanted = [...new Set([...evaluatorIds, ...(moderatorId ? [moderatorId] : [])])];
  const found = await activeUsersAmong({ db: ctx.db, organisationId: ctx.principal.organisationId, ids: wanted });
  const problems = [
    ...evaluatorIds.map((id, i) => (found.has(id) ? null : { path: `/body/evaluatorIds/${i}`, message: 'is not an active user of your organisation' })),
    moderatorId && !found.has(moderatorId) ? { path: '/body/moderatorId', message: 'is not an active user of your organisation' } : null,
  ].filter((p): p is { path: string; message: string } => p !== null);
  if (problems.length > 0) throw procurementsErrors.unknownUsers(problems);
}

type Settings = {
  questionnaireId: string;
  triage: Record<string, TriageValue>;
  weights?: Record<string, number> | undefined;
  deadline: string;
};

/** Tier from triage, and weights: the ones given (checked) or the questionnaire's defaults for the tier. */
function settle(ctx: Ctx, definition: QuestionnaireDefinition, settings: Settings) {
  const triageProblems = checkTriage({ definition, triage: settings.triage });
  if (triageProblems.length > 0) throw procurementsErrors.invalidTriage(triageProblems);
  // The stored reason names the triage answers that set the tier, not every trigger of the tier's rule.
  const { tier, trigger: reason } = computeRiskTier({ definition, triage: settings.triage as Answers });
  const weights = settings.weights ?? defaultWeights(definition, tier);
  const weightProblems = checkWeights({ definition, weights });
  if (weightProblems.length > 0) throw procurementsErrors.invalidWeights(weightProblems);
  const deadline = new Date(settings.deadline);
  if (deadline <= ctx.now) throw procurementsErrors.deadlineInPast();
  return { riskTier: tier, riskTierReason: reason, weights, deadline };
}

const audit = (ctx: Ctx | (Omit<Ctx, 'principal'> & { principal: Principal; actor: Actor }), action: string, row: repo.ProcurementRow, details: Record<string, unknown> = {}) =>
  recordAudit({
    db: ctx.db,
    organisationId: row.organisationId,
    actor: 'actor' in ctx ? ctx.actor : actorOf(ctx.principal),
    action,
    subject: { type: 'procurement', id: row.id },
    details: { status: row.status, ...details },
    now: ctx.now,
  });

export async function createProcurement(
  ctx: Ctx & {
    input: Settings & { title: string; reference?: string | undefined; description?: string | undefined; evaluatorIds?: string[] | undefined; moderatorId?: string | null | undefined };
  },
): Promise<ProcurementDto> {
  const { input } = ctx;
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const definition = await usableQuestionnaire(scoped, input.questionnaireId);
    const settled = settle(scoped, definition, input);
    const evaluatorIds = [...new Set(input.evaluatorIds ?? [])];
    await checkPeople(scoped, evaluatorIds, input.moderatorId ?? null);
    let row;
    try {
      row = await repo.insertProcurement({
        db: tx,
        values: {
          organisationId: ctx.principal.organisationId,
          title: input.title.trim(),
          reference: input.reference?.trim() || null,
          description: input.description ?? '',
          questionnaireId: input.questionnaireId,
          triage: input.triage,
          ...settled,
          status: 'draft',
          evaluatorIds,
          moderatorId: input.moderatorId ?? null,
          createdBy: actorOf(ctx.principal).id,
          createdAt: ctx.now,
          updatedAt: ctx.now,
        },
      });
    } catch (error) {
      if (isUniqueViolation(error, 'procurements_organisation_reference')) throw procurementsErrors.referenceTaken();
      throw error;
    }
    await audit(scoped, 'procurement.created', row, { riskTier: row.riskTier, questionnaireId: row.questionnaireId });
    return toDto(scoped, row);
  });
}

function closesAt(row: repo.ProcurementRow): Date {
  return row.latestExtension && row.latestExtension > row.deadline ? row.latestExtension : row.deadline;
}

/**
 * Keeps an open procurement open until `until`, because one supplier has been given until then.
 * Called by the responses module inside its own transaction when an officer extends a deadline.
 */
export async function keepOpenUntil(ctx: Ctx & { id: string; until: Date }): Promise<void> {
  const row = await repo.findProcurement({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.id, forUpdate: true });
  if (!row) throw procurementsErrors.notFound();
  if (row.latestExtension && row.latestExtension >= ctx.until) return;
  await repo.updateProcurement({ db: ctx.db, id: row.id, changes: { latestExtension: ctx.until, updatedAt: ctx.now, version: row.version + 1 } });
}

const STATUS_EVENTS: Partial<Record<repo.ProcurementRow['status'], EventType>> = { open: 'procurement.opened', closed: 'procurement.closed', cancelled: 'procurement.cancelled', decided: 'procurement.decided' };

/** The webhook event of a status an integrator cares about, in the transition's transaction. */
async function emitStatusEvent({ db, row, now }: { db: Db; row: repo.ProcurementRow; now: Date }): Promise<void> {
  const type = STATUS_EVENTS[row.status];
  if (type) await emitEvent({ db, organisationId: row.organisationId, type, subject: { type: 'procurement', id: row.id }, data: { procurementId: row.id, version: row.version }, now });
}

/**
 * Deadlines close procurements lazily: whoever reads an open procurement past its deadline closes it,
 * in its own transaction, recorded as done by the system.
 */
async function closeIfDue(ctx: Ctx, row: repo.ProcurementRow): Promise<repo.ProcurementRow> {
  if (row.status !== 'open' || closesAt(row) > ctx.now) return row;
  return inTransaction(ctx.db, async (tx) => {
    const locked = await repo.findProcurement({ db: tx, organisationId: row.organisationId, id: row.id, forUpdate: true });
    if (!locked || locked.status !== 'open' || closesAt(locked) > ctx.now) return locked ?? row;
    const closed = await repo.updateProcurement({ db: tx, id: row.id, changes: { status: 'closed', closedAt: closesAt(locked), updatedAt: ctx.now, version: locked.version + 1 } });
    await audit({ ...ctx, db: tx, actor: { type: 'system', id: 'deadline' } }, 'procurement.closed', closed, { reason: 'deadline passed' });
    await emitStatusEvent({ db: tx, row: closed, now: ctx.now });
    return closed;
  });
}

/**
 * Closes every open procurement whose deadline has passed, as a read would, so the close (and its
 * `procurement.closed` event) happens at the deadline even when nobody is looking. Returns how many.
 */
export async function closeDueProcurements({ db, now }: { db: Db; now: Date }): Promise<number> {
  const due = await repo.openPastDeadline({ db, now, limit: 100 });
  for (const row of due) await closeIfDue({ db, now, principal: { kind: 'system', organisationId: row.organisationId, name: 'deadline' } }, row);
  return due.length;
}

export async function getProcurement(ctx: Ctx & { id: string }): Promise<ProcurementDto> {
  const row = await repo.findProcurement({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.id });
  if (!row) throw procurementsErrors.notFound();
  return toDto(ctx, await closeIfDue(ctx, row));
}

/** A procurement with its pinned questionnaire's definition, for pages that show both: the questionnaire read once. */
export async function getProcurementWithDefinition(ctx: Ctx & { id: string }): Promise<{ procurement: ProcurementDto; definition: QuestionnaireDefinition }> {
  const row = await repo.findProcurement({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.id });
  if (!row) throw procurementsErrors.notFound();
  const current = await closeIfDue(ctx, row);
  const q = await getQuestionnaire({ db: ctx.db, principal: ctx.principal, id: current.questionnaireId });
  return { procurement: dtoOf(current, q), definition: q.definition };
}

export async function listProcurements(ctx: Ctx & { limit: number; cursor?: string | undefined; status?: ProcurementStatus | undefined }): Promise<Page<ProcurementDto>> {
  const page = await repo.listProcurements({ db: ctx.db, organisationId: ctx.principal.organisationId, limit: ctx.limit, cursor: ctx.cursor, status: ctx.status });
  const items = [];
  for (const row of page.items) items.push(await toDto(ctx, await closeIfDue(ctx, row)));
  return { items, nextCursor: page.nextCursor };
}

export async function updateDraft(
  ctx: Ctx & {
    id: string;
    ifMatch?: number | undefined;
    changes: Partial<Settings> & {
      title?: string | undefined;
      reference?: string | null | undefined;
      description?: string | undefined;
      evaluatorIds?: string[] | undefined;
      moderatorId?: string | null | undefined;
      ocdsDisclosure?: OcdsDisclosure | undefined;
    };
  },
): Promise<ProcurementDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const row = await repo.findProcurement({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id, forUpdate: true });
    if (!row) throw procurementsErrors.notFound();
    if (ctx.ifMatch !== undefined && ctx.ifMatch !== row.version) throw procurementsErrors.stale();
    const { ocdsDisclosure, ...c } = ctx.changes;
    // What the award release publishes is a publication choice, not a term of the tender: it may change at any stage.
    if (Object.keys(c).length === 0 && ocdsDisclosure !== undefined) {
      const updated = await repo.updateProcurement({ db: tx, id: row.id, changes: { ocdsDisclosure, version: row.version + 1, updatedAt: ctx.now } });
      await audit(scoped, 'procurement.updated', updated, { changed: ['ocdsDisclosure'], ocdsDisclosure });
      return toDto(scoped, updated);
    }
    if (row.status !== 'draft') throw procurementsErrors.notDraft();
    const questionnaireId = c.questionnaireId ?? row.questionnaireId;
    const definition = await usableQuestionnaire(scoped, questionnaireId);
    const triage = c.triage ?? row.triage;
    // New triage or a new questionnaire resets weights to the defaults for the new tier, unless weights are given.
    const keepWeights = c.weights === undefined && c.triage === undefined && c.questionnaireId === undefined;
    const settled = settle(scoped, definition, {
      questionnaireId,
      triage,
      weights: c.weights ?? (keepWeights ? row.weights : undefined),
      deadline: c.deadline ?? row.deadline.toISOString(),
    });
    const evaluatorIds = c.evaluatorIds ? [...new Set(c.evaluatorIds)] : row.evaluatorIds;
    const moderatorId = c.moderatorId === undefined ? row.moderatorId : c.moderatorId;
    await checkPeople(scoped, evaluatorIds, moderatorId);
    let updated;
    try {
      updated = await repo.updateProcurement({
        db: tx,
        id: row.id,
        changes: {
          ...(c.title !== undefined ? { title: c.title.trim() } : {}),
          ...(c.reference !== undefined ? { reference: c.reference?.trim() || null } : {}),
          ...(c.description !== undefined ? { description: c.description } : {}),
          questionnaireId,
          triage,
          ...settled,
          evaluatorIds,
          moderatorId,
          ...(ocdsDisclosure !== undefined ? { ocdsDisclosure } : {}),
          version: row.version + 1,
          updatedAt: ctx.now,
        },
      });
    } catch (error) {
      if (isUniqueViolation(error, 'procurements_organisation_reference')) throw procurementsErrors.referenceTaken();
      throw error;
    }
    await audit(scoped, 'procurement.updated', updated, { changed: Object.keys(ctx.changes).sort(), riskTier: updated.riskTier });
    return toDto(scoped, updated);
  });
}

export async function transition(ctx: Ctx & { id: string; transition: TransitionName; ifMatch?: number | undefined; reason?: string | undefined }): Promise<ProcurementDto> {
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const found = await repo.findProcurement({ db: tx, organisationId: ctx.principal.organisationId, id: ctx.id, forUpdate: true });
    if (!found) throw procurementsErrors.notFound();
    const row = await closeIfDue(scoped, found);
    if (ctx.ifMatch !== undefined && ctx.ifMatch !== row.version) throw procurementsErrors.stale();
    const to = nextStatus(row.status, ctx.transition);
    if (!to) throw procurementsErrors.invalidTransition(row.status, ctx.transition);
    if (ctx.transition === 'open') {
      const definition = await usableQuestionnaire(scoped, row.questionnaireId);
      const missing = missingTriage({ definition, triage: row.triage });
      if (missing.length > 0) {
        throw procurementsErrors.triageIncomplete(missing.map((key) => ({ path: `/triage/${key}`, message: 'needs an answer' })));
      }
      if (row.deadline <= ctx.now) throw procurementsErrors.deadlineInPast();
    }
    const stamps: Partial<repo.ProcurementInsert> =
      to === 'open' ? { openedAt: ctx.now } : to === 'closed' ? { closedAt: ctx.now } : to === 'decided' ? { decidedAt: ctx.now } : to === 'cancelled' ? { cancelledAt: ctx.now } : {};
    const updated = await repo.updateProcurement({ db: tx, id: row.id, changes: { status: to, ...stamps, version: row.version + 1, updatedAt: ctx.now } });
    await audit(scoped, `procurement.${to === 'evaluating' ? 'evaluation_started' : to}`, updated, { from: row.status, ...(ctx.reason ? { reason: ctx.reason } : {}) });
    await emitStatusEvent({ db: tx, row: updated, now: ctx.now });
    return toDto(scoped, updated);
  });
}

/**
 * The organisation's active users, by name: whom a procurement may name as evaluators or moderator
 * (`checkPeople` accepts exactly these; what each may do on the panel is checked when they do it).
 */
export async function panelCandidates(ctx: { db: Db; principal: Principal }): Promise<{ id: string; name: string; email: string; role: string }[]> {
  const found: { id: string; name: string; email: string; role: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await listUsers({ db: ctx.db, principal: ctx.principal, limit: 100, cursor });
    for (const u of page.items) if (u.active) found.push({ id: u.id, name: u.name, email: u.email, role: u.role });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return found.sort((a, b) => a.name.localeCompare(b.name, 'en-GB') || a.email.localeCompare(b.email));
}
