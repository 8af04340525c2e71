/** GET /admin/invitations: every invitation as JSON, newest first, paged, for dashboards and audits;
 * /admin/invitations/:id/history its story; /admin/stats the last days' figures (ids and counts, no address).
 * Authenticated by a bearer token (ADMIN_API_TOKEN) compared in constant time. */
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { InvitationState } from '../core/model.js';
import { loadStats, loadStory } from '../flows/story.js';
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

const StatsQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30),
  platform: z.string().max(32).optional(),
  workspace: z.string().max(64).optional(),
});
const Id = z.string().min(1).max(64);

/** Per client IP and per presented token: more than a dashboard needs, and a guesser gets no more tries. */
export const ADMIN_RATE_LIMIT: WindowLimit = { limit: 60, windowMs: 60_000 };

const bearer = (req: Request) => /^bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');

const invalid = (issue: z.core.$ZodIssue | undefined) => ({
  error: `Invalid query: ${issue?.path.join('.')} ${issue?.message}`,
});

export function adminRouter(deps: { store: Store; token: string; clock: Clock }): Router {
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
    if (!q.success) return void res.status(400).json(invalid(q.error.issues[0]));
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
  router.get('/invitations/:id/history', async (req, res) => {
    const id = Id.safeParse(req.params.id);
    const inv = id.success ? await deps.store.getInvitation(id.data) : undefined;
    if (!inv) return void res.status(404).json({ error: 'No such invitation.' });
    res.json({ history: await loadStory(deps.store, inv) });
  });
  router.get('/stats', async (req, res) => {
    const q = StatsQuery.safeParse(req.query);
    if (!q.success) return void res.status(400).json(invalid(q.error.issues[0]));
    const { days, platform, workspace } = q.data;
    res.json({ stats: await loadStats(deps.store, { platform, workspaceId: workspace }, deps.clock.now(), days) });
  });
  return router;
}
