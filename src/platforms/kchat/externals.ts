/** External people on kChat are kChat guests (kChat's own email, with their channels) and, with a kDrive right,
 * also get kDrive's own invitation. Resending sends both again; revoking cancels both. kChat gives the bot no
 * link for a guest, so there is none to show. */
import { newId } from '../../core/clock.js';
import type { Invitation } from '../../core/model.js';
import type { BackendOffers, DeliveryTools } from '../mattermost/backend.js';
import type { KchatContext } from './context.js';
import { rightJob } from './rightSteps.js';

export const EXTERNAL_OFFERS: BackendOffers = {
  resend: ['platform_email'],
  showLink: false,
  why: 'No link to show: kChat sends guests its own invitation email and gives the bot no link.',
};

/** kChat's guest invitation again (paced like the first), then kDrive's as its own retried step. */
export async function resendExternal(ctx: KchatContext, inv: Invitation, tools: DeliveryTools): Promise<void> {
  await tools.sendInviteEmail(inv);
  if (ctx.kdriveId && inv.external?.kdriveInvitationId) {
    await ctx.store.enqueue([rightJob(inv, 'drive-resend', newId())]);
    ctx.outbox.kick();
  }
}

/** Cancels kDrive's invitation once (a retry of the whole withdrawal skips what is done). */
export async function withdrawExternal(ctx: KchatContext, inv: Invitation): Promise<void> {
  const driveInvitation = inv.external?.kdriveInvitationId;
  if (ctx.kdriveId && driveInvitation && inv.external?.kdriveInvitationStatus !== 'cancelled') {
    await ctx.ik.cancelDriveInvitation(ctx.kdriveId, driveInvitation);
    await ctx.store.patchInvitation(inv.id, { external: { ...inv.external, kdriveInvitationStatus: 'cancelled' } }, {
      at: ctx.clock.now().toISOString(), invitationId: inv.id, actor: 'bot', action: 'kdrive_invitation_cancelled', detail: { kdriveInvitationId: driveInvitation },
    });
  }
}
