/** Wires the local playground adapter: its chat (state.ts), its port, the flows over it, its receiver under
 * /playground and its side of the acceptance page. A third platform next to Mattermost and Slack, on the same
 * port and flows; off wherever a real platform is configured, unless PLAYGROUND=on. */

import type { Router } from 'express';
import type { InviteLimits } from '../../core/policy.js';
import { createFlows } from '../../flows/flows.js';
import type { AcceptanceSide } from '../../lifecycle/accountCreator.js';
import { type PlatformDeps, platformDeps } from '../deps.js';
import { localAcceptance } from './accounts.js';
import { localPort } from './port.js';
import { localReceiver } from './receiver.js';
import { LocalChat } from './state.js';

export interface LocalOptions extends PlatformDeps {
  dataDir: string;
  publicUrl: string;
  trigger: string;
  invitesPerHour: InviteLimits;
  /** The bot's secret, for the page's CSRF tokens. */
  secret: string;
  /** The setup page, linked from the playground when it is served. */
  setupUrl?: string;
}

export interface LocalPlatform {
  router: Router;
  acceptance: AcceptanceSide;
  stop(): void;
}

/** How often the store is looked at for invitations that changed without a chat message (sent, arrived). */
const WATCH_MS = 1000;

export async function createLocal(opts: LocalOptions): Promise<LocalPlatform> {
  const chat = await LocalChat.open(opts.dataDir);
  const deps = { ...opts, ...platformDeps(opts, 'local') };
  const port = localPort(chat, opts.links);
  const flows = createFlows(deps, port, { trigger: opts.trigger, invitesPerHour: opts.invitesPerHour, bulk: 'form' });
  const router = localReceiver({ ...deps, ...flows, chat, port, trigger: opts.trigger });

  // Invitations change in the store (approved, sent, arrived) as jobs run: the page hears of it within a second.
  let seen = '';
  const watch = setInterval(() => {
    void opts.store.listInvitations({ platform: 'local', limit: 50 }).then(
      (invitations) => {
        const now = invitations.map((i) => `${i.id}:${i.state}:${i.updatedAt}`).join(',');
        if (now !== seen) chat.changed();
        seen = now;
      },
      (err) => deps.log.warn({ err: (err as Error).message }, 'could not read the playground’s invitations'),
    );
  }, WATCH_MS);
  watch.unref();

  return {
    router,
    acceptance: localAcceptance(chat, opts.publicUrl),
    stop() {
      clearInterval(watch);
      router.closeStreams();
    },
  };
}
