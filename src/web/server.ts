/** The bot's HTTP server: health, readiness, and each platform's routes. No global body parser: each route
 * parses its own body with its own size limit (Slack signatures need the raw body). */
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../logger.js';

export interface WebOptions {
  log: Logger;
  routers: { path: string; router: Router }[];
  ready(): Promise<boolean>;
}

export function createWebApp(opts: WebOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const ready = await opts.ready().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });
  for (const { path, router } of opts.routers) app.use(path, router);
  app.use((_req, res) => void res.status(404).json({ error: 'Not found.' }));
  // Body parser failures (bad JSON, too large) keep their 4xx status; anything else is a 500 without details.
  app.use((err: { status?: number; type?: string; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) opts.log.error({ err, path: req.path }, 'request failed');
    else opts.log.info({ status, type: err.type, path: req.path }, 'bad request refused');
    res.status(status).json({ error: status === 413 ? 'Request body too large.' : status === 500 ? 'Internal error.' : 'Bad request.' });
  });
  return app;
}
