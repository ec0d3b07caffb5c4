import type { z } from 'zod';
import { ROLES, SCOPES, type Role, type Scope } from '../../platform/auth';
import type { ApiKeyDto, UserDto } from './accounts.models';
import { createApiKeyBodySchema, createUserBodySchema } from './accounts.schemas';
import { ROLE_NAMES, ukWhen } from './staff.models';

/**
 * What the console's administration pages show, as plain data: the users and API keys as rows, the
 * words for roles and scopes, and the add-user and new-key forms read through the API's own body
 * schemas (so the console accepts exactly what the API accepts), with messages a person can act on.
 * Pure: admin.pages.ts fetches through the use cases and the templates only lay this out.
 */

/** What each role may do, as the add-user and change-role forms explain it. */
export const ROLE_HINTS: Record<Role, string> = {
  admin: 'Manages the organisation: users, single sign-on, API keys and webhooks. Can also do everything an officer can.',
  officer: 'Builds questionnaires, runs procurements, invites suppliers, answers clarifications and publishes results.',
  evaluator: 'Declares conflicts of interest and marks the responses they are assigned to, independently.',
  viewer: 'Reads everything in the organisation and changes nothing (auditors, data protection officers, governance boards).',
};

/** What each scope allows: the README's "Scopes" table, one line each. */
export const SCOPE_HINTS: Record<Scope, string> = {
  'scores:read':
    'The scores feed, results and comparison (JSON, CSV, Excel), evaluations, OCDS without answers: numbers, ratings and gateways, no answer text (the working behind a confidential answer’s score is withheld).',
  'procurements:read': 'Procurements, their invitations and each supplier’s progress; no answers, no evidence.',
  'responses:read':
    'A response’s answers and evidence files, its clarifications and bid team, and (with scores:read) the answers in OCDS, with every answer the supplier marked confidential withheld.',
  'responses:read-confidential': 'Nothing alone; added to responses:read, scores:read or reports:read, confidential answers whole, as council staff see them.',
  'reports:read': 'The comparison PDF and the assessment summaries; the evaluation report, which reproduces confidential answers, only with responses:read-confidential too.',
  'questionnaires:read': 'Questionnaires, their exports and methodology.',
  'webhooks:manage': 'Webhook endpoints and their deliveries.',
  'audit:read': 'The audit log.',
};

export const roleOptions = (checked?: string) => ROLES.map((role) => ({ value: role, text: ROLE_NAMES[role], hint: { text: ROLE_HINTS[role] }, checked: role === checked }));

export const scopeOptions = (checked: readonly string[] = []) =>
  SCOPES.map((scope) => ({ value: scope, text: scope, hint: { text: SCOPE_HINTS[scope] }, checked: checked.includes(scope) }));

export type Tag = { text: string; classes: string };

export type UserRow = { id: string; href: string; name: string; email: string; role: string; status: Tag };

export const userStatus = (active: boolean): Tag => (active ? { text: 'Active', classes: 'govuk-tag--green' } : { text: 'Deactivated', classes: 'govuk-tag--grey' });

export function userRows(users: UserDto[]): UserRow[] {
  return users.map((u) => ({ id: u.id, href: `/admin/users/${u.id}`, name: u.name, email: u.email, role: ROLE_NAMES[u.role], status: userStatus(u.active) }));
}

export type ApiKeyCard = {
  id: string;
  name: string;
  revoked: boolean;
  status: Tag;
  rows: Array<{ key: { text: string }; value: { text?: string; html?: string } }>;
};

