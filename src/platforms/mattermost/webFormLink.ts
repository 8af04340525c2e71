/** The link to the wizard as a web page (see webForm.ts), for the user who ran the command only: a signed token
 * bound to them and to the command's draft, valid as long as the draft. */
import { webFormOfferText } from '../../core/messages.js';
import { MAX_RECIPIENTS } from '../../core/recipients.js';
import { WIZARD_TTL_MS } from '../../flows/wizard.js';
import type { MattermostContext } from './context.js';

/** The ephemeral answer that offers the web form: instead of a dialog the server refused, or for a bulk request. */
export function webFormOffer(
  ctx: MattermostContext,
  draftId: string,
  userId: string,
  why: 'no-dialogs' | 'bulk' = 'no-dialogs',
): string {
  const token = ctx.signer.sign({ k: 'form', d: draftId, u: userId, exp: ctx.clock.now().getTime() + WIZARD_TTL_MS });
  const url = `${ctx.settings.publicUrl}/mattermost/form?t=${encodeURIComponent(token)}`;
  return webFormOfferText(why, MAX_RECIPIENTS, url);
}
