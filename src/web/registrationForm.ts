/** The acceptance page's registration form, checked with the chat platform's own rules so the platform does not
 * refuse what we accepted: Mattermost usernames are 3–22 characters of [a-z0-9.-_] starting with a letter (the
 * web app's rule; the server's is looser) and not a reserved name; passwords follow PasswordSettings (minimum
 * length, optional character classes) and bcrypt's 72-byte ceiling. */
import { z } from 'zod';
import { hasControls } from '../core/format.js';

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

export function passwordHint(rules: PasswordRules): string {
  const classes = [rules.lowercase && 'a lower-case letter', rules.uppercase && 'an upper-case letter', rules.number && 'a digit', rules.symbol && 'a symbol'].filter(Boolean);
  return `At least ${rules.minLength} characters${classes.length ? `, with ${classes.join(', ')}` : ''}.`;
}

/** Names are shown to everyone: no control or bidirectional character that could hide or reorder them. */
const visible = (name: string) => !hasControls(name);
const CONTROLS = 'Remove the invisible control characters from your name.';

export function registrationSchema(rules: PasswordRules) {
  const password = z
    .string()
    .min(rules.minLength, `Use at least ${rules.minLength} characters.`)
    .refine((p) => Buffer.byteLength(p) <= PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
    .refine((p) => !rules.lowercase || /[a-z]/.test(p), 'Add a lower-case letter.')
    .refine((p) => !rules.uppercase || /[A-Z]/.test(p), 'Add an upper-case letter.')
    .refine((p) => !rules.number || /[0-9]/.test(p), 'Add a digit.')
    .refine((p) => !rules.symbol || /[^A-Za-z0-9]/.test(p), 'Add a symbol.');
  return z.object({
    firstName: z.string().trim().min(1, 'Enter your first name.').max(64, 'Use at most 64 characters.').refine(visible, CONTROLS),
    lastName: z.string().trim().max(64, 'Use at most 64 characters.').refine(visible, CONTROLS).default(''),
    username: z
      .string()
      .trim()
      .toLowerCase()
      .min(USERNAME_MIN, `Use at least ${USERNAME_MIN} characters.`)
      .max(USERNAME_MAX, `Use at most ${USERNAME_MAX} characters.`)
      .regex(/^[a-z]/, 'Start with a letter.')
      .regex(/^[a-z0-9.\-_]+$/, 'Use only lower-case letters, digits, “.”, “-” and “_”.')
      .refine((u) => !RESERVED_USERNAMES.has(u), 'This name is reserved; choose another.'),
    password,
  });
}

export type Registration = z.infer<ReturnType<typeof registrationSchema>>;
