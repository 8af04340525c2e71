/** Error texts from other servers echo what they were sent: an SMTP server's refusal names the recipient, a gateway
 * the number. Such texts are logged and stored (outbox jobs, invitations, audit entries), so the addresses and
 * phone numbers in them are replaced first. */

const EMAIL = /[\w.!#$%&'*+/=?^`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;
/** International (+ and 7 to 15 digits, spaces, dots, dashes or brackets between), or 9 to 15 digits in a row with
 * at most single spaces or dashes: not IP addresses, ports or short numeric ids. */
const PHONE = /\+\d(?:[\s().-]{0,2}\d){6,14}|(?<![\w.+])\d(?:[ -]?\d){8,14}(?![\w.])/g;

export function redactContacts(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}
