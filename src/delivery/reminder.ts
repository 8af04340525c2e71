/** The invitee's one reminder before expiry, whatever the platform, by the way the invitation went out: the
 * platform's own invitation again, the bot's link again by the same email or SMS (a new link; the old one dies),
 * or, for a link only the inviter could pass on, a direct message asking the inviter to remind them. */
import type { Clock } from '../core/clock.js';
import type { Locales } from '../core/i18n.js';
import { linkReminderToInviter } from '../core/messages.js';
import type { Invitation } from '../core/model.js';
import type { Writer } from '../core/writer.js';
import { PermanentError } from '../outbox/errors.js';
import type { Store } from '../store/store.js';
import { type LinkChannels, sendAcceptanceLink } from './acceptanceLink.js';

export interface ReminderSide {
  /** The platform's own invitation sent again (Mattermost's invitation email, Slack's admin.users.invite). */
  platformInvitation(inv: Invitation): Promise<unknown>;
  dmInviter(inv: Invitation, text: string): Promise<unknown>;
  /** The inviter's writer. */
  writer(inv: Invitation): Writer;
}

export async function remindInvitee(
  deps: { store: Store; clock: Clock; locales: Locales },
  links: LinkChannels | undefined,
  inv: Invitation,
  side: ReminderSide,
): Promise<void> {
  if (inv.state !== 'sent') return;
  if (inv.delivery === 'platform_email') {
    await side.platformInvitation(inv);
    return;
  }
  if (inv.delivery === 'link') {
    await side.dmInviter(inv, linkReminderToInviter(side.writer(inv), inv));
    return;
  }
  if (!links) throw new PermanentError('acceptance links are not available on this deployment');
  await sendAcceptanceLink(deps, links, inv, inv.delivery);
}
