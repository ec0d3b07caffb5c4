export { registerResponsesApi } from './responses.api';
export { createInvitationTokenResolver } from './invitations.usecases';
export { submittedResponse, responsesForScoring, type SubmittedResponse } from './scoring-input.usecases';
export { downloadEvidenceForOfficer } from './evidence.usecases';
export { withholdsConfidential } from './responses.access';
export { WITHHELD_NOTICE } from './responses.models';
export { EVIDENCE_FILE_HEADERS, evidenceFileResponse, sendEvidenceFile } from './evidence.api';
export { invitations, responses } from './responses.table';
export { registerResponsesWeb } from './responses.web';