/** A key's state at `now`: revoked, expired, or working (with when it stops, if it does). */
export function apiKeyStatus(key: Pick<ApiKeyDto, 'revokedAt' | 'expiresAt'>, now: Date): Tag {
  if (key.revokedAt) return { text: 'Revoked', classes: 'govuk-tag--red' };
  if (key.expiresAt && new Date(key.expiresAt) <= now) return { text: 'Expired', classes: 'govuk-tag--grey' };
  return { text: 'Active', classes: 'govuk-tag--green' };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One summary card per key (a table of six columns would not fit a phone). */
export function apiKeyCards(keys: ApiKeyDto[], now: Date): ApiKeyCard[] {
  return keys.map((key) => {
    const rows: ApiKeyCard['rows'] = [
      { key: { text: 'Starts with' }, value: { html: `<code class="govuk-!-text-break-word">${escapeHtml(key.prefix)}</code>` } },
      { key: { text: 'Scopes' }, value: { html: `<ul class="govuk-list">${key.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>` } },
      { key: { text: 'Created' }, value: { text: ukWhen(new Date(key.createdAt)) } },
      { key: { text: 'Last used' }, value: { text: key.lastUsedAt ? ukWhen(new Date(key.lastUsedAt)) : 'Never' } },
    ];
    if (key.expiresAt) rows.push({ key: { text: new Date(key.expiresAt) <= now ? 'Expired' : 'Expires' }, value: { text: ukWhen(new Date(key.expiresAt)) } });
    if (key.revokedAt) rows.push({ key: { text: 'Revoked' }, value: { text: ukWhen(new Date(key.revokedAt)) } });
    return { id: key.id, name: key.name, revoked: key.revokedAt !== null, status: apiKeyStatus(key, now), rows };
  });
}

type Form = Record<string, unknown>;
export type FieldErrors<K extends string> = Partial<Record<K, string>>;
export type FormResult<T, K extends string> = { ok: true; value: T } | { ok: false; errors: FieldErrors<K> };

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : []);

/** The first message per field, in the order the fields appear on the form. */
function firstErrors<K extends string>(issues: z.core.$ZodIssue[], fields: readonly K[], message: (field: K, issue: z.core.$ZodIssue) => string): FieldErrors<K> {
  const errors: FieldErrors<K> = {};
  for (const field of fields) {
    const issue = issues.find((i) => i.path[0] === field);
    if (issue) errors[field] = message(field, issue);
  }
  return errors;
}

export const USER_FIELDS = ['name', 'email', 'role'] as const;
export type UserField = (typeof USER_FIELDS)[number];

/** The add-user form, read with the API's body schema. */
export function readUserForm(form: Form): { values: { name: string; email: string; role: string }; result: FormResult<z.infer<typeof createUserBodySchema>, UserField> } {
  const values = { name: text(form.name), email: text(form.email), role: text(form.role) };
  const parsed = createUserBodySchema.safeParse(values);
  if (parsed.success) return { values, result: { ok: true, value: parsed.data } };
  const errors = firstErrors(parsed.error.issues, USER_FIELDS, (field) => {
    if (field === 'name') return values.name.trim() === '' ? 'Enter the user’s full name' : 'The name must be 200 characters or fewer';
    if (field === 'email') return values.email.trim() === '' ? 'Enter the user’s email address' : 'Enter an email address in the correct format, like name@example.gov.uk';
    return 'Select the user’s role';
  });
  return { values, result: { ok: false, errors } };
}

/** A role from the change-role form, or null when none of the roles was chosen. */
export function readRole(form: Form): Role | null {
  const role = text(form.role);
  return (ROLES as readonly string[]).includes(role) ? (role as Role) : null;
}

export const KEY_FIELDS = ['name', 'scopes'] as const;
export type KeyField = (typeof KEY_FIELDS)[number];

/** The new-key form, read with the API's body schema. */
export function readApiKeyForm(form: Form): { values: { name: string; scopes: string[] }; result: FormResult<z.infer<typeof createApiKeyBodySchema>, KeyField> } {
  const values = { name: text(form.name), scopes: list(form.scopes) };
  const parsed = createApiKeyBodySchema.safeParse({ name: values.name, scopes: [...new Set(values.scopes)] });
  if (parsed.success) return { values, result: { ok: true, value: parsed.data } };
  const errors = firstErrors(parsed.error.issues, KEY_FIELDS, (field) => {
    if (field === 'name') return values.name.trim() === '' ? 'Enter a name for the key, like the system that will use it' : 'The name must be 200 characters or fewer';
    return values.scopes.length === 0 ? 'Select what the key may read or do' : 'Select only the scopes listed';
  });
  return { values, result: { ok: false, errors } };
}

/** GOV.UK's error summary items and per-field messages from field errors. */
export function errorSummary<K extends string>(errors: FieldErrors<K>, anchors: Partial<Record<K, string>> = {}) {
  return Object.entries(errors).map(([field, message]) => ({ href: `#${anchors[field as K] ?? field}`, text: message as string }));
}

export const fieldMessages = <K extends string>(errors: FieldErrors<K>) =>
  Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { text: message as string }])) as Partial<Record<K, { text: string }>>;
