import { canonicalJson, sha256Hex } from '../../platform/crypto';
import type { ProcurementDto } from '../procurements';
import { tierAtLeast, type AnswerValue, type Question, type QuestionnaireDefinition, type Section } from '../questionnaires';
import type { SubmittedResponse } from '../responses';
import type { Evaluation, Rating } from '../scoring';

/**
 * A procurement as an OCDS 1.1 release package (one release), as a pure function: no clock, no
 * I/O, so the same input gives the same JSON. Core fields plus the lots, bids, requirements and
 * award criteria extensions, and our local `Bid.evaluation` (openapi/ocds-extension/).
 */

// ───────────────────────────────────────────── the OCDS shapes we write

/** The official extensions we use; only `master` is published for requirements and award criteria, so all four are read from `master`. */
export const OCDS_EXTENSIONS = [
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json',
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/master/extension.json',
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_requirements_extension/master/extension.json',
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteria_extension/master/extension.json',
] as const;

/** The single lot every procurement is published as: the award criteria extension hangs off `Lot`. */
export const LOT_ID = '1';

export type ReleaseTag = 'planning' | 'tender' | 'tenderUpdate' | 'tenderCancellation' | 'award';
export type TenderStatus = 'planned' | 'active' | 'cancelled' | 'unsuccessful' | 'complete';
export type BidStatus = 'pending' | 'valid' | 'disqualified' | 'withdrawn';
export type PartyRole = 'buyer' | 'procuringEntity' | 'tenderer' | 'supplier';
export type RequirementDataType = 'string' | 'date-time' | 'number' | 'integer' | 'boolean';

export type OrganizationReference = { id: string; name: string };
export type Organization = OrganizationReference & { identifier?: { scheme: string; id: string; legalName: string }; roles: PartyRole[] };

export type Requirement = { id: string; title: string; description?: string; dataType?: RequirementDataType; minValue?: number; maxValue?: number };
export type Criterion = {
  id: string;
  title: string;
  description?: string;
  source: 'tenderer';
  relatesTo: 'tenderer';
  requirementGroups: Array<{ id: string; description?: string; requirements: Requirement[] }>;
};
export type AwardCriterion = {
  type: 'quality';
  name: string;
  description: string;
  numbers: Array<{ number: number; weight: 'percentageExact' } | { number: number; threshold: 'minimumScore' }>;
};
export type Lot = { id: string; title: string; status: TenderStatus; awardCriteria: { criteria: AwardCriterion[] } };

export type RequirementResponse = { id: string; requirement: { id: string }; value: string | number | boolean };

/** The local extension (openapi/ocds-extension/release-schema.json): one bid's stored evaluation. */
export type BidEvaluation = {
  /** Overall score 0–100 (1 decimal); null when no section has a score. */
  total: number | null;
  rating: Rating;
  /** Every active gateway passed (a conditional pass counts); false while one is pending or failed. */
  gatewaysPassed: boolean;
  /** No mark or gateway decision outstanding: the scores can no longer change. */
  final: boolean;
  sectionScores: Array<{ id: string; title: string; weight: number; score: number | null }>;
  scoringMethodVersion: string;
  questionnaire: { key: string; version: string };
};

export type Bid = {
  id: string;
  date?: string;
  status: BidStatus;
  tenderers: OrganizationReference[];
  relatedLots: string[];
  requirementResponses?: RequirementResponse[];
  evaluation?: BidEvaluation;
};

export type Award = { id: string; status: 'pending'; date: string; suppliers: OrganizationReference[]; relatedBids: string[]; relatedLots: string[] };

export type Release = {
  ocid: string;
  id: string;
  date: string;
  tag: ReleaseTag[];
  initiationType: 'tender';
  language: 'en';
  parties: Organization[];
  buyer: OrganizationReference;
  tender: {
    id: string;
    title: string;
    description?: string;
    status: TenderStatus;
    procuringEntity: OrganizationReference;
    tenderPeriod?: { startDate?: string; endDate: string };
    numberOfTenderers: number;
    criteria: Criterion[];
    lots: Lot[];
  };
  bids?: { details: Bid[] };
  awards?: Award[];
};

export type ReleasePackage = {
  uri: string;
  version: '1.1';
  extensions: string[];
  publishedDate: string;
  publisher: { name: string };
  releases: [Release];
};

