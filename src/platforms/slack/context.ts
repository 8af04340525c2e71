/** What every part of the Slack adapter works with, built once in index.ts. */
import type { Clock } from '../../core/clock.js';
import type { Capabilities } from '../../core/policy.js';
import type { LinkChannels } from '../../delivery/acceptanceLink.js';
import type { Logger } from '../../logger.js';
import type { Outbox } from '../../outbox/outbox.js';
import type { Signer } from '../../security/signing.js';
import type { Store } from '../../store/store.js';
import type { SlackApi } from './api.js';

export interface SlackSettings {
  publicUrl: string;
  trigger: string;
  /** Where approval requests go; unset: a DM to each approver. */
  approvalChannel?: string;
  /** The workspace's own invite link or sign-up page (non-Grid delivery). */
  joinUrl?: string;
  invitesPerHour: number;
}

export interface SlackContext {
  api: SlackApi;
  store: Store;
  clock: Clock;
  log: Logger;
  signer: Signer;
  outbox: Outbox;
  settings: SlackSettings;
  /** The bot's own acceptance links (shown to the inviter, or by the bot's email or SMS), leading to the join link. */
  links?: LinkChannels;
  capabilities(): Capabilities;
}

export const PLATFORM = 'slack' as const;
