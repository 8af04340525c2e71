/** What Guestlist can do on a Slack workspace. Outside Enterprise Grid no API invites anyone, so the invitee gets
 * the bot's own acceptance link (shown to the inviter, or by the bot's email or SMS) that leads to the workspace's
 * join link, which makes them a full member: guests and Slack's own invitation email need Grid and an org admin
 * token (admin.users.invite). */

import type { Words } from '../../core/i18n.js';
import { roleMissingOn } from '../../core/messages.js';
import type { Capabilities } from '../../core/policy.js';
import type { LinkMethod } from '../../delivery/acceptanceLink.js';

export function slackCapabilities(opts: { grid: boolean; linkMethods: readonly LinkMethod[] }): Capabilities {
  return {
    roles: opts.grid ? ['external', 'collaborator'] : ['collaborator'],
    missingRoleReasons: {
      legal_representative: (w) => roleMissingOn(w, 'slackLegal'),
      admin: (w) => roleMissingOn(w, 'slackAdmin'),
      ...(opts.grid ? {} : { external: (w: Words) => roleMissingOn(w, 'slackGuests') }),
    },
    kdrive: false,
    billing: false,
    deliveries: opts.grid ? ['platform_email', ...opts.linkMethods] : opts.linkMethods,
    // The join link makes members, never guests.
    roleDeliveries: { external: ['platform_email'] },
  };
}
