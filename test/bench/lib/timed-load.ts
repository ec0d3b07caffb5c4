import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { assertLoopback } from './load';

/** One answered request: when it was sent and how long it took (`performance.now()` milliseconds). */
export type TimedSample = { sentAt: number; ms: number; status: number };

export type TimedLoad = {
  /** Every answered request so far, in the order the responses came back. */
  samples: TimedSample[];
  /** Stops the load (requests still out are dropped) and gives autocannon's error and timeout counts. */
  stop: () => Promise<{ errors: number; timeouts: number }>;
};

/**
 * An autocannon load (closed loop, pipelining 1) against a loopback URL that runs until stopped,
 * keeping each response's send time and latency, so a scenario can read the latency of exactly
 * the requests sent while something else was going on. `maxSeconds` only guards against a hang.
 */
export function timedLoad({ url, connections, headers = {}, maxSeconds = 120 }: { url: string; connections: number; headers?: Record<string, string>; maxSeconds?: number }): TimedLoad {
  assertLoopback(url);
  const samples: TimedSample[] = [];
  let finish: (result: { errors: number; timeouts: number }) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<{ errors: number; timeouts: number }>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({ url, connections, pipelining: 1, duration: maxSeconds, headers }, (error, result) => {
    if (error) fail(error);
    else finish({ errors: result.errors, timeouts: result.timeouts });
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    samples.push({ sentAt: performance.now() - responseTime, ms: responseTime, status: statusCode });
  });
  return {
    samples,
    stop: () => {
      instance.stop();
      return done;
    },
  };
}
