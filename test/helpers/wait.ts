/**
 * Reads `read` until `done` holds for its value, and returns that value. Tests wait with this, never
 * with a fixed sleep: a busy machine only makes them wait longer. `guardMs` is not a performance
 * bound, only what turns a test that would hang for ever into a failure that says what it waited for.
 */
export async function until<T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => boolean = Boolean,
  { guardMs = 120_000, everyMs = 10 }: { guardMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + guardMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting, after ${guardMs} ms, for ${what} (last seen: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
