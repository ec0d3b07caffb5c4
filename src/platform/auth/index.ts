export { declaredAccess, registerAuth, principalOf, userOf, type Access, type DeclaredAccess, type ScopeRequirement, type TokenResolver } from './auth';
export {
  ROLES,
  SCOPES,
  actorOf,
  inOrganisation,
  isKeyWithout,
  type Actor,
  type ApiKeyPrincipal,
  type Principal,
  type Role,
  type Scope,
  type SupplierPrincipal,
  type SystemPrincipal,
  type UserPrincipal,
} from './principal';
