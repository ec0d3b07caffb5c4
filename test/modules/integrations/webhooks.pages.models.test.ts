import { describe, expect, it } from 'vitest';
import { integrationsErrors } from '../../../src/modules/integrations/integrations.errors';
import { addressError, deliveryCards } from '../../../src/modules/integrations/webhooks.pages.models';

/** The webhook pages' pure parts: the use case's refusals on the address field, and a delivery in words. */
describe('the webhook pages in words', () => {
  it.each([
    { name: 'plain http in production', error: integrationsErrors.httpsRequired(), text: 'Enter an address that starts with https://' },
    { name: 'a private address', error: integrationsErrors.addressNotAllowed('hooks.internal resolves to 10.0.0.5, which webhooks may not reach'), text: 'Enter an address the service may send to: hooks.internal resolves to 10.0.0.5, which webhooks may not reach' },
  ])('puts the refusal of $name on the address field', ({ error, text }) => {
    expect(addressError(error)).toEqual({ href: '#url', text });
  });

  it('says how the last attempt went and when the next one is due', () => {
    const [card] = deliveryCards({
      now: new Date('2026-06-01T12:00:00.000Z'),
      deliveries: [
        {
          id: 'd1',
          eventId: 'e1',
          eventType: 'response.submitted',
          redeliveryOf: null,
          status: 'pending',
          attempts: 2,
          nextAttemptAt: '2026-06-01T12:30:00.000Z',
          createdAt: '2026-06-01T11:00:00.000Z',
          completedAt: null,
          log: [
            { attempt: 1, startedAt: '2026-06-01T11:00:00.000Z', durationMs: 12, statusCode: 503, outcome: 'failed', error: null, responseExcerpt: 'busy' },
            { attempt: 2, startedAt: '2026-06-01T11:00:05.000Z', durationMs: 10000, statusCode: null, outcome: 'failed', error: 'timed out after 10000 ms', responseExcerpt: null },
          ],
        },
      ],
    });
    expect(card).toMatchObject({ title: 'A supplier submitted its response', status: { text: 'Waiting' }, redeliverable: true });
    expect(Object.fromEntries(card!.rows.map((r) => [r.key.text, r.value.text]))).toEqual({
      Event: 'response.submitted',
      Queued: '1 June 2026, 12:00 (UK time)',
      Attempts: '2',
      'Last outcome': 'Failed: timed out after 10000 ms, 1 June 2026, 12:00 (UK time), took 10000 ms',
      'Next attempt': '1 June 2026, 13:30 (UK time)',
      'Event ID': 'e1',
    });
  });
});
