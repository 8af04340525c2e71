/** What the kChat backend tells an inviter: how the rights are getting on, the QR code, what Infomaniak refused. */

import type { Words } from '../i18n.js';
import type { Invitation } from '../model.js';
import type { Writer } from '../writer.js';
import { optional, who } from './invitation.js';

export type RightProgress = 'failing' | 'recovered' | 'gave_up';
/** The steps the kChat backend takes after the invitation exists (src/platforms/kchat/rightSteps.ts). */
export type RightName = 'ksuite' | 'drive' | 'drive-right' | 'drive-external' | 'drive-resend';

export function rightNotice(
  f: Writer,
  inv: Invitation,
  right: RightName,
  progress: RightProgress,
  error?: string,
): string {
  const values = { who: who(f, inv), right: f.t(`kchat.step.${right}`), ...optional('error', error, f) };
  return f.t(`kchat.right.${progress}`, values);
}

export const qrNotice = (f: Writer, inv: Invitation) => f.t('kchat.qr', { who: who(f, inv) });
export const notCancellableNotice = (f: Writer, inv: Invitation) => f.t('kchat.notCancellable', { who: who(f, inv) });
export const noLinkForGuests = (w: Words) => w.t('kchat.noLinkForGuests');
export const noUsableLinkNotice = (f: Writer, inv: Invitation) => f.t('kchat.noUsableLink', { who: who(f, inv) });
