/** GET /admin/invitations: every invitation as JSON, newest first, paged, for dashboards and audits.
 * Authenticated by a bearer token (ADMIN_API_TOKEN) compared in constant time. */
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { InvitationState } from '../core/model.js';
import { safeEqual } from '../security/signing.js';
import type { Store } from '../store/store.js';
import { rateLimit, SlidingWindow, tokenKey, type WindowLimit } from './rateLimit.js';

const Query = z.object({
  state: z.preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(InvitationState)).optional(),
  platform: z.string().max(32).optional(),
  workspace: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

/** Per client IP and per presented token: more than a dashboard needs, and a guesser gets no more tries. */
export const ADMIN_RATE_LIMIT: WindowLimit = { limit: 60, windowMs: 60_000 };

const bearer = (req: Request) => /^bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');

export function adminRouter(deps: { store: Store; token: string }): Router {
  const router = express.Router();
  router.use(
    rateLimit(
      new SlidingWindow(ADMIN_RATE_LIMIT),
      (req) => [tokenKey(bearer(req)?.[1]?.trim() ?? '')],
      (_req, res, seconds) =>
        void res.status(429).json({ error: `Too many requests. Try again in ${seconds} seconds.` }),
    ),
  );
  router.use((req, res, next) => {
    const match = bearer(req);
    if (!match || !safeEqual(match[1]!.trim(), deps.token))
      return void res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'Unauthorized.' });
    next();
  });
  router.get('/invitations', async (req, res) => {
    const q = Query.safeParse(req.query);
    if (!q.success)
      return void res
        .status(400)
        .json({ error: `Invalid query: ${q.error.issues[0]?.path.join('.')} ${q.error.issues[0]?.message}` });
    const { state, platform, workspace, limit, offset } = q.data;
    const invitations = await deps.store.listInvitations({
      states: state,
      platform,
      workspaceId: workspace,
      limit,
      offset,
    });
    // The link's hash and the invitee's phone number stay inside.
    res.json({ invitations: invitations.map(({ linkTokenHash: _h, phone: _p, ...rest }) => rest), limit, offset });
  });
  return router;
}
