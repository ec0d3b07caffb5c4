import type { EvaluationReportInput } from '../../../src/modules/reports/reports.models';
import { evaluateResponse, type EvaluationInput } from '../../../src/modules/scoring';
import { scoringDefinition, strongInput } from '../scoring/fixtures';

export const definition = scoringDefinition();
export const procurement = { id: '00000000-0000-4000-8000-000000000001', title: 'Council tax chatbot', reference: 'DD-2027-001', riskTier: 'high' as const, riskTierReason: 'Personal data is used.' };
/** Text with every run of white space as one space: table cells and paragraphs wrap where they will. */
export const flat = (text: string) => text.replace(/\s+/g, ' ');

/** The evaluation report's input for an engine input (a strong response unless given), with nothing recorded by the panel unless `overrides` says. */
export function reportInput(overrides: Partial<EvaluationReportInput> = {}, input: EvaluationInput = strongInput()): EvaluationReportInput {
  return {
    council: 'Example Borough Council',
    procurement,
    definition,
    supplierName: 'Acme AI Ltd',
    submittedAt: '2027-03-30T16:00:00.000Z',
    evaluation: evaluateResponse(input),
    computedAt: '2027-04-02T09:30:00.000Z',
    answers: Object.fromEntries(Object.entries(input.answers).map(([key, value]) => [key, { value, comment: null, confidential: false, confidentialReason: null }])),
    amended: [],
    evidence: [],
    marks: [],
    moderations: [],
    clarifications: [],
    amendments: [],
    integrityFlags: [],
    conditions: [],
    finalisation: null,
    trail: [],
    approvals: [],
    panel: { evaluators: [], moderator: null },
    ...overrides,
  };
}
