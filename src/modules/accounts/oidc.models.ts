import type { ClaimsRefusal } from './identity-providers.models';

/**
 * What a person is told when single sign-on does not sign them in: one page per reason, each
 * saying what happened and what to do next, with the status it is sent with. Pure, so the words
 * are tested as a function; `oidc.web.ts` only picks the reason.
 */

export type OidcRefusal =
  | { reason: 'expired' }
  | { reason: 'state' }
  | { reason: 'provider_changed' }
  | { reason: 'provider_refused' }
  | { reason: 'unknown_user'; email: string }
  | { reason: 'deactivated' }
  | { reason: 'identity_mismatch'; email: string }
  | ClaimsRefusal;

export type RefusalPage = { status: number; title: string; paragraphs: string[]; startAgain: boolean };

const START_AGAIN = 'Nothing has been changed. Go back to the sign-in page and start again.';

export function refusalPage(refusal: OidcRefusal, { council }: { council: string | null }): RefusalPage {
  const organisation = council ?? 'your organisation';
  switch (refusal.reason) {
    case 'expired':
      return {
        status: 400,
        title: 'Your sign-in could not be finished',
        paragraphs: ['Signing in took longer than 10 minutes, or it was started in another browser.', START_AGAIN],
        startAgain: true,
      };
    case 'state':
      return {
        status: 400,
        title: 'Your sign-in could not be finished',
        paragraphs: ['The answer from your sign-in service does not belong to the sign-in this browser started. This can happen when you sign in in two tabs at once.', START_AGAIN],
        startAgain: true,
      };
    case 'provider_changed':
      return {
        status: 400,
        title: 'Your sign-in could not be finished',
        paragraphs: [`The sign-in settings of ${organisation} changed while you were signing in.`, START_AGAIN],
        startAgain: true,
      };
    case 'provider_refused':
      return {
        status: 400,
        title: 'Your sign-in service did not confirm who you are',
        paragraphs: ['Signing in may have been cancelled, or this sign-in was already used. For your security, each sign-in works once.', START_AGAIN],
        startAgain: true,
      };
    case 'email_missing':
      return {
        status: 403,
        title: 'We could not get your email address',
        paragraphs: [
          'Your sign-in service did not tell us your email address, which is how we find your account.',
          `Ask the person who looks after ${organisation}'s sign-in service to let this service read it (the scopes openid, email and profile).`,
        ],
        startAgain: false,
      };
    case 'email_unverified':
      return {
        status: 403,
        title: 'Your email address has not been verified',
        paragraphs: [
          'Your sign-in service did not confirm that the email address it gave us is yours (it did not send email_verified).',
          'Ask your IT team to verify your email address with your sign-in service, then sign in again.',
        ],
        startAgain: false,
      };
    case 'entra_claims_missing':
      return {
        status: 403,
        title: 'Microsoft Entra ID did not confirm your email address',
        paragraphs: [
          `The sign-in did not include ${refusal.missing.join(' and ')}, which this service needs to trust the email address Entra ID gives.`,
          'An administrator of your Entra ID app registration can fix this: in Token configuration, add the optional ID token claims email and xms_edov. Then sign in again.',
        ],
        startAgain: false,
      };
    case 'google_hosted_domain':
      return {
        status: 403,
        title: 'Sign in with your work Google account',
        paragraphs: [`The Google account you used does not belong to ${organisation}'s Google Workspace. Personal Google accounts cannot be used.`, 'Sign out of Google, then sign in again with your work account.'],
        startAgain: true,
      };
    case 'domain_not_allowed':
      return {
        status: 403,
        title: 'You cannot sign in with that email address',
        paragraphs: [`${organisation} does not let people with an email address at ${refusal.domain} sign in to this service.`, 'Sign in with your work account, or ask an administrator in your organisation to allow that domain.'],
        startAgain: true,
      };
    case 'unknown_user':
      return {
        status: 403,
        title: 'You do not have an account yet',
        paragraphs: [`${refusal.email} is not a user of this service at ${organisation}.`, 'Ask an administrator in your organisation to add you, then sign in again.'],
        startAgain: false,
      };
    case 'deactivated':
      return {
        status: 403,
        title: 'Your account has been deactivated',
        paragraphs: [`You can no longer sign in to this service at ${organisation}.`, 'If you need to, ask an administrator in your organisation to reactivate your account.'],
        startAgain: false,
      };
    case 'identity_mismatch':
      return {
        status: 403,
        title: 'This account belongs to someone else',
        paragraphs: [
          `The account ${refusal.email} is linked to a different person at your sign-in service, so we have not signed you in.`,
          'If this address has been given to you, ask an administrator in your organisation to remove the identity provider and register it again, which makes everyone link their account afresh at their next sign-in.',
        ],
        startAgain: false,
      };
  }
}
