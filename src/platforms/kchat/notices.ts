/** The kChat backend's messages to an inviter, in its markup (the words are in src/core/messages/kchat.ts). */
import { mattermostMarkdown as md } from '../../core/format.js';
import {
  linkNoticeToInviter,
  notCancellableNotice as notCancellableText,
  noUsableLinkNotice,
  qrNotice as qrNoticeText,
  type RightProgress,
  rightNotice as rightNoticeText,
} from '../../core/messages.js';
import type { Invitation } from '../../core/model.js';
import { type RightStep, STEP_LABELS } from './rightSteps.js';

export type { RightProgress } from '../../core/messages.js';

export function rightNotice(inv: Invitation, step: RightStep, progress: RightProgress, error?: string): string {
  return rightNoticeText(inv, STEP_LABELS[step], progress, md, error);
}

export const qrNotice = (inv: Invitation) => qrNoticeText(inv, md);
export const notCancellableNotice = (inv: Invitation) => notCancellableText(inv, md);

/** Only an https link from Infomaniak is shown as it is; anything else is refused rather than passed on. */
export function linkNotice(inv: Invitation, urlAccept: string | undefined): string {
  const url = urlAccept && safeLink(urlAccept);
  if (!url) return noUsableLinkNotice(inv, md);
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
