export { registerReportsApi } from './reports.api';
export { reports } from './reports.table';
export { registerReportsConsolePages } from './reports.pages';
