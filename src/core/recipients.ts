/** Parses the "who" field: one or many invitees, as `ana@example.org` or `Ana Lopez <ana@example.org>`,
 * separated by new lines, commas or semicolons. */
import { z } from 'zod';
import { normalizeEmail } from './model.js';

export interface Recipient {
  email: string;
  name: string;
}

const emailSchema = z.email();
const NAMED = /^(.*?)\s*<([^<>]+)>$/;

export const MAX_RECIPIENTS = 1000;
/** RFC 5321's limit on a path: no longer address can receive mail. */
const MAX_EMAIL_LENGTH = 254;

export function parseRecipients(text: string): { recipients: Recipient[]; invalid: string[] } {
  const recipients: Recipient[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(/[\n,;]+/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const named = NAMED.exec(entry);
    const email = normalizeEmail(named ? named[2]! : entry);
    const name = named ? named[1]!.replace(/^["']|["']$/g, '').trim() : '';
    if (email.length > MAX_EMAIL_LENGTH || !emailSchema.safeParse(email).success) {
      invalid.push(entry);
      continue;
    }
    if (seen.has(email)) continue;
    seen.add(email);
    recipients.push({ email, name });
  }
  return { recipients, invalid };
}

/** A readable name when none was given: the part of the address before the @. */
export function fallbackName(email: string): string {
  return email.split('@')[0] ?? email;
}
