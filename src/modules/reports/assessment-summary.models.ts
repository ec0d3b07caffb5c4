import type { Question } from '../questionnaires';
import { type GatewayEvaluation, type QuestionEvaluation } from '../scoring';
import { ukDayTime } from '../../platform/format';
import { MARKING, type Block, type ReportDocument } from './reports.document';
import { type AssessmentSummaryInput, RATING_WORDS, OUTCOME_WORDS, STATUS_WORDS, fixed1, fixed2, score100, fileNameOf, markLabel, answerText, plainWorking, titled, questionsOf, referenceOf, visibleSections } from './reports.shared';
// ───────────────────────────────────────────── the assessment summary (Procurement Act 2023 s.50)

function reasonFor(input: AssessmentSummaryInput, question: Question, q: QuestionEvaluation): string {
  const answer = input.answers[question.key];
  const yours =
    question.type === 'file'
      ? 'Your evidence files'
      : answer?.confidential
        ? 'Your answer (marked commercially confidential, so not reproduced here)'
        : `Your answer “${answerText(question, answer?.value)}”`;
  const moderation = input.moderations.find((m) => m.questionKey === question.key);
  const why = moderation ? `The panel’s reason: ${moderation.rationale}` : plainWorking(q.working, input.definition, input.procurement).join(' ');
  const scored = q.score === null ? STATUS_WORDS[q.status].toLowerCase() : `scored ${markLabel(input.definition, q.score)}`;
  return `${titled(question.ref, question.text)} ${yours} ${scored}. ${why}`.trim();
}

