export { registerProcurementsApi } from './procurements.api';
export { closeDueProcurements, getProcurement, getProcurementWithDefinition, keepOpenUntil, transition as transitionProcurement, type ProcurementDto } from './procurements.usecases';
export { procurements } from './procurements.table';
export { procurementIdsOnPanel } from './procurements.repository';
export type { ProcurementStatus } from './procurements.models';
export { registerProcurementPages } from './procurements.web';
export { registerPublishedPages } from './published.web';
export { publishedMethodologyPath, publishedMethodologyUrl } from './published.usecases';
