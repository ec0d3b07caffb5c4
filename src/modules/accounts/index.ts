export { registerAccountsApi } from './accounts.api';
export { createAccountTokenResolver, setupFirstOrganisation, createApiKey, createUser, isSetupComplete } from './accounts.usecases';
export { organisations, users, accessTokens } from './accounts.table';
