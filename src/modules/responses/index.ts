export { registerResponsesApi } from './responses.api';
export { createInvitationTokenResolver } from './responses.usecases';
export { invitations, responses } from './responses.table';
