import type { IdentityProviderDto } from './identity-providers.models';

/** The identity provider settings page as a function of what is saved, what was typed and what is wrong. */

export type IdentityProviderFormValues = { issuer: string; clientId: string; allowedDomains: string; createViewers: boolean };
export type FormErrors = Partial<Record<'issuer' | 'clientId' | 'clientSecret' | 'allowedDomains' | 'form', string>>;

const FIELD_ORDER = ['issuer', 'clientId', 'clientSecret', 'allowedDomains'] as const;

export function identityProviderForm({ saved, values, errors }: { saved: IdentityProviderDto | null; values: IdentityProviderFormValues; errors: FormErrors }) {
  const errorMessage = (name: (typeof FIELD_ORDER)[number]) => (errors[name] ? { text: errors[name] } : undefined);
  const errorList = [
    ...(errors.form ? [{ text: errors.form, href: '#issuer' }] : []),
    ...FIELD_ORDER.filter((name) => errors[name]).map((name) => ({ text: errors[name]!, href: `#${name}` })),
  ];
  return {
    errors: errorList,
    saved,
    fields: {
      issuer: { value: values.issuer, errorMessage: errorMessage('issuer') },
      clientId: { value: values.clientId, errorMessage: errorMessage('clientId') },
      clientSecret: {
        errorMessage: errorMessage('clientSecret'),
        hint: saved?.clientSecretSet
          ? 'A client secret is stored. Leave this empty to keep it, or enter a new one to replace it.'
          : 'From your app registration. Leave it empty only if your provider treats this service as a public client.',
      },
      allowedDomains: { value: values.allowedDomains, errorMessage: errorMessage('allowedDomains') },
      createViewers: values.createViewers,
    },
    // A secret typed into a form that had other mistakes is not sent back into the page.
    secretRetyped: Object.keys(errors).length > 0,
    submitText: saved ? 'Save changes' : 'Register identity provider',
  };
}
