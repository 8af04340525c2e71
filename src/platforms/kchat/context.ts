/** What the kChat backend's parts work with, built once in kchatBackend.ts. */
import type { Invitation } from '../../core/model.js';
import type { FlowDeps } from '../../flows/jobHandlers.js';
import { type MattermostApi, MattermostError } from '../mattermost/api.js';
import type { InfomaniakApi } from './infomaniakApi.js';
import type { KsuiteDrive } from './ksuiteDrive.js';

export interface KchatSettings {
  apiUrl: string;
  token: string;
  accountId: string;
  kdriveId?: number;
}

export interface KchatContext extends FlowDeps {
  ik: InfomaniakApi;
  /** The kChat server (Mattermost API v4). */
  chat: MattermostApi;
  kdriveId?: number;
  /** Set with kdriveId: whether that drive is the kSuite's. */
  ksuiteDrive?: KsuiteDrive;
}

/** A kChat call from an outbox job: its failure becomes the outbox's retry-or-not decision. */
export async function chatCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof MattermostError ? err.forOutbox() : err;
  }
}

/** The invitee's language for Infomaniak's invitation (`locale`) and kDrive's (`lang`): the one chosen in the
 * wizard, else (invitations older than the choice) the inviter's as kChat knows it. */
export async function invitationLocale(ctx: KchatContext, inv: Invitation): Promise<string> {
  if (inv.language) return inv.language;
  const user = await chatCall(() => ctx.chat.client.getUser(inv.inviter.id));
  return user.locale || ctx.locales.org.language;
}

export function ikInvitationId(inv: Invitation): string | undefined {
  return inv.external?.infomaniakInvitationId;
}
