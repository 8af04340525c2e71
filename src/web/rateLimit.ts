/** Small in-memory sliding windows for the endpoints people outside the chat can reach (the acceptance page, the
 * admin API): per client IP and per token hash, so neither many tokens from one address nor one token from many
 * addresses gets unlimited tries. Per process: with several replicas each one counts on its own. */
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** Bounds the memory an attacker with many addresses can make it hold: past this, the oldest keys are dropped. */
const MAX_KEYS = 10_000;

export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly opts: WindowLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for every key when all of them are under the limit; otherwise counts nothing and says
   * in how many seconds the fullest key frees up. */
  take(keys: readonly string[]): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const since = now - this.opts.windowMs;
    let freeAt = 0;
    const recent = keys.map((key) => {
      const times = (this.hits.get(key) ?? []).filter((at) => at > since);
      if (times.length >= this.opts.limit)
        freeAt = Math.max(freeAt, times[times.length - this.opts.limit]! + this.opts.windowMs);
      return times;
    });
    if (freeAt) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
    keys.forEach((key, n) => {
      this.hits.delete(key); // re-inserted last: the Map's order is then the order of last use
      this.hits.set(key, [...recent[n]!, now]);
    });
    for (const key of this.hits.keys()) {
      if (this.hits.size <= MAX_KEYS) break;
      this.hits.delete(key);
    }
    return { ok: true };
  }
}

/** A hash of a token, so that the keys held in memory are no credentials. */
export function tokenKey(token: string): string {
  return `token:${createHash('sha256').update(token).digest('base64url')}`;
}

/** Express middleware: takes one request from the window for `keys(req)`, else sets Retry-After and calls
 * `refuse` (which answers 429 in the route's own form, page or JSON). */
export function rateLimit(
  window: SlidingWindow,
  keys: (req: Request) => string[],
  refuse: (req: Request, res: Response, retryAfterSeconds: number) => void,
) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const taken = window.take([`ip:${req.ip ?? 'unknown'}`, ...keys(req)]);
    if (taken.ok) return next();
    res.set('Retry-After', String(taken.retryAfterSeconds));
    refuse(req, res, taken.retryAfterSeconds);
  };
}
