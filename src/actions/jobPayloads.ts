/** What each outbox job kind carries, as zod schemas: written typed by jobFor, parsed again by the handler that
 * reads it (a stored job may come from another version of the bot). A payload that does not parse can never
 * succeed, so it is a PermanentError naming the job and the field: the outbox buries it with that message. */
import { z } from 'zod';
import { ACCESS_REMINDERS, Delivery, Person } from '../core/model.js';
import { PermanentError } from '../outbox/errors.js';
import type { OutboxJob } from '../store/store.js';

const Id = z.string().min(1).max(64);
const None = z.object({});

/** What the inviter's direct message is about (notify-inviter). `rights` and `not-cancellable` are worded by the
 * platform's backend (kChat), which narrows `step` to its own steps. */
export const NoticePayload = z.discriminatedUnion('about', [
  z.object({ about: z.literal('decision') }),
  z.object({ about: z.literal('arrival') }),
  z.object({ about: z.literal('failed') }),
  z.object({ about: z.literal('progress'), done: z.number().int().nonnegative() }),
  z.object({ about: z.literal('link') }),
  z.object({
    about: z.literal('rights'),
    step: z.string().min(1).max(40),
    progress: z.enum(['failing', 'recovered', 'gave_up']),
    error: z.string().max(2000).optional(),
  }),
  z.object({ about: z.literal('declined'), how: z.enum(['rejected', 'cancelled']) }),
  /** `by`: who revoked it, when not the inviter. */
  z.object({ about: z.literal('revoked'), by: Person.optional() }),
  z.object({ about: z.literal('expired') }),
  /** The invitee asked for a new invitation from a dead acceptance link. */
  z.object({ about: z.literal('renewal-request') }),
  /** The platform could not cancel its side (kChat: most likely accepted already). */
  z.object({ about: z.literal('not-cancellable') }),
]);
export type NoticePayload = z.infer<typeof NoticePayload>;
export type NoticeAbout = NoticePayload['about'];

export const JOB_PAYLOADS = {
  'request-approval': None,
  'update-approval': None,
  deliver: None,
  'notify-inviter': NoticePayload,
  announce: z.object({ channelId: Id }),
  'apply-role': None,
  /** The newcomer's direct message: who invited them, their channels, role and how to ask for more. */
  welcome: None,
  /** The step is the backend's own (kChat's rightSteps.ts), which parses it with its list. */
  'grant-right': z.object({ step: z.string().min(1).max(40) }),
  withdraw: None,
  /** `phone`: E.164, for SMS only. */
  resend: z.object({ method: Delivery, phone: z.string().max(32).optional() }),
  'remind-invitee': None,
  'approval-digest': z.object({ workspaceId: Id, invitationIds: z.array(Id).max(10_000) }),
  'remind-sponsor': z.object({ which: z.enum(ACCESS_REMINDERS) }),
  'end-access': None,
  'access-ended': None,
  'set-access-end': None,
  /** `sponsor`: the one who left. */
  'ask-adoption': z.object({ sponsor: Person }),
  /** A newcomer's reply, already cut (cutReply), for their sponsor; `messageId`: the platform's, for the logs. */
  'forward-reply': z.object({ messageId: z.string().min(1).max(128), text: z.string().min(1).max(4000) }),
  /** The newcomer told that their reply was passed on. */
  'ack-reply': None,
} as const satisfies Record<string, z.ZodType<Record<string, unknown>>>;

export type JobWhat = keyof typeof JOB_PAYLOADS;
export type JobPayload<W extends JobWhat> = z.infer<(typeof JOB_PAYLOADS)[W]>;

/** The job's payload parsed with `schema`, or a PermanentError that says which field is wrong. */
export function readPayload<S extends z.ZodType>(job: OutboxJob, schema: S): z.output<S> {
  const parsed = schema.safeParse(job.payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'payload';
  throw new PermanentError(`${job.kind} job payload not readable: ${field}: ${issue?.message}`);
}

/** The payload of a job of kind `what`, parsed (the cast only names the parsed type TypeScript cannot index). */
export function payloadOf<W extends JobWhat>(job: OutboxJob, what: W): JobPayload<W> {
  return readPayload(job, JOB_PAYLOADS[what]) as JobPayload<W>;
}
