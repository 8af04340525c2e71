/** The admin API's guard against guessing its token. */
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { ADMIN_RATE_LIMIT, adminRouter } from '../../src/web/adminApi.js';
import { createWebApp } from '../../src/web/server.js';
import { tempStore } from '../support/invitationFixture.js';

const TOKEN = 'admin-api-token-0123456789abcdef';

describe('admin API rate limit', () => {
  let app: ReturnType<typeof createWebApp>;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const temp = await tempStore();
    cleanup = temp.cleanup;
    const log = createLogger('silent');
    app = createWebApp({
      log,
      routers: [
        { path: '/admin', router: adminRouter({ store: temp.store, token: TOKEN, clock: { now: () => new Date() } }) },
      ],
      ready: async () => true,
    });
  });
  afterEach(() => cleanup());

  const get = (ip: string, token: string) =>
    request(app).get('/admin/invitations').set('X-Forwarded-For', ip).set('Authorization', `Bearer ${token}`);

  it('answers a brute force with 429 and Retry-After, per client address and per token', async () => {
    for (let i = 0; i < ADMIN_RATE_LIMIT.limit; i++) expect((await get('203.0.113.1', `guess-${i}`)).status).toBe(401);
    const blocked = await get('203.0.113.1', 'guess-next');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toEqual({ error: expect.stringMatching(/^Too many requests\. Try again in \d+ seconds\.$/) });
    // Even the right token, from that address, waits: the guesser learns nothing from the answer.
    expect((await get('203.0.113.1', TOKEN)).status).toBe(429);
    // Another address with the right token is served.
    expect((await get('203.0.113.2', TOKEN)).status).toBe(200);

    // One token tried from many addresses is limited too.
    for (let i = 0; i < ADMIN_RATE_LIMIT.limit; i++)
      expect((await get(`198.51.100.${i}`, 'one-guess')).status).toBe(401);
    expect((await get('198.51.100.200', 'one-guess')).status).toBe(429);
  });
});
