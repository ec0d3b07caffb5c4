export { createOrganisationCache, type OrganisationCache } from './organisation-cache';
