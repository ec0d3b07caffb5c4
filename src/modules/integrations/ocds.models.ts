import { canonicalJson } from '../../platform/crypto';
import type { ProcurementDto } from '../procurements';
import { SUPPLIER_DETAIL_QUESTIONS, tierAtLeast, type AnswerValue, type Question, type QuestionnaireDefinition, type Section } from '../questionnaires';
import type { SubmittedResponse } from '../responses';
import type { Evaluation, Rating } from '../scoring';

/**
 * A procurement as OCDS 1.1 releases, as pure functions: no clock, no I/O. `buildReleaseContent`
 * gives what the procurement's current stage publishes; `nextRelease` turns it into a stored,
 * immutable release when it differs from the last one; the packages and the compiled release are
 * built from the stored releases only. Core fields plus the lots, bids, requirements and award
 * criteria extensions, and our local `Bid.evaluation` (openapi/ocds-extension/).
 */

// ───────────────────────────────────────────── the OCDS shapes we write

/**
 * The official extensions, each pinned so its schema cannot change under a published package: the
 * lots extension at its release tag; the bid extension at a master commit, because its last tag
 * (v1.1.5) has no `rank`, `hasRank` or `relatedLots`; the requirements and award criteria
 * extensions have never been tagged, so they are pinned to a commit too.
 */
export const OCDS_EXTENSIONS = [
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json',
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/d62ff4b0ba393d823ca8113a9039b12edf7acb8f/extension.json',
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_requirements_extension/b4f5ba94b46bded427f5cd771b53397d020f7ec5/extension.json',
  'https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteria_extension/9391240f353e8536992938fe9f7987cd89235331/extension.json',
] as const;

/** The prefix the configuration falls back to (`OCDS_OCID_PREFIX` in src/config.ts): not registered to anyone, so never fit to publish under. */
export const DEFAULT_OCID_PREFIX = 'ocds-aidd00';

/** The single lot every procurement is published as: the award criteria extension hangs off `Lot`. */
export const LOT_ID = '1';

/** What the award-stage releases disclose of the bids, as the council chose (`procurements.ocds_disclosure`). */
export const OCDS_DISCLOSURES = ['bidders', 'scores', 'answers'] as const;
export type OcdsDisclosure = (typeof OCDS_DISCLOSURES)[number];

export type ReleaseTag = 'planning' | 'planningUpdate' | 'tender' | 'tenderUpdate' | 'tenderCancellation' | 'award' | 'awardUpdate';
export type TenderStatus = 'planned' | 'active' | 'cancelled' | 'unsuccessful' | 'complete';
export type BidStatus = 'pending' | 'valid' | 'disqualified' | 'withdrawn';
export type PartyRole = 'buyer' | 'procuringEntity' | 'tenderer' | 'supplier';
export type RequirementDataType = 'string' | 'date-time' | 'number' | 'integer' | 'boolean';

export type OrganizationReference = { id: string; name: string };
export type Identifier = { scheme: string; id: string; legalName?: string };
export type Organization = OrganizationReference & { identifier?: Identifier; additionalIdentifiers?: Identifier[]; roles: PartyRole[] };

export type Requirement = { id: string; title: string; description?: string; dataType?: RequirementDataType; minValue?: number; maxValue?: number };
export type Criterion = {
  id: string;
  title: string;
  description?: string;
  relatesToTenderer: true;
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
  hasRank?: boolean;
  rank?: number;
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
    numberOfTenderers?: number;
    criteria: Criterion[];
    lots: Lot[];
  };
  bids?: { details: Bid[] };
  awards?: Award[];
};

/** What the procurement's stage publishes, before it becomes a release: no id or date yet, and the stage's own tag. */
export type ReleaseContent = Omit<Release, 'id' | 'date' | 'tag'> & { tag: [ReleaseTag] };

/** A release as stored: its place in the procurement's sequence (from 1) and the JSON exactly as published. */
export type StoredRelease = { sequence: number; release: Release };

