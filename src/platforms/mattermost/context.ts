/** What every part of the Mattermost adapter works with, built once in index.ts. */
import type { Clock } from '../../core/clock.js';
import type { Capabilities } from '../../core/policy.js';
import type { LinkChannels } from '../../delivery/acceptanceLink.js';
import type { Logger } from '../../logger.js';
import type { Outbox } from '../../outbox/outbox.js';
import type { Signer } from '../../security/signing.js';
import type { Store } from '../../store/store.js';
import type { MattermostApi } from './api.js';
import type { MattermostBackend } from './backend.js';
import type { DialogFeatures } from './capabilities.js';

export interface MattermostSettings {
  publicUrl: string;
  /** The configured Mattermost or kChat server: the only host the bot posts command responses to. */
  serverUrl: string;
  trigger: string;
  approvalChannelId?: string;
  invitesPerHour: number;
  inviteEmailsPerHour: number;
}

export interface MattermostContext {
  api: MattermostApi;
  store: Store;
  clock: Clock;
  log: Logger;
  signer: Signer;
  outbox: Outbox;
  settings: MattermostSettings;
  capabilities(): Capabilities;
  dialogFeatures(): DialogFeatures;
  /** Set on kChat: the Infomaniak organization behind the server. */
  backend?: MattermostBackend;
  /** The bot's own acceptance links (link, bot email, SMS delivery); unset, only the platform's email is offered. */
  links?: LinkChannels;
}

export const PLATFORM = 'mattermost' as const;

/** How a backend is made: from the adapter's context, once. */
export type MattermostBackendFactory = (ctx: MattermostContext) => MattermostBackend;
