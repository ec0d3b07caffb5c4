export { recordAudit, verifyAuditChain, listAuditEvents, auditTrail, auditedOrganisations, hashAuditEvent, GENESIS_HASH, type AuditEvent, type ChainVerification } from './audit';
export { registerAuditApi } from './audit.api';
export { auditEvents } from './audit.table';
