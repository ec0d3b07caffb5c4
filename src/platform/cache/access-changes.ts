import { inTransaction, notify, type Database, type Db } from '../db';
import type { OrganisationCache } from './organisation-cache';

/** The PostgreSQL channel instances tell each other on; the payload is an organisation id. */
export const ACCESS_CHANNEL = 'aidd_access_changed';

type Forgetting = Pick<OrganisationCache<unknown>, 'forgetOrganisation' | 'forgetAll'>;
type Logger = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };

/**
 * Who may do what changed in an organisation (a token or key revoked, a user's role or activity
 * changed, an invitation revoked or its link replaced): every instance's caches of it must forget.
 */
export type AccessChanges = {
  /** A cache of who may do what, to empty when its organisation's access changes here or elsewhere. */
  track(cache: Forgetting): void;
  /**
   * Call inside the change's transaction: on PostgreSQL every instance forgets the organisation once
   * it commits (NOTIFY is sent on commit, never on rollback). The embedded database has one process.
   */
  announce(input: { db: Db; organisationId: string }): Promise<void>;
  /** This instance forgets at once: call after the change committed, so its next request sees it. */
  forget(organisationId: string): void;
  /** The usual way: runs `change` in a new transaction that announces it, then forgets here once it committed. */
  apply<T>(input: { db: Db; organisationId: string }, change: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

/**
 * Listens (on PostgreSQL) for other instances' announcements. While the listening connection is
 * down, what was cached lapses by its TTL; once it is back, everything cached is forgotten, as
 * announcements made meanwhile were lost.
 */
export async function createAccessChanges({ database, logger }: { database: Database; logger: Logger }): Promise<AccessChanges> {
  const caches: Forgetting[] = [];
  const forget = (organisationId: string) => {
    for (const cache of caches) cache.forgetOrganisation(organisationId);
  };
  const listener = await database.listen?.({
    channel: ACCESS_CHANNEL,
    logger,
    onNotification: forget,
    onListening: () => {
      for (const cache of caches) cache.forgetAll();
    },
  });
  const announce: AccessChanges['announce'] = async ({ db, organisationId }) => {
    if (listener) await notify({ db, channel: ACCESS_CHANNEL, payload: organisationId });
  };
  return {
    track: (cache) => {
      caches.push(cache);
    },
    announce,
    forget,
    apply: async ({ db, organisationId }, change) => {
      const result = await inTransaction(db, async (tx) => {
        const changed = await change(tx);
        await announce({ db: tx, organisationId });
        return changed;
      });
      forget(organisationId);
      return result;
    },
    close: async () => listener?.close(),
  };
}
