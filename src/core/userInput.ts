/** What a person may type into the bot's forms, as zod types with limits. Every form on every platform (dialogs,
 * modals, the web form, the deny and resend forms) is read through these: known fields only (zod drops unknown
 * keys), each with its type and a length limit, so nothing a client adds reaches the store or a post. */
import { z } from 'zod';
import type { Words } from './i18n.js';
import { fieldError } from './messages.js';
import { MAX_RECIPIENTS } from './recipients.js';

export const LIMITS = {
  /** The web form takes up to MAX_RECIPIENTS addresses, at about 80 characters each with a name. */
  emails: MAX_RECIPIENTS * 80,
  name: 120,
  message: 1000,
  reason: 500,
  phone: 32,
  /** Any select's value: a role, a delivery method, a channel id. */
  choice: 64,
  channels: 100,
} as const;

/** The schemas' error messages are codes (`tooLong:120`), worded in the reader's language by readForm. */
const NOT_VALID = 'notValid';
const tooLong = (max: number) => `tooLong:${max}`;

function wordError(w: Words, code: string): string {
  const [name, n] = code.split(':');
  const max = Number(n);
  if (name === 'tooLong') return fieldError.tooLong(w, max);
  if (name === 'tooMany') return fieldError.tooMany(w, max);
  if (name === 'nul') return fieldError.nul(w);
  return fieldError.notValid(w);
}

/** Free text: a string of at most `max` characters (as typed, before trimming) without NUL, which PostgreSQL
 * cannot store. Absent or null is empty. */
export function freeText(max: number) {
  return z
    .preprocess((v) => (v == null ? '' : v), z.string({ error: NOT_VALID }))
    .refine((s) => s.length <= max, { error: tooLong(max) })
    .refine((s) => !s.includes('\0'), { error: 'nul' })
    .transform((s) => s.trim());
}

export const choice = freeText(LIMITS.choice);

/** A checkbox: clients send true or "true". */
export const flag = z.preprocess((v) => v === true || v === 'true', z.boolean());

/** A multi-select: an array or a comma-separated string of values, deduplicated. */
export const choices = z.preprocess(
  (v) => (v == null || v === '' ? [] : Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : v),
  z
    .array(choice, { error: NOT_VALID })
    .max(LIMITS.channels, { error: `tooMany:${LIMITS.channels}` })
    .transform((a) => [...new Set(a.filter(Boolean))]),
);

export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; values: T } | { ok: false; errors: FieldErrors };

/** Reads a submitted form against its schema: the typed values of its own fields, or one error per field in the
 * reader's words (on the form's first field when the submission is not an object at all). */
export function readForm<S extends z.ZodObject>(schema: S, raw: unknown, w: Words): FormResult<z.output<S>> {
  const first = Object.keys(schema.shape)[0] ?? 'form';
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, errors: { [first]: fieldError.notValid(w) } };
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, values: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? first)] ??= wordError(w, issue.message);
  return { ok: false, errors };
}

/** The deny form: an optional reason the inviter is shown. */
export const DenyForm = z.object({ reason: freeText(LIMITS.reason) });
export type DenyForm = z.output<typeof DenyForm>;

/** The resend form: how to send the invitation again, and the number for an SMS. */
export const ResendForm = z.object({ method: choice, phone: freeText(LIMITS.phone) });
export type ResendForm = z.output<typeof ResendForm>;
