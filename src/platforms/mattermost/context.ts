/** What every part of the Mattermost adapter works with, built once in index.ts. */
import type { DialogFeatures } from '../../../views/mattermost/dialog.js';
import type { Capabilities, InviteLimits } from '../../core/policy.js';
import type { PlatformDeps } from '../deps.js';
import type { MattermostApi } from './api.js';
import type { MattermostBackend } from './backend.js';

export interface MattermostSettings {
  publicUrl: string;
  /** The configured Mattermost or kChat server: the only host the bot posts command responses to. */
  serverUrl: string;
  trigger: string;
  approvalChannelId?: string;
  invitesPerHour: InviteLimits;
  inviteEmailsPerHour: number;
}

export interface MattermostContext extends PlatformDeps {
  api: MattermostApi;
  settings: MattermostSettings;
  capabilities(): Capabilities;
  dialogFeatures(): DialogFeatures;
  /** Set on kChat: the Infomaniak organization behind the server. */
  backend?: MattermostBackend;
}

export const PLATFORM = 'mattermost' as const;

/** How a backend is made: from the adapter's context, once. */
export type MattermostBackendFactory = (ctx: MattermostContext) => MattermostBackend;
