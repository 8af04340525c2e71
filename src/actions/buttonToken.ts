/** Signed button values: the invitation, the action and an expiry, HMAC'd so a click can only name an action
 * the bot offered on that invitation. The clicker's rights are not in it: they are checked when the click comes. */
import type { Signer } from '../security/signing.js';

export const BUTTON_TTL_MS = 30 * 24 * 3600_000;

export interface ButtonClaims<A extends string> {
  invitationId: string;
  action: A;
  /** The token's other fields (e.g. Mattermost's `l`, Slack's `k`). */
  extra: Record<string, string | number>;
}

export function signButtonToken(signer: Signer, now: Date, invitationId: string, action: string, extra: Record<string, string | number> = {}): string {
  return signer.sign({ i: invitationId, a: action, exp: now.getTime() + BUTTON_TTL_MS, ...extra });
}

/** The claims of a genuine, unexpired token naming one of `actions`; undefined otherwise. */
export function verifyButtonToken<A extends string>(signer: Signer, now: Date, token: unknown, actions: readonly A[]): ButtonClaims<A> | undefined {
  const signed = signer.verify(token, now.getTime());
  if (!signed || typeof signed.i !== 'string' || !(actions as readonly unknown[]).includes(signed.a)) return undefined;
  const { i, a, exp: _exp, ...extra } = signed;
  return { invitationId: i, action: a as A, extra };
}
