/** The invitee's one reminder before expiry: the mark and the job in one write (a crash between them would lose
 * the reminder for good), and only while the invitation is still out. */
import type { Clock } from '../core/clock.js';
import type { Invitation } from '../core/model.js';
import type { Store } from '../store/store.js';
import { JOB, jobFor } from './jobs.js';

export async function scheduleReminder(deps: { store: Store; clock: Clock }, inv: Invitation): Promise<boolean> {
  const at = deps.clock.now().toISOString();
  const reminded = await deps.store.transition(inv.id, {
    from: ['sent'],
    to: 'sent',
    patch: { remindedAt: at },
    audit: { at, invitationId: inv.id, actor: 'bot', action: 'reminder_scheduled' },
    jobs: [jobFor(inv, JOB.remindInvitee)],
  });
  return !!reminded;
}
