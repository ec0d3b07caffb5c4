import type { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../../platform/events';
import { ukDayTime } from '../../platform/format';
import type { AppError } from '../../platform/errors';
import { WEBHOOK_EVENTS } from './webhooks.events';
import type { DeliveryDto, EndpointDto, LastDelivery } from './webhooks.usecases';

/**
 * What the webhook pages show, as pure functions: endpoints and deliveries as summary cards, the
 * events as checkboxes, and the add form's problems in the words of the field they are about
 * (the API's schema and the use case decide what is wrong; these only say it).
 */

export const WEBHOOKS_PAGE = '/admin/webhooks';
export const endpointHref = (id: string) => `${WEBHOOKS_PAGE}/${id}`;

export type PageError = { text: string; href: string };
export type FormBody = Record<string, string | string[] | undefined> | undefined;
export type EndpointFormValues = { url: string; description: string; events: string[] };

const text = (value: unknown) => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');
const list = (value: unknown): string[] => (typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The add form as posted: what to show back and what to give the API's schema. */
export function readEndpointForm(body: FormBody): EndpointFormValues {
  const form = body ?? {};
  return { url: text(form.url).trim(), description: text(form.description), events: [...new Set(list(form.events))] };
}

/** A zod issue of the API's body schema, on the form's field. */
export function schemaErrors(issues: readonly z.core.$ZodIssue[], values: EndpointFormValues): PageError[] {
  const errors: PageError[] = [];
  const add = (href: string, message: string) => {
    if (!errors.some((e) => e.href === href)) errors.push({ href, text: message });
  };
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    if (field === 'url') {
      if (values.url === '') add('#url', 'Enter the address to send events to');
      else if (issue.code === 'custom') add('#url', 'Enter an address without a user name or password in it');
      else if (issue.code === 'too_big') add('#url', 'The address must be 2,000 characters or fewer');
      else add('#url', 'Enter a full web address, starting with https://');
    } else if (field === 'events') add('#events', 'Select at least one event to send');
    else if (field === 'description') add('#description', 'The description must be 500 characters or fewer');
  }
  return errors;
}

/** The use case's refusal of the address, on the URL field. */
export function addressError(error: AppError): PageError | null {
  if (error.code === 'webhooks.https_required') return { href: '#url', text: 'Enter an address that starts with https://' };
  if (error.code === 'webhooks.address_not_allowed') return { href: '#url', text: `Enter an address the service may send to: ${error.errors?.[0]?.message ?? error.detail}` };
  return null;
}

export const eventSummary = (type: string): string => WEBHOOK_EVENTS[type as EventType]?.summary ?? type;

/** The events as checkboxes, in the order the service lists them. */
export function eventItems(selected: readonly string[]) {
  return EVENT_TYPES.map((type) => ({ value: type, text: WEBHOOK_EVENTS[type].summary, hint: { text: type }, checked: selected.includes(type) }));
}

type Tag = { text: string; classes: string };

export function endpointStatus(endpoint: Pick<EndpointDto, 'status'>): Tag {
  return endpoint.status === 'enabled' ? { text: 'Enabled', classes: 'govuk-tag--green' } : { text: 'Disabled', classes: 'govuk-tag--grey' };
}

const DELIVERY_STATUS: Record<DeliveryDto['status'], Tag> = {
  pending: { text: 'Waiting', classes: 'govuk-tag--yellow' },
  delivering: { text: 'Sending', classes: 'govuk-tag--blue' },
  succeeded: { text: 'Delivered', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
  skipped: { text: 'Skipped', classes: 'govuk-tag--grey' },
};

function lastDeliveryText(last: LastDelivery | undefined): string {
  if (!last) return 'Nothing sent yet';
  return `${DELIVERY_STATUS[last.status].text}: ${eventSummary(last.eventType).toLowerCase()} (${last.eventType}), ${ukDayTime(last.completedAt ?? last.createdAt)}`;
}

export type Row = { key: { text: string }; value: { text: string; classes?: string } };

export type EndpointCard = { id: string; href: string; title: string; status: Tag; rows: Row[] };

/** One card per endpoint on the list: where it sends, what, whether it is on and why not, and its latest delivery. */
export function endpointCards({ endpoints, last }: { endpoints: readonly EndpointDto[]; last: ReadonlyMap<string, LastDelivery> }): EndpointCard[] {
  return endpoints.map((endpoint) => ({
    id: endpoint.id,
    href: endpointHref(endpoint.id),
    title: endpoint.description || endpoint.url,
    status: endpointStatus(endpoint),
    rows: [
      { key: { text: 'Address' }, value: { text: endpoint.url, classes: 'govuk-!-text-break-word' } },
      { key: { text: 'Events' }, value: { text: endpoint.events.join(', '), classes: 'govuk-!-text-break-word' } },
      ...(endpoint.status === 'disabled' ? [{ key: { text: 'Why it is disabled' }, value: { text: endpoint.disabledReason ?? 'No reason was recorded.' } }] : []),
      { key: { text: 'Last delivery' }, value: { text: lastDeliveryText(last.get(endpoint.id)) } },
    ],
  }));
}

/** The endpoint's page: its settings as summary-list rows. */
export function endpointRows(endpoint: EndpointDto): Row[] {
  return [
    { key: { text: 'Address' }, value: { text: endpoint.url, classes: 'govuk-!-text-break-word' } },
    ...(endpoint.description ? [{ key: { text: 'Description' }, value: { text: endpoint.description } }] : []),
    { key: { text: 'Events' }, value: { text: endpoint.events.map((e) => `${eventSummary(e)} (${e})`).join('; ') } },
    ...(endpoint.status === 'disabled' ? [{ key: { text: 'Why it is disabled' }, value: { text: endpoint.disabledReason ?? 'No reason was recorded.' } }] : []),
    { key: { text: 'Signing secret' }, value: { text: `Starts ${endpoint.secretPrefix}…` } },
    { key: { text: 'Added' }, value: { text: ukDayTime(endpoint.createdAt) } },
  ];
}

export type DeliveryCard = { id: string; title: string; queued: string; status: Tag; rows: Row[]; redeliverable: boolean };

function outcomeText(attempt: DeliveryDto['log'][number]): string {
  const what = attempt.statusCode !== null ? `answered ${attempt.statusCode}` : (attempt.error ?? 'no answer');
  const outcome = attempt.outcome === 'succeeded' ? 'Delivered' : attempt.outcome === 'interrupted' ? 'Interrupted (the service was stopping; it goes again)' : 'Failed';
  return `${outcome}: ${what}, ${ukDayTime(attempt.startedAt)}, took ${attempt.durationMs} ms${attempt.statusCode !== null && attempt.error ? ` (${attempt.error})` : ''}`;
}

/** One card per delivery: the event, its status, how many attempts, the last outcome, and when it goes next. */
export function deliveryCards({ deliveries, now }: { deliveries: readonly DeliveryDto[]; now: Date }): DeliveryCard[] {
  return deliveries.map((d) => {
    const last = d.log[d.log.length - 1];
    const rows: Row[] = [
      { key: { text: 'Event' }, value: { text: d.eventType } },
      { key: { text: 'Queued' }, value: { text: ukDayTime(d.createdAt) } },
      { key: { text: 'Attempts' }, value: { text: String(d.attempts) } },
      { key: { text: 'Last outcome' }, value: { text: last ? outcomeText(last) : 'Not tried yet', classes: 'govuk-!-text-break-word' } },
    ];
    if (d.nextAttemptAt) rows.push({ key: { text: 'Next attempt' }, value: { text: new Date(d.nextAttemptAt) <= now ? 'As soon as possible' : ukDayTime(d.nextAttemptAt) } });
    if (last?.responseExcerpt) rows.push({ key: { text: 'Start of the answer' }, value: { text: last.responseExcerpt, classes: 'govuk-!-text-break-word' } });
    rows.push({ key: { text: 'Event ID' }, value: { text: d.eventId, classes: 'govuk-!-text-break-word' } });
    if (d.redeliveryOf) rows.push({ key: { text: 'Sends again' }, value: { text: `Delivery ${d.redeliveryOf}, as a new message with its own webhook-id`, classes: 'govuk-!-text-break-word' } });
    return { id: d.id, title: eventSummary(d.eventType), queued: ukDayTime(d.createdAt), status: DELIVERY_STATUS[d.status], rows, redeliverable: d.status !== 'delivering' };
  });
}
