export { registerIntegrationsApi } from './integrations.api';
export { registerIntegrationsConsolePages } from './exports.pages';
export { registerWebhookPages } from './webhooks.pages';
