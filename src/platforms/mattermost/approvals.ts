/** Approve / Deny on Mattermost: the click's integration request, its context verified (buttons.ts), handed to
 * the approval flow; the flow's reply becomes the action response (an ephemeral notice, the post updated in place)
 * and the deny form's submission its dialog answer. */

import { mattermostPost } from '../../../views/mattermost/approvalPost.js';
import type { ApprovalFlow, ApprovalReply } from '../../flows/approvals.js';
import type { MattermostContext } from './context.js';
import { approvalButtons } from './port.js';

export interface ActionRequest {
  user_id: string;
  user_name?: string;
  post_id: string;
  trigger_id?: string;
  context: Record<string, unknown>;
}

type Answer = Record<string, unknown>;

export class Approvals {
  constructor(
    private readonly ctx: MattermostContext,
    private readonly flow: ApprovalFlow,
  ) {}

  /** A click on an approval post, its context verified: the answer rewrites the post to show the outcome. */
  async click(req: ActionRequest, signed: { i: string; a: 'approve' | 'deny' }): Promise<Answer> {
    const user = { id: req.user_id, username: req.user_name ?? '' };
    const reply = await this.flow.click({ invitationId: signed.i, action: signed.a, user, trigger: req.trigger_id });
    return { ...(reply.notice ? { ephemeral_text: reply.notice } : {}), ...this.update(reply) };
  }

  /** The deny form's submission; `state` is the form's signed value. */
  async denyWithReason(state: unknown, approver: { id: string; username: string }, reason: string): Promise<Answer> {
    const reply = await this.flow.deny(state, approver, reason);
    return !reply.ok && !reply.update ? { error: reply.notice } : {};
  }

  private update(reply: ApprovalReply): Answer {
    if (!reply.update) return {};
    const invitationId = reply.update.approvalButtons?.invitationId ?? '';
    return { update: mattermostPost(reply.update, approvalButtons(this.ctx, invitationId)) };
  }
}
