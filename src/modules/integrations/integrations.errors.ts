import { AppError, notFound } from '../../platform/errors';

export const integrationsErrors = {
  webhookNotFound: () => notFound({ code: 'webhooks.not_found', what: 'Webhook endpoint' }),
  deliveryNotFound: () => notFound({ code: 'webhooks.delivery_not_found', what: 'Delivery' }),
  addressNotAllowed: (detail: string) =>
    new AppError({
      status: 422,
      code: 'webhooks.address_not_allowed',
      title: 'Webhooks cannot be sent to that address',
      detail: `${detail}. Use a public address: loopback, private, link-local and metadata addresses are refused.`,
      errors: [{ path: '/body/url', message: detail }],
    }),
  httpsRequired: () =>
    new AppError({ status: 422, code: 'webhooks.https_required', title: 'Use an https:// URL', detail: 'Deliveries carry data about procurements and are only sent over TLS.', errors: [{ path: '/body/url', message: 'must be https' }] }),
  deliveryInProgress: () => new AppError({ status: 409, code: 'webhooks.delivery_in_progress', title: 'That delivery is being attempted now', detail: 'Try again when the attempt has finished.' }),
};
