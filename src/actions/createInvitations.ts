/** Turns a submitted wizard into stored invitations: policy, rate limit, duplicates, then one write that holds
 * the invitations, their audit entries and the jobs that will request approval or deliver them. */
import type { Clock } from '../core/clock.js';
import { newId } from '../core/clock.js';
import { normalizeEmail, type Invitation, type Person, type Platform, type Skipped } from '../core/model.js';
import { decide, withinRateLimit, type Capabilities, type InviterLevel, type RateLimit } from '../core/policy.js';
import { OPEN_STATES } from '../core/stateMachine.js';
import { fallbackName } from '../core/recipients.js';
import type { InvitationRequest } from '../core/wizard.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

export interface CreateInput {
  platform: Platform;
  workspaceId: string;
  inviter: Person;
  level: InviterLevel;
  originChannelId: string;
  caps: Capabilities;
  request: InvitationRequest;
  /** Emails that already have an account on the platform (looked up by the adapter). */
  existingAccounts: ReadonlySet<string>;
  rateLimit: RateLimit;
}

export type CreateResult =
  | { ok: true; created: Invitation[]; skipped: Skipped[]; needsApproval: boolean }
  | { ok: false; reason: string };

export async function createInvitations(deps: { store: Store; clock: Clock }, input: CreateInput): Promise<CreateResult> {
  const { request } = input;
  const verdict = decide(input.level, request.role, input.caps);
  if (!verdict.ok) return verdict;

  const open = await deps.store.listInvitations({ platform: input.platform, workspaceId: input.workspaceId, states: OPEN_STATES });
  const pendingEmails = new Set(open.map((i) => i.email));
  const skipped: Skipped[] = [];
  const fresh = request.recipients.filter((r) => {
    const email = normalizeEmail(r.email);
    if (input.existingAccounts.has(email)) skipped.push({ email, reason: 'already has an account' });
    else if (pendingEmails.has(email)) skipped.push({ email, reason: 'already has a pending invitation' });
    else return true;
    return false;
  });
  if (!fresh.length) return { ok: true, created: [], skipped, needsApproval: verdict.needsApproval };

  const now = deps.clock.now();
  const recent = await deps.store.countCreatedSince(input.inviter.id, new Date(now.getTime() - 3600_000));
  const rate = withinRateLimit(recent, fresh.length, input.rateLimit);
  if (!rate.ok) return rate;

  const at = now.toISOString();
  const expiresAt = request.expiryDays === null ? null : new Date(now.getTime() + request.expiryDays * 86400_000).toISOString();
  const state = verdict.needsApproval ? 'pending_approval' : 'sending';
  const batch = fresh.length > 1 ? { id: newId(), size: fresh.length } : undefined;
  const created: Invitation[] = fresh.map((r) => ({
    id: newId(),
    platform: input.platform,
    workspaceId: input.workspaceId,
    email: normalizeEmail(r.email),
    name: r.name || fallbackName(r.email),
    role: request.role,
    channelIds: request.channelIds,
    kdriveRight: request.kdriveRight,
    billingRights: request.billingRights,
    billingReminders: request.billingReminders,
    delivery: request.delivery,
    message: request.message,
    phone: request.phone,
    inviter: input.inviter,
    originChannelId: input.originChannelId,
    state,
    createdAt: at,
    updatedAt: at,
    expiresAt,
    approvalPosts: [],
    batch,
  }));
  const audit = created.map((inv) => ({ at, invitationId: inv.id, actor: input.inviter.id, action: 'created', detail: { state, role: inv.role } }));
  const jobs = created.map((inv) => (state === 'pending_approval' ? jobFor(inv, JOB.requestApproval) : jobFor(inv, JOB.deliver)));
  await deps.store.createInvitations(created, audit, jobs);
  return { ok: true, created, skipped, needsApproval: verdict.needsApproval };
}
