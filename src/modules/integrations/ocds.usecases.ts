import { isKeyWithout, type Principal } from '../../platform/auth';
import type { Db } from '../../platform/db';
import { contactFor } from '../accounts';
import { procurementEvaluations } from '../scoring';
import { buildReleasePackage, type ReleasePackage } from './ocds.models';

/** Where the local extension's extension.json is served (see ocds.api.ts), under the public base URL. */
export const localExtensionUrl = (publicBaseUrl: string) => `${publicBaseUrl}/ocds-extension/extension.json`;

/**
 * The procurement as an OCDS release package, as of `now`. Reads through `procurementEvaluations`
 * (404 for another organisation's procurement); the route decides who may call it. The answers
 * (non-confidential ones only, always) are for staff and keys with responses:read, not scores alone.
 */
export async function ocdsReleasePackage(ctx: { db: Db; now: Date; principal: Principal; procurementId: string; ocidPrefix: string; publicBaseUrl: string }): Promise<ReleasePackage> {
  const { procurement, definition, responses, evaluations, decision } = await procurementEvaluations(ctx);
  const { council } = await contactFor({ db: ctx.db, organisationId: ctx.principal.organisationId, userId: null });
  return buildReleasePackage({
    procurement,
    definition,
    responses,
    evaluations,
    decision,
    buyer: { id: ctx.principal.organisationId, name: council },
    ocidPrefix: ctx.ocidPrefix,
    publishedDate: ctx.now.toISOString(),
    uri: `${ctx.publicBaseUrl}/v1/procurements/${procurement.id}/ocds`,
    publisherName: council,
    localExtensionUrl: localExtensionUrl(ctx.publicBaseUrl),
    withoutAnswers: isKeyWithout(ctx.principal, 'responses:read'),
  });
}