type PackageMeta = { uri: string; publisherName: string; localExtensionUrl: string };

export type ReleasePackage = {
  uri: string;
  version: '1.1';
  extensions: string[];
  publishedDate: string;
  publisher: { name: string };
  releases: Release[];
};

export type LinkedRelease = { url: string; date: string; tag: ReleaseTag[] };
export type RecordPackage = {
  uri: string;
  version: '1.1';
  extensions: string[];
  publishedDate: string;
  publisher: { name: string };
  packages: string[];
  records: [{ ocid: string; releases: LinkedRelease[]; compiledRelease: Omit<Release, 'tag'> & { tag: ['compiled'] }; versionedRelease: VersionedRelease }];
};

// ───────────────────────────────────────────── input

/** What the export reads of a response. */
export type OcdsResponse = Pick<SubmittedResponse, 'responseId' | 'invitationId' | 'supplierName' | 'status' | 'submittedAt' | 'answers' | 'details'> & {
  companyNumber?: string | null;
};

export type ReleaseInput = {
  procurement: Pick<ProcurementDto, 'id' | 'title' | 'reference' | 'description' | 'status' | 'riskTier' | 'weights' | 'openedAt' | 'deadline'> & { ocdsDisclosure: OcdsDisclosure };
  definition: QuestionnaireDefinition;
  responses: readonly OcdsResponse[];
  /** Stored evaluations of submitted responses, by response id. */
  evaluations: ReadonlyMap<string, { evaluation: Evaluation }>;
  /** Each response's rank in the results (equal scores share one; null when not ranked), by response id. */
  ranks: ReadonlyMap<string, number | null>;
  decision: { outcome: 'award' | 'no_award'; responseId: string | null; decidedAt: string } | null;
  /** The council: its organisation id and name. */
  buyer: { id: string; name: string };
  ocidPrefix: string;
};

// ───────────────────────────────────────────── rules

/**
 * The tag and tender status by procurement status. A decision with an award is an `award`
 * release; no award is a `tenderUpdate` of an unsuccessful tender; cancelling is a
 * `tenderCancellation`; a draft is only planned.
 */
