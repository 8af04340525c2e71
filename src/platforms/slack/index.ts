/** Wires the Slack adapter: Web API client, Bolt with its receiver (HTTP under /slack/events, or Socket Mode),
 * listeners, outbox handlers, arrival detection. */

import { App as Bolt } from '@slack/bolt';
import type { Router } from 'express';
import type { Capabilities } from '../../core/policy.js';
import { linkMethods as acceptanceLinkMethods } from '../../delivery/acceptanceLink.js';
import type { ArrivalFlow } from '../../flows/arrivals.js';
import type { AcceptanceSide } from '../../lifecycle/accountCreator.js';
import { adapterFlows } from '../adapterFlows.js';
import { type PlatformDeps, platformDeps } from '../deps.js';
import { SlackApi } from './api.js';
import { slackCapabilities } from './capabilities.js';
import { PLATFORM, type SlackContext, type SlackSettings } from './context.js';
import { registerListeners } from './listeners.js';
import { slackPort } from './port.js';
import { httpReceiver, socketModeReceiver } from './receiver.js';
import { slackLogger } from './slackLogger.js';

/** The bot's own acceptance links are offered only with a join link (SLACK_JOIN_URL) to send invitees to. */
export interface SlackOptions extends PlatformDeps {
  botToken: string;
  /** HTTP mode (required there). */
  signingSecret?: string;
  /** Socket Mode when set. */
  appToken?: string;
  /** Enterprise Grid: admin.users.invite. */
  adminToken?: string;
  apiUrl: string;
  settings: SlackSettings;
}

/** Where the web app mounts the HTTP receiver's router: requests arrive at /slack/events. */
export const SLACK_MOUNT_PATH = '/slack';

export interface SlackPlatform {
  /** HTTP mode: mount under /slack. Undefined in Socket Mode. */
  router?: Router;
  /** The bot's pages (the bulk page), mounted under /slack in HTTP and Socket Mode alike, before the receiver. */
  pages: Router;
  arrivals: ArrivalFlow;
  /** The acceptance page sends Slack invitees on to the workspace's join link. */
  acceptance: AcceptanceSide;
  start(): Promise<void>;
  stop(): Promise<void>;
  ready(): boolean;
}

export function createSlack(opts: SlackOptions): SlackPlatform {
  const deps = platformDeps(opts, PLATFORM);
  const { log } = deps;
  const api = new SlackApi({ botToken: opts.botToken, adminToken: opts.adminToken, apiUrl: opts.apiUrl, log });
  let grid = false;
  const linkMethods = opts.links && opts.settings.joinUrl ? acceptanceLinkMethods(opts.links) : [];
  let caps: Capabilities = slackCapabilities({ grid, linkMethods });
  let connected = false;

  const ctx: SlackContext = { ...deps, api, settings: opts.settings, capabilities: () => caps };
  const port = slackPort(ctx, () => grid);
  const { flows, pages } = adapterFlows(ctx, port, {
    platform: PLATFORM,
    settings: ctx.settings,
    // The pages name no workspace: `team:read` is not asked for.
    workspaceName: async () => undefined,
  });
  const { arrivals } = flows;

  const http = opts.appToken ? undefined : httpReceiver(opts.signingSecret!, log);
  const socket = opts.appToken ? socketModeReceiver(opts.appToken, opts.apiUrl, log) : undefined;
  // Socket Mode: ready while Slack's socket is up (hello received); the client reconnects by itself.
  socket?.client.on('connected', () => void (connected = true));
  socket?.client.on('close', () => void (connected = false));
  const bolt = new Bolt({
    receiver: http?.receiver ?? socket!,
    // The identity comes from our own cached auth.test, so Bolt makes no call of its own at construction.
    // Identity's fields are Bolt's AuthorizeResult's.
    authorize: async () => ({ botToken: opts.botToken, ...(await api.identity()) }),
    clientOptions: { slackApiUrl: opts.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    logger: slackLogger(log),
  });
  registerListeners(bolt, ctx, flows);

  return {
    router: http?.router,
    pages,
    arrivals,
    acceptance: { signUpUrl: () => opts.settings.joinUrl, channelNames: (inv) => port.channelNames(inv) },
    async start() {
      const id = await api.identity();
      grid = !!id.enterpriseId && !!api.admin;
      caps = slackCapabilities({ grid, linkMethods });
      if (api.admin && !grid)
        log.warn('SLACK_ADMIN_TOKEN is set but this workspace is not on Enterprise Grid: it is not used');
      if (!caps.deliveries.length) log.error('no way to deliver Slack invitations: set SLACK_JOIN_URL (see README)');
      log.info({ team: id.teamId, grid, socketMode: !!opts.appToken }, 'connected to Slack');
      if (!opts.appToken) connected = true;
      // The socket client keeps retrying until Slack accepts it: the rest of the bot starts meanwhile, not ready.
      else
        void bolt
          .start()
          .catch((err: Error) =>
            log.error({ err: err.message }, 'Socket Mode could not connect; check SLACK_APP_TOKEN'),
          );
    },
    async stop() {
      if (opts.appToken)
        await bolt.stop().catch((err: Error) => log.warn({ err: err.message }, 'Socket Mode did not close cleanly'));
      connected = false;
    },
    ready: () => connected,
  };
}
