/** The acceptance page's registration form, checked with the chat platform's own rules so the platform does not
 * refuse what we accepted: Mattermost usernames are 3–22 characters of [a-z0-9.-_] starting with a letter (the
 * web app's rule; the server's is looser) and not a reserved name; passwords follow PasswordSettings (minimum
 * length, optional character classes) and bcrypt's 72-byte ceiling. */
import { z } from 'zod';
import { hasControls } from '../core/format.js';
import type { Words } from '../core/i18n.js';
import { registration } from '../core/messages.js';

export interface PasswordRules {
  minLength: number;
  lowercase?: boolean;
  uppercase?: boolean;
  number?: boolean;
  symbol?: boolean;
}

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 22;
export const PASSWORD_MAX = 72;
const RESERVED_USERNAMES = new Set(['all', 'channel', 'here', 'matterbot', 'system']);

export function passwordHint(w: Words, rules: PasswordRules): string {
  const classes = (['lower', 'upper', 'digit', 'symbol'] as const).filter(
    (c) => ({ lower: rules.lowercase, upper: rules.uppercase, digit: rules.number, symbol: rules.symbol })[c],
  );
  return registration.passwordHint(w, rules.minLength, [...classes]);
}

/** Names are shown to everyone: no control or bidirectional character that could hide or reorder them. */
const visible = (name: string) => !hasControls(name);
/** Built for the reader: its refusals are in their words. */
export function registrationSchema(rules: PasswordRules, w: Words) {
  const CONTROLS = registration.controls(w);
  const password = z
    .string()
    .min(rules.minLength, registration.atLeast(w, rules.minLength))
    .refine((p) => Buffer.byteLength(p) <= PASSWORD_MAX, registration.atMost(w, PASSWORD_MAX))
    .refine((p) => !rules.lowercase || /[a-z]/.test(p), registration.add(w, 'lower'))
    .refine((p) => !rules.uppercase || /[A-Z]/.test(p), registration.add(w, 'upper'))
    .refine((p) => !rules.number || /[0-9]/.test(p), registration.add(w, 'digit'))
    .refine((p) => !rules.symbol || /[^A-Za-z0-9]/.test(p), registration.add(w, 'symbol'));
  return z.object({
    firstName: z
      .string()
      .trim()
      .min(1, registration.firstName(w))
      .max(64, registration.atMost(w, 64))
      .refine(visible, CONTROLS),
    lastName: z.string().trim().max(64, registration.atMost(w, 64)).refine(visible, CONTROLS).default(''),
    username: z
      .string()
      .trim()
      .toLowerCase()
      .min(USERNAME_MIN, registration.atLeast(w, USERNAME_MIN))
      .max(USERNAME_MAX, registration.atMost(w, USERNAME_MAX))
      .regex(/^[a-z]/, registration.startWithLetter(w))
      .regex(/^[a-z0-9.\-_]+$/, registration.usernameChars(w))
      .refine((u) => !RESERVED_USERNAMES.has(u), registration.reserved(w)),
    password,
  });
}

export type Registration = z.infer<ReturnType<typeof registrationSchema>>;
