import { setTimeout as sleep } from 'node:timers/promises';
import { inTransaction, tryLockForTransaction, type DatabaseKind, type Db } from '../../platform/db';

/** The namespace of reports' advisory locks, apart from every other lock of the service. */
const LOCK_NAMESPACE = 7_210_002;
const FIRST_WAIT_MS = 25;
const LONGEST_WAIT_MS = 250;

export type ReportRenders = {
  /**
   * Runs `work` for `key` once at a time: requests for a key already in hand on this instance share
   * that run, and on PostgreSQL a run holds an advisory lock on the key, so other instances wait for
   * it (without holding a connection) and then find its stored file.
   */
  once<T>(input: { db: Db; key: string; work: (db: Db) => Promise<T> }): Promise<T>;
};

/** At most `slots` at a time; the rest wait their turn in memory. */
function semaphore(slots: number) {
  let free = slots;
  const queue: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await work();
    } finally {
      const next = queue.shift();
      if (next) next();
      else free += 1;
    }
  };
}

/**
 * One per app. The embedded database belongs to one process, so there sharing the run in memory is
 * enough. On PostgreSQL the lock lives in the transaction that draws and stores the file; `slots`
 * (the PDF workers) bounds how many such transactions, each holding a connection, one instance has.
 */
export function createReportRenders({ engine, slots }: { engine: DatabaseKind; slots: number }): ReportRenders {
  const flights = new Map<string, Promise<unknown>>();
  const inTurn = semaphore(Math.max(1, slots));

  async function acrossInstances<T>(db: Db, key: string, work: (db: Db) => Promise<T>): Promise<T> {
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
      const outcome = await inTurn(() =>
        inTransaction(db, async (tx) => ((await tryLockForTransaction({ db: tx, namespace: LOCK_NAMESPACE, key })) ? { ran: true as const, value: await work(tx) } : { ran: false as const })),
      );
      if (outcome.ran) return outcome.value;
      // Another instance is drawing it: its file is stored when its lock goes, so look again then.
      await sleep(wait);
    }
  }

  return {
    once<T>({ db, key, work }: { db: Db; key: string; work: (db: Db) => Promise<T> }): Promise<T> {
      const running = flights.get(key) as Promise<T> | undefined;
      if (running) return running;
      const flight = (engine === 'postgres' ? acrossInstances(db, key, work) : work(db)).finally(() => flights.delete(key));
      flights.set(key, flight);
      return flight;
    },
  };
}

const perApp = new WeakMap<object, ReportRenders>();

/**
 * The app's one `ReportRenders`, kept against an object the app has one of (its PDF pool), so the
 * API and the console share one in-memory flight per report and one bound on connections.
 */
export function reportRendersOf({ app, engine, slots }: { app: object; engine: DatabaseKind; slots: number }): ReportRenders {
  let renders = perApp.get(app);
  if (!renders) {
    renders = createReportRenders({ engine, slots });
    perApp.set(app, renders);
  }
  return renders;
}
