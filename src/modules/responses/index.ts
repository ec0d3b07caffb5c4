export { registerResponsesApi } from './responses.api';
export { createInvitationTokenResolver } from './invitations.usecases';
export { submittedResponse, responsesForScoring, type SubmittedResponse } from './scoring-input.usecases';
export { downloadEvidenceForOfficer } from './evidence.usecases';
export { sendEvidenceFile } from './evidence.api';
export { invitations, responses } from './responses.table';
export { registerResponsesWeb } from './responses.web';
