/** The bot's own invitation email, sent through the operator's SMTP server (SMTP_URL, MAIL_FROM) with nodemailer.
 * Failures come out as outbox errors: the server's 5xx refusals are permanent, anything else (4xx, connection,
 * timeout, authentication being fixed) is retried. Neither the link nor the address is logged. */
import nodemailer, { type Transporter } from 'nodemailer';
import { type InvitationEmailContent, invitationEmail } from '../../views/email/invitationEmail.js';
import type { Words } from '../core/i18n.js';
import { roleLabel } from '../core/messages.js';
import type { Invitation } from '../core/model.js';
import { redactContacts } from '../core/redact.js';
import type { Logger } from '../logger.js';
import { PermanentError, RetryLaterError } from '../outbox/errors.js';

export interface MailerOptions {
  /** e.g. smtp://user:pass@mail.example.com:587 or smtps://…:465 */
  smtpUrl: string;
  /** The From header, e.g. `Guestlist <guestlist@example.com>`. */
  from: string;
  /** ORG_NAME, shown in the subject and body. */
  orgName: string;
  log: Logger;
}

/** What the email says about an invitation. */
export function invitationEmailContent(
  w: Words,
  inv: Invitation,
  link: string,
  orgName: string,
): InvitationEmailContent {
  return {
    email: inv.email,
    inviteeName: inv.name,
    inviterName: inv.inviter.username,
    orgName,
    roleLabel: roleLabel(w, inv.role),
    expiresAt: inv.expiresAt,
    link,
    message: inv.message || undefined,
  };
}

export class InvitationMailer {
  private readonly transport: Transporter;

  constructor(private readonly opts: MailerOptions) {
    // Bounded waits: a hung server must fail the outbox job, not hold its lease.
    this.transport = nodemailer.createTransport({
      url: opts.smtpUrl,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
  }

  /** Sends the invitation email for `inv` with its acceptance link, in `w`'s language; resolves with the
   * Message-ID. */
  async sendInvitation(inv: Invitation, link: string, w: Words): Promise<string> {
    const { subject, text, html } = invitationEmail(w, invitationEmailContent(w, inv, link, this.opts.orgName));
    try {
      const info = await this.transport.sendMail({ from: this.opts.from, to: inv.email, subject, text, html });
      this.opts.log.info({ invitation: inv.id, messageId: info.messageId }, 'invitation email sent');
      return info.messageId;
    } catch (err) {
      throw smtpFailure(err);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** 5xx: the server refused for good (bad recipient, policy); everything else may pass on a later try. */
export function smtpFailure(err: unknown): Error {
  const e = err as { responseCode?: number; code?: string; message?: string };
  // Refusals echo the recipient ("550 <ana@example.org>: no such user"); the address is not kept.
  const text = redactContacts(e.message ?? String(err)).slice(0, 200);
  const message = `SMTP: ${e.responseCode ? `${e.responseCode} ` : ''}${e.code ?? ''} ${text}`
    .replace(/\s+/g, ' ')
    .trim();
  return e.responseCode && e.responseCode >= 500 && e.code !== 'EAUTH'
    ? new PermanentError(message)
    : new RetryLaterError(message);
}
