/** Approval requests on Mattermost: the post with Approve / Deny buttons (see buttons.ts), the clicks, with the
 * clicker's rights re-checked through the API, and the deny reason. */
import { mattermostMarkdown as md } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import { approvalMessage } from '../../core/messages.js';
import { mayApprove } from '../../core/policy.js';
import { decideApproval } from '../../actions/decideApproval.js';
import { denyReasonDialog } from '../../../views/mattermost/dialog.js';
import { mattermostPost } from '../../../views/mattermost/approvalPost.js';
import { approvalButtons } from './port.js';
import type { MattermostContext } from './context.js';

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
  render(inv: Invitation, channelNames: string[]): { message: string; props?: Record<string, unknown> } {
    return mattermostPost(approvalMessage(inv, md, channelNames), approvalButtons(this.ctx, inv.id));
  }

  /** An Approve or Deny click, its context already verified. From the pending list (`fromList`) the answer
   * leaves the list post as it is; on an approval post it rewrites the post to show the outcome. */
  async click(req: ActionRequest, signed: { i: string; a: 'approve' | 'deny'; fromList: boolean }): Promise<Answer> {
    const answer = await this.clickOnPost(req, signed);
    return signed.fromList ? { ephemeral_text: answer.ephemeral_text ?? (signed.a === 'approve' ? 'Approved.' : undefined) } : answer;
  }

  private async clickOnPost(req: ActionRequest, signed: { i: string; a: 'approve' | 'deny' }): Promise<Answer> {
    const inv = await this.ctx.store.getInvitation(signed.i);
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
    // Listing the team's approvers is only needed for four eyes, when someone decides on their own request.
    const selfDecision = approver.id === inv.inviter.id;
    const [level, approvers] = await Promise.all([this.ctx.api.level(inv.workspaceId, approver.id), selfDecision ? this.ctx.api.approvers(inv.workspaceId) : []]);
    const result = await decideApproval(
      { store: this.ctx.store, clock: this.ctx.clock },
      { invitationId, approver, approverLevel: level, approved, reason, otherApproverExists: !selfDecision || approvers.some((id) => id !== inv.inviter.id) },
    );
    this.ctx.outbox.kick();
    if (!result.ok) return { ephemeral_text: result.reason, ...(result.invitation && result.invitation.state !== 'pending_approval' ? { update: await this.renderUpdate(result.invitation) } : {}) };
    return { update: await this.renderUpdate(result.invitation) };
  }

  private async renderUpdate(inv: Invitation): Promise<{ message: string; props?: Record<string, unknown> }> {
    return this.render(inv, await this.channelNames(inv));
  }

  async channelNames(inv: Invitation): Promise<string[]> {
    return Promise.all(inv.channelIds.map(async (id) => (await this.ctx.api.client.getChannel(id).catch(() => undefined))?.display_name ?? id));
  }
}
