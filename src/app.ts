/** The composition root: builds the whole bot from a validated Config. Tests build it the same way. */
import type { Server } from 'node:http';
import cron, { type ScheduledTask } from 'node-cron';
import { systemClock, type Clock } from './core/clock.js';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { Outbox, type OutboxOptions } from './outbox/outbox.js';
import { createMattermost, type MattermostPlatform } from './platforms/mattermost/index.js';
import { loadOrCreateSecret } from './security/secret.js';
import { Signer } from './security/signing.js';
import { LowdbStore } from './store/lowdbStore.js';
import type { Store } from './store/store.js';
import { createWebApp } from './web/server.js';

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  store?: Store;
  outbox?: OutboxOptions;
  /** Off in tests that drive jobs by hand. */
  schedule?: boolean;
}

export interface App {
  store: Store;
  outbox: Outbox;
  mattermost?: MattermostPlatform;
  server?: Server;
  listen(): Promise<Server>;
  stop(): Promise<void>;
}

export async function buildApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const store = opts.store ?? (await LowdbStore.open(config.dataDir));
  const signer = new Signer(await loadOrCreateSecret(config.dataDir, config.secret));
  const outbox = new Outbox(store, clock, log.child({ part: 'outbox' }), opts.outbox);
  const tasks: ScheduledTask[] = [];

  const mattermost = config.mattermost
    ? createMattermost({
        url: config.mattermost.url, botToken: config.mattermost.botToken, commandTokens: config.mattermost.commandTokens,
        settings: {
          publicUrl: config.publicUrl, trigger: config.trigger, approvalChannelId: config.mattermost.approvalChannelId,
          invitesPerHour: config.invitesPerHour, inviteEmailsPerHour: config.mattermost.inviteEmailsPerHour,
        },
        store, clock, log, signer, outbox,
      })
    : undefined;

  const web = createWebApp({
    log,
    routers: mattermost ? [{ path: '/mattermost', router: mattermost.router }] : [],
    ready: async () => !mattermost || mattermost.ready(),
  });

  const app: App = {
    store, outbox, mattermost,
    async listen() {
      const server = await new Promise<Server>((resolve) => {
        const s = web.listen(config.port, () => resolve(s));
      });
      app.server = server;
      const address = server.address();
      log.info({ port: typeof address === 'object' && address ? address.port : config.port, publicUrl: config.publicUrl }, 'Guestlist listening');
      if (!mattermost) log.warn('No platform is configured: set MATTERMOST_URL and MATTERMOST_BOT_TOKEN (see README) to connect one.');
      if (mattermost) {
        await mattermost.start().catch((err) => log.error({ err: (err as Error).message }, 'could not connect to Mattermost; check MATTERMOST_URL and MATTERMOST_BOT_TOKEN'));
      }
      outbox.start();
      if (opts.schedule !== false && mattermost) {
        tasks.push(cron.schedule(config.reconcileCron, () => void mattermost.arrivals.reconcile().catch((err) => log.warn({ err: (err as Error).message }, 'reconciliation failed')), { noOverlap: true }));
      }
      return server;
    },
    async stop() {
      for (const t of tasks) await t.stop();
      mattermost?.stop();
      await new Promise<void>((resolve) => (app.server ? app.server.close(() => resolve()) : resolve()));
      app.server?.closeAllConnections();
      await outbox.stop();
      await store.close();
    },
  };
  return app;
}
