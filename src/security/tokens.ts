/** Every value the bot signs (src/security/signing.ts), as one union of kinds with their fields. A token is verified
 * and parsed in one step and read as the kind it must be, so a genuine token of one kind (a button's value, a
 * dialog's state) can never pass for another, and a field of the wrong type is refused, not cast. */
import { z } from 'zod';

const Id = z.string().min(1).max(64);
/** Epoch ms after which the token is refused. */
const Exp = z.number().int();

export const Token = z.discriminatedUnion('k', [
  /** A message button: the invitation and the action the bot offered on it (the clicker's rights are checked at
   * the click); `l`: it was in the pending list (Mattermost answers there). */
  z.object({
    k: z.literal('button'),
    i: Id,
    a: z.string().regex(/^[a-z0-9_-]{1,40}$/),
    l: z.literal(1).optional(),
    exp: Exp,
  }),
  /** Deny's reason form, for the approver `u` (`n`: their username) who clicked. */
  z.object({ k: z.literal('deny'), i: Id, u: Id, n: z.string().max(64), exp: Exp }),
  /** Resend's method form, for the user `u` who clicked (`n` on Mattermost, where submissions carry no name). */
  z.object({ k: z.literal('resend'), i: Id, u: Id, n: z.string().max(64).optional(), exp: Exp }),
  /** The wizard's dialog or modal: its draft, and the user it is for where the platform does not say. */
  z.object({ k: z.literal('wizard'), d: Id, u: Id.optional(), exp: Exp }),
  /** The link to the web form (kChat without dialogs, bulk): the draft and its user. */
  z.object({ k: z.literal('form'), d: Id, u: Id, exp: Exp }),
  /** The progress page of a sent bulk list: the inviter `u`, the workspace `w`, and when the send ran. */
  z.object({ k: z.literal('bulk'), u: Id, w: Id, f: z.number().int(), to: z.number().int(), exp: Exp }),
]);
export type Token = z.infer<typeof Token>;
export type TokenKind = Token['k'];
export type TokenOf<K extends TokenKind> = Extract<Token, { k: K }>;

/** The token in signed `fields`, or undefined. Buttons posted before tokens had kinds (they live 30 days) carry
 * none: a kind-less token naming an action is read as a button, and as nothing else. */
export function parseToken(fields: Record<string, unknown>): Token | undefined {
  const parsed = Token.safeParse(fields.k === undefined && 'a' in fields ? { ...fields, k: 'button' } : fields);
  return parsed.success ? parsed.data : undefined;
}
