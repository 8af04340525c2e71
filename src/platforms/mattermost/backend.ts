/** The seam for servers that speak the Mattermost API but keep people, roles and rights elsewhere (kChat: the
 * Infomaniak organization). The adapter keeps the chat side (command, dialogs, posts, announcements); a backend
 * says what can be granted, delivers what the chat server cannot, and finds arrivals the server does not push. */

import type { NoticePayload } from '../../actions/jobPayloads.js';
import type { NewJob } from '../../actions/jobs.js';
import type { Delivery, Invitation } from '../../core/model.js';
import type { Capabilities, InviterLevel } from '../../core/policy.js';
import type { Writer } from '../../core/writer.js';
import type { ListOffers } from '../../flows/chatPort.js';
import type { JobHandler } from '../../outbox/outbox.js';

export interface DeliveryTools {
  /** The chat server's own email invitation (guests get their channels with it), paced as on Mattermost. */
  sendInviteEmail(inv: Invitation): Promise<void>;
}

export interface MattermostBackend {
  /** False: the server has no /api/v4/websocket, so the socket is not started and arrivals come from polling. */
  websocket: boolean;
  /** The backend puts members in the team and sets their roles: the bot must not. */
  managesMembership: boolean;
  capabilities(): Capabilities;
  /** The inviter's level as the backend knows it, from the level the chat server's roles give. */
  refineLevel(user: { id: string; email: string }, level: InviterLevel): Promise<InviterLevel>;
  /** Makes a `sending` invitation exist; returns the jobs to store with its `delivered` transition. */
  deliver(inv: Invitation, tools: DeliveryTools): Promise<NewJob[]>;
  /** What the pending list and its buttons offer for one invitation on the backend's side. */
  offers(inv: Invitation): ListOffers;
  /** Sends a `sent` invitation again by one of its offered methods; resolves with a direct message for the
   * inviter, if any. */
  resend(inv: Invitation, method: Delivery, tools: DeliveryTools): Promise<string | undefined>;
  /** Undoes the backend's side of a revoked invitation. */
  withdraw(inv: Invitation): Promise<void>;
  /** The text of a notice the adapter does not write itself, or undefined to send nothing. */
  noticeText(inv: Invitation, notice: NoticePayload, f: Writer): Promise<string | undefined>;
  /** Outbox handlers for the backend's own job kinds. */
  jobHandlers: Record<string, JobHandler>;
  /** Checks its own access at start-up; `ready()` reports the outcome. */
  start(): Promise<void>;
  stop(): void;
  ready(): boolean;
  /** One round of arrival checks (statuses on the backend's side). */
  pollArrivals(): Promise<void>;
}
