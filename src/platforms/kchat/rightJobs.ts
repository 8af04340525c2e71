/** The outbox job that sets one right of a delivered invitation (see rightSteps.ts). The first failure of a step
 * is recorded on the invitation (lastError, audit) and shown to the inviter and on the approval post; its success
 * after failures is announced the same way; a step given up tells the inviter to finish by hand. */

import { readPayload } from '../../actions/jobPayloads.js';
import type { NewJob } from '../../actions/jobs.js';
import { invitationOf, JOB, jobFor } from '../../actions/jobs.js';
import { recordBackendStep } from '../../actions/recordBackendStep.js';
import type { Invitation } from '../../core/model.js';
import { redactContacts } from '../../core/redact.js';
import { isPaced, isPermanent, PermanentError } from '../../outbox/errors.js';
import type { JobHandler } from '../../outbox/outbox.js';
import { ikInvitationId, invitationLocale, type KchatContext } from './context.js';
import type { RightProgress } from './notices.js';
import {
  appRole,
  isRightStep,
  nextSteps,
  type RightStep,
  RightStepPayload,
  rightJob,
  STEP_LABELS,
} from './rightSteps.js';

const LIVE_STATES: readonly Invitation['state'][] = ['sent', 'arrived'];

export function rightJobHandler(ctx: KchatContext): JobHandler {
  /** Sets one right; what it answers goes into the step's audit entry. */
  async function apply(inv: Invitation, step: RightStep): Promise<Record<string, unknown> | void> {
    const role = appRole(inv.role);
    if (step === 'drive-external') {
      const locale = await invitationLocale(ctx, inv);
      const invitationId = await ctx.ik.inviteDriveExternal(drive(), {
        email: inv.email,
        right: inv.kdriveRight,
        locale,
        message: inv.message || undefined,
      });
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
          // Stored and shown to people, like the outbox's own errors: a server's echo of an address stays out.
          const reason = redactContacts((err as Error).message);
          const error = `${STEP_LABELS[step]}: ${reason}`;
          await recordBackendStep(ctx, inv, {
            lastError: error,
            audit: { action: 'right_failed', detail: { step, error } },
            jobs: visibility(inv, step, 'failing', reason),
          });
          ctx.outbox.kick();
        }
        throw err;
      }
      const recovered = job.attempts > 0;
      const clears = recovered && inv.lastError?.startsWith(STEP_LABELS[step]);
      // A kDrive invitation's id is kept, so that revoking cancels it and resending sends it again.
      const driveInvitation = typeof answer?.kdriveInvitationId === 'string' ? answer.kdriveInvitationId : undefined;
      await recordBackendStep(ctx, inv, {
        ...(driveInvitation && { external: { ...inv.external, kdriveInvitationId: driveInvitation } }),
        ...(clears && { lastError: null }),
        audit: {
          action: 'right_set',
          detail: { step, ...answer, ...(recovered ? { afterAttempts: job.attempts + 1 } : {}) },
        },
        jobs: [
          ...nextSteps(step, ctx.kdriveId).map((next) => rightJob(inv, next)),
          ...(recovered ? visibility(inv, step, 'recovered') : []),
        ],
      });
      ctx.outbox.kick();
    },
    async onDead(job, error) {
      const step = job.payload.step;
      const inv = job.invitationId ? await ctx.store.getInvitation(job.invitationId) : undefined;
      if (!inv || !isRightStep(step)) return;
      // `error` comes from the outbox, already free of addresses and numbers.
      await recordBackendStep(ctx, inv, {
        lastError: `${STEP_LABELS[step]}: ${error}`,
        audit: { action: 'right_given_up', detail: { step, error } },
        jobs: visibility(inv, step, 'gave_up', error),
      });
      ctx.outbox.kick();
    },
  };
}
