/** What the flows ask of a chat platform, outbound. Each adapter implements it on its official client (Client4,
 * Bolt's WebClient); a call that fails throws the outbox's RetryLaterError or PermanentError, so the flows never
 * see a platform's own errors. */
import type { TextFormat } from '../core/format.js';
import type { ChatMessage } from '../core/messages.js';
import type { Delivery, Invitation, Platform } from '../core/model.js';
import type { InviterLevel } from '../core/policy.js';
import type { NewJob } from '../store/store.js';
import type { NoticePayload } from '../actions/jobPayloads.js';

export type { ChatMessage };

/** A form the flows open: the platform renders it (dialog, modal) and sends its submission back with `state`,
 * the signed value that names what it is about. */
export type FormRequest = { kind: 'deny'; state: string };

/** Where a message was posted: what updating it needs on every platform. */
export interface MessageRef { channelId: string; postId: string }

export interface ChatUser {
  id: string;
  username: string;
  displayName: string;
  /** When the platform lets the bot see it (Mattermost: a system admin bot or ShowEmailAddress; Slack: a scope). */
  email?: string;
}

export interface ChatPort {
  readonly platform: Platform;
  readonly format: TextFormat;
  /** The channel approval requests and digests go to; unset: a direct message to each approver. */
  readonly approvalChannel?: string;
  /** The pace of the platform's own invitation emails, per hour, if it has one (bulk progress says when). */
  readonly invitationsPerHour?: number;

  /** What the user may do in the workspace, read now (rights are never taken from a request). */
  level(workspaceId: string, userId: string): Promise<InviterLevel>;
  approvers(workspaceId: string): Promise<string[]>;
  user(userId: string): Promise<ChatUser>;
  /** The account with this address, if there is one (how a missed arrival is found). */
  userByEmail(email: string): Promise<ChatUser | undefined>;
  channelNames(inv: Invitation): Promise<string[]>;
  /** The direct-message channel with a user. */
  directChannel(userId: string): Promise<string>;
  post(channelId: string, message: ChatMessage): Promise<MessageRef>;
  /** Opens a form for the user whose click or command gave `trigger`; its submission comes back with `state`. */
  openForm(trigger: string, form: FormRequest): Promise<void>;
  update(ref: MessageRef, message: ChatMessage): Promise<void>;

  /** Makes a `sending` invitation reach the invitee by the platform's own means: the jobs to store with its
   * delivery, or undefined when the bot's acceptance link does it (link, bot email, SMS). */
  deliver(inv: Invitation): Promise<NewJob[] | undefined>;
  /** Sends a `sent` invitation again by the platform's means: a notice for the inviter (possibly empty), or
   * undefined when the bot's acceptance link does it. */
  resend(inv: Invitation, method: Delivery): Promise<{ notice?: string } | undefined>;
  /** Brings the newcomer into the workspace and `channelId`; RetryLaterError while their account is not ready. */
  admit(inv: Invitation, userId: string, channelId: string): Promise<ChatUser>;
  /** The workspace role an arrived administrator gets, where the platform has one. */
  applyRole(inv: Invitation, userId: string): Promise<void>;
  /** Undoes the platform's side of a revoked or expired invitation, where it has one. */
  withdraw(inv: Invitation): Promise<void>;
  /** A notice only the platform's backend can word (kChat's link from the organization), or undefined. */
  backendNotice?(inv: Invitation, notice: NoticePayload): Promise<string | undefined>;
}
