/** The outbox job that sets one right of a delivered invitation (see rightSteps.ts). The first failure of a step
 * is recorded on the invitation (lastError, audit) and shown to the inviter and on the approval post; its success
 * after failures is announced the same way; a step given up tells the inviter to finish by hand. */
import { JOB, jobFor } from '../../actions/jobs.js';
import type { Invitation } from '../../core/model.js';
import type { JobHandler } from '../../outbox/outbox.js';
import { PermanentError, isPaced, isPermanent } from '../../outbox/errors.js';
import type { NewJob } from '../../store/store.js';
import { ikInvitationId, inviterLocale, type KchatContext } from './context.js';
import { invitationOf } from '../../actions/jobs.js';
import { readPayload } from '../../actions/jobPayloads.js';
import type { RightProgress } from './notices.js';
import { appRole, isRightStep, nextSteps, rightJob, RightStepPayload, STEP_LABELS, type RightStep } from './rightSteps.js';

const LIVE_STATES: readonly Invitation['state'][] = ['sent', 'arrived'];

export function rightJobHandler(ctx: KchatContext): JobHandler {
  const at = () => ctx.clock.now().toISOString();

  /** Sets one right; what it answers goes into the step's audit entry. */
  async function apply(inv: Invitation, step: RightStep): Promise<Record<string, unknown> | void> {
    const role = appRole(inv.role);
    if (step === 'drive-external') {
      const locale = await inviterLocale(ctx, inv);
      const invitationId = await ctx.ik.inviteDriveExternal(drive(), { email: inv.email, right: inv.kdriveRight, locale, message: inv.message || undefined });
      // Kept, so that revoking cancels it and resending sends it again.
      if (invitationId) await ctx.store.patchInvitation(inv.id, { external: { ...inv.external, kdriveInvitationId: invitationId } });
      return invitationId ? { kdriveInvitationId: invitationId } : { addedToDrive: true };
    }
    if (step === 'drive-resend') {
      const invitationId = inv.external?.kdriveInvitationId;
      if (invitationId) await ctx.ik.resendDriveInvitation(drive(), invitationId);
      return;
    }
    const id = ikInvitationId(inv);
    if (!id) throw new PermanentError('the Infomaniak invitation id is missing');
    switch (step) {
      case 'ksuite':
        return ctx.ik.setKsuiteAccess(id, { kchatRole: role, kdriveRole: role });
      case 'drive':
        // The kSuite's drive opens with kSuite access: asking again would only be refused.
        if (await ctx.ksuiteDrive?.isKsuiteDrive()) return { access: 'ksuite' };
        return { access: await ctx.ik.addDrive(id, drive(), role) };
      case 'drive-right':
        return ctx.ik.setDriveRight(id, drive(), inv.kdriveRight);
    }
  }

  function drive(): number {
    if (!ctx.kdriveId) throw new PermanentError('KDRIVE_ID is not set');
    return ctx.kdriveId;
  }

  /** Jobs that make a step's progress visible: the inviter's notice and, if any, the approval post. */
  function visibility(inv: Invitation, step: RightStep, progress: RightProgress, error?: string): NewJob[] {
    return [
      jobFor(inv, JOB.notifyInviter, { about: 'rights', step, progress, error }, `rights:${step}:${progress}`),
      ...(inv.approvalPosts.length ? [jobFor(inv, JOB.updateApproval, {}, `rights:${step}:${progress}`)] : []),
    ];
  }

  return {
    async run(job) {
      const { step } = readPayload(job, RightStepPayload);
      const inv = await invitationOf(ctx.store, job);
      if (!LIVE_STATES.includes(inv.state)) return;
      let answer: Record<string, unknown> | void;
      try {
        answer = await apply(inv, step);
      } catch (err) {
        // A permanent refusal is reported once, by onDead.
        if (!isPaced(err) && !isPermanent(err) && job.attempts === 0) {
          const error = `${STEP_LABELS[step]}: ${(err as Error).message}`;
          const failing = await ctx.store.patchInvitation(inv.id, { lastError: error }, { at: at(), invitationId: inv.id, actor: 'bot', action: 'right_failed', detail: { step, error } });
          await ctx.store.enqueue(visibility(failing ?? inv, step, 'failing', (err as Error).message));
          ctx.outbox.kick();
        }
        throw err;
      }
      const recovered = job.attempts > 0;
      const clears = recovered && inv.lastError?.startsWith(STEP_LABELS[step]);
      const done = await ctx.store.patchInvitation(inv.id, clears ? { lastError: undefined } : {}, {
        at: at(), invitationId: inv.id, actor: 'bot', action: 'right_set', detail: { step, ...answer, ...(recovered ? { afterAttempts: job.attempts + 1 } : {}) },
      });
      await ctx.store.enqueue([...nextSteps(step, ctx.kdriveId).map((next) => rightJob(inv, next)), ...(recovered ? visibility(done ?? inv, step, 'recovered') : [])]);
      ctx.outbox.kick();
    },
    async onDead(job, error) {
      const step = job.payload.step;
      const inv = job.invitationId ? await ctx.store.getInvitation(job.invitationId) : undefined;
      if (!inv || !isRightStep(step)) return;
      await ctx.store.patchInvitation(inv.id, { lastError: `${STEP_LABELS[step]}: ${error}` }, { at: at(), invitationId: inv.id, actor: 'bot', action: 'right_given_up', detail: { step, error } });
      await ctx.store.enqueue(visibility(inv, step, 'gave_up', error));
      ctx.outbox.kick();
    },
  };
}