// ───────────────────────────────────────────── input

/** What the export reads of a response; `companyNumber` is used when the caller has it. */
export type OcdsResponse = Pick<SubmittedResponse, 'responseId' | 'invitationId' | 'supplierName' | 'status' | 'submittedAt' | 'answers' | 'details'> & {
  companyNumber?: string | null;
};

export type ReleasePackageInput = {
  procurement: Pick<ProcurementDto, 'id' | 'title' | 'description' | 'status' | 'riskTier' | 'weights' | 'openedAt' | 'closesAt'>;
  definition: QuestionnaireDefinition;
  responses: readonly OcdsResponse[];
  /** Stored evaluations of submitted responses, by response id. */
  evaluations: ReadonlyMap<string, { evaluation: Evaluation }>;
  decision: { outcome: 'award' | 'no_award'; responseId: string | null; decidedAt: string } | null;
  /** The council: its organisation id and name. */
  buyer: { id: string; name: string };
  ocidPrefix: string;
  /** When this package is published: the release date too (the package is a snapshot as of now). */
  publishedDate: string;
  /** Where this package is served. */
  uri: string;
  publisherName: string;
  /** The URL of our local extension's extension.json. */
  localExtensionUrl: string;
  /** Leave every answer out (`requirementResponses`), for a reader of scores only. */
  withoutAnswers?: boolean;
};

// ───────────────────────────────────────────── rules

/**
 * The tag and tender status by procurement status. A decision with an award is an `award`
 * release; no award is a `tenderUpdate` of an unsuccessful tender; cancelling is a
 * `tenderCancellation`; a draft is only planned.
 */
export function stageOf(status: ProcurementDto['status'], decision: ReleasePackageInput['decision']): { tag: ReleaseTag; tenderStatus: TenderStatus } {
  switch (status) {
    case 'draft':
      return { tag: 'planning', tenderStatus: 'planned' };
    case 'open':
    case 'closed':
    case 'evaluating':
      return { tag: 'tender', tenderStatus: 'active' };
    case 'decided':
      return decision?.outcome === 'award' ? { tag: 'award', tenderStatus: 'complete' } : { tag: 'tenderUpdate', tenderStatus: 'unsuccessful' };
    case 'cancelled':
      return { tag: 'tenderCancellation', tenderStatus: 'cancelled' };
  }
}

/** A bid's status: a failed gateway disqualifies; an outstanding gateway (or no evaluation yet) leaves it pending. */
export function bidStatusOf(response: Pick<OcdsResponse, 'status'>, evaluation: Evaluation | undefined): BidStatus {
  if (response.status === 'withdrawn') return 'withdrawn';
  if (!evaluation) return 'pending';
  if (evaluation.gateways.some((g) => g.outcome === 'fail')) return 'disqualified';
  if (evaluation.gateways.some((g) => g.outcome === 'pending')) return 'pending';
  return 'valid';
}

/** The requirements extension's closed dataType codelist, by question type; file questions are answered by evidence, never exported. */
function dataTypeOf(question: Question): RequirementDataType | undefined {
  switch (question.type) {
    case 'yes_no':
      return 'boolean';
    case 'number':
      return question.limits?.integer ? 'integer' : 'number';
    case 'date':
      return 'date-time';
    case 'file':
      return undefined;
    default:
      return 'string';
  }
}

/**
 * A requirement response value is a scalar: yes/no as a boolean, a date as midnight UTC
 * (dataType `date-time`), several choices as their option values joined by commas (option values
 * never contain one). Unanswered and file answers give nothing.
 */
