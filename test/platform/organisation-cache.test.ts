import { describe, expect, it } from 'vitest';
import { createOrganisationCache } from '../../src/platform/cache';
import { createClock } from '../helpers/app';

describe('the organisation cache', () => {
  const scoped = (organisationId: string, since?: number) => ({ organisationId, ...(since === undefined ? {} : { since }) });

  it('forgets one organisation’s entries and keeps the others’', () => {
    const cache = createOrganisationCache<string>({ ttlMs: 60_000, now: createClock().now });
    cache.set('token-a', 'Ada', scoped('org-1'));
    cache.set('token-b', 'Bo', scoped('org-2'));
    cache.forgetOrganisation('org-1');
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.get('token-b')).toBe('Bo');
  });

  it('forgets every organisation at once when changes may have been missed', () => {
    const cache = createOrganisationCache<string>({ ttlMs: 60_000, now: createClock().now });
    cache.set('token-a', 'Ada', scoped('org-1'));
    cache.set('token-b', 'Bo', scoped('org-2'));
    cache.forgetAll();
    expect([cache.get('token-a'), cache.get('token-b')]).toEqual([undefined, undefined]);
  });

  it('does not keep an answer looked up before a forget: it may predate the change', () => {
    const cache = createOrganisationCache<string>({ ttlMs: 60_000, now: createClock().now });
    const since = cache.generation();
    // The lookup is under way when another instance's revocation arrives…
    cache.forgetOrganisation('org-1');
    // …so what it read is not cached; the next request looks again.
    cache.set('token-a', 'Ada (revoked meanwhile)', scoped('org-1', since));
    expect(cache.get('token-a')).toBeUndefined();
    // A lookup that began after the forget is kept.
    cache.set('token-a', 'Ada', scoped('org-1', cache.generation()));
    expect(cache.get('token-a')).toBe('Ada');
  });

  it('lets an entry lapse after its TTL whatever else happens', () => {
    const clock = createClock();
    const cache = createOrganisationCache<string>({ ttlMs: 5_000, now: clock.now });
    cache.set('token-a', 'Ada', scoped('org-1'));
    clock.advance(4_999);
    expect(cache.get('token-a')).toBe('Ada');
    clock.advance(1);
    expect(cache.get('token-a')).toBeUndefined();
  });
});
