/** Approval requests on Slack: the message with Approve / Deny buttons, the clicks, and the deny reason. Slack
 * signs every click, but the button only names the invitation: the clicker's rights are read from Slack at click
 * time, and the decision itself is the core's compare-and-set (four eyes, once). */
import type { Invitation } from '../../core/model.js';
import { mayApprove } from '../../core/policy.js';
import { decideApproval } from '../../actions/decideApproval.js';
import { denyReasonView } from '../../../views/slack/wizardModal.js';
import type { SlackMember } from './api.js';
import { PLATFORM, type SlackContext } from './context.js';

const REASON_TTL_MS = 30 * 60_000;

export type ApprovalAnswer = { ok: true } | { ok: false; reason: string };

export class Approvals {
  constructor(private readonly ctx: SlackContext) {}

  /** A click, after its ack. Approve decides at once; Deny opens the reason modal with the click's trigger. */
  async click(action: 'approve' | 'deny', invitationId: string, userId: string, triggerId: string): Promise<ApprovalAnswer> {
    const inv = await this.ctx.store.getInvitation(invitationId);
    if (!inv || inv.platform !== PLATFORM) return { ok: false, reason: 'This invitation no longer exists.' };
    if (inv.state !== 'pending_approval') return { ok: false, reason: `This invitation was already ${inv.state === 'denied' ? 'denied' : 'decided'}.` };
    const approver = await this.ctx.api.member(userId);
    if (!mayApprove(approver.level)) return { ok: false, reason: 'Only workspace admins and owners can approve or deny invitations.' };
    if (action === 'approve') return this.decide(inv, approver, true);
    const metadata = this.ctx.signer.sign({ k: 'deny', i: inv.id, exp: this.ctx.clock.now().getTime() + REASON_TTL_MS });
    await this.ctx.api.interactive.views.open({ trigger_id: triggerId, view: denyReasonView(metadata) });
    return { ok: true };
  }

  /** The reason modal's submission; the invitation id comes from its signed metadata. */
  async denyWithReason(metadata: string, userId: string, reason: string): Promise<ApprovalAnswer> {
    const signed = this.ctx.signer.verify(metadata, this.ctx.clock.now().getTime());
    const inv = signed?.k === 'deny' ? await this.ctx.store.getInvitation(String(signed.i)) : undefined;
    if (!inv) return { ok: false, reason: 'This form has expired. Click Deny again.' };
    return this.decide(inv, await this.ctx.api.member(userId), false, reason);
  }

  private async decide(inv: Invitation, approver: SlackMember, approved: boolean, reason?: string): Promise<ApprovalAnswer> {
    // Four eyes only matters when the inviter decides their own request: only then are the approvers listed.
    const own = approver.person.id === inv.inviter.id;
    const otherApproverExists = !own || (await this.ctx.api.approvers()).some((id) => id !== inv.inviter.id);
    const result = await decideApproval(
      { store: this.ctx.store, clock: this.ctx.clock },
      { invitationId: inv.id, approver: approver.person, approverLevel: approver.level, approved, reason, otherApproverExists },
    );
    this.ctx.outbox.kick();
    return result.ok ? { ok: true } : { ok: false, reason: result.reason };
  }
}
