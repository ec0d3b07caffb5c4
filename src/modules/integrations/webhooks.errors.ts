import { AppError } from '../../platform/errors';

/** Webhook refusals beyond `integrationsErrors`: clients branch on `code`. */
export const webhookErrors = {
  endpointDeleted: () =>
    new AppError({
      status: 409,
      code: 'webhooks.endpoint_deleted',
      title: 'The webhook endpoint has been deleted',
      detail: 'Its delivery log can still be read for 30 days after it was deleted, but nothing can be sent to it. Register the receiver again to send to it.',
    }),
};
