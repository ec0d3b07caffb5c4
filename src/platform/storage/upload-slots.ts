/** A place for one upload in flight; release it once the request is over, however it ended. */
export type UploadSlot = { release: () => void };

export type UploadSlots = {
  /** A slot for an upload under `key` (e.g. a response), or why there is none: too many under the key, or in all. */
  take: (input: { key: string }) => UploadSlot | { refused: 'key' | 'total' };
  inFlight: () => number;
};

/**
 * Counts uploads in flight, per key and in all, so a burst is refused at once with a status the
 * client can retry on, rather than queued until memory, disk bandwidth or the pool give out.
 */
export function createUploadSlots({ perKey, total }: { perKey: number; total: number }): UploadSlots {
  const byKey = new Map<string, number>();
  let all = 0;
  return {
    take: ({ key }) => {
      const mine = byKey.get(key) ?? 0;
      if (mine >= perKey) return { refused: 'key' };
      if (all >= total) return { refused: 'total' };
      byKey.set(key, mine + 1);
      all += 1;
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          all -= 1;
          const left = (byKey.get(key) ?? 1) - 1;
          if (left === 0) byKey.delete(key);
          else byKey.set(key, left);
        },
      };
    },
    inFlight: () => all,
  };
}
