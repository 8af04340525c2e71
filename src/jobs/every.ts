/** A fixed-interval job (node-cron cannot say "every 90 seconds"): one round at a time, a failed round logged. */
import type { Logger } from '../logger.js';

export function every(name: string, intervalMs: number, work: () => Promise<unknown>, log: Logger): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch((err) => log.warn({ job: name, err: (err as Error).message }, 'scheduled job failed'))
      .finally(() => (running = false));
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
