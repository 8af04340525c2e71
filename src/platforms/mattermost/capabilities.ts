/** What this Mattermost server can do, from its version (X-Version-Id) and licence. */

import type { DialogFeatures } from '../../../views/mattermost/dialog.js';
import type { Words } from '../../core/i18n.js';
import { roleMissingOn } from '../../core/messages.js';
import type { Capabilities } from '../../core/policy.js';
import type { LinkMethod } from '../../delivery/acceptanceLink.js';

export function parseVersion(version: string): [number, number] {
  const [major, minor] = version.split('.').map((n) => Number.parseInt(n, 10));
  return [Number.isFinite(major) ? major! : 0, Number.isFinite(minor) ? minor! : 0];
}

function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = parseVersion(version);
  return a > major || (a === major && b >= minor);
}

let known: { version: string; features: DialogFeatures } | undefined;

/** Asked on every command, for a version that changes only when the server is upgraded: worked out once per value. */
export function dialogFeatures(version: string): DialogFeatures {
  if (known?.version !== version) {
    known = { version, features: { multiselect: atLeast(version, 11, 0), multistep: atLeast(version, 11, 1) } };
  }
  return known.features;
}

export function mattermostCapabilities(opts: {
  guestAccounts: boolean;
  linkMethods: readonly LinkMethod[] /** EnableEmailInvitations */;
  emailInvitations?: boolean;
}): Capabilities {
  return {
    roles: opts.guestAccounts ? ['external', 'collaborator', 'admin'] : ['collaborator', 'admin'],
    missingRoleReasons: {
      legal_representative: (w) => roleMissingOn(w, 'mattermostLegal'),
      ...(opts.guestAccounts ? {} : { external: (w: Words) => roleMissingOn(w, 'mattermostGuests') }),
    },
    kdrive: false,
    billing: false,
    deliveries: [...(opts.emailInvitations === false ? [] : (['platform_email'] as const)), ...opts.linkMethods],
  };
}
