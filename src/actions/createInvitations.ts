/** Turns a submitted wizard into stored invitations: policy, then one write that holds the invitations, their audit
 * entries and the jobs that will request approval or deliver them, checked for duplicates and the rate limit. */

import type { Clock } from '../core/clock.js';
import { newId } from '../core/clock.js';
import type { Phrase } from '../core/i18n.js';
import { skippedReason } from '../core/messages.js';
import { type Invitation, normalizeEmail, type Person, type Platform, type Skipped } from '../core/model.js';
import { type Capabilities, decide, type InviterLevel, type RateLimit, rateLimitRefusal } from '../core/policy.js';
import { fallbackName, type Recipient } from '../core/recipients.js';
import { OPEN_STATES } from '../core/stateMachine.js';
import type { InvitationRequest } from '../core/wizard.js';
import type { CreateChecks, Store } from '../store/store.js';
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
  | { ok: false; reason: Phrase };

export async function createInvitations(
  deps: { store: Store; clock: Clock },
  input: CreateInput,
): Promise<CreateResult> {
  const { request } = input;
  const verdict = decide(input.level, request.role, input.caps);
  if (!verdict.ok) return verdict;

  const reasons = new Map<string, Phrase>();
  for (const email of request.recipients.map((r) => normalizeEmail(r.email))) {
    if (input.existingAccounts.has(email)) reasons.set(email, (w) => skippedReason(w, 'account'));
  }
  const now = deps.clock.now();
  const checks: CreateChecks = {
    openStates: OPEN_STATES,
    rateLimit: { inviterId: input.inviter.id, since: new Date(now.getTime() - 3600_000), limit: input.rateLimit },
  };
  // The store checks duplicates and the rate limit in the same atomic step as the insert. When it finds addresses
  // that another submission invited meanwhile, it writes nothing and the rest is built again (batch size included).
  for (;;) {
    const fresh = request.recipients.filter((r) => !reasons.has(normalizeEmail(r.email)));
    const skipped: Skipped[] = request.recipients.flatMap((r) => {
      const email = normalizeEmail(r.email);
      const reason = reasons.get(email);
      return reason ? [{ email, reason }] : [];
    });
    if (!fresh.length) return { ok: true, created: [], skipped, needsApproval: verdict.needsApproval };
    const { created, audit, jobs } = build(input, verdict.needsApproval, fresh, now);
    const outcome = await deps.store.createInvitations(created, audit, jobs, checks);
    if (outcome.ok) return { ok: true, created, skipped, needsApproval: verdict.needsApproval };
    if (outcome.refused === 'rateLimit') return rateLimitRefusal(outcome.recent, input.rateLimit);
    for (const email of outcome.emails) reasons.set(email, (w) => skippedReason(w, 'pending'));
  }
}

function build(input: CreateInput, needsApproval: boolean, fresh: readonly Recipient[], now: Date) {
  const { request } = input;
  const at = now.toISOString();
  const expiresAt =
    request.expiryDays === null ? null : new Date(now.getTime() + request.expiryDays * 86400_000).toISOString();
  const state = needsApproval ? 'pending_approval' : 'sending';
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
    language: request.language,
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
    ...(request.role === 'external' && request.accessDays && { accessDays: request.accessDays }),
  }));
  const audit = created.map((inv) => ({
    at,
    invitationId: inv.id,
    actor: input.inviter.id,
    action: 'created' as const,
    detail: { state, role: inv.role },
  }));
  const jobs = created.map((inv) =>
    state === 'pending_approval' ? jobFor(inv, JOB.requestApproval) : jobFor(inv, JOB.deliver),
  );
  return { created, audit, jobs };
}
