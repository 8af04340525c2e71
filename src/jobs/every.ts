/** A fixed-interval job (node-cron cannot say "every 90 seconds"): one round at a time, a failed round logged.
 * stop() resolves once the round in flight, if any, has finished. */
import type { Logger } from '../logger.js';

export function every(
  name: string,
  intervalMs: number,
  work: () => Promise<unknown>,
  log: Logger,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = work()
      .then(
        () => undefined,
        (err) => log.warn({ job: name, err: (err as Error).message }, 'scheduled job failed'),
      )
      .finally(() => (running = undefined));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
