/** Delivering the bot's own acceptance link, whatever the platform: a fresh link is issued (replacing any
 * earlier one) and sent by the bot's email or by SMS, or handed back for the inviter to pass on. */

import { issueLinkToken } from '../actions/issueLinkToken.js';
import type { Clock } from '../core/clock.js';
import type { Locales } from '../core/i18n.js';
import type { Delivery, Invitation } from '../core/model.js';
import { acceptanceUrl } from '../lifecycle/inviteTokens.js';
import { PermanentError } from '../outbox/errors.js';
import type { Store } from '../store/store.js';
import type { InvitationMailer } from './mailer.js';
import { invitationSmsText, type SmsSender } from './sms.js';

export interface LinkChannels {
  publicUrl: string;
  orgName: string;
  mailer?: InvitationMailer;
  sms?: SmsSender;
}

export type LinkMethod = Exclude<Delivery, 'platform_email'>;

/** Which link methods this deployment can use (the operator configured SMTP, an SMS gateway). */
export function linkMethods(channels: Pick<LinkChannels, 'mailer' | 'sms'>): LinkMethod[] {
  return [...(channels.mailer ? (['bot_email'] as const) : []), ...(channels.sms ? (['sms'] as const) : []), 'link'];
}

/** Sends a new link by `method`. Returns the link only for `link`, for the caller to show to the inviter. */
export async function sendAcceptanceLink(
  deps: { store: Store; clock: Clock; locales: Locales },
  channels: LinkChannels,
  inv: Invitation,
  method: LinkMethod,
  phone = inv.phone,
): Promise<string | undefined> {
  if (method === 'bot_email' && !channels.mailer)
    throw new PermanentError('the bot has no SMTP server configured (SMTP_URL)');
  if (method === 'sms' && (!channels.sms || !phone))
    throw new PermanentError(
      channels.sms ? 'no phone number for SMS delivery' : 'no SMS gateway configured (SMS_WEBHOOK_URL)',
    );
  const issued = await issueLinkToken(deps, inv, 'bot');
  if (!issued) throw new PermanentError(`invitation ${inv.id} not found`);
  const url = acceptanceUrl(channels.publicUrl, issued.token);
  // The invitee's language, as the inviter chose it.
  const words = deps.locales.for(issued.invitation.language);
  if (method === 'bot_email') await channels.mailer!.sendInvitation(issued.invitation, url, words);
  else if (method === 'sms')
    await channels.sms!.send(phone!, invitationSmsText(words, issued.invitation, url, channels.orgName));
  else return url;
  return undefined;
}
