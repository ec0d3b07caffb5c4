import { inTransaction } from '../../platform/db';
import { isAppError } from '../../platform/errors';
import { userNames } from '../accounts';
import { getProcurement, type ProcurementDto } from '../procurements';
import { approvalErrors } from './approvals.errors';
import { rolesOpenTo, type ApprovalRole } from './approvals.models';
import * as approvalsRepo from './approvals.repository';
import { scoringErrors } from './scoring.errors';
import * as repo from './scoring.repository';
import { assertPanel, audit, panelRole, userIdOf, type Ctx } from './scoring.usecases';

export type ApprovalDto = { id: string; procurementId: string; userId: string; name: string; role: ApprovalRole; comment: string | null; createdAt: string };

/** Approvals are recorded on an evaluation there is: while it is being evaluated, and after the decision. */
const SIGNABLE = new Set<ProcurementDto['status']>(['evaluating', 'decided']);

/** The procurement, or 404 as scoring words it; anything else (the database down, say) is not turned into a 404. */
async function procurementOf(ctx: Ctx, procurementId: string): Promise<ProcurementDto> {
  try {
    return await getProcurement({ ...ctx, id: procurementId });
  } catch (error) {
    if (isAppError(error) && error.status === 404) throw scoringErrors.procurementNotFound();
    throw error;
  }
}

/** Council staff, keys (their scope checked by the route) and the procurement's panel read its approvals: they hold no score. */
function assertMayRead(ctx: Ctx, procurement: ProcurementDto): void {
  const { principal } = ctx;
  if (principal.kind === 'api_key') return;
  if (principal.kind === 'user' && ['admin', 'officer', 'viewer'].includes(principal.role)) return;
  if (!panelRole(procurement, principal)) throw scoringErrors.notOnPanel();
}

async function toDtos(ctx: Ctx, rows: approvalsRepo.ApprovalRow[]): Promise<ApprovalDto[]> {
  const names = await userNames({ db: ctx.db, organisationId: ctx.principal.organisationId, ids: rows.map((r) => r.userId) });
  return rows.map((r) => ({
    id: r.id,
    procurementId: r.procurementId,
    userId: r.userId,
    name: names.get(r.userId) ?? 'A former user',
    role: r.role,
    comment: r.comment,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** A procurement's approvals, oldest first: one per person per role. */
export async function listApprovals(ctx: Ctx & { procurementId: string }): Promise<{ items: ApprovalDto[] }> {
  const procurement = await procurementOf(ctx, ctx.procurementId);
  assertMayRead(ctx, procurement);
  return { items: await toDtos(ctx, await approvalsRepo.approvalsOf({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: procurement.id })) };
}

/**
 * The roles the caller may sign off in on this procurement (none for an API key), as
 * `recordApproval` decides them, so the console offers only what will be accepted. An evaluator or
 * moderator who has not declared, or whose conflict is not mitigated, is offered neither panel role.
 */
export async function rolesFor(ctx: Ctx, procurement: ProcurementDto): Promise<ApprovalRole[]> {
  if (ctx.principal.kind !== 'user') return [];
  const onPanel = panelRole(procurement, ctx.principal);
  let declared = onPanel;
  if (onPanel) {
    try {
      await assertPanel(ctx, procurement, onPanel);
    } catch {
      declared = null;
    }
  }
  return rolesOpenTo({ panelRole: declared, councilRole: ctx.principal.role });
}

/** What the console's sign-off page shows: the procurement, its approvals, and the roles the caller may record. */
export async function approvalsRecord(ctx: Ctx & { procurementId: string }): Promise<{ procurement: ProcurementDto; approvals: ApprovalDto[]; roles: ApprovalRole[]; open: boolean }> {
  const procurement = await procurementOf(ctx, ctx.procurementId);
  assertMayRead(ctx, procurement);
  const approvals = await toDtos(ctx, await approvalsRepo.approvalsOf({ db: ctx.db, organisationId: ctx.principal.organisationId, procurementId: procurement.id }));
  return { procurement, approvals, roles: await rolesFor(ctx, procurement), open: SIGNABLE.has(procurement.status) };
}

/**
 * A person signs off the procurement's evaluation in one role. Only a person (never an API key);
 * `evaluator` only an evaluator on the panel and `moderator` only the moderator, both declared;
 * the other roles an officer or admin. Signing again in the same role replaces the comment and
 * date (one line per person per role); each sign-off is audited with the evaluations' fingerprints
 * as they stood, so the trail shows what was signed and when.
 */
export async function recordApproval(ctx: Ctx & { procurementId: string; role: ApprovalRole; comment?: string | undefined }): Promise<ApprovalDto> {
  const userId = userIdOf(ctx.principal);
  if (!userId || ctx.principal.kind !== 'user') {
    // Still 404 for another council's procurement, so an id is never confirmed to exist.
    await procurementOf(ctx, ctx.procurementId);
    throw approvalErrors.personRequired();
  }
  const councilRole = ctx.principal.role;
  return inTransaction(ctx.db, async (tx) => {
    const scoped = { ...ctx, db: tx };
    const procurement = await procurementOf(scoped, ctx.procurementId);
    if (ctx.role === 'evaluator' || ctx.role === 'moderator') await assertPanel(scoped, procurement, ctx.role);
    else if (!rolesOpenTo({ panelRole: null, councilRole }).includes(ctx.role)) throw approvalErrors.roleNotAllowed(ctx.role);
    if (!SIGNABLE.has(procurement.status)) throw approvalErrors.notEvaluated(procurement.status);
    const comment = ctx.comment?.trim() || null;
    const previous = await approvalsRepo.findApproval({ db: tx, procurementId: procurement.id, userId, role: ctx.role });
    const row = await approvalsRepo.upsertApproval({
      db: tx,
      values: { organisationId: ctx.principal.organisationId, procurementId: procurement.id, userId, role: ctx.role, comment, createdAt: ctx.now },
    });
    const evaluations = await repo.evaluationsOf({ db: tx, organisationId: ctx.principal.organisationId, procurementId: procurement.id });
    await audit(scoped, 'evaluation.approval_recorded', { type: 'procurement', id: procurement.id }, {
      approvalId: row.id,
      userId,
      role: row.role,
      comment: row.comment,
      replaces: previous ? { comment: previous.comment, at: previous.createdAt.toISOString() } : null,
      evaluations: evaluations
        .map((e) => ({ responseId: e.responseId, inputsHash: e.inputsHash, provisional: e.provisional }))
        .sort((a, b) => a.responseId.localeCompare(b.responseId)),
    });
    return (await toDtos(scoped, [row]))[0]!;
  });
}
