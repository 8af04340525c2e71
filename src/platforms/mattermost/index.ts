/** Wires the Mattermost adapter: API client, capabilities, routes, outbox handlers, arrival detection. */
import type { Router } from 'express';
import type { Capabilities } from '../../core/policy.js';
import { linkMethods as acceptanceLinkMethods } from '../../delivery/acceptanceLink.js';
import type { ArrivalFlow } from '../../flows/arrivals.js';
import type { AcceptanceSide } from '../../lifecycle/accountCreator.js';
import { adapterFlows } from '../adapterFlows.js';
import { type PlatformDeps, platformDeps } from '../deps.js';
import { mattermostAccountCreator, mattermostChannelNames, mattermostLoginUrl } from './accountCreator.js';
import { MattermostApi } from './api.js';
import { dialogFeatures, mattermostCapabilities } from './capabilities.js';
import { type MattermostBackendFactory, type MattermostContext, type MattermostSettings, PLATFORM } from './context.js';
import { confirm } from './ephemeralAnswers.js';
import { mattermostPort } from './port.js';
import { registerCommands } from './registerCommand.js';
import { mattermostRouter } from './routes.js';
import { directMessage, MattermostSocket, sponsorLeaving } from './websocket.js';

export interface MattermostOptions extends PlatformDeps {
  url: string;
  botToken: string;
  commandTokens: string[];
  settings: MattermostSettings;
  websocket?: boolean;
  /** kChat: the Infomaniak organization's backend (see backend.ts). */
  backend?: MattermostBackendFactory;
}

export interface MattermostPlatform {
  router: Router;
  arrivals: ArrivalFlow;
  /** What the acceptance page needs from this server; undefined on kChat, whose invitees accept on Infomaniak. */
  acceptance?: AcceptanceSide;
  /** One round of arrival checks: the backend's statuses, then every awaited email. */
  pollArrivals(): Promise<void>;
  start(): Promise<void>;
  stop(): void;
  ready(): boolean;
}

export function createMattermost(opts: MattermostOptions): MattermostPlatform {
  const api = new MattermostApi(opts.url, opts.botToken);
  const linkMethods = opts.links ? acceptanceLinkMethods(opts.links) : [];
  let caps: Capabilities = mattermostCapabilities({ guestAccounts: false, linkMethods });
  let connected = false;
  const registeredTokens: string[] = [];

  const ctx: MattermostContext = {
    ...platformDeps(opts, PLATFORM),
    api,
    settings: opts.settings,
    capabilities: () => ctx.backend?.capabilities() ?? caps,
    dialogFeatures: () => dialogFeatures(api.serverVersion()),
  };
  const backend = opts.backend?.(ctx);
  if (backend) {
    ctx.backend = backend;
    for (const [kind, handler] of Object.entries(backend.jobHandlers)) opts.outbox.register(kind, handler);
  }
  const port = mattermostPort(ctx);
  const { flows, pages } = adapterFlows(ctx, port, {
    platform: PLATFORM,
    settings: ctx.settings,
    workspaceName: async (teamId) => (await api.client.getTeam(teamId)).display_name,
    formPage: { onDone: (reply) => void confirm(ctx.log, reply) },
  });
  const { arrivals } = flows;
  /** The bot's own user id, known once connected: its own posts are never answered. */
  let botId = '';

  const socket = new MattermostSocket({
    url: opts.url,
    token: opts.botToken,
    log: ctx.log,
    onEvent: (e) => {
      const dm = directMessage(e, botId);
      if (dm) return void flows.replies.heard(dm);
      const userId = String(e.data.user_id ?? '');
      const gone = sponsorLeaving(e);
      if (gone) {
        void flows
          .sponsorLeft(gone.teamId, gone.user)
          .catch((err) =>
            ctx.log.warn({ err: (err as Error).message }, 'could not hand a sponsor’s guests to the admins'),
          );
        return;
      }
      if ((e.event !== 'new_user' && e.event !== 'user_added') || !userId) return;
      const event = {
        platform: PLATFORM,
        workspaceId: e.broadcast.team_id || undefined,
        userId,
        via: `websocket:${e.event}`,
      };
      void arrivals.heard(event, () =>
        ctx.log.warn('the bot cannot see user emails: arrivals cannot be matched (see README, email visibility)'),
      );
    },
    onResync: () =>
      void arrivals.reconcile().catch((err) => ctx.log.warn({ err: (err as Error).message }, 'reconciliation failed')),
    onUnsupported: () =>
      ctx.log.info('this server has no /api/v4/websocket (kChat): arrivals are found by periodic reconciliation'),
  });

  const useSocket = opts.websocket !== false && backend?.websocket !== false;

  /** Guest accounts need a licence with the feature and the setting on; the chat's invitation email needs
   * EnableEmailInvitations. A setting the client config does not show is taken as on. */
  async function refreshCapabilities(): Promise<void> {
    const license = (await api.client.getClientLicenseOld().catch(() => ({}))) as Record<string, string>;
    const config = (await api.client.getClientConfig().catch(() => ({}))) as unknown as Record<string, string>;
    const guestAccounts =
      license.IsLicensed === 'true' && license.GuestAccounts === 'true' && config.EnableGuestAccounts !== 'false';
    caps = mattermostCapabilities({
      guestAccounts,
      linkMethods,
      emailInvitations: config.EnableEmailInvitations !== 'false',
    });
  }

  return {
    acceptance: backend
      ? undefined
      : {
          accounts: mattermostAccountCreator({ api, log: ctx.log }),
          channelNames: (inv) => mattermostChannelNames(api, inv),
          loginUrl: () => mattermostLoginUrl(api),
        },
    router: mattermostRouter(ctx, flows, () => [...opts.commandTokens, ...registeredTokens]).use(pages),
    arrivals,
    async pollArrivals() {
      await backend?.pollArrivals();
      await arrivals.reconcile();
    },
    async start() {
      await backend?.start();
      const me = await api.client.getMe();
      botId = me.id;
      connected = true;
      ctx.log.info(
        { bot: me.username, server: api.serverVersion(), features: ctx.dialogFeatures() },
        'connected to Mattermost',
      );
      await refreshCapabilities();
      registeredTokens.push(...(await registerCommands(ctx)));
      if (!opts.commandTokens.length && !registeredTokens.length) {
        ctx.log.error(
          'no slash command token: the bot could not register its command and MATTERMOST_COMMAND_TOKEN is unset, ' +
            'so every command will be refused (see README)',
        );
      }
      if (useSocket) socket.start();
    },
    stop() {
      socket.stop();
      backend?.stop();
    },
    // With a WebSocket, ready only while it is up: a dropped socket means arrivals are not heard.
    ready: () => connected && (!useSocket || socket.connected || socket.unsupported) && (backend?.ready() ?? true),
  };
}
