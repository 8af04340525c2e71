/** How Slack's requests reach Bolt. HTTP mode: Bolt's ExpressReceiver on a router the bot's express app mounts
 * under /slack (so /slack/events), behind a guard that refuses oversized bodies before they are read and
 * timestamps too far in the future (Bolt refuses those more than 5 minutes old and checks the signature over the
 * raw body, which is why no body parser may run before it). Socket Mode: an outbound WebSocket, nothing to verify. */

import { ExpressReceiver, type Receiver, SocketModeReceiver } from '@slack/bolt';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../../logger.js';
import { slackLogger } from './slackLogger.js';

/** Far above any command, click or view submission Slack sends (a 100-block view is a few tens of kB). */
export const MAX_BODY_BYTES = 256 * 1024;
const MAX_CLOCK_SKEW_S = 5 * 60;
export const EVENTS_PATH = '/events';

function requestGuard(req: Request, res: Response, next: NextFunction): void {
  if (Number(req.get('content-length')) > MAX_BODY_BYTES)
    return void res.status(413).json({ error: 'Request body too large.' });
  const ts = Number(req.get('x-slack-request-timestamp'));
  if (Number.isFinite(ts) && ts - Date.now() / 1000 > MAX_CLOCK_SKEW_S) return void res.status(401).end();
  next();
}

export function httpReceiver(signingSecret: string, log: Logger): { receiver: Receiver; router: Router } {
  const router = express.Router();
  router.post(EVENTS_PATH, requestGuard);
  // bodyLimit also caps bodies sent without a Content-Length (chunked).
  const receiver = new ExpressReceiver({
    signingSecret,
    router,
    endpoints: EVENTS_PATH,
    bodyLimit: MAX_BODY_BYTES,
    logger: slackLogger(log),
  });
  return { receiver, router };
}

export function socketModeReceiver(appToken: string, apiUrl: string, log: Logger): SocketModeReceiver {
  return new SocketModeReceiver({
    appToken,
    logger: slackLogger(log),
    installerOptions: { clientOptions: { slackApiUrl: apiUrl } },
  });
}
