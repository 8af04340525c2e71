/** Resending an invitation that is out, by a method chosen now: the inviter or an approver asks, the method must
 * be one the platform offers, an SMS number is checked (E.164). The request is audited and the platform's
 * `resend` job runs from the outbox (on kChat, the backend's resend). */

import type { Clock } from '../core/clock.js';
import { newId } from '../core/clock.js';
import type { Phrase } from '../core/i18n.js';
import { chooseOfferedMethod, manageRefused, notOut, phoneInternational } from '../core/messages.js';
import type { Delivery, Person } from '../core/model.js';
import { normalizePhone } from '../core/phone.js';
import { type InviterLevel, mayApprove } from '../core/policy.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

export interface ResendInput {
  invitationId: string;
  by: Person;
  /** The asker's level, resolved by the adapter at the time of the request. */
  byLevel: InviterLevel;
  method: string;
  /** As typed; only read for SMS. */
  phone?: string;
  /** The methods the platform offers for a resend (what the form showed). */
  offered: readonly Delivery[];
}

/** `field` names the form field an error belongs on. */
export type ResendResult = { ok: true } | { ok: false; reason: Phrase; field?: 'method' | 'phone' };

export async function requestResend(deps: { store: Store; clock: Clock }, input: ResendInput): Promise<ResendResult> {
  const inv = await deps.store.getInvitation(input.invitationId);
  if (!inv || inv.state !== 'sent') return { ok: false, reason: notOut };
  if (inv.inviter.id !== input.by.id && !mayApprove(input.byLevel))
    return { ok: false, reason: (w) => manageRefused(w, 'resend') };
  const method = input.method as Delivery;
  if (!input.offered.includes(method)) return { ok: false, reason: chooseOfferedMethod, field: 'method' };
  const phone = method === 'sms' ? normalizePhone(input.phone ?? '') : undefined;
  if (method === 'sms' && !phone) return { ok: false, reason: phoneInternational, field: 'phone' };
  const at = deps.clock.now().toISOString();
  const job = jobFor(inv, JOB.resend, { method, ...(phone ? { phone } : {}) }, newId());
  const audit = {
    at,
    invitationId: inv.id,
    actor: input.by.id,
    action: 'resend_requested',
    detail: { method },
  } as const;
  // The request and its job in one write: a crash between two would keep a request that never runs.
  await deps.store.patchInvitation(inv.id, {}, audit, [job]);
  return { ok: true };
}
