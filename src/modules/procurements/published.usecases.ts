import type { Principal } from '../../platform/auth';
import type { Db } from '../../platform/db';
import { contactFor } from '../accounts';
import { buildMethodology, conditionWords, methodologyView, TIER_NAMES, type MethodologyView } from '../questionnaires';
import { getProcurementWithDefinition } from './procurements.usecases';
import * as repo from './procurements.repository';

/**
 * A procurement's published methodology, readable by anyone without signing in: what bidders are
 * told before they answer (Procurement Act 2023 s.23), at a stable address an assessment summary
 * can point to (Procurement Regulations 2024 reg. 31(2)(d)(ii)). Only what bidders already read:
 * the questionnaire's marking rules and this procurement's title, tier and weights; never triage
 * answers, panel, suppliers or scores. A draft has published nothing, so it is not found.
 */

export const publishedMethodologyPath = (procurementId: string) => `/published/procurements/${procurementId}/methodology`;

/** The absolute address, from the service's public base URL. */
export const publishedMethodologyUrl = ({ baseUrl, procurementId }: { baseUrl: string; procurementId: string }) => new URL(publishedMethodologyPath(procurementId), baseUrl).toString();

export type PublishedMethodology = {
  council: string;
  procurement: { id: string; title: string; reference: string | null; tier: string };
  /** This procurement's weight for each section, with whether the section applies to its use case. */
  weights: Array<{ number: string; title: string; weight: number; applies: string }>;
  total: number;
  m: MethodologyView;
};

export async function publishedMethodology({ db, now, id }: { db: Db; now: Date; id: string }): Promise<PublishedMethodology | null> {
  const organisationId = await repo.organisationOfProcurement({ db, id });
  if (!organisationId) return null;
  const principal: Principal = { kind: 'system', organisationId, name: 'published-methodology' };
  const { procurement, definition } = await getProcurementWithDefinition({ db, now, principal, id });
  if (procurement.status === 'draft') return null;
  const words = conditionWords(definition);
  const weights = definition.sections.map((section, i) => ({
    number: section.ref ?? String(i + 1),
    title: section.title,
    weight: procurement.weights[section.key] ?? 0,
    applies: section.showIf ? `Only when ${words(section.showIf)}.` : 'Always.',
  }));
  return {
    council: (await contactFor({ db, organisationId, userId: null })).council,
    procurement: { id: procurement.id, title: procurement.title, reference: procurement.reference, tier: TIER_NAMES[procurement.riskTier] },
    weights,
    total: weights.reduce((sum, w) => sum + w.weight, 0),
    m: methodologyView(buildMethodology(definition)),
  };
}
