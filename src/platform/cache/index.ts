export { createOrganisationCache, type OrganisationCache } from './organisation-cache';
export { ACCESS_CHANNEL, createAccessChanges, type AccessChanges } from './access-changes';
