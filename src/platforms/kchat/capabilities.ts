/** What kChat with its Infomaniak organization can apply. Organization roles need a working Infomaniak API
 * access; guests (external people) only need kChat. */

import type { Words } from '../../core/i18n.js';
import { roleMissingOn } from '../../core/messages.js';
import type { Role } from '../../core/model.js';
import type { Capabilities } from '../../core/policy.js';

const ORGANIZATION_ROLES: readonly Role[] = ['collaborator', 'admin', 'legal_representative'];

export function kchatCapabilities(opts: { organization: boolean; kdrive: boolean }): Capabilities {
  const unavailable = (w: Words) => roleMissingOn(w, 'kchatOrganization');
  return {
    roles: opts.organization ? ['external', ...ORGANIZATION_ROLES] : ['external'],
    missingRoleReasons: opts.organization ? {} : Object.fromEntries(ORGANIZATION_ROLES.map((r) => [r, unavailable])),
    kdrive: opts.kdrive,
    billing: opts.organization,
    // platform_email: Infomaniak's invitation email (organization roles) or kChat's guest email (external people).
    // link: a silent Infomaniak invitation whose acceptance link the inviter passes on.
    deliveries: ['platform_email', 'link'],
    // kChat's guest invitation is an email with no link the bot could show.
    roleDeliveries: { external: ['platform_email'] },
  };
}
