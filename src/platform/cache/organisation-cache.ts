/**
 * A small in-process cache whose entries belong to an organisation and live a few seconds.
 * Used for resolved tokens and identities, so a busy integration does not cost a database round
 * trip per request. This instance forgets an organisation's entries the moment something that
 * changes access happens; other instances forget when told (`access-changes.ts`: PostgreSQL
 * NOTIFY), and within `ttlMs` (AUTH_CACHE_TTL_MS) whatever happens.
 */
export type OrganisationCache<T> = {
  get(key: string): T | undefined;
  /**
   * How many times this cache has forgotten so far. Read it before looking up what you will `set`,
   * and pass it as `since`: an answer read before a forget is then not kept, as it may be stale.
   */
  generation(): number;
  set(key: string, value: T, scope: { organisationId: string; validUntil?: Date | null; since?: number }): void;
  forgetOrganisation(organisationId: string): void;
  /** Forgets every organisation: changes may have been missed (the notifications were down). */
  forgetAll(): void;
};

export function createOrganisationCache<T>({ ttlMs, maxEntries = 10_000, now }: { ttlMs: number; maxEntries?: number; now: () => Date }): OrganisationCache<T> {
  const entries = new Map<string, { value: T; organisationId: string; until: number }>();
  let forgets = 0;
  return {
    get(key) {
      if (ttlMs <= 0) return undefined;
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.until <= now().getTime()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    generation: () => forgets,
    set(key, value, { organisationId, validUntil, since }) {
      if (ttlMs <= 0) return;
      if (since !== undefined && since !== forgets) return;
      if (entries.size >= maxEntries) {
        // Maps iterate in insertion order: drop the oldest.
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      const until = Math.min(now().getTime() + ttlMs, validUntil ? validUntil.getTime() : Number.POSITIVE_INFINITY);
      entries.set(key, { value, organisationId, until });
    },
    forgetOrganisation(organisationId) {
      forgets += 1;
      for (const [key, entry] of entries) if (entry.organisationId === organisationId) entries.delete(key);
    },
    forgetAll() {
      forgets += 1;
      entries.clear();
    },
  };
}
