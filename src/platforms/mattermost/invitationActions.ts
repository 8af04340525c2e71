/** The pending list's buttons other than Approve / Deny: Resend (asks for the method in a dialog), Show link,
 * Revoke and Retry. Each click re-checks, through the API, that the clicker is the inviter or an approver. */
import type { Delivery, Invitation } from '../../core/model.js';
import { mayApprove } from '../../core/policy.js';
import type { ResendForm } from '../../core/userInput.js';
import { requestResend } from '../../actions/requestResend.js';
import { retryDelivery } from '../../actions/retryDelivery.js';
import { revokeInvitation } from '../../actions/revokeInvitation.js';
import { showLinkAgain } from '../../actions/showLinkAgain.js';
import { resendDialog } from '../../../views/mattermost/dialog.js';
import type { ActionRequest } from './approvals.js';
import type { VerifiedClick } from './buttons.js';
import type { MattermostContext } from './context.js';

const RESEND_TTL_MS = 30 * 60_000;
type Answer = Record<string, unknown>;

export class InvitationActions {
  constructor(private readonly ctx: MattermostContext) {}

  /** Methods a resend of this invitation can use here (a backend decides for its own invitations). */
  resendMethods(inv: Invitation): Delivery[] {
    if (this.ctx.backend) return this.ctx.backend.offers(inv).resend;
    return [...this.ctx.capabilities().deliveries];
  }

  async click(req: ActionRequest, click: VerifiedClick): Promise<Answer> {
    const inv = await this.ctx.store.getInvitation(click.i);
    if (!inv) return { ephemeral_text: 'This invitation no longer exists.' };
    const level = await this.ctx.api.level(inv.workspaceId, req.user_id);
    const by = { id: req.user_id, username: req.user_name ?? '' };
    if (inv.inviter.id !== by.id && !mayApprove(level)) return { ephemeral_text: 'Only the inviter or an administrator can do this.' };
    const deps = { store: this.ctx.store, clock: this.ctx.clock };

    switch (click.a) {
      case 'revoke': {
        const result = await revokeInvitation(deps, { invitationId: inv.id, by, byLevel: level });
        this.ctx.outbox.kick();
        return { ephemeral_text: result.ok ? `Revoked: the invitation for ${inv.email} no longer works.` : result.reason };
      }
      case 'showlink': {
        if (!this.ctx.backend && !this.ctx.links) return { ephemeral_text: 'This bot has no invitation links: it delivers through the chat server’s email.' };
        const offers = this.ctx.backend?.offers(inv);
        if (offers && !offers.showLink) return { ephemeral_text: offers.why ?? 'There is no link to show for this invitation.' };
        const result = await showLinkAgain(deps, { invitationId: inv.id, by, byLevel: level });
        this.ctx.outbox.kick();
        return { ephemeral_text: result.ok ? 'I am sending the inviter the link by direct message. Any earlier link of the bot stops working.' : result.reason };
      }
      case 'retry': {
        const result = await retryDelivery(deps, { invitationId: inv.id, by, byLevel: level });
        this.ctx.outbox.kick();
        return { ephemeral_text: result.ok ? `Retrying the invitation for ${result.email}.` : result.reason };
      }
      case 'resend': {
        if (inv.state !== 'sent') return { ephemeral_text: 'Only an invitation that is out can be sent again.' };
        if (!req.trigger_id) return { ephemeral_text: 'Please try again from the web or desktop app.' };
        const methods = this.resendMethods(inv);
        if (!methods.length) return { ephemeral_text: this.ctx.backend?.offers(inv).why ?? 'This invitation cannot be sent again.' };
        const state = this.ctx.signer.sign({ k: 'resend', i: inv.id, u: by.id, n: by.username, exp: this.ctx.clock.now().getTime() + RESEND_TTL_MS });
        await this.ctx.api.openDialog({ trigger_id: req.trigger_id, url: `${this.ctx.settings.publicUrl}/mattermost/dialog`, dialog: resendDialog(state, inv, methods) });
        return {};
      }
      default:
        return { ephemeral_text: 'This button is not valid.' };
    }
  }

  /** The resend dialog's submission; who asked comes from the verified state, and their rights are checked again. */
  async submitResend(invitationId: string, by: { id: string; username: string }, values: ResendForm): Promise<Answer> {
    const inv = await this.ctx.store.getInvitation(invitationId);
    if (!inv || inv.state !== 'sent') return { error: 'This invitation is no longer out.' };
    const level = await this.ctx.api.level(inv.workspaceId, by.id);
    const result = await requestResend(
      { store: this.ctx.store, clock: this.ctx.clock },
      { invitationId: inv.id, by, byLevel: level, ...values, offered: this.resendMethods(inv) },
    );
    if (!result.ok) return result.field ? { errors: { [result.field]: result.reason } } : { error: result.reason };
    this.ctx.outbox.kick();
    return {};
  }
}
