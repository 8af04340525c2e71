/** /setup: how to connect a platform, and read-only checks of a server and tokens typed in (see the checkers for
 * what they call and why that is acceptable). Open to anyone while no platform is configured (a newcomer on their
 * own machine, like the playground); afterwards only with ADMIN_API_TOKEN, as a bearer token or as the password of
 * HTTP Basic authentication (what a browser can send), and not at all without it. The check is a POST with a CSRF
 * token, rate-limited; the token typed in is used for the check only: never logged, stored nor shown again. */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { type CheckResult, SETUP_CSS_HASH, type SetupView, setupPage } from '../../views/setup/setupPage.js';
import type { Logger } from '../logger.js';
import { safeEqual } from '../security/signing.js';
import { CsrfGuard, setPageSecurityHeaders } from './pageSecurity.js';
import { rateLimit, SlidingWindow, tokenKey, type WindowLimit } from './rateLimit.js';

export interface SetupCheckLine {
  status: 'ok' | 'missing' | 'unknown';
  text: string;
}

export interface SetupPageOptions {
  log: Logger;
  csrfSecret: string;
  publicUrl: string;
  trigger: string;
  /** The platforms configured now, by name; none = the page is open to anyone. */
  configured: string[];
  /** ADMIN_API_TOKEN: with platforms configured, the page answers only to it (and not at all without one). */
  adminToken?: string;
  /** manifest.yml filled in for this deployment, and Slack's link to create an app from it. */
  slack?: { manifest: string; createUrl: string };
  checkMattermost(input: { url: string; token: string }): Promise<{ ok: boolean; items: SetupCheckLine[] }>;
  checkInfomaniak(input: { token: string; accountId: string }): Promise<{ ok: boolean; text: string }>;
}

/** Any request, per client IP and per token presented: room for an operator, none for guessing the token. */
export const SETUP_RATE_LIMIT: WindowLimit = { limit: 60, windowMs: 60_000 };
/** Checks, per client IP: each one makes requests to a server of the caller's choosing. */
export const SETUP_CHECK_RATE_LIMIT: WindowLimit = { limit: 10, windowMs: 60_000 };

const CSRF_SUBJECT = 'setup';

const CheckForm = z.object({
  csrf: z.string().max(200),
  kind: z.enum(['mattermost', 'infomaniak']),
  url: z.string().trim().max(2000).default(''),
  token: z.string().trim().max(1000).default(''),
  accountId: z.string().trim().max(20).default(''),
});

/** The admin token as a bearer token or as a Basic password (any user name). */
function presented(req: Request): string | undefined {
  const header = req.get('authorization') ?? '';
  const bearer = /^bearer\s+(.+)$/i.exec(header);
  if (bearer) return bearer[1]!.trim();
  const basic = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

export function setupRouter(opts: SetupPageOptions): Router {
  const router = express.Router();
  const csrf = new CsrfGuard(opts.csrfSecret);
  const open = opts.configured.length === 0;

  const headers = (req: Request, res: Response) => setPageSecurityHeaders(req, res, { styleHashes: [SETUP_CSS_HASH] });
  const render = (req: Request, res: Response, status: number, result?: CheckResult) => {
    const view: SetupView = {
      base: req.baseUrl,
      csrf: csrf.issue(req, res, CSRF_SUBJECT),
      publicUrl: opts.publicUrl,
      trigger: opts.trigger,
      configured: opts.configured,
      slack: opts.slack,
      result,
    };
    headers(req, res);
    res.status(status).type('html').send(setupPage(view));
  };
  const text = (req: Request, res: Response, status: number, body: string) => {
    headers(req, res);
    res.status(status).type('text').send(body);
  };

  router.use(
    rateLimit(
      new SlidingWindow(SETUP_RATE_LIMIT),
      (req) => [tokenKey(presented(req) ?? '')],
      (req, res, seconds) => text(req, res, 429, `Too many requests. Try again in ${seconds} seconds.`),
    ),
  );
  router.use((req, res, next) => {
    if (open) return next();
    const token = presented(req);
    if (opts.adminToken && token !== undefined && safeEqual(token, opts.adminToken)) return next();
    res.set('WWW-Authenticate', 'Basic realm="Guestlist setup", charset="UTF-8"');
    text(req, res, 401, 'A platform is configured: the setup page needs ADMIN_API_TOKEN (as the password).');
  });

  router.get('/', (req, res) => render(req, res, 200));

  router.post(
    '/check',
    rateLimit(
      new SlidingWindow(SETUP_CHECK_RATE_LIMIT),
      () => [],
      (req, res, seconds) => text(req, res, 429, `Too many checks. Try again in ${seconds} seconds.`),
    ),
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 }),
    async (req, res) => {
      const form = CheckForm.safeParse(req.body ?? {});
      if (!form.success) return text(req, res, 400, 'This form was not understood. Reload the page.');
      if (!csrf.verify(req, CSRF_SUBJECT, form.data.csrf))
        return text(req, res, 403, 'This form was not accepted (its security cookie is missing). Reload the page.');
      const { kind, url, token, accountId } = form.data;
      if (kind === 'mattermost') {
        const given = { kind, url };
        if (!url || !token)
          return render(req, res, 400, { ...given, error: 'Give both the server address and the bot token.' });
        const result = await opts.checkMattermost({ url, token }).catch((err) => {
          opts.log.error({ check: kind, err: (err as Error).message }, 'setup page: the check failed');
          return undefined;
        });
        if (!result) return render(req, res, 500, { ...given, error: 'The check failed unexpectedly; see the log.' });
        opts.log.info({ check: kind, ok: result.ok }, 'setup page: server checked');
        return render(req, res, 200, { ...given, ok: result.ok, lines: result.items });
      }
      const given = { kind, accountId };
      if (!/^\d{1,12}$/.test(accountId) || !token)
        return render(req, res, 400, {
          ...given,
          error: "Give the organization's numeric id, as shown in the Manager, and the API token.",
        });
      const result = await opts.checkInfomaniak({ token, accountId });
      opts.log.info({ check: kind, ok: result.ok }, 'setup page: Infomaniak access checked');
      return render(req, res, 200, {
        ...given,
        ok: result.ok,
        lines: [{ status: result.ok ? 'ok' : 'missing', text: result.text }],
      });
    },
  );
  return router;
}
