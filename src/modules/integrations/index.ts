export { registerIntegrationsApi } from './integrations.api';
