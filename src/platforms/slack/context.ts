/** What every part of the Slack adapter works with, built once in index.ts. */
import type { Capabilities, InviteLimits } from '../../core/policy.js';
import type { PlatformDeps } from '../deps.js';
import type { SlackApi } from './api.js';

export interface SlackSettings {
  publicUrl: string;
  trigger: string;
  /** Where approval requests go; unset: a DM to each approver. */
  approvalChannel?: string;
  /** The workspace's own invite link or sign-up page (non-Grid delivery). */
  joinUrl?: string;
  invitesPerHour: InviteLimits;
}

export interface SlackContext extends PlatformDeps {
  api: SlackApi;
  settings: SlackSettings;
  capabilities(): Capabilities;
}

export const PLATFORM = 'slack' as const;
