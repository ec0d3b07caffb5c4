export { registerAuth, principalOf, userOf, type Access, type TokenResolver } from './auth';
export {
  ROLES,
  SCOPES,
  actorOf,
  inOrganisation,
  type Actor,
  type ApiKeyPrincipal,
  type Principal,
  type Role,
  type Scope,
  type SupplierPrincipal,
  type SystemPrincipal,
  type UserPrincipal,
} from './principal';
