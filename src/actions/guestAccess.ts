/** A guest's access and sponsor: the sponsor's reminders before the end, an extension, the end (on its date or by
 * hand), a sponsor who left and an admin who adopts the guest. Each is one store write: the change, its audit entry
 * and the jobs that do the platform's side and tell people (dedupe keys carry the end date, so each reminder of an
 * end goes once and an extension's new end gets its own). */
import type { Clock } from '../core/clock.js';
import type { Phrase } from '../core/i18n.js';
import { accessNotRunning, alreadyInState, invitationGone, notTheSponsor, onlyAdminsAdopt } from '../core/messages.js';
import { type AccessReminder, type Invitation, type Person, sponsorOf } from '../core/model.js';
import { type InviterLevel, mayApprove } from '../core/policy.js';
import { TRANSITIONS } from '../core/stateMachine.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

const DAY_MS = 86400_000;
type Deps = { store: Store; clock: Clock };
export type GuestResult = { ok: true; invitation: Invitation } | { ok: false; reason: Phrase };

export interface GuestInput {
  invitationId: string;
  by: Person;
  /** The clicker's level, read by the flow at the time of the click. */
  byLevel: InviterLevel;
}

/** The sponsor or an admin, on a guest whose access runs. */
async function running(deps: Deps, input: GuestInput): Promise<GuestResult> {
  const inv = await deps.store.getInvitation(input.invitationId);
  if (!inv) return { ok: false, reason: invitationGone };
  if (sponsorOf(inv).id !== input.by.id && !mayApprove(input.byLevel)) return { ok: false, reason: notTheSponsor };
  if (inv.state !== 'arrived' || !inv.accessEndsAt) return { ok: false, reason: accessNotRunning };
  return { ok: true, invitation: inv };
}

/** Marks the reminder of the current end as scheduled and queues it; false when the guest has moved on. */
export async function scheduleSponsorReminder(deps: Deps, inv: Invitation, which: AccessReminder): Promise<boolean> {
  const at = deps.clock.now().toISOString();
  const updated = await deps.store.transition(inv.id, {
    from: ['arrived'],
    to: 'arrived',
    patch: { accessReminded: which },
    audit: { at, invitationId: inv.id, actor: 'bot', action: 'access_reminder_scheduled', detail: { which } },
    jobs: [jobFor(inv, JOB.remindSponsor, { which }, `${which}:${inv.accessEndsAt}`)],
  });
  return !!updated;
}

/** `days` more, counted from the end (or from now, if it passed while the guest was still in), never beyond
 * `maxDays` from now. Each click is one extension; clicks at the same moment compute the same date. */
export async function extendAccess(
  deps: Deps,
  input: GuestInput & { days: number; maxDays?: number },
): Promise<GuestResult> {
  const found = await running(deps, input);
  if (!found.ok) return found;
  const inv = found.invitation;
  const now = deps.clock.now().getTime();
  const from = Math.max(Date.parse(inv.accessEndsAt!), now);
  const until = Math.min(from + input.days * DAY_MS, input.maxDays ? now + input.maxDays * DAY_MS : Infinity);
  const accessEndsAt = new Date(until).toISOString();
  const at = new Date(now).toISOString();
  const updated = await deps.store.transition(inv.id, {
    from: ['arrived'],
    to: 'arrived',
    patch: { accessEndsAt, accessReminded: undefined },
    audit: {
      at,
      invitationId: inv.id,
      actor: input.by.id,
      action: 'access_extended',
      detail: { days: input.days, until: accessEndsAt },
    },
    jobs: [jobFor(inv, JOB.setAccessEnd, {}, accessEndsAt)],
  });
  return updated ? { ok: true, invitation: updated } : stateNow(deps, inv.id);
}

/** The guest's access ends: by hand (`input`: the sponsor or an admin), or on its date (no input; only once due).
 * The compare-and-set makes it once, however many passes or clicks come. */
export async function endAccess(deps: Deps, inv: Invitation, input?: GuestInput): Promise<GuestResult> {
  if (input) {
    const found = await running(deps, input);
    if (!found.ok) return found;
    inv = found.invitation;
  } else if (!inv.accessEndsAt || Date.parse(inv.accessEndsAt) > deps.clock.now().getTime()) {
    return { ok: false, reason: accessNotRunning };
  }
  const at = deps.clock.now().toISOString();
  const updated = await deps.store.transition(inv.id, {
    ...TRANSITIONS.endAccess,
    patch: { accessEndsAt: input ? at : inv.accessEndsAt },
    audit: {
      at,
      invitationId: inv.id,
      actor: input?.by.id ?? 'bot',
      action: 'access_ended',
      detail: { how: input ? 'by_hand' : 'on_date' },
    },
    jobs: [jobFor(inv, JOB.endAccess), jobFor(inv, JOB.accessEnded)],
  });
  return updated ? { ok: true, invitation: updated } : stateNow(deps, inv.id);
}

/** The sponsor left or was deactivated: the admins are asked to adopt each of their guests whose access runs. */
export async function recordSponsorLeft(deps: Deps, inv: Invitation, sponsor: Person): Promise<boolean> {
  if (inv.state !== 'arrived' || sponsorOf(inv).id !== sponsor.id) return false;
  const updated = await deps.store.patchInvitation(
    inv.id,
    {},
    { at: deps.clock.now().toISOString(), invitationId: inv.id, actor: 'bot', action: 'sponsor_left' },
    [jobFor(inv, JOB.askAdoption, { sponsor }, sponsor.id)],
  );
  return !!updated;
}

/** An admin becomes the guest's sponsor. */
export async function adoptGuest(deps: Deps, input: GuestInput): Promise<GuestResult> {
  if (!mayApprove(input.byLevel)) return { ok: false, reason: onlyAdminsAdopt };
  const inv = await deps.store.getInvitation(input.invitationId);
  if (!inv) return { ok: false, reason: invitationGone };
  const updated = await deps.store.transition(inv.id, {
    from: ['arrived'],
    to: 'arrived',
    patch: { sponsor: input.by },
    audit: {
      at: deps.clock.now().toISOString(),
      invitationId: inv.id,
      actor: input.by.id,
      action: 'sponsor_adopted',
      detail: { previous: sponsorOf(inv).id },
    },
  });
  return updated ? { ok: true, invitation: updated } : stateNow(deps, inv.id);
}

async function stateNow(deps: Deps, id: string): Promise<GuestResult> {
  const state = (await deps.store.getInvitation(id))?.state;
  return { ok: false, reason: state ? (w) => alreadyInState(w, state) : invitationGone };
}
