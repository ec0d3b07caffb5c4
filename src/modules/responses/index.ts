export { registerResponsesApi } from './responses.api';
export { createInvitationTokenResolver } from './invitations.usecases';
export { submittedResponse, responsesForScoring, decideAmendment, type SubmittedResponse, type Amendment } from './scoring-input.usecases';
export { downloadEvidenceForOfficer } from './evidence.usecases';
export { withholdsConfidential } from './responses.access';
export { WITHHELD_NOTICE } from './responses.models';
export { EVIDENCE_FILE_HEADERS, evidenceFileResponse, sendEvidenceFile } from './evidence.api';
export { invitations, responses } from './responses.table';
export { registerResponsesWeb } from './responses.web';
export { registerResponsesConsolePages } from './responses.pages';
export { isResponseOfProcurement } from './responses.usecases';
// How the console shows a question, an answer and an evidence file, for the evaluation panel's pages.
export { questionTitle, sectionTitle, supplierQuestion } from './responses.models';
export { answerText } from './web.models';
export { filenameWithKind } from './evidence.models';
