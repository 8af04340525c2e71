/** The invitation model shared by every platform. Stored data is parsed with these schemas when it is read. */
import { z } from 'zod';
import { LANGUAGES, type Phrase } from './i18n.js';

export const ROLES = ['legal_representative', 'admin', 'collaborator', 'external'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const KDRIVE_RIGHTS = ['none', 'read', 'write', 'manage'] as const;
export const KDriveRight = z.enum(KDRIVE_RIGHTS);
export type KDriveRight = z.infer<typeof KDriveRight>;

/** How the invitee learns of the invitation. */
/** platform_email: the chat's own invitation; bot_email, sms, link: the bot's acceptance link, by its own email,
 * by SMS, or shown to the inviter to pass on. */
export const DELIVERIES = ['platform_email', 'bot_email', 'sms', 'link'] as const;
export const Delivery = z.enum(DELIVERIES);
export type Delivery = z.infer<typeof Delivery>;

/** `local`: the playground, a web chat served by the bot itself (src/platforms/local). */
export const PLATFORMS = ['mattermost', 'slack', 'local'] as const;
export const Platform = z.enum(PLATFORMS);
export type Platform = z.infer<typeof Platform>;

export const STATES = [
  'pending_approval',
  'denied',
  'sending',
  'sent',
  'arrived',
  'expired',
  'revoked',
  'failed',
  /** A guest's access reached its end (or was ended by their sponsor or an admin). */
  'ended',
] as const;
export const InvitationState = z.enum(STATES);
export type InvitationState = z.infer<typeof InvitationState>;

/** The longest a guest's access may be given at once (ten years): beyond, a date is not a limit. */
export const MAX_ACCESS_DAYS = 3660;
/** The sponsor is reminded a week and a day before their guest's access ends. */
export const ACCESS_REMINDERS = ['7', '1'] as const;
export type AccessReminder = (typeof ACCESS_REMINDERS)[number];

/** What ending a guest's access does on Mattermost and kChat, beyond taking them out of the bot's channels. */
export const GUEST_END_ACTIONS = ['deactivate', 'remove-from-team'] as const;
export type GuestEndAction = (typeof GUEST_END_ACTIONS)[number];
/** GUEST_MAX_DAYS and GUEST_END_ACTION, as the flows and adapters get them. */
export interface GuestSettings {
  maxDays?: number;
  endAction: GuestEndAction;
}

/** Someone on the chat, as an invitation remembers them; `locale`: their chat's language then (their notices'). */
export const Person = z.object({ id: z.string(), username: z.string(), locale: z.string().max(35).optional() });
export type Person = z.infer<typeof Person>;

export const Decision = z.object({
  by: Person,
  at: z.string(),
  approved: z.boolean(),
  reason: z.string().optional(),
});

/** Where an approval request was posted, so it can be updated when someone decides. */
export const ApprovalPost = z.object({
  channelId: z.string(),
  postId: z.string(),
  /** The reader's locale where the post is a direct message to one approver (a channel post: the organization's). */
  locale: z.string().max(35).optional(),
});

export const Invitation = z.object({
  id: z.string(),
  platform: Platform,
  /** Team (Mattermost) or workspace (Slack) the guest joins. */
  workspaceId: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  channelIds: z.array(z.string()),
  kdriveRight: KDriveRight,
  billingRights: z.boolean(),
  billingReminders: z.object({ email: z.boolean(), sms: z.boolean() }),
  delivery: Delivery,
  message: z.string(),
  /** The invitee's language (the bot's email, SMS, page and reminders); unset on older invitations: the
   * organization's. */
  language: z.enum(LANGUAGES).optional(),
  /** E.164, for SMS delivery only; never logged. */
  phone: z.string().optional(),
  inviter: Person,
  /** The channel the command was typed in: where the inviter is answered. */
  originChannelId: z.string(),
  state: InvitationState,
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string().nullable(),
  decision: Decision.optional(),
  approvalPosts: z.array(ApprovalPost).default([]),
  arrivedUserId: z.string().optional(),
  arrivedAt: z.string().optional(),
  lastError: z.string().optional(),
  /** When the invitee was reminded (once) that the invitation will expire. */
  remindedAt: z.string().optional(),
  /** Set when one request invited several people, so progress can be reported for the whole batch. */
  batch: z.object({ id: z.string(), size: z.number().int() }).optional(),
  /** SHA-256 (hex) of the current acceptance-link token; the token itself is never stored. */
  linkTokenHash: z.string().optional(),
  /** What a platform backend keeps about its side of the invitation (kChat: `infomaniakInvitationId`,
   * `infomaniakStatus`). Never secrets: acceptance links are fetched again when needed. */
  external: z.record(z.string(), z.string()).optional(),
  /** An external guest's access: how many days it lasts from arrival (the wizard's choice), and once arrived when
   * it ends. Unset for members and for invitations made before guests had an end. */
  accessDays: z.number().int().positive().max(MAX_ACCESS_DAYS).optional(),
  accessEndsAt: z.string().optional(),
  /** Which reminder of the coming end the sponsor was last sent for the current end date. */
  accessReminded: z.enum(ACCESS_REMINDERS).optional(),
  /** Who answers for the guest and is asked before their access ends; unset: the inviter. */
  sponsor: Person.optional(),
});
export type Invitation = z.infer<typeof Invitation>;

/** The guest's sponsor: the person set as such, else the inviter. */
export function sponsorOf(inv: Invitation): Person {
  return inv.sponsor ?? inv.inviter;
}

/** Everything an audit entry may record, in one list: a store refuses to write any other action. */
export const AUDIT_ACTIONS = [
  // the invitation's life (src/actions, src/jobs, src/lifecycle)
  'created',
  'approve',
  'deny',
  'delivered',
  'delivery_failed',
  'retry',
  'resend_requested',
  'link_requested',
  'link_issued',
  /** The acceptance page was opened, once per visitor (a hash of the link, address and browser: no raw IP). */
  'link_opened',
  'reminder_scheduled',
  'renewal_requested',
  'arrived',
  'expired',
  'revoked',
  // what Infomaniak reported for a kChat invitation (statusPoll)
  'accepted',
  'declined',
  'infomaniak_invitation_gone',
  // the kChat backend's own steps
  'infomaniak_invitation_created',
  'infomaniak_invitation_cancelled',
  'kchat_guest_invitation_cancelled',
  'kdrive_invitation_cancelled',
  'right_set',
  'right_failed',
  'right_given_up',
  // a guest's access (src/actions/guestAccess.ts)
  'access_reminder_scheduled',
  'access_extended',
  'access_ended',
  'sponsor_left',
  'sponsor_adopted',
  // a newcomer's reply to the bot, passed on to their sponsor (src/actions/forwardReply.ts)
  'reply_forwarded',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

/** An audit entry as it is written: its action is one of AUDIT_ACTIONS. */
export const AuditEntry = z.object({
  at: z.string(),
  invitationId: z.string(),
  actor: z.string(),
  action: AuditAction,
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** An audit entry as it is read back. The trail is history: an action this version does not list (written by a
 * newer version, or since retired) is kept verbatim and typed apart, so a read never fails or drops it. */
export const StoredAuditEntry = AuditEntry.extend({
  action: AuditAction.or(z.string().min(1).brand<'UnknownAuditAction'>()),
});
export type StoredAuditEntry = z.infer<typeof StoredAuditEntry>;

/** An address the request named but that was not invited, and why. */
export interface Skipped {
  email: string;
  reason: Phrase;
}

/** Lower-cased, trimmed: the form emails are compared in. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
