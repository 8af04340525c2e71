/** External people on kChat are kChat guests (kChat's own email, with their channels) and, with a kDrive right,
 * also get kDrive's own invitation. Resending sends both again; revoking cancels both. kChat gives the bot no
 * link for a guest, so there is none to show. */
import { recordBackendStep } from '../../actions/recordBackendStep.js';
import { newId } from '../../core/clock.js';
import { noLinkForGuests } from '../../core/messages.js';
import type { Invitation } from '../../core/model.js';
import type { ListOffers } from '../../flows/chatPort.js';
import type { DeliveryTools } from '../mattermost/backend.js';
import { chatCall, type KchatContext } from './context.js';
import type { KchatGuests } from './kchatGuests.js';
import { rightJob } from './rightSteps.js';

export const EXTERNAL_OFFERS: ListOffers = {
  resend: ['platform_email'],
  showLink: false,
  why: noLinkForGuests,
};

/** kChat's guest invitation again (paced like the first), then kDrive's as its own retried step. */
export async function resendExternal(ctx: KchatContext, inv: Invitation, tools: DeliveryTools): Promise<void> {
  await tools.sendInviteEmail(inv);
  if (ctx.kdriveId && inv.external?.kdriveInvitationId) {
    await recordBackendStep(ctx, inv, { jobs: [rightJob(inv, 'drive-resend', newId())] });
    ctx.outbox.kick();
  }
}

/** Cancels kChat's guest invitation (looked up by address in the invitation's first channel: one invitation
 * covers all its channels) and kDrive's, each once: a retry of the whole withdrawal skips what is done. */
export async function withdrawExternal(ctx: KchatContext, guests: KchatGuests, inv: Invitation): Promise<void> {
  const channelId = inv.channelIds[0];
  if (channelId && !inv.external?.kchatGuestInvitation) {
    const id = await chatCall(() => guests.pendingId(channelId, inv.email));
    if (id !== undefined) await chatCall(() => guests.cancel(id));
    // None pending: already accepted, or cancelled in kChat; nothing is left to cancel.
    const outcome = id === undefined ? 'none_pending' : 'cancelled';
    inv =
      (await recordBackendStep(ctx, inv, {
        external: { ...inv.external, kchatGuestInvitation: outcome },
        audit: { action: 'kchat_guest_invitation_cancelled', detail: { outcome } },
      })) ?? inv;
  }
  const driveInvitation = inv.external?.kdriveInvitationId;
  if (ctx.kdriveId && driveInvitation && inv.external?.kdriveInvitationStatus !== 'cancelled') {
    await ctx.ik.cancelDriveInvitation(ctx.kdriveId, driveInvitation);
    await recordBackendStep(ctx, inv, {
      external: { ...inv.external, kdriveInvitationStatus: 'cancelled' },
      audit: { action: 'kdrive_invitation_cancelled', detail: { kdriveInvitationId: driveInvitation } },
    });
  }
}