export function stageOf(status: ProcurementDto['status'], decision: ReleaseInput['decision']): { tag: ReleaseTag; tenderStatus: TenderStatus } {
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

/**
 * When the change a stage's release records happened, where the procurement knows it: opening,
 * the decision, cancelling. Null for a draft (edits have no stage time), and for closing and
 * evaluating, which change nothing a tender release publishes.
 */
export function stageDateOf(procurement: Pick<ProcurementDto, 'status' | 'openedAt' | 'decidedAt' | 'cancelledAt'>, decision: ReleaseInput['decision']): string | null {
  switch (procurement.status) {
    case 'open':
    case 'closed':
    case 'evaluating':
      return procurement.openedAt;
    case 'decided':
      return decision?.decidedAt ?? procurement.decidedAt;
    case 'cancelled':
      return procurement.cancelledAt;
    case 'draft':
      return null;
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

const nonEmpty = (text: string | undefined | null) => (text && text.trim() !== '' ? text : undefined);
const withRef = (ref: string | undefined, text: string) => (ref ? `${ref} ${text}` : text);

/** Ids that cannot collide with a question key (keys never contain a hyphen), which is the requirement id. */
const criterionId = (section: Section) => `criterion-${section.key}`;
const groupId = (section: Section) => `group-${section.key}`;

function requirementOf(question: Question): Requirement {
  const dataType = dataTypeOf(question);
  return {
    id: question.key,
    title: question.text,
    ...(nonEmpty(question.guidance) ? { description: question.guidance! } : {}),
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
      // Every question asks about the bidder; the extension's `source` and `relatesTo` are gone, this is what replaced them.
      relatesToTenderer: true,
      requirementGroups: [{ id: groupId(section), requirements: section.questions.map(requirementOf) }],
    };
  });
}

/**
 * Section weights as exact percentages (they sum to 100), then each gateway active at the
 * procurement's tier as a pass/fail threshold: scored 1 for a pass (or a conditional pass) and
 * 0 for a fail, with a minimum score of 1.
 */
function awardCriteriaOf(definition: QuestionnaireDefinition, procurement: ReleaseInput['procurement']): AwardCriterion[] {
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

/** The org-id.guide scheme of the Central Digital Platform's Public Procurement Organisation Number. */
export const PPON_SCHEME = 'GB-PPON';

/**
 * The supplier's Central Digital Platform identifier, from its own answer to the identity question
 * (there is no other record of it): only a submitted, non-confidential answer that looks like an
 * identifier (one token of letters, digits and hyphens), never free text.
 */
export function cdpIdentifierOf(response: Pick<OcdsResponse, 'status' | 'answers' | 'details'>): string | undefined {
  if (response.status !== 'submitted') return undefined;
  for (const key of SUPPLIER_DETAIL_QUESTIONS.identifier) {
    const value = response.answers[key];
    if (response.details[key]?.confidential === true || typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (/^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/.test(trimmed)) return trimmed;
  }
  return undefined;
}

/** A tenderer's party: id `GB-COH-<number>` (the OCDS `{scheme}-{id}` pattern) when the company number is known, else `GB-PPON-<id>`, else one per invitation. */
function tendererOf(response: OcdsResponse): Omit<Organization, 'roles'> {
  const identifiers: Identifier[] = [
    ...(response.companyNumber ? [{ scheme: 'GB-COH', id: response.companyNumber, legalName: response.supplierName }] : []),
    ...(cdpIdentifierOf(response) ? [{ scheme: PPON_SCHEME, id: cdpIdentifierOf(response)! }] : []),
  ];
  const [identifier, ...additionalIdentifiers] = identifiers;
  return {
    id: identifier ? `${identifier.scheme}-${identifier.id}` : `tenderer-${response.invitationId}`,
    name: response.supplierName,
    ...(identifier ? { identifier } : {}),
    ...(additionalIdentifiers.length > 0 ? { additionalIdentifiers } : {}),
  };
}

/**
 * What the procurement's current stage publishes. Planning and tender stages (and a cancelled or
 * unsuccessful tender) describe the procurement and its criteria only: no bids, no tenderers, not
 * even their number, so nothing of the competition leaks while it runs. From the award, the bids,
 * as far as the council's disclosure setting allows: `bidders` who bid; `scores` adds the
 * evaluation and rank; `answers` adds the non-confidential answers.
 */
export function buildReleaseContent(input: ReleaseInput): ReleaseContent {
  const { procurement, definition, decision } = input;
  const { tag, tenderStatus } = stageOf(procurement.status, decision);
  const buyer: OrganizationReference = { id: `buyer-${input.buyer.id}`, name: input.buyer.name };
  const parties = new Map<string, Organization>([[buyer.id, { ...buyer, roles: ['buyer', 'procuringEntity'] }]]);
  const disclosure = procurement.ocdsDisclosure;

  let bids: Bid[] = [];
  let awards: Award[] = [];
  if (tag === 'award' && decision) {
    // Drafts and responses reopened for editing are not bids; a withdrawn one is, with status `withdrawn`.
    const bidding = input.responses.filter((r) => r.status === 'submitted' || r.status === 'withdrawn');
    const awarded = decision.responseId ? bidding.find((r) => r.responseId === decision.responseId) : undefined;
    for (const response of bidding) {
      const party = tendererOf(response);
      const roles: PartyRole[] = response === awarded ? ['tenderer', 'supplier'] : ['tenderer'];
      const existing = parties.get(party.id);
      if (existing) existing.roles = [...new Set([...existing.roles, ...roles])];
      else parties.set(party.id, { ...party, roles });
    }
    bids = bidding.map((response) => {
      // Only a submitted response has a stored evaluation; a withdrawn one publishes no scores or answers.
      const evaluation = response.status === 'submitted' ? input.evaluations.get(response.responseId)?.evaluation : undefined;
      const answers = disclosure === 'answers' && response.status === 'submitted' ? requirementResponsesOf(response, definition, evaluation) : [];
      const rank = input.ranks.get(response.responseId) ?? null;
      const { id, name } = tendererOf(response);
      return {
        id: response.responseId,
        ...(response.submittedAt ? { date: response.submittedAt } : {}),
        status: bidStatusOf(response, evaluation),
        tenderers: [{ id, name }],
        relatedLots: [LOT_ID],
        ...(disclosure !== 'bidders' ? (rank !== null ? { hasRank: true, rank } : { hasRank: false }) : {}),
        ...(answers.length > 0 ? { requirementResponses: answers } : {}),
        ...(disclosure !== 'bidders' && evaluation ? { evaluation: evaluationOf(evaluation) } : {}),
      };
    });
    // `pending`: the council has decided; the contract (and its standstill) is the contract system's to publish.
    if (awarded) {
      const { id, name } = tendererOf(awarded);
      awards = [{ id: `award-${awarded.responseId}`, status: 'pending', date: decision.decidedAt, suppliers: [{ id, name }], relatedBids: [awarded.responseId], relatedLots: [LOT_ID] }];
    }
  }

  const description = nonEmpty(procurement.description);
  const content: ReleaseContent = {
    ocid: `${input.ocidPrefix}-${procurement.id}`,
    tag: [tag],
    initiationType: 'tender',
    language: 'en',
    parties: [...parties.values()],
    buyer,
    tender: {
      // The council's own reference when it gave one: the id its suppliers and auditors know.
      id: nonEmpty(procurement.reference) ?? procurement.id,
      title: procurement.title,
      ...(description ? { description } : {}),
      status: tenderStatus,
      procuringEntity: buyer,
      // The advertised deadline: one supplier's extra time is between it and the council.
      ...(procurement.status === 'draft' ? {} : { tenderPeriod: { ...(procurement.openedAt ? { startDate: procurement.openedAt } : {}), endDate: procurement.deadline } }),
      ...(tag === 'award' ? { numberOfTenderers: new Set(bids.filter((b) => b.status !== 'withdrawn').map((b) => b.tenderers[0]!.id)).size } : {}),
      criteria: criteriaOf(definition),
      lots: [{ id: LOT_ID, title: procurement.title, status: tenderStatus, awardCriteria: { criteria: awardCriteriaOf(definition, procurement) } }],
    },
    ...(bids.length > 0 ? { bids: { details: bids } } : {}),
    ...(awards.length > 0 ? { awards } : {}),
  };
  // As JSON will have it (no undefined fields), so a stored copy compares equal to a fresh one.
  return JSON.parse(JSON.stringify(content)) as ReleaseContent;
}

const withoutStamp = (release: Pick<Release, 'id' | 'date' | 'tag'> & Record<string, unknown>) => {
  const { id: _id, date: _date, tag: _tag, ...rest } = release;
  return canonicalJson(rest);
};

/** The stage a tag belongs to: a second release within one stage is its `…Update`. */
const STAGE_OF_TAG: Record<ReleaseTag, string> = {
  planning: 'planning',
  planningUpdate: 'planning',
  tender: 'tender',
  tenderUpdate: 'tender',
  tenderCancellation: 'tenderCancellation',
  award: 'award',
  awardUpdate: 'award',
};
const UPDATE_TAG: Partial<Record<ReleaseTag, ReleaseTag>> = { planning: 'planningUpdate', tender: 'tenderUpdate', award: 'awardUpdate' };

/**
 * The release to store next, or null when the content equals the latest stored release's (id,
 * date and tag aside). Its id is `<ocid>-<sequence>-<tag>`, unique within the ocid and never
 * reused; its date is the stage's own time when that is later than the latest release, else `now`.
 */
export function nextRelease(args: { content: ReleaseContent; latest: StoredRelease | null; stageDate: string | null; now: string }): StoredRelease | null {
  const { content, latest } = args;
  if (latest && withoutStamp(latest.release) === withoutStamp({ ...content, id: '', date: '' })) return null;
  const stageTag = content.tag[0];
  const previousTag = latest?.release.tag[0];
  const tag = previousTag && STAGE_OF_TAG[previousTag] === STAGE_OF_TAG[stageTag] ? (UPDATE_TAG[stageTag] ?? stageTag) : stageTag;
  const date = args.stageDate && (!latest || args.stageDate > latest.release.date) ? args.stageDate : args.now;
  const sequence = (latest?.sequence ?? 0) + 1;
  const { ocid, ...rest } = content;
  return { sequence, release: { ocid, id: `${ocid}-${sequence}-${tag}`, date, ...rest, tag: [tag] } };
}

const packageHead = (meta: PackageMeta, publishedDate: string) => ({
  uri: meta.uri,
  version: '1.1' as const,
  extensions: [...OCDS_EXTENSIONS, meta.localExtensionUrl],
  publishedDate,
  publisher: { name: meta.publisherName },
});

/** The release without any bid's answers: for a reader allowed the scores but not the answers (an API key without responses:read). */
export function withoutAnswers(release: Release): Release {
  if (!release.bids) return release;
  return { ...release, bids: { ...release.bids, details: release.bids.details.map(({ requirementResponses: _answers, ...bid }) => bid) } };
}

/** Every stored release, oldest first; published as of the latest release, so the package is the same on every read. */
export function releasePackageOf(meta: PackageMeta & { releases: readonly Release[] }): ReleasePackage {
  const latest = meta.releases.at(-1);
  if (!latest) throw new Error('a release package needs a release');
  return { ...packageHead(meta, latest.date), releases: [...meta.releases] };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasIds = (items: Json[]) => items.length > 0 && items.every((i) => isObject(i) && (typeof i.id === 'string' || typeof i.id === 'number'));

/**
 * The lists the schemas (core and our extensions) mark `wholeListMerge`: replaced whole, and versioned
 * as one value, though their items have ids. `criteria` only under `awardCriteria` (the requirements
 * extension's `tender.criteria` merges by id).
 */
const wholeList = (key: string, parentKey: string | undefined) =>
  key === 'additionalIdentifiers' || key === 'identifiers' || key === 'numbers' || (key === 'criteria' && parentKey === 'awardCriteria');

/**
 * OCDS merging for the fields we publish: objects merge field by field; arrays whose items all
 * have an `id` merge item by item on it (new ids appended in order), except the whole-list ones;
 * any other array, and any scalar, is replaced by the later value; a null removes the field.
 */
export function mergeInto(earlier: Json | undefined, later: Json, key?: string, parentKey?: string): Json {
  if (isObject(later)) {
    const out: Record<string, Json> = isObject(earlier) ? { ...earlier } : {};
    for (const [field, value] of Object.entries(later)) {
      if (value === null) delete out[field];
      else out[field] = mergeInto(out[field], value, field, key);
    }
    return out;
  }
  if (Array.isArray(later) && Array.isArray(earlier) && !(key !== undefined && wholeList(key, parentKey)) && hasIds(later) && hasIds(earlier)) {
    const merged = new Map<string | number, Json>(earlier.map((i) => [(i as Record<string, string>).id!, i]));
    for (const item of later) {
      const id = (item as Record<string, string>).id!;
      merged.set(id, mergeInto(merged.get(id), item));
    }
    return [...merged.values()];
  }
  return later;
}

/** The compiled release: the releases merged oldest first, tagged `compiled`, id `<ocid>-<date of the latest>` as OCDS tools name it. */
export function compileReleases(releases: readonly Release[]): Omit<Release, 'tag'> & { tag: ['compiled'] } {
  const latest = releases.at(-1);
  if (!latest) throw new Error('nothing to compile');
  let merged: Json = {};
  for (const release of releases) merged = mergeInto(merged, release as unknown as Json);
  return { ...(merged as unknown as Release), id: `${latest.ocid}-${latest.date}`, date: latest.date, tag: ['compiled'] };
}

export type VersionedRelease = { ocid: string; [field: string]: Json };
export type VersionedValue = { releaseID: string; releaseDate: string; releaseTag: string[]; value: Json };
/** A path to a value: field names, and `{ id }` for an item of a list merged by id. */
type Path = Array<string | { id: string | number }>;

/** Every value of a release by its path, as OCDS merging sees them: the release's own id, date and tag left out (`omitWhenMerged`). */
function flatten(value: Json, path: Path, out: Map<string, { path: Path; value: Json }>): void {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  const parentKey = path.filter((p): p is string => typeof p === 'string').at(-2);
  if (isObject(value)) {
    for (const [field, v] of Object.entries(value)) {
      if (path.length === 0 && (field === 'id' || field === 'date' || field === 'tag' || field === 'ocid')) continue;
      // An item's id is what identifies it, not one of its values.
      if (field === 'id' && typeof path.at(-1) === 'object') continue;
      flatten(v, [...path, field], out);
    }
    return;
  }
  if (Array.isArray(value) && key !== undefined && !wholeList(key, parentKey) && hasIds(value)) {
    for (const item of value) flatten(item, [...path, { id: (item as Record<string, string | number>).id! }], out);
    return;
  }
  out.set(JSON.stringify(path), { path, value });
}

/**
 * The versioned release (OCDS merging, "versioned history"): every field as the list of its values,
 * each with the release that set it, a new entry only where a release changed it (a field a release
 * leaves out is unchanged). Items of lists merged by id keep their `id` as it is.
 */
export function versionReleases(releases: readonly Release[]): VersionedRelease {
  const latest = releases.at(-1);
  if (!latest) throw new Error('nothing to version');
  const versions = new Map<string, { path: Path; entries: VersionedValue[] }>();
  for (const release of releases) {
    const flat = new Map<string, { path: Path; value: Json }>();
    flatten(release as unknown as Json, [], flat);
    for (const [at, { path, value }] of flat) {
      const seen = versions.get(at);
      const entry: VersionedValue = { releaseID: release.id, releaseDate: release.date, releaseTag: [...release.tag], value };
      if (!seen) versions.set(at, { path, entries: [entry] });
      else if (JSON.stringify(seen.entries.at(-1)!.value) !== JSON.stringify(value)) seen.entries.push(entry);
    }
  }
  const root: VersionedRelease = { ocid: latest.ocid };
  for (const { path, entries } of versions.values()) {
    let here: Record<string, Json> = root;
    for (let i = 0; i < path.length - 1; i += 1) {
      const step = path[i]!;
      if (typeof step === 'string') {
        const next = path[i + 1]!;
        here[step] ??= typeof next === 'string' ? {} : [];
        if (typeof next === 'string') here = here[step] as Record<string, Json>;
        continue;
      }
      const list = here[path[i - 1] as string] as Array<Record<string, Json>>;
      let item = list.find((x) => x.id === step.id);
      if (!item) list.push((item = { id: step.id }));
      here = item;
    }
    here[path.at(-1) as string] = entries as unknown as Json;
  }
  return root;
}

/** One record: links to each stored release in the release package (its URL with `#<release id>`), the compiled release and the versioned release. */
export function recordPackageOf(meta: PackageMeta & { releasePackageUri: string; releases: readonly Release[] }): RecordPackage {
  const latest = meta.releases.at(-1);
  if (!latest) throw new Error('a record package needs a release');
  return {
    ...packageHead(meta, latest.date),
    packages: [meta.releasePackageUri],
    records: [
      {
        ocid: latest.ocid,
        releases: meta.releases.map((r) => ({ url: `${meta.releasePackageUri}#${r.id}`, date: r.date, tag: r.tag })),
        compiledRelease: compileReleases(meta.releases),
        versionedRelease: versionReleases(meta.releases),
      },
    ],
  };
}
