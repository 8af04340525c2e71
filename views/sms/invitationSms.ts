/** The invitation text message: short (one or two SMS segments), plain text, the link last so phones link it. */
export interface InvitationSmsContent {
  inviterName: string;
  orgName: string;
  email: string;
  expiresAt: string | null;
  link: string;
}

const oneLine = (s: string, max: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

export function invitationSms(c: InvitationSmsContent): string {
  const expiry = c.expiresAt ? ` Valid until ${c.expiresAt.slice(0, 10)}.` : '';
  return `${oneLine(c.inviterName, 40)} invited you to join ${oneLine(c.orgName, 40)}. Register with ${c.email}.${expiry} ${c.link}`;
}
