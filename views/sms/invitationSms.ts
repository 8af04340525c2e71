/** The invitation text message: short (one or two SMS segments), plain text, the link last so phones link it. */
import { oneLine } from '../../src/core/format.js';

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

export function invitationSms(c: InvitationSmsContent): string {
  const expiry = c.expiresAt ? ` Valid until ${c.expiresAt.slice(0, 10)}.` : '';
  return (
    `${clipped(c.inviterName, 40)} invited you to join ${clipped(c.orgName, 40)}.` +
    ` Register with ${c.email}.${expiry} ${c.link}`
  );
}
