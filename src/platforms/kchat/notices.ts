/** The kChat backend's messages to an inviter (the words are in src/core/messages/kchat.ts). */
import {
  linkNoticeToInviter,
  notCancellableNotice as notCancellableText,
  noUsableLinkNotice,
  qrNotice as qrNoticeText,
  type RightProgress,
  rightNotice as rightNoticeText,
} from '../../core/messages.js';
import type { Invitation } from '../../core/model.js';
import type { Writer } from '../../core/writer.js';
import type { RightStep } from './rightSteps.js';

export type { RightProgress } from '../../core/messages.js';

export function rightNotice(
  f: Writer,
  inv: Invitation,
  step: RightStep,
  progress: RightProgress,
  error?: string,
): string {
  return rightNoticeText(f, inv, step, progress, error);
}

export const qrNotice = (f: Writer, inv: Invitation) => qrNoticeText(f, inv);
export const notCancellableNotice = (f: Writer, inv: Invitation) => notCancellableText(f, inv);

/** Only an https link from Infomaniak is shown as it is; anything else is refused rather than passed on. */
export function linkNotice(f: Writer, inv: Invitation, urlAccept: string | undefined): string {
  const url = urlAccept && safeLink(urlAccept);
  if (!url) return noUsableLinkNotice(f, inv);
  return linkNoticeToInviter(f, inv, url);
}

function safeLink(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && !/[\s<>`]/.test(url.href) ? url.href : undefined;
  } catch {
    return undefined;
  }
}
