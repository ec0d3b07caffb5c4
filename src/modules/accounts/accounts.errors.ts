import { AppError, notFound } from '../../platform/errors';

export const accountsErrors = {
  userNotFound: () => notFound({ code: 'accounts.user_not_found', what: 'User' }),
  apiKeyNotFound: () => notFound({ code: 'accounts.api_key_not_found', what: 'API key' }),
  tokenNotFound: () => notFound({ code: 'accounts.token_not_found', what: 'Token' }),
  emailTaken: () =>
    new AppError({ status: 409, code: 'accounts.email_taken', title: 'Email already in use', detail: 'A user with that email address already exists in this organisation.' }),
  lastAdmin: () =>
    new AppError({
      status: 409,
      code: 'accounts.last_admin',
      title: 'The last admin cannot be removed',
      detail: 'Make another user an admin first, so the organisation is never left without one.',
    }),
  setupDone: () =>
    new AppError({ status: 409, code: 'setup.already_done', title: 'Setup is already complete', detail: 'An organisation exists. Ask its admin for an account.' }),
  setupTokenInvalid: () =>
    new AppError({
      status: 401,
      code: 'setup.invalid_token',
      title: 'Setup token missing or wrong',
      detail: 'Send the setup token printed in the service log (or SETUP_TOKEN) in the X-Setup-Token header.',
    }),
  setupDisabled: () =>
    new AppError({ status: 403, code: 'setup.disabled', title: 'Setup is not available', detail: 'This instance was started without a setup token.' }),
};

export const expiryInPast = () =>
  new AppError({
    status: 422,
    code: 'accounts.expiry_in_past',
    title: 'Expiry must be in the future',
    errors: [{ path: '/body/expiresAt', message: 'must be a time in the future' }],
  });
