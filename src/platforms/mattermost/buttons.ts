/** Message buttons that act on one invitation. Mattermost does not sign clicks, so each button's context holds
 * an HMAC over the invitation, the action and an expiry (the server strips `integration` from every post it
 * sends to clients); the click handler verifies it and re-checks the clicker's rights. Ids are letters only,
 * as the server's click route requires. */
import { signButtonToken, verifyButtonToken } from '../../actions/buttonToken.js';
import type { MattermostContext } from './context.js';

export const BUTTON_ACTIONS = ['approve', 'deny', 'resend', 'showlink', 'revoke', 'retry'] as const;
export type ButtonAction = (typeof BUTTON_ACTIONS)[number];

export function invitationButton(
  ctx: MattermostContext,
  invitationId: string,
  action: ButtonAction,
  name: string,
  opts: { style?: 'default' | 'primary' | 'danger'; fromList?: boolean } = {},
): Record<string, unknown> {
  const token = signButtonToken(ctx.signer, ctx.clock.now(), invitationId, action, opts.fromList ? { l: 1 } : {});
  return { id: action, type: 'button', name, style: opts.style ?? 'default', integration: { url: `${ctx.settings.publicUrl}/mattermost/action`, context: { token } } };
}

export interface VerifiedClick { i: string; a: ButtonAction; fromList: boolean }

export function verifyButton(ctx: MattermostContext, token: unknown): VerifiedClick | undefined {
  const claims = verifyButtonToken(ctx.signer, ctx.clock.now(), token, BUTTON_ACTIONS);
  return claims && { i: claims.invitationId, a: claims.action, fromList: claims.extra.l === 1 };
}