export function assessmentSummary(input: AssessmentSummaryInput): ReportDocument {
  const { evaluation, definition, procurement, decision } = input;
  const questions = questionsOf(definition);
  const separate = (g: GatewayEvaluation) => questions.get(g.questionKey)?.gateway?.separateFromAward === true;
  const awardGateways = evaluation.gateways.filter((g) => !separate(g));
  const separateGateways = evaluation.gateways.filter(separate);
  const gatewayLine = (g: GatewayEvaluation) => `${titled(g.ref, '')}${OUTCOME_WORDS[g.outcome]}: ${g.reason}`.trim();
  const sections = visibleSections(evaluation);
  const winner = decision.winner;
  const createdAt = [input.computedAt, decision.decidedAt].sort().at(-1)!;
  const outcome =
    decision.outcome === 'no_award'
      ? 'The council decided not to award a contract.'
      : decision.successful
        ? 'Your tender was successful: the council intends to award you the contract.'
        : `Your tender was not successful. The council intends to award the contract to ${winner?.supplierName ?? 'another supplier'}.`;
  const blocks: Block[] = [
    { kind: 'heading', level: 1, text: `Assessment summary: ${input.supplierName}`, bookmark: true },
    {
      kind: 'paragraph',
      text: `This is the assessment summary for your tender, given under section 50 of the Procurement Act 2023. It sets out how your tender was assessed against each award criterion, the score available and the score you were awarded, and the reasons, by reference to your own answers. It does not contain any other supplier’s answers.`,
    },
    {
      kind: 'facts',
      rows: [
        ['Council', input.council],
        ['Procurement', procurement.title],
        ['Reference', referenceOf(procurement)],
        ['Supplier', input.supplierName],
        ['Outcome', outcome],
        ['Decided', ukDayTime(decision.decidedAt)],
        ['Your total score', score100(evaluation.overallScore)],
        ['Your rating', RATING_WORDS[evaluation.rating]],
        ['Your rank', input.rank === null ? 'Not ranked (a gateway was not passed)' : `${input.rank} of ${input.rankedCount} ranked tenders`],
        ...(winner ? [['Successful tender’s total score', score100(winner.overallScore)] as [string, string]] : []),
      ],
    },
    { kind: 'heading', level: 2, text: 'Scores by criterion', bookmark: true },
    {
      kind: 'table',
      caption: 'Award criteria',
      columns: [
        { header: 'Criterion', width: 0.34 },
        { header: 'Weight', width: 0.1, align: 'right' },
        { header: 'Points available', width: 0.14, align: 'right' },
        { header: 'Your score /100', width: 0.14, align: 'right' },
        { header: 'Your points', width: 0.13, align: 'right' },
        ...(winner ? [{ header: 'Successful tender’s points', width: 0.15, align: 'right' as const }] : []),
      ],
      rows: [
        ...sections.map((s) => [
          titled(s.ref, s.title),
          String(s.weight),
          fixed2(s.effectiveWeight),
          fixed1(s.score),
          fixed2(s.weightedContribution),
          ...(winner ? [fixed2(winner.sections.find((x) => x.key === s.key)?.weightedContribution)] : []),
        ]),
        ['Total', '100', '100.00', '', fixed1(evaluation.overallScore), ...(winner ? [fixed1(winner.overallScore)] : [])],
      ],
    },
    {
      kind: 'paragraph',
      tone: 'muted',
      text: 'Points available is the criterion’s weight after criteria with no score are left out and the rest scaled to 100. Your points are your score for the criterion times its points available, divided by 100; they add up to your total.',
    },
    { kind: 'heading', level: 2, text: 'Gateways (pass or fail)', bookmark: true },
    awardGateways.length === 0
      ? { kind: 'paragraph', text: 'No gateway applied to your tender.' }
      : { kind: 'list', items: awardGateways.map(gatewayLine) },
  ];
  // Exclusion grounds and conflicts of interest are not award criteria under the Act: said apart, so nobody reads them as part of the assessment.
  if (separateGateways.length > 0)
    blocks.push(
      { kind: 'heading', level: 2, text: 'Checked separately from the award criteria', bookmark: true },
      {
        kind: 'paragraph',
        text: 'Exclusion grounds (Part 3 of the Procurement Act 2023) and conflicts of interest (sections 81 to 83) are checked separately from the award criteria. They are listed here for completeness; they are not part of how your tender was scored.',
      },
      { kind: 'list', items: separateGateways.map(gatewayLine) },
    );

  if (winner) {
    const behind = sections
      .map((s) => ({ s, theirs: winner.sections.find((x) => x.key === s.key)?.score ?? null }))
      .filter(({ s, theirs }) => theirs !== null && (s.score ?? 0) < theirs);
    blocks.push(
      { kind: 'heading', level: 2, text: 'Why your tender was not successful', bookmark: true },
      {
        kind: 'paragraph',
        text: `The successful tender scored ${fixed1(winner.overallScore)} out of 100 overall; yours scored ${fixed1(evaluation.overallScore)}.${behind.length > 0 ? ' It scored higher than yours on these criteria:' : ''}`,
      },
    );
    if (behind.length > 0) blocks.push({ kind: 'list', items: behind.map(({ s, theirs }) => `${titled(s.ref, s.title)}: yours ${fixed1(s.score)}, the successful tender ${theirs!.toFixed(1)} out of 100`) });
    if (input.rank === null) blocks.push({ kind: 'paragraph', text: 'Your tender could not be ranked because it did not pass every gateway; the gateway reasons are above.' });
  }

  blocks.push({ kind: 'heading', level: 1, text: 'Reasons, criterion by criterion', bookmark: true });
  for (const section of sections) {
    const defined = definition.sections.find((s) => s.key === section.key);
    const scored = (defined?.questions ?? [])
      .map((question) => ({ question, q: evaluation.questions.find((x) => x.key === question.key) }))
      .filter((x): x is { question: Question; q: QuestionEvaluation } => x.q !== undefined && x.q.status !== 'hidden' && x.q.status !== 'not_scored');
    blocks.push(
      { kind: 'heading', level: 2, text: titled(section.ref, section.title), bookmark: true },
      { kind: 'paragraph', text: `Your score for this criterion: ${score100(section.score)} (weight ${section.weight}).` },
      scored.length === 0 ? { kind: 'paragraph', text: 'No question in this criterion was scored.' } : { kind: 'list', items: scored.map(({ question, q }) => reasonFor(input, question, q)) },
    );
  }

  return {
    title: `Assessment summary: ${input.supplierName}, ${procurement.title}`,
    subject: `Procurement Act 2023 s.50 assessment summary for ${input.supplierName}`,
    author: input.council,
    reference: referenceOf(procurement),
    marking: MARKING,
    createdAt,
    filename: fileNameOf(['assessment-summary', procurement.reference, input.supplierName]),
    blocks,
  };
}
