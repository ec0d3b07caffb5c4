export { registerAccountsApi } from './accounts.api';
export { createAccountTokenResolver, setupFirstOrganisation, createOrganisationWithAdmin, createApiKey, createUser, isSetupComplete, organisationExists, activeUsersAmong, contactFor, userNames } from './accounts.usecases';
export { organisations, users, accessTokens } from './accounts.table';
