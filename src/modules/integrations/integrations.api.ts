import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/http/deps';
import { registerExportsApi } from './exports.api';
import { registerFeedApi } from './feed.api';
import { registerOcdsApi } from './ocds.api';
import { registerWebhooksApi } from './webhooks.api';

/** Everything an outside system uses to copy our results: the feed, exports, webhooks, OCDS. */
export function registerIntegrationsApi(app: FastifyInstance, deps: AppDeps): void {
  registerFeedApi(app, deps);
  registerExportsApi(app, deps);
  registerOcdsApi(app, deps);
  registerWebhooksApi(app, deps);
}
