/** Message buttons that act on one invitation. Mattermost does not sign clicks, so each button's context holds
 * an HMAC over the invitation, the action and an expiry (the server strips `integration` from every post it
 * sends to clients); the click handler verifies it and re-checks the clicker's rights. Ids are letters only,
 * as the server's click route requires. */
import type { ApprovalButton } from '../../../views/mattermost/approvalPost.js';
import { signButtonToken, verifyButtonToken } from '../../actions/buttonToken.js';
import type { ChatMessage } from '../../core/messages.js';
import { LIST_ACTIONS, type ListAction } from '../../flows/pendingList.js';
import type { MattermostContext } from './context.js';

export function invitationButton(
  ctx: MattermostContext,
  invitationId: string,
  action: ListAction,
  name: string,
  opts: { style?: 'default' | 'primary' | 'danger'; fromList?: boolean } = {},
): Record<string, unknown> {
  const token = signButtonToken(ctx.signer, ctx.clock.now(), invitationId, action, opts.fromList ? { l: 1 } : {});
  return {
    id: action,
    type: 'button',
    name,
    style: opts.style ?? 'default',
    integration: { url: `${ctx.settings.publicUrl}/mattermost/action`, context: { token } },
  };
}

/** The buttons of one message about an invitation, each with its signed context: Approve / Deny of an approval
 * request, or a guest's (Extend, Remove now, Adopt), which the list's flow answers. */
export function approvalButtons(ctx: MattermostContext, msg: ChatMessage): ApprovalButton {
  const invitationId = msg.actionButtons?.invitationId ?? msg.approvalButtons?.invitationId ?? '';
  const fromList = !!msg.actionButtons;
  return (action, label, style) => invitationButton(ctx, invitationId, action, label, { style, fromList });
}

export interface VerifiedClick {
  i: string;
  a: ListAction;
  fromList: boolean;
}

export function verifyButton(ctx: MattermostContext, token: unknown): VerifiedClick | undefined {
  const claims = verifyButtonToken(ctx.signer, ctx.clock.now(), token, LIST_ACTIONS);
  return claims && { i: claims.invitationId, a: claims.action, fromList: claims.extra.l === 1 };
}
