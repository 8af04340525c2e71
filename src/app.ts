/** The composition root: builds the whole bot from a validated Config. Tests build it the same way. */

import type { Server } from 'node:http';
import express, { type Router } from 'express';
import cron, { type ScheduledTask } from 'node-cron';
import type { Config } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import { Locales } from './core/i18n.js';
import type { Platform } from './core/model.js';
import type { LinkChannels } from './delivery/acceptanceLink.js';
import { InvitationMailer } from './delivery/mailer.js';
import { WebhookSmsSender } from './delivery/sms.js';
import { every } from './jobs/every.js';
import { runLifecycle } from './jobs/lifecycle.js';
import type { AcceptanceSide } from './lifecycle/accountCreator.js';
import { createLogger, type Logger } from './logger.js';
import { Outbox, type OutboxOptions } from './outbox/outbox.js';
import { kchatBackend } from './platforms/kchat/kchatBackend.js';
import { createLocal, type LocalPlatform } from './platforms/local/index.js';
import { createMattermost, type MattermostPlatform } from './platforms/mattermost/index.js';
import { createSlack, SLACK_MOUNT_PATH, type SlackPlatform } from './platforms/slack/index.js';
import { readProjectFile, VERSION } from './projectFiles.js';
import { loadOrCreateSecret } from './security/secret.js';
import { Signer } from './security/signing.js';
import { infomaniakSetupCheck } from './setup/infomaniakCheck.js';
import { checkMattermostServer } from './setup/mattermostServerCheck.js';
import { createAppUrl, fillManifest } from './setup/slackManifest.js';
import { type DataDirLock, lockDataDir } from './store/dataDirLock.js';
import { LowdbStore } from './store/lowdbStore.js';
import { PostgresStore } from './store/postgresStore.js';
import type { Store } from './store/store.js';
import { acceptancePageRouter } from './web/acceptancePage.js';
import { adminRouter } from './web/adminApi.js';
import { createWebApp, type HttpLimits, listenWithLimits } from './web/server.js';
import { setupRouter } from './web/setupPage.js';
import { type PlatformStatus, statusRouter } from './web/statusPage.js';

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  store?: Store;
  outbox?: OutboxOptions;
  /** Off in tests that drive jobs by hand. */
  schedule?: boolean;
  /** Other cron expressions for the fixed schedules, e.g. every second in a test with a fake clock. */
  cron?: { lifecycle?: string; archive?: string };
  /** Other HTTP timeouts and connection limit than HTTP_LIMITS, e.g. short ones in a test. */
  http?: Partial<HttpLimits>;
}

export interface App {
  store: Store;
  outbox: Outbox;
  mattermost?: MattermostPlatform;
  slack?: SlackPlatform;
  /** The playground (PLAYGROUND, or no platform configured). */
  local?: LocalPlatform;
  server?: Server;
  listen(): Promise<Server>;
  stop(): Promise<void>;
}

/** The lowdb store holds the data directory for this process alone (the lock is released on stop). With
 * PostgreSQL the directory keeps only the secret, which replicas sharing it may well share. */
async function openStore(config: Config): Promise<{ store: Store; lock?: DataDirLock }> {
  if (config.database) {
    return { store: await PostgresStore.open(config.database.url, { schema: config.database.schema }) };
  }
  const lock = await lockDataDir(config.dataDir);
  const store = await LowdbStore.open(config.dataDir, undefined, config.archiveAfterDays).catch(async (err) => {
    await lock.release();
    throw err;
  });
  return { store, lock };
}

/** `GET /` opens the playground. */
function toPlayground(): Router {
  return express.Router().get('/', (_req, res) => res.redirect(302, '/playground/'));
}

