/** Approval requests on Mattermost: the post with Approve / Deny buttons, the clicks, and the deny reason.
 * Mattermost does not sign button callbacks, so each button's context carries an HMAC over the invitation id,
 * the action and an expiry; the clicker's rights are then re-checked through the API. */
import { mattermostMarkdown as md } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import { approvalRequest, decisionLine, stateLabel } from '../../core/messages.js';
import { mayApprove } from '../../core/policy.js';
import { decideApproval } from '../../actions/decideApproval.js';
import { denyReasonDialog } from '../../../views/mattermost/dialog.js';
import type { MattermostContext } from './context.js';

const BUTTON_TTL_MS = 30 * 24 * 3600_000;
const REASON_TTL_MS = 30 * 60_000;

export interface ActionRequest {
  user_id: string;
  user_name?: string;
  post_id: string;
  trigger_id?: string;
  context: Record<string, unknown>;
}

type Answer = Record<string, unknown>;

export class Approvals {
  constructor(private readonly ctx: MattermostContext) {}

  /** The approval post's message and attachments. Mattermost strips `integration` from posts it returns, so
   * every update is rebuilt here, with live buttons while the invitation waits. */
  render(inv: Invitation, channelNames: string[]): { message: string; props: Record<string, unknown> } {
    const summary = approvalRequest(inv, md, channelNames);
    if (inv.state !== 'pending_approval') {
      const decided = decisionLine(inv, md);
      const lines = [decided || `This invitation is now ${stateLabel(inv)}.`];
      if (decided && ['revoked', 'failed', 'expired'].includes(inv.state)) lines.push(`This invitation is now ${stateLabel(inv)}.`);
      // A right still being retried, or why the invitation failed: approvers see it until it is resolved.
      if (inv.lastError) lines.push(`:warning: ${md.escape(inv.lastError)}`);
      return { message: `${summary}\n\n${lines.join('\n')}`, props: { attachments: [] } };
    }
    const exp = this.ctx.clock.now().getTime() + BUTTON_TTL_MS;
    const button = (id: 'approve' | 'deny', name: string, style: string) => ({
      id, type: 'button', name, style,
      integration: { url: `${this.ctx.settings.publicUrl}/mattermost/action`, context: { token: this.ctx.signer.sign({ i: inv.id, a: id, exp }) } },
    });
    return { message: summary, props: { attachments: [{ text: 'Approve this invitation?', actions: [button('approve', 'Approve', 'primary'), button('deny', 'Deny', 'danger')] }] } };
  }

  async click(req: ActionRequest): Promise<Answer> {
    const signed = this.ctx.signer.verify(req.context.token, this.ctx.clock.now().getTime());
    if (!signed || (signed.a !== 'approve' && signed.a !== 'deny')) return { ephemeral_text: 'This button is not valid (expired or altered).' };
    const inv = await this.ctx.store.getInvitation(String(signed.i));
    if (!inv) return { ephemeral_text: 'This invitation no longer exists.' };
    if (inv.state !== 'pending_approval') return { ephemeral_text: `This invitation was already ${inv.state === 'denied' ? 'denied' : 'decided'}.`, update: await this.renderUpdate(inv) };

    const level = await this.ctx.api.level(inv.workspaceId, req.user_id);
    if (!mayApprove(level)) return { ephemeral_text: 'Only administrators can approve or deny invitations.' };
    if (signed.a === 'deny') {
      if (!req.trigger_id) return { ephemeral_text: 'Please try again from the web or desktop app.' };
      const state = this.ctx.signer.sign({ k: 'deny', i: inv.id, u: req.user_id, n: req.user_name ?? '', exp: this.ctx.clock.now().getTime() + REASON_TTL_MS });
      await this.ctx.api.openDialog({ trigger_id: req.trigger_id, url: `${this.ctx.settings.publicUrl}/mattermost/dialog`, dialog: denyReasonDialog(state) });
      return {};
    }
    return this.decide(inv.id, { id: req.user_id, username: req.user_name ?? '' }, true);
  }

  /** The deny dialog's submission; the approver comes from the verified state. */
  async denyWithReason(invitationId: string, approver: { id: string; username: string }, reason: string): Promise<Answer> {
    const answer = await this.decide(invitationId, approver, false, reason);
    return answer.ephemeral_text && !answer.update ? { error: answer.ephemeral_text } : {};
  }

  private async decide(invitationId: string, approver: { id: string; username: string }, approved: boolean, reason?: string): Promise<Answer> {
    const inv = await this.ctx.store.getInvitation(invitationId);
    if (!inv) return { ephemeral_text: 'This invitation no longer exists.' };
    const [level, approvers] = await Promise.all([this.ctx.api.level(inv.workspaceId, approver.id), this.ctx.api.approvers(inv.workspaceId)]);
    const result = await decideApproval(
      { store: this.ctx.store, clock: this.ctx.clock },
      { invitationId, approver, approverLevel: level, approved, reason, otherApproverExists: approvers.some((id) => id !== inv.inviter.id) },
    );
    this.ctx.outbox.kick();
    if (!result.ok) return { ephemeral_text: result.reason, ...(result.invitation && result.invitation.state !== 'pending_approval' ? { update: await this.renderUpdate(result.invitation) } : {}) };
    return { update: await this.renderUpdate(result.invitation) };
  }

  private async renderUpdate(inv: Invitation): Promise<{ message: string; props: Record<string, unknown> }> {
    return this.render(inv, await this.channelNames(inv));
  }

  async channelNames(inv: Invitation): Promise<string[]> {
    return Promise.all(inv.channelIds.map(async (id) => (await this.ctx.api.client.getChannel(id).catch(() => undefined))?.display_name ?? id));
  }
}
