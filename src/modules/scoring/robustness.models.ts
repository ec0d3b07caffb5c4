import { evaluateResponse, rankByScore, type Evaluation, type EvaluationInput, type Score } from './scoring.models';

/**
 * Would the winner change? The robustness of a procurement's ranking, as a procurement board asks
 * it: the winning margin, and whether any single moderated mark one point lower or higher, or any
 * section weight 20% lower or higher (the other weights rescaled so they still add up to the same
 * total, the same for every supplier), puts someone else first. Pure: each change re-runs the
 * scoring engine on the response's own input, so a cap, a rescaled weight or the rounding of the
 * overall score is applied exactly as in the real evaluation.
 *
 * Only ranked responses take part: a mark or a weight changes scores, never a gateway, so a
 * response that failed or awaits a gateway cannot become the winner this way.
 */

/** A ranked response and the engine input its stored evaluation was computed from. */
export type RobustnessResponse = { id: string; name: string; input: EvaluationInput };

/** A response's overall score, as published (one decimal). */
export type Standing = { id: string; name: string; score: number };

/** One moderated mark changed, and who would then be first. */
export type MarkChange = { id: string; name: string; questionKey: string; from: Score; to: Score; before: number; after: number | null; first: Standing[] };

/** One section weight changed (the others rescaled), and who would then be first. */
export type WeightChange = { sectionKey: string; from: number; to: number; first: Standing[] };

export type RankingRobustness =
  | { applies: false; ranked: number }
  | {
      applies: true;
      /** First place: one response, or those that tie for it. */
      first: Standing[];
      /** The best score below first place: the responses there. */
      next: Standing[];
      /** Points between first place and the next score (0 on a tie for first), one decimal. */
      margin: number;
      /** Every single mark change tried, and those that change who is first. */
      marks: { tried: number; changing: MarkChange[] };
      /** Every section weight change tried, and those that change who is first. */
      weights: { tried: number; changing: WeightChange[] };
    };

/** A mark is changed by this many points, each way, within 0 to 4. */
export const MARK_STEP = 1;
/** A section weight is changed by this share of itself, each way. */
export const WEIGHT_SHARE = 0.2;

const round = (value: number, places: number) => {
  const factor = 10 ** places;
  return Math.round(Number((value * factor).toPrecision(12))) / factor;
};

type Scored = { id: string; name: string; score: number | null };

/** Who is first among scored responses, by the ranking's own rule (equal published scores share a rank). */
function firstPlace(rows: readonly Scored[]): Standing[] {
  return rankByScore([...rows].map((r) => ({ ...r, overallScore: r.score })), (r) => r.overallScore !== null)
    .filter((r) => r.rank === 1)
    .map((r) => ({ id: r.id, name: r.name, score: r.overallScore! }));
}

const sameIds = (a: readonly Standing[], b: readonly Standing[]) => a.length === b.length && a.every((x) => b.some((y) => y.id === x.id));

/**
 * The section weights with one of them changed to `to` and the others rescaled so the total stays
 * what it was; null when there are no other weights to rescale, or `to` would take more than all of it.
 */
export function reweighted(weights: Readonly<Record<string, number>>, key: string, to: number): Record<string, number> | null {
  const total = Object.values(weights).reduce((sum, w) => sum + w, 0);
  const rest = total - (weights[key] ?? 0);
  if (rest <= 0 || to > total || to < 0) return null;
  const scale = (total - to) / rest;
  return Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, k === key ? to : w * scale]));
}

/** The marks that count in an evaluation (a mark on a hidden or unscored question changes nothing, so it is not tried). */
const countedMarks = (input: EvaluationInput, evaluation: Evaluation) =>
  evaluation.questions.filter((q) => q.status === 'scored' && Object.hasOwn(input.marks, q.key)).map((q) => ({ key: q.key, score: input.marks[q.key]!.score }));

export function rankingRobustness({ responses }: { responses: readonly RobustnessResponse[] }): RankingRobustness {
  const baseline = responses.map((r) => ({ ...r, evaluation: evaluateResponse(r.input) }));
  const scored = baseline.filter((r) => r.evaluation.overallScore !== null);
  if (scored.length < 2) return { applies: false, ranked: scored.length };

  const scores: Scored[] = baseline.map((r) => ({ id: r.id, name: r.name, score: r.evaluation.overallScore }));
  const first = firstPlace(scores);
  const below = firstPlace(scores.filter((s) => !first.some((f) => f.id === s.id)));
  const margin = first.length > 1 ? 0 : round(first[0]!.score - (below[0]?.score ?? first[0]!.score), 1);

  // Marks: one response's score changes; the others stay as they are.
  const markChanges: MarkChange[] = [];
  let marksTried = 0;
  for (const [index, response] of baseline.entries()) {
    const leading = first.some((f) => f.id === response.id);
    for (const mark of countedMarks(response.input, response.evaluation)) {
      for (const to of [mark.score - MARK_STEP, mark.score + MARK_STEP]) {
        if (to < 0 || to > 4) continue;
        marksTried += 1;
        // A higher mark never lowers a response's overall score and a lower one never raises it (the
        // engine is monotone in each mark), so a change that can only keep the sole leader first, or
        // move another response further from first place, cannot change who is first: it needs no run.
        // This halves the runs; first place shared by a tie is tried both ways.
        const up = to > mark.score;
        if (first.length === 1 && (leading ? up : !up)) continue;
        const input: EvaluationInput = { ...response.input, marks: { ...response.input.marks, [mark.key]: { ...response.input.marks[mark.key]!, score: to as Score } } };
        const after = evaluateResponse(input).overallScore;
        const now = firstPlace(scores.map((s, i) => (i === index ? { ...s, score: after } : s)));
        if (!sameIds(now, first))
          markChanges.push({ id: response.id, name: response.name, questionKey: mark.key, from: mark.score, to: to as Score, before: response.evaluation.overallScore!, after, first: now });
      }
    }
  }

  // Weights: the same change for every response, in the definition's section order.
  const weights = baseline[0]!.input.weights;
  const counted = baseline[0]!.evaluation.sections.filter((s) => (weights[s.key] ?? 0) > 0 && baseline.some((r) => r.evaluation.sections.find((x) => x.key === s.key)?.weightedContribution !== null));
  const weightChanges: WeightChange[] = [];
  let weightsTried = 0;
  for (const section of counted) {
    const from = weights[section.key]!;
    for (const to of [from * (1 - WEIGHT_SHARE), from * (1 + WEIGHT_SHARE)].map((w) => round(w, 4))) {
      if (!reweighted(weights, section.key, to)) continue;
      weightsTried += 1;
      const now = firstPlace(baseline.map((r) => ({ id: r.id, name: r.name, score: evaluateResponse({ ...r.input, weights: reweighted(r.input.weights, section.key, to) ?? r.input.weights }).overallScore })));
      if (!sameIds(now, first)) weightChanges.push({ sectionKey: section.key, from, to, first: now });
    }
  }

  return { applies: true, first, next: below, margin, marks: { tried: marksTried, changing: markChanges }, weights: { tried: weightsTried, changing: weightChanges } };
}
