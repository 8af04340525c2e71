/** The bot's HTTP server: health, readiness, and each platform's routes. No global body parser: each route
 * parses its own body with its own size limit (Slack signatures need the raw body). */
import http, { type RequestListener, type Server } from 'node:http';
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
  app.use(
    (err: { status?: number; type?: string; message?: string }, req: Request, res: Response, _next: NextFunction) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) opts.log.error({ err, path: req.path }, 'request failed');
      else opts.log.info({ status, type: err.type, path: req.path }, 'bad request refused');
      res.status(status).json({
        error: status === 413 ? 'Request body too large.' : status === 500 ? 'Internal error.' : 'Bad request.',
      });
    },
  );
  return app;
}

/** What one client may hold of the server. Chat platforms give up on a request after 3 s (Slack, Mattermost's
 * dialogs) and a browser sends a form in well under a second, so nobody legitimate needs Node's defaults (60 s for
 * headers, 300 s for a request): those let slow clients hold connections for minutes. */
export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** How often the timeouts above are checked (Node's default is every 30 s). */
  checkIntervalMs: number;
}

export const HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
  checkIntervalMs: 1_000,
};

/** Listens on `port` with those limits; a connection beyond `maxConnections` is closed at once. */
export function listenWithLimits(
  handler: RequestListener,
  port: number,
  limits: Partial<HttpLimits> = {},
): Promise<Server> {
  const l = { ...HTTP_LIMITS, ...limits };
  const server = http.createServer(
    {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      connectionsCheckingInterval: l.checkIntervalMs,
    },
    handler,
  );
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.maxConnections = l.maxConnections;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
