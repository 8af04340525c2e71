/** Text messages through an HTTP endpoint the operator runs or rents (SMS_WEBHOOK_URL): we POST JSON `{to, text}`
 * with an optional bearer token and the gateway does the rest. Numbers must be E.164. A full number never reaches
 * a log or an error message (errors end up in the outbox's lastError), only its masked form. */

import { invitationSms } from '../../views/sms/invitationSms.js';
import type { Words } from '../core/i18n.js';
import type { Invitation } from '../core/model.js';
import { isE164 } from '../core/phone.js';
import type { Logger } from '../logger.js';
import { PermanentError, parseRetryAfter, RetryLaterError } from '../outbox/errors.js';

export interface SmsSender {
  /** `to` in E.164 (+41791234567). Throws the outbox's PermanentError or RetryLaterError. */
  send(to: string, text: string): Promise<void>;
}

/** `+41*******67`: enough to tell two numbers apart in a log, not enough to call one. */
export function maskPhone(phone: string): string {
  if (phone.length < 7) return '***';
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 5)}${phone.slice(-2)}`;
}

export interface WebhookSmsOptions {
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  log: Logger;
  timeoutMs?: number;
}

export class WebhookSmsSender implements SmsSender {
  constructor(private readonly opts: WebhookSmsOptions) {}

  async send(to: string, text: string): Promise<void> {
    const masked = maskPhone(to);
    if (!isE164(to)) throw new PermanentError(`not an E.164 phone number (${masked})`);
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(this.opts.token ? { Authorization: `Bearer ${this.opts.token}` } : {}),
        },
        body: JSON.stringify({ to, text }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        redirect: 'error',
      });
    } catch (err) {
      throw new RetryLaterError(`SMS gateway unreachable: ${(err as Error).name}`);
    }
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) {
      this.opts.log.info({ to: masked, status: res.status }, 'SMS handed to the gateway');
      return;
    }
    this.opts.log.warn({ to: masked, status: res.status }, 'SMS gateway refused the message');
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      throw new RetryLaterError(`SMS gateway answered ${res.status}`, parseRetryAfter(res.headers.get('retry-after')));
    }
    throw new PermanentError(`SMS gateway refused the message to ${masked} (${res.status})`);
  }
}

/** The text of an invitation SMS. */
export function invitationSmsText(w: Words, inv: Invitation, link: string, orgName: string): string {
  return invitationSms(w, {
    inviterName: inv.inviter.username,
    orgName,
    email: inv.email,
    expiresAt: inv.expiresAt,
    link,
  });
}
