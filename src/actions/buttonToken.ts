/** Signed button values (a `button` token, src/security/tokens.ts): the invitation, the action and an expiry,
 * HMAC'd so a click can only name an action the bot offered on that invitation. The clicker's rights are not in
 * it: they are checked when the click comes. */
import type { Signer } from '../security/signing.js';

export const BUTTON_TTL_MS = 30 * 24 * 3600_000;

export interface ButtonClaims<A extends string> {
  invitationId: string;
  action: A;
  /** The token's other fields: `l`, shown in the pending list (Mattermost). */
  extra: { l?: 1 };
}

export function signButtonToken(
  signer: Signer,
  now: Date,
  invitationId: string,
  action: string,
  extra: { l?: 1 } = {},
): string {
  return signer.sign({ k: 'button', i: invitationId, a: action, exp: now.getTime() + BUTTON_TTL_MS, ...extra });
}

/** The claims of a genuine, unexpired button token naming one of `actions`; undefined otherwise. */
export function verifyButtonToken<A extends string>(
  signer: Signer,
  now: Date,
  token: unknown,
  actions: readonly A[],
): ButtonClaims<A> | undefined {
  const signed = signer.verify(token, now.getTime(), 'button');
  if (!signed || !(actions as readonly string[]).includes(signed.a)) return undefined;
  return { invitationId: signed.i, action: signed.a as A, extra: signed.l ? { l: signed.l } : {} };
}
