/** What the kChat backend tells an inviter: how the rights are getting on, the QR code, what Infomaniak refused. */

import type { TextFormat } from '../format.js';
import type { Invitation } from '../model.js';
import { who } from './invitation.js';

export type RightProgress = 'failing' | 'recovered' | 'gave_up';

/** `what`: the right's label (e.g. the kDrive right); `error`: Infomaniak's words, if any. */
export function rightNotice(
  inv: Invitation,
  what: string,
  progress: RightProgress,
  f: TextFormat,
  error?: string,
): string {
  const why = error ? ` (${f.escape(error)})` : '';
  switch (progress) {
    case 'failing':
      return (
        `:warning: The invitation for ${who(inv, f)} exists, but its ${what} could not be set yet${why}. ` +
        'I keep trying and will tell you when it is done.'
      );
    case 'recovered':
      return `:white_check_mark: The ${what} of the invitation for ${who(inv, f)} is now set.`;
    case 'gave_up':
      return (
        `:x: I gave up setting the ${what} of the invitation for ${who(inv, f)}${why}. ` +
        'Please set it by hand in the Infomaniak Manager (Users), or ask an administrator.'
      );
  }
}

export const qrNotice = (inv: Invitation, f: TextFormat) =>
  `The invitation for ${who(inv, f)} as a QR code, to hand over in person (it holds the same link; keep it private):`;

export const notCancellableNotice = (inv: Invitation, f: TextFormat) =>
  `:warning: Infomaniak could not cancel the invitation for ${who(inv, f)}: it was most likely accepted already. ` +
  'If they should not be in the organization, remove them in the Infomaniak Manager (Users).';

export const noUsableLinkNotice = (inv: Invitation, f: TextFormat) =>
  `Infomaniak gave no usable invitation link for ${who(inv, f)}. Ask an administrator to resend it by email.`;
