/** The invitation text message, in the invitation's language: short (one or two SMS segments), plain text, the
 * link last so phones link it. */
import { oneLine } from '../../src/core/format.js';
import type { Words } from '../../src/core/i18n.js';

export interface InvitationSmsContent {
  inviterName: string;
  orgName: string;
  email: string;
  expiresAt: string | null;
  link: string;
}

const clipped = (s: string, max: number) => {
  const t = oneLine(s);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

export function invitationSms(w: Words, c: InvitationSmsContent): string {
  return w.t('sms.invitation', {
    inviter: clipped(c.inviterName, 40),
    org: clipped(c.orgName, 40),
    email: c.email,
    expires: c.expiresAt ? w.date(c.expiresAt) : 'never',
    link: c.link,
  });
}
