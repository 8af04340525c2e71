import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../src/web/rateLimit.js';

describe('SlidingWindow', () => {
  it('frees a slot as the oldest request leaves the window, and does not count refused requests', () => {
    let now = 0;
    const window = new SlidingWindow({ limit: 2, windowMs: 10_000 }, () => now);
    expect(window.take(['ip:a'])).toEqual({ ok: true });
    now = 4_000;
    expect(window.take(['ip:a'])).toEqual({ ok: true });
    expect(window.take(['ip:a'])).toEqual({ ok: false, retryAfterSeconds: 6 });
    expect(window.take(['ip:b'])).toEqual({ ok: true });
    now = 10_001;
    expect(window.take(['ip:a'])).toEqual({ ok: true });
    expect(window.take(['ip:a'])).toEqual({ ok: false, retryAfterSeconds: 4 });
  });

  it('counts a request against every key only when all of them have room', () => {
    const window = new SlidingWindow({ limit: 1, windowMs: 1000 }, () => 0);
    expect(window.take(['ip:a', 'token:x'])).toEqual({ ok: true });
    expect(window.take(['ip:b', 'token:x']).ok).toBe(false);
    expect(window.take(['ip:b', 'token:y'])).toEqual({ ok: true });
  });
});
