export { registerResponsesApi } from './responses.api';
export { createInvitationTokenResolver } from './invitations.usecases';
export { invitations, responses } from './responses.table';
