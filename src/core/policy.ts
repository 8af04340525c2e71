/** Who may invite whom, and what happens to their request. Pure functions, one table of rules. Refusals are
 * Phrases: the flow that knows the reader words them. */
import type { Phrase } from './i18n.js';
import {
  guestsCannotInvite,
  manageRefused,
  ownApproval,
  rateLimited,
  roleAboveYours,
  roleHidden,
  roleNotOnPlatform,
} from './messages/refusals.js';
import type { Delivery, Role } from './model.js';

/** What the inviter is in the organization, as the platform adapter resolved it. */
export type InviterLevel = 'owner' | 'admin' | 'member' | 'guest';

/** What a platform can really apply; the wizard offers nothing else. */
export interface Capabilities {
  roles: readonly Role[];
  /** Why a role is missing, shown in the wizard. */
  missingRoleReasons: Partial<Record<Role, Phrase>>;
  kdrive: boolean;
  billing: boolean;
  deliveries: readonly Delivery[];
  /** Narrower delivery choices for some roles (kChat: guests only get kChat's own email). */
  roleDeliveries?: Partial<Record<Role, readonly Delivery[]>>;
}

/** The delivery methods an invitation of this role may use (narrowed by `roleDeliveries` where set). */
export function deliveriesFor(caps: Capabilities, role: Role): readonly Delivery[] {
  const only = caps.roleDeliveries?.[role];
  return only ? caps.deliveries.filter((d) => only.includes(d)) : caps.deliveries;
}

const RANK: Record<Role, number> = { external: 0, collaborator: 1, admin: 2, legal_representative: 3 };
const HIGHEST_GRANTABLE: Record<InviterLevel, number> = {
  guest: -1,
  member: RANK.collaborator,
  admin: RANK.admin,
  owner: RANK.legal_representative,
};

export type Refusal = { ok: false; reason: Phrase };
export type Verdict = { ok: true; needsApproval: boolean } | Refusal;

export function mayInviteAtAll(level: InviterLevel): { ok: true } | Refusal {
  if (level === 'guest') return { ok: false, reason: guestsCannotInvite };
  return { ok: true };
}

export function mayGrant(level: InviterLevel, role: Role): boolean {
  return RANK[role] <= HIGHEST_GRANTABLE[level];
}

/** Roles this inviter may grant on this platform, and why each other role is not offered. */
export function grantableRoles(
  level: InviterLevel,
  caps: Capabilities,
): { roles: Role[]; hidden: { role: Role; reason: Phrase }[] } {
  const roles: Role[] = [];
  const hidden: { role: Role; reason: Phrase }[] = [];
  for (const role of ['external', 'collaborator', 'admin', 'legal_representative'] as const) {
    if (!caps.roles.includes(role)) {
      hidden.push({ role, reason: caps.missingRoleReasons[role] ?? ((w) => roleHidden(w, 'platform')) });
    } else if (!mayGrant(level, role)) {
      const why = role === 'legal_representative' ? 'only-legal' : 'above';
      hidden.push({ role, reason: (w) => roleHidden(w, why) });
    } else {
      roles.push(role);
    }
  }
  return { roles, hidden };
}

/** The decision for one invitation: refused, sent at once, or waiting for an approver. */
export function decide(level: InviterLevel, role: Role, caps: Capabilities): Verdict {
  const allowed = mayInviteAtAll(level);
  if (!allowed.ok) return allowed;
  if (!caps.roles.includes(role)) return { ok: false, reason: (w) => roleNotOnPlatform(w, role) };
  if (!mayGrant(level, role)) return { ok: false, reason: (w) => roleAboveYours(w, role) };
  return { ok: true, needsApproval: level === 'member' };
}

export function mayApprove(level: InviterLevel): boolean {
  return level === 'admin' || level === 'owner';
}

/** What can be done to an invitation after it was made. */
export type Management = 'decide' | 'revoke' | 'resend' | 'retry' | 'show-link';

/** The one rule for acting on an invitation, whatever the platform: approvers decide; the inviter or an approver
 * does the rest. `level` is the actor's, looked up now. */
export function mayManage(
  actorId: string,
  level: InviterLevel,
  inv: { inviter: { id: string } },
  what: Management,
): { ok: true } | Refusal {
  const allowed = mayApprove(level) || (what !== 'decide' && inv.inviter.id === actorId);
  return allowed ? { ok: true } : { ok: false, reason: (w) => manageRefused(w, what) };
}

/** Four eyes: nobody approves their own request while someone else could. */
export function fourEyes(approverId: string, inviterId: string, otherApproverExists: boolean): { ok: true } | Refusal {
  if (approverId === inviterId && otherApproverExists) {
    return { ok: false, reason: ownApproval };
  }
  return { ok: true };
}

export interface RateLimit {
  perHour: number;
}

/** How many invitations an inviter may create an hour: members theirs, administrators (who run bulk requests of
 * up to a thousand addresses) a higher one. */
export interface InviteLimits {
  member: number;
  admin: number;
}

export function hourlyLimit(level: InviterLevel, limits: InviteLimits): RateLimit {
  return { perHour: mayApprove(level) ? limits.admin : limits.member };
}

/** `recent` = how many invitations the inviter created in the last hour. */
export function withinRateLimit(recent: number, adding: number, limit: RateLimit): { ok: true } | Refusal {
  return recent + adding > limit.perHour ? rateLimitRefusal(recent, limit) : { ok: true };
}

export function rateLimitRefusal(recent: number, limit: RateLimit): Refusal {
  const left = Math.max(0, limit.perHour - recent);
  return { ok: false, reason: (w) => rateLimited(w, limit.perHour, left) };
}