export async function buildApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const secret = await loadOrCreateSecret(config.dataDir, config.secret);
  const { store, lock } = opts.store ? { store: opts.store, lock: undefined } : await openStore(config);
  const signer = new Signer(secret);
  const outbox = new Outbox(store, clock, log.child({ part: 'outbox' }), opts.outbox);
  const tasks: ScheduledTask[] = [];

  const mailer =
    config.smtp &&
    new InvitationMailer({ smtpUrl: config.smtp.url, from: config.smtp.from, orgName: config.org.name, log });
  const sms = config.sms && new WebhookSmsSender({ url: config.sms.url, token: config.sms.token, log });
  const links: LinkChannels = { publicUrl: config.publicUrl, orgName: config.org.name, mailer, sms };
  /** What every adapter is handed (PlatformDeps), links aside: kChat delivers through Infomaniak instead. */
  const locales = new Locales(config.locale.tag, config.locale.timeZone);
  const shared = { store, clock, log, signer, outbox, locales, guests: config.guests, welcome: config.welcome };

  const mattermost = config.mattermost
    ? createMattermost({
        url: config.mattermost.url,
        botToken: config.mattermost.botToken,
        commandTokens: config.mattermost.commandTokens,
        settings: {
          publicUrl: config.publicUrl,
          serverUrl: config.mattermost.url,
          trigger: config.trigger,
          approvalChannelId: config.mattermost.approvalChannelId,
          invitesPerHour: config.invitesPerHour,
          inviteEmailsPerHour: config.mattermost.inviteEmailsPerHour,
        },
        ...shared,
        backend: config.kchat && kchatBackend(config.kchat),
        links: config.kchat ? undefined : links,
      })
    : undefined;
  const slack = config.slack
    ? createSlack({
        botToken: config.slack.botToken,
        signingSecret: config.slack.signingSecret,
        appToken: config.slack.appToken,
        adminToken: config.slack.adminToken,
        apiUrl: config.slack.apiUrl,
        settings: {
          publicUrl: config.publicUrl,
          trigger: config.trigger,
          approvalChannel: config.slack.approvalChannel,
          joinUrl: config.slack.joinUrl,
          invitesPerHour: config.invitesPerHour,
        },
        ...shared,
        links,
      })
    : undefined;
  const platforms: PlatformStatus[] = [
    ...(mattermost
      ? [
          {
            platform: config.kchat ? 'kchat' : 'mattermost',
            name: config.kchat ? 'kChat' : 'Mattermost',
            connected: () => mattermost.ready(),
          },
        ]
      : []),
    ...(slack ? [{ platform: 'slack', name: 'Slack', connected: () => slack.ready() }] : []),
  ];
  /** The setup page: for anyone while nothing is configured, then only for ADMIN_API_TOKEN. */
  const setupOpen = platforms.length === 0;
  const manifest = readProjectFile('manifest.yml');
  const slackManifest = manifest && fillManifest(manifest, config.publicUrl, config.trigger);
  const setup =
    setupOpen || config.adminApiToken
      ? setupRouter({
          log,
          csrfSecret: secret,
          publicUrl: config.publicUrl,
          trigger: config.trigger,
          configured: platforms.map((p) => p.name),
          adminToken: config.adminApiToken,
          slack: slackManifest ? { manifest: slackManifest, createUrl: createAppUrl(slackManifest) } : undefined,
          checkMattermost: (input) => checkMattermostServer(input),
          checkInfomaniak: infomaniakSetupCheck({ store, clock, apiUrl: config.infomaniakApiUrl }),
        })
      : undefined;
  // A playground file that is refused stops the start: the store is closed and the data directory let go first.
  const local = config.playground
    ? await createLocal({
        ...shared,
        links,
        secret,
        dataDir: config.dataDir,
        publicUrl: config.publicUrl,
        trigger: config.trigger,
        invitesPerHour: config.invitesPerHour,
        setupUrl: setup ? '/setup' : undefined,
      }).catch(async (err) => {
        if (!opts.store) await store.close();
        await lock?.release();
        throw err;
      })
    : undefined;
  let arrivalPoll: { stop(): Promise<void> } | undefined;
  const acceptance: Partial<Record<Platform, AcceptanceSide>> = {
    mattermost: mattermost?.acceptance,
    slack: slack?.acceptance,
    local: local?.acceptance,
  };

  const web = createWebApp({
    log,
    routers: [
      ...(mattermost ? [{ path: '/mattermost', router: mattermost.router }] : []),
      // Slack signs the raw body: nothing may parse it before Bolt's receiver (the web app has no global parser).
      ...(slack ? [{ path: SLACK_MOUNT_PATH, router: slack.pages }] : []),
      ...(slack?.router ? [{ path: SLACK_MOUNT_PATH, router: slack.router }] : []),
      {
        path: '/join',
        router: acceptancePageRouter({
          store,
          clock,
          log,
          locales,
          org: config.org,
          csrfSecret: secret,
          passwordRules: { minLength: config.passwordMinLength },
          accounts: (inv) => acceptance[inv.platform]?.accounts,
          channelNames: async (inv) => (await acceptance[inv.platform]?.channelNames(inv)) ?? [],
          loginUrl: (inv) => acceptance[inv.platform]?.loginUrl?.(),
          signUpUrl: (inv) => acceptance[inv.platform]?.signUpUrl?.(),
          onJobsQueued: () => outbox.kick(),
        }),
      },
      ...(setup ? [{ path: '/setup', router: setup }] : []),
      ...(config.adminApiToken
        ? [{ path: '/admin', router: adminRouter({ store, clock, token: config.adminApiToken }) }]
        : []),
      ...(local
        ? [
            { path: '/playground', router: local.router },
            { path: '/', router: toPlayground() },
          ]
        : [
            {
              path: '/',
              router: statusRouter({
                org: config.org,
                version: VERSION,
                platforms,
                setupUrl: setupOpen ? '/setup' : undefined,
              }),
            },
          ]),
    ],
    // Ready: the store answers (lowdb: its file can be written) and every configured platform is connected.
    ready: async () =>
      (await (store instanceof LowdbStore
        ? store.writable()
        : store.listInvitations({ limit: 1 }).then(
            () => true,
            () => false,
          ))) &&
      (!mattermost || mattermost.ready()) &&
      (!slack || slack.ready()),
  });

  /** Scheduled passes still running: stop() waits for them before it closes the store. */
  const passes = new Set<Promise<unknown>>();
  const track = (pass: Promise<unknown>) => {
    passes.add(pass);
    void pass.finally(() => passes.delete(pass));
    return pass;
  };

  /** A cron job that runs once per tick across replicas, and logs instead of throwing. */
  function schedule(name: string, expression: string, work: () => Promise<unknown>): void {
    const run = () =>
      store
        .exclusive(name, work)
        .catch((err) => log.warn({ job: name, err: (err as Error).message }, 'scheduled job failed'));
    // The promise is returned so that noOverlap sees a pass still running.
    tasks.push(cron.schedule(expression, () => track(run()), { noOverlap: true }));
  }

  function startSchedules(): void {
    // kChat pushes no arrivals to bots: its invitations' status is polled within the shared Infomaniak budget.
    if (mattermost && config.kchat) {
      arrivalPoll = every(
        'kchat-arrivals',
        config.kchat.arrivalPollSeconds * 1000,
        () => store.exclusive('kchat-arrivals', () => mattermost.pollArrivals()),
        log,
      );
    }
    if (mattermost) schedule('mattermost-reconcile', config.reconcileCron, () => mattermost.arrivals.reconcile());
    if (slack) schedule('slack-reconcile', config.reconcileCron, () => slack.arrivals.reconcile());
    // Once now, to catch up on what fell due while the bot was down, then every ten minutes.
    const lifecycle = () => runLifecycle({ store, clock }).then(() => outbox.kick());
    void track(
      store
        .exclusive('lifecycle', lifecycle)
        .catch((err) => log.warn({ err: (err as Error).message }, 'lifecycle pass failed')),
    );
    schedule('lifecycle', opts.cron?.lifecycle ?? '*/10 * * * *', lifecycle);
    if (store instanceof LowdbStore) {
      schedule('lowdb-archive', opts.cron?.archive ?? '17 3 * * *', () =>
        store.archiveFinished(new Date(clock.now().getTime() - config.archiveAfterDays * 86400_000)),
      );
    }
  }

  const app: App = {
    store,
    outbox,
    mattermost,
    slack,
    local,
    async listen() {
      const server = await listenWithLimits(web, config.port, opts.http);
      app.server = server;
      const address = server.address();
      log.info(
        { port: typeof address === 'object' && address ? address.port : config.port, publicUrl: config.publicUrl },
        'Guestlist listening',
      );
      if (local) {
        log.warn(
          { url: `${config.publicUrl}/playground/` },
          'The playground is on: a chat to try the bot. Do not expose it.',
        );
      }
      if (!mattermost && !slack)
        log.warn(
          { setup: `${config.publicUrl}/setup` },
          'No platform is configured: set MATTERMOST_URL and MATTERMOST_BOT_TOKEN, or SLACK_BOT_TOKEN (see README), ' +
            'to connect one; the setup page helps.',
        );
      if (mattermost) {
        await mattermost
          .start()
          .catch((err) =>
            log.error(
              { err: (err as Error).message },
              'could not connect to Mattermost; check MATTERMOST_URL and MATTERMOST_BOT_TOKEN',
            ),
          );
      }
      if (slack)
        await slack
          .start()
          .catch((err) =>
            log.error(
              { err: (err as Error).message },
              'could not connect to Slack; check SLACK_BOT_TOKEN and SLACK_API_URL',
            ),
          );
      outbox.start();
      if (opts.schedule !== false) startSchedules();
      return server;
    },
    async stop() {
      for (const t of tasks) await t.stop();
      await arrivalPoll?.stop();
      await Promise.all(passes);
      mattermost?.stop();
      await slack?.stop();
      local?.stop();
      await new Promise<void>((resolve) => (app.server ? app.server.close(() => resolve()) : resolve()));
      app.server?.closeAllConnections();
      await outbox.stop();
      mailer?.close();
      await store.close();
      await lock?.release();
    },
  };
  return app;
}
