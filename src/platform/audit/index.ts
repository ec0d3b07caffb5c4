export { recordAudit, verifyAuditChain, listAuditEvents, auditTrail, auditedOrganisations, hashAuditEvent, GENESIS_HASH, type AuditEvent, type ChainVerification } from './audit';
export { registerAuditApi, AUDIT_READERS } from './audit.api';
export { registerAuditPages, type AuditPagesDeps } from './audit.pages';
export { searchAuditEvents, auditedActions, type AuditFilter } from './audit.search';
export { AUDIT_ACTION_WORDS, auditEventWords } from './audit.words';
export { auditEvents } from './audit.table';
