/** What the flows ask of a chat platform, outbound. Each adapter implements it on its official client (Client4,
 * Bolt's WebClient); a call that fails throws the outbox's RetryLaterError or PermanentError, so the flows never
 * see a platform's own errors. */

import type { NoticePayload } from '../actions/jobPayloads.js';
import type { TextFormat } from '../core/format.js';
import type { Phrase, Words } from '../core/i18n.js';
import type { ChatMessage } from '../core/messages.js';
import type { Delivery, Invitation, Platform } from '../core/model.js';
import type { Capabilities, InviterLevel } from '../core/policy.js';
import type { Option, Step } from '../core/wizard.js';
import type { Writer } from '../core/writer.js';
import type { NewJob } from '../store/store.js';

export type { ChatMessage };

/** A form the flows open: the platform renders it (dialog, modal) and sends its submission back with `state`,
 * the signed value that names what it is about. */
export type FormRequest = (
  | { kind: 'deny'; state: string }
  /** The wizard's steps in one form (one step where the platform has multi-step forms). */
  | { kind: 'wizard'; steps: Step[]; state: string; submitLabel: string }
  /** How a `sent` invitation should reach `email` again: one of `methods`, and the number when SMS is one. */
  | { kind: 'resend'; state: string; email: string; methods: readonly Delivery[]; phone?: string }
) & {
  /** The words of the person the form opens for. */
  words: Words;
};

/** What the pending list offers for a `sent` invitation: the methods a resend may use (none: no Resend), whether
 * Show link, and why a button is missing. */
export interface ListOffers {
  resend: readonly Delivery[];
  showLink: boolean;
  why?: Phrase;
}

/** Thrown by openForm when the platform does not let the bot open forms here (kChat may refuse dialogs). */
export class FormsRefused extends Error {}

/** Where a message was posted: what updating it needs on every platform. */
export interface MessageRef {
  channelId: string;
  postId: string;
}

export interface ChatUser {
  id: string;
  username: string;
  displayName: string;
  /** When the platform lets the bot see it (Mattermost: a system admin bot or ShowEmailAddress; Slack: a scope). */
  email?: string;
  /** The language the person reads the chat in, as the platform says it (`fr`, `de-CH`), if it says. */
  locale?: string;
}

/** A channel as a newcomer is told of it: its name and what it is for (its purpose, else its header or topic). */
export interface ChannelDetail {
  id: string;
  name: string;
  purpose?: string;
}

export interface ChatPort {
  readonly platform: Platform;
  readonly format: TextFormat;
  /** The channel approval requests and digests go to; unset: a direct message to each approver. */
  readonly approvalChannel?: string;
  /** The pace of the platform's own invitation emails, per hour, if it has one (bulk progress says when). */
  readonly invitationsPerHour?: number;

  /** What this platform can grant and deliver (roles, kDrive, billing, delivery methods). */
  capabilities(): Capabilities;
  /** Whether a form can show its steps one after another (else the wizard is one form). */
  multiStepForms(): boolean;
  /** The channels a form offers the user (theirs, or the current one where they cannot be listed in time). */
  channelOptions(workspaceId: string, userId: string, currentChannelId: string): Promise<Option[]>;
  /** Of `selected`, the channels the user really is in, checked now (a superset is fine: the wizard intersects). */
  verifyChannels(workspaceId: string, userId: string, selected: string[]): Promise<Option[]>;
  /** Which of these addresses already have an account (as many as can be looked up in time). */
  existingAccounts(emails: string[]): Promise<Set<string>>;
  /** What the user may do in the workspace, read now (rights are never taken from a request). */
  level(workspaceId: string, userId: string): Promise<InviterLevel>;
  approvers(workspaceId: string): Promise<string[]>;
  user(userId: string): Promise<ChatUser>;
  /** The account with this address, if there is one (how a missed arrival is found). */
  userByEmail(email: string): Promise<ChatUser | undefined>;
  channelNames(inv: Invitation): Promise<string[]>;
  /** Each channel's name and purpose, in the order given (a channel that cannot be read: its id, no purpose). */
  channelDetails(channelIds: string[]): Promise<ChannelDetail[]>;
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
  /** Ends an arrived guest's access (out of the channels the bot added them to, then deactivated or removed, as
   * configured). Must be safe to repeat: a retried job calls it again. `manual`: the platform offers the bot no
   * way to do it, the admins are told how. */
  endGuestAccess(inv: Invitation, userId: string): Promise<'done' | 'manual'>;
  /** Where the platform keeps the guest's end itself (Slack Enterprise Grid), sets it to `inv.accessEndsAt`. */
  setAccessEnd?(inv: Invitation, userId: string): Promise<void>;
  /** The list's offers where the platform's backend decides them for its invitations (kChat), else undefined. */
  offers?(inv: Invitation): ListOffers | undefined;
  /** A notice only the platform's backend can word (kChat's link from the organization), or undefined. */
  backendNotice?(inv: Invitation, notice: NoticePayload, f: Writer): Promise<string | undefined>;
}
