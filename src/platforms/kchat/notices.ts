/** The kChat backend's own messages to an inviter: the acceptance link, and how the rights are getting on. */
import { mattermostMarkdown as md } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import { linkNoticeToInviter } from '../../core/messages.js';
import { STEP_LABELS, type RightStep } from './rightSteps.js';

export type RightProgress = 'failing' | 'recovered' | 'gave_up';

function who(inv: Invitation): string {
  return inv.name ? `${md.escape(inv.name)} (${md.escape(inv.email)})` : md.escape(inv.email);
}

export function rightNotice(inv: Invitation, step: RightStep, progress: RightProgress, error?: string): string {
  const what = STEP_LABELS[step];
  const why = error ? ` (${md.escape(error)})` : '';
  switch (progress) {
    case 'failing':
      return `:warning: The invitation for ${who(inv)} exists, but its ${what} could not be set yet${why}. I keep trying and will tell you when it is done.`;
    case 'recovered':
      return `:white_check_mark: The ${what} of the invitation for ${who(inv)} is now set.`;
    case 'gave_up':
      return `:x: I gave up setting the ${what} of the invitation for ${who(inv)}${why}. Please set it by hand in the Infomaniak Manager (Users), or ask an administrator.`;
  }
}

export function qrNotice(inv: Invitation): string {
  return `The invitation for ${who(inv)} as a QR code, to hand over in person (it holds the same link; keep it private):`;
}

export function notCancellableNotice(inv: Invitation): string {
  return `:warning: Infomaniak could not cancel the invitation for ${who(inv)}: it was most likely accepted already. If they should not be in the organization, remove them in the Infomaniak Manager (Users).`;
}

/** Only an https link from Infomaniak is shown as it is; anything else is refused rather than passed on. */
export function linkNotice(inv: Invitation, urlAccept: string | undefined): string {
  const url = urlAccept && safeLink(urlAccept);
  if (!url) return `Infomaniak gave no usable invitation link for ${who(inv)}. Ask an administrator to resend it by email.`;
  return linkNoticeToInviter(inv, url, md);
}

function safeLink(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && !/[\s<>`]/.test(url.href) ? url.href : undefined;
  } catch {
    return undefined;
  }
}