export function responseValue(question: Question, value: AnswerValue): string | number | boolean | undefined {
  if (value === null || value === undefined || question.type === 'file') return undefined;
  if (Array.isArray(value)) return value.length > 0 ? value.join(',') : undefined;
  if (question.type === 'yes_no' && (value === 'yes' || value === 'no')) return value === 'yes';
  if (question.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00Z`;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  return value;
}

const nonEmpty = (text: string | undefined) => (text && text.trim() !== '' ? text : undefined);
const withRef = (ref: string | undefined, text: string) => (ref ? `${ref} ${text}` : text);

/** Ids that cannot collide with a question key (keys never contain a hyphen), which is the requirement id. */
const criterionId = (section: Section) => `criterion-${section.key}`;
const groupId = (section: Section) => `group-${section.key}`;

function requirementOf(question: Question): Requirement {
  const dataType = dataTypeOf(question);
  return {
    id: question.key,
    title: question.text,
    description: question.guidance,
    ...(dataType ? { dataType } : {}),
    ...(question.type === 'number' && question.limits?.min !== undefined ? { minValue: question.limits.min } : {}),
    ...(question.type === 'number' && question.limits?.max !== undefined ? { maxValue: question.limits.max } : {}),
  };
}

/** One criterion per section, with one requirement group holding its questions; gateways stay requirements of their section. */
function criteriaOf(definition: QuestionnaireDefinition): Criterion[] {
  return definition.sections.map((section) => {
    const description = nonEmpty(section.description);
    return {
      id: criterionId(section),
      title: withRef(section.ref, section.title),
      ...(description ? { description } : {}),
      source: 'tenderer',
      relatesTo: 'tenderer',
      requirementGroups: [{ id: groupId(section), requirements: section.questions.map(requirementOf) }],
    };
  });
}

/**
 * Section weights as exact percentages (they sum to 100), then each gateway active at the
 * procurement's tier as a pass/fail threshold: scored 1 for a pass (or a conditional pass) and
 * 0 for a fail, with a minimum score of 1.
 */
function awardCriteriaOf(definition: QuestionnaireDefinition, procurement: ReleasePackageInput['procurement']): AwardCriterion[] {
  const sections: AwardCriterion[] = definition.sections.map((section) => ({
    type: 'quality',
    name: withRef(section.ref, section.title),
    description: `Section score 0–100: the weighted mean of its question scores on the 0–4 scale. Section key: ${section.key}.`,
    numbers: [{ number: procurement.weights[section.key] ?? 0, weight: 'percentageExact' }],
  }));
  const gateways: AwardCriterion[] = definition.sections.flatMap((section) =>
    section.questions
      .filter((q) => q.gateway && (!q.gateway.minTier || tierAtLeast(procurement.riskTier, q.gateway.minTier)))
      .map((q) => ({
        type: 'quality' as const,
        name: `Gateway: ${withRef(q.ref, q.text)}`,
        description: `Pass or fail (1 or 0); a fail disqualifies the bid whatever its scores. Question key: ${q.key}. ${q.gateway!.failureMessage}`,
        numbers: [{ number: 1, threshold: 'minimumScore' as const }],
      })),
  );
  return [...sections, ...gateways];
}

/**
 * The answers a bid publishes: visible questions only, and never one the supplier marked
 * confidential (FOI s.43): its value is left out, not masked, so nothing of it is exported.
 */
function requirementResponsesOf(response: OcdsResponse, definition: QuestionnaireDefinition, evaluation: Evaluation | undefined): RequirementResponse[] {
  const hidden = new Set((evaluation?.questions ?? []).filter((q) => q.status === 'hidden').map((q) => q.key));
  const out: RequirementResponse[] = [];
  for (const question of definition.sections.flatMap((s) => s.questions)) {
    if (hidden.has(question.key) || response.details[question.key]?.confidential === true) continue;
    const value = responseValue(question, response.answers[question.key]);
    if (value === undefined) continue;
    out.push({ id: `${response.responseId}-${question.key}`, requirement: { id: question.key }, value });
  }
  return out;
}

function evaluationOf(evaluation: Evaluation): BidEvaluation {
  return {
    total: evaluation.overallScore,
    rating: evaluation.rating,
    gatewaysPassed: evaluation.gateways.every((g) => g.outcome === 'pass' || g.outcome === 'conditional'),
    final: !evaluation.provisional,
    sectionScores: evaluation.sections.map((s) => ({ id: s.key, title: s.title, weight: s.weight, score: s.score })),
    scoringMethodVersion: evaluation.scoringMethodVersion,
    questionnaire: { key: evaluation.questionnaire.key, version: evaluation.questionnaire.version },
  };
}

/** A tenderer's party id: `GB-COH-<number>` when the company number is known (the OCDS `{scheme}-{id}` pattern), else one per invitation. */
const tendererId = (response: OcdsResponse) => (response.companyNumber ? `GB-COH-${response.companyNumber}` : `tenderer-${response.invitationId}`);

/** The package with its one release; the same input gives the same package, byte for byte. */
export function buildReleasePackage(input: ReleasePackageInput): ReleasePackage {
  const { procurement, definition, decision } = input;
  const { tag, tenderStatus } = stageOf(procurement.status, decision);
  const buyer: OrganizationReference = { id: `buyer-${input.buyer.id}`, name: input.buyer.name };
  // Drafts and responses reopened for editing are not bids; a withdrawn one is, with status `withdrawn`.
  const bidding = input.responses.filter((r) => r.status === 'submitted' || r.status === 'withdrawn');
  const awarded = decision?.outcome === 'award' && decision.responseId ? bidding.find((r) => r.responseId === decision.responseId) : undefined;

  const parties = new Map<string, Organization>([[buyer.id, { ...buyer, roles: ['buyer', 'procuringEntity'] }]]);
  for (const response of bidding) {
    const id = tendererId(response);
    const roles: PartyRole[] = response === awarded ? ['tenderer', 'supplier'] : ['tenderer'];
    const existing = parties.get(id);
    if (existing) existing.roles = [...new Set([...existing.roles, ...roles])];
    else
      parties.set(id, {
        id,
        name: response.supplierName,
        ...(response.companyNumber ? { identifier: { scheme: 'GB-COH', id: response.companyNumber, legalName: response.supplierName } } : {}),
        roles,
      });
  }

  const details: Bid[] = bidding.map((response) => {
    // Only a submitted response has a stored evaluation; a withdrawn one publishes no answers.
    const evaluation = response.status === 'submitted' ? input.evaluations.get(response.responseId)?.evaluation : undefined;
    const responses = response.status === 'submitted' && !input.withoutAnswers ? requirementResponsesOf(response, definition, evaluation) : [];
    return {
      id: response.responseId,
      ...(response.submittedAt ? { date: response.submittedAt } : {}),
      status: bidStatusOf(response, evaluation),
      tenderers: [{ id: tendererId(response), name: response.supplierName }],
      relatedLots: [LOT_ID],
      ...(responses.length > 0 ? { requirementResponses: responses } : {}),
      ...(evaluation ? { evaluation: evaluationOf(evaluation) } : {}),
    };
  });

  const description = nonEmpty(procurement.description);
  const withoutId: Omit<Release, 'id'> = {
    ocid: `${input.ocidPrefix}-${procurement.id}`,
    date: input.publishedDate,
    tag: [tag],
    initiationType: 'tender',
    language: 'en',
    parties: [...parties.values()],
    buyer,
    tender: {
      id: procurement.id,
      title: procurement.title,
      ...(description ? { description } : {}),
      status: tenderStatus,
      procuringEntity: buyer,
      ...(procurement.status === 'draft' ? {} : { tenderPeriod: { ...(procurement.openedAt ? { startDate: procurement.openedAt } : {}), endDate: procurement.closesAt } }),
      numberOfTenderers: new Set(details.filter((b) => b.status !== 'withdrawn').map((b) => b.tenderers[0]!.id)).size,
      criteria: criteriaOf(definition),
      lots: [{ id: LOT_ID, title: procurement.title, status: tenderStatus, awardCriteria: { criteria: awardCriteriaOf(definition, procurement) } }],
    },
    ...(details.length > 0 ? { bids: { details } } : {}),
    // `pending`: the council has decided; the contract (and its standstill) is the contract system's to publish.
    ...(awarded && decision
      ? { awards: [{ id: `award-${awarded.responseId}`, status: 'pending' as const, date: decision.decidedAt, suppliers: [{ id: tendererId(awarded), name: awarded.supplierName }], relatedBids: [awarded.responseId], relatedLots: [LOT_ID] }] }
      : {}),
  };
  // A release id must be unique within its ocid and change whenever its content does: a hash of the content.
  const { ocid, ...rest } = withoutId;
  const release: Release = { ocid, id: `${tag}-${sha256Hex(canonicalJson(withoutId)).slice(0, 16)}`, ...rest };

  return {
    uri: input.uri,
    version: '1.1',
    extensions: [...OCDS_EXTENSIONS, input.localExtensionUrl],
    publishedDate: input.publishedDate,
    publisher: { name: input.publisherName },
    releases: [release],
  };
}
