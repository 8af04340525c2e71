/** How a job tells the outbox whether to try again. Anything not marked permanent is retried. */
export class PermanentError extends Error {
  readonly permanent = true;
}

/** A failure worth retrying, optionally not before `retryAfterMs` (a 429's Retry-After). A `paced` job was
 * held back by our own budget, not refused: the wait costs it no attempt. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly paced = false,
  ) {
    super(message);
  }
}

export function isPaced(err: unknown): boolean {
  return (err as { paced?: unknown })?.paced === true;
}

export function isPermanent(err: unknown): boolean {
  return (err as { permanent?: unknown })?.permanent === true;
}

export function retryAfterOf(err: unknown): number | undefined {
  const ms = (err as { retryAfterMs?: unknown })?.retryAfterMs;
  return typeof ms === 'number' && ms >= 0 ? ms : undefined;
}

/** An HTTP Retry-After header (seconds, or an HTTP date) in milliseconds from now. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value?.trim()) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
