/** The pending list's buttons on Slack. Each value is a signed token (invitation, action, expiry) checked here;
 * the clicker's rights are read from Slack at click time. Approve / Deny go through the approval flow, the others
 * through the platform-neutral actions; Resend opens a modal asking the method, whose signed metadata names the
 * invitation and the user who opened it. Answers are short texts the listener shows only to the clicker. */
import type { types } from '@slack/bolt';
import { signButtonToken, verifyButtonToken } from '../../actions/buttonToken.js';
import { requestResend } from '../../actions/requestResend.js';
import { retryDelivery } from '../../actions/retryDelivery.js';
import { revokeInvitation } from '../../actions/revokeInvitation.js';
import { showLinkAgain } from '../../actions/showLinkAgain.js';
import { slackMrkdwn as mrkdwn } from '../../core/format.js';
import type { Delivery, Invitation } from '../../core/model.js';
import { deliveriesFor, mayApprove } from '../../core/policy.js';
import type { ResendForm } from '../../core/userInput.js';
import type { FieldErrors } from '../../core/wizard.js';
import { LIST_ACTIONS, type ListAction } from '../../../views/slack/pendingListBlocks.js';
import { resendView } from '../../../views/slack/resendModal.js';
import { noticeView } from '../../../views/slack/wizardModal.js';
import type { ApprovalFlow } from '../../flows/approvals.js';
import { PLATFORM, type SlackContext } from './context.js';

const RESEND_TTL_MS = 30 * 60_000;

export type ResendAnswer = { response_action: 'errors'; errors: FieldErrors } | { response_action: 'update'; view: types.ModalView };

export class ListActions {
  constructor(private readonly ctx: SlackContext, private readonly approvals: ApprovalFlow) {}

  /** A button's value: the action id doubles as the signed action, so a Mattermost token never passes here. */
  buttonValue(invitationId: string, action: ListAction): string {
    return signButtonToken(this.ctx.signer, this.ctx.clock.now(), invitationId, action);
  }

  /** How this invitation can be sent again: what the workspace offers for its role (a Grid guest only by Slack's
   * own invitation, since the join link behind the bot's links makes full members). */
  resendMethods(inv: Invitation): readonly Delivery[] {
    return deliveriesFor(this.ctx.capabilities(), inv.role);
  }

  mayShowLink(inv: Invitation): boolean {
    return !!this.ctx.links && this.resendMethods(inv).includes('link');
  }

  /** A click, after its ack. Returns what to tell the clicker, if anything. */
  async click(action: ListAction, value: string, userId: string, triggerId: string): Promise<string | undefined> {
    const claims = verifyButtonToken(this.ctx.signer, this.ctx.clock.now(), value, LIST_ACTIONS);
    if (!claims || claims.action !== action) return 'This button is not valid (expired or altered). Run the list again.';
    const inv = await this.ctx.store.getInvitation(claims.invitationId);
    if (!inv || inv.platform !== PLATFORM) return 'This invitation no longer exists.';
    if (action === 'gl_list_approve' || action === 'gl_list_deny') {
      const member = await this.ctx.api.member(userId);
      const kind = action === 'gl_list_approve' ? 'approve' : 'deny';
      const answer = await this.approvals.click({ invitationId: inv.id, action: kind, user: member.person, trigger: triggerId });
      if (!answer.ok) return answer.notice;
      return action === 'gl_list_approve' ? `Approved: the invitation for ${inv.email} goes out now.` : undefined;
    }
    const member = await this.ctx.api.member(userId);
    const by = member.person;
    if (inv.inviter.id !== by.id && !mayApprove(member.level)) return 'Only the inviter or an administrator can do this.';
    const deps = { store: this.ctx.store, clock: this.ctx.clock };
    const input = { invitationId: inv.id, by, byLevel: member.level };
    switch (action) {
      case 'gl_list_revoke': {
        const result = await revokeInvitation(deps, input);
        this.ctx.outbox.kick();
        return result.ok ? `Revoked: the invitation for ${inv.email} no longer works.` : result.reason;
      }
      case 'gl_list_showlink': {
        if (!this.mayShowLink(inv)) return 'This invitation has no link of mine to show.';
        const result = await showLinkAgain(deps, input);
        this.ctx.outbox.kick();
        return result.ok ? 'I am sending the inviter the link by direct message. Any earlier link of mine stops working.' : result.reason;
      }
      case 'gl_list_retry': {
        const result = await retryDelivery(deps, input);
        this.ctx.outbox.kick();
        return result.ok ? `Retrying the invitation for ${result.email}.` : result.reason;
      }
      case 'gl_list_resend': {
        if (inv.state !== 'sent') return 'Only an invitation that is out can be sent again.';
        const methods = this.resendMethods(inv);
        if (!methods.length) return 'This invitation cannot be sent again here.';
        const metadata = this.ctx.signer.sign({ k: 'resend', i: inv.id, u: by.id, exp: this.ctx.clock.now().getTime() + RESEND_TTL_MS });
        await this.ctx.api.interactive.views.open({ trigger_id: triggerId, view: resendView(metadata, inv.email, methods, inv.phone) });
        return undefined;
      }
    }
  }

  /** The resend modal's submission, answered in its ack: errors on the method or phone block, or a closing notice. */
  async submitResend(metadata: string, userId: string, values: ResendForm): Promise<ResendAnswer> {
    const signed = this.ctx.signer.verify(metadata, this.ctx.clock.now().getTime());
    if (signed?.k !== 'resend' || signed.u !== userId) return { response_action: 'errors', errors: { method: 'This form has expired. Click Resend again.' } };
    const inv = await this.ctx.store.getInvitation(String(signed.i));
    if (!inv || inv.platform !== PLATFORM) return { response_action: 'update', view: noticeView('Not sent', 'This invitation no longer exists.') };
    const member = await this.ctx.api.member(userId);
    const result = await requestResend(
      { store: this.ctx.store, clock: this.ctx.clock },
      { invitationId: inv.id, by: member.person, byLevel: member.level, ...values, offered: this.resendMethods(inv) },
    );
    if (!result.ok) {
      // Only the method and phone blocks exist: a reason about the invitation itself goes on the method.
      const field = result.field === 'phone' && this.resendMethods(inv).includes('sms') ? 'phone' : 'method';
      return { response_action: 'errors', errors: { [field]: result.reason } };
    }
    this.ctx.outbox.kick();
    return { response_action: 'update', view: noticeView('Resent', `The invitation for ${mrkdwn.escape(inv.email)} is on its way again.`) };
  }
}
