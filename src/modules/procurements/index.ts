export { registerProcurementsApi } from './procurements.api';
export { getProcurement, keepOpenUntil, type ProcurementDto } from './procurements.usecases';
export { procurements } from './procurements.table';
export type { ProcurementStatus } from './procurements.models';
