/** The invitation wizard, platform-neutral: which fields each step shows for this inviter on this platform,
 * and the parsing of what was submitted into an invitation request (or field errors). Adapters render the
 * fields as a Mattermost dialog or a Slack modal and hand the submitted values back. */
import { z } from 'zod';
import { KDRIVE_RIGHTS, type Delivery, type KDriveRight, type Role } from './model.js';
import { ROLE_LABELS, grantableRoles, type Capabilities, type InviterLevel } from './policy.js';
import { normalizePhone } from './phone.js';
import { LIMITS, choice, choices, flag, freeText, readForm, type FieldErrors, type FormResult } from './userInput.js';
import { MAX_RECIPIENTS, parseRecipients, type Recipient } from './recipients.js';

export interface Option { value: string; label: string }

interface FieldBase { name: string; label: string; help?: string; optional?: boolean }
export type Field =
  | (FieldBase & { kind: 'text'; subtype?: 'email' | 'text'; default?: string; placeholder?: string; maxLength?: number })
  | (FieldBase & { kind: 'textarea'; default?: string; placeholder?: string; maxLength?: number })
  | (FieldBase & { kind: 'select'; options: Option[]; default?: string; multi?: false })
  | (FieldBase & { kind: 'multiselect'; options: Option[]; default: string[] })
  | (FieldBase & { kind: 'bool'; default: boolean });

export interface Step { id: 'who' | 'access'; title: string; intro: string; fields: Field[] }

export interface WizardContext {
  level: InviterLevel;
  caps: Capabilities;
  /** Channels the inviter is a member of (the only ones offered). */
  channels: Option[];
  currentChannelId: string;
  prefill?: string;
}

/** A dialog's or modal's text field holds at most 3,000 characters; the web form takes LIMITS.emails. */
export const DIALOG_EMAILS_MAX = 3000;
export type { FieldErrors } from './userInput.js';

export const EXPIRY_CHOICES = ['1', '3', '7', '30', 'never'] as const;
export const DELIVERY_LABELS: Record<Delivery, string> = {
  platform_email: 'Invitation email from the chat',
  link: 'Show me a link to pass on',
  bot_email: 'Email with my invitation link',
  sms: 'SMS with the invitation link',
};
const KDRIVE_LABELS: Record<KDriveRight, string> = { none: 'No access', read: 'Read', write: 'Write', manage: 'Manage' };

/** Roles whose extras include billing (rights for collaborators, reminders for all three). */
const BILLING_ROLES: readonly Role[] = ['legal_representative', 'admin', 'collaborator'];

function whoStep(ctx: WizardContext): Step {
  const { roles, hidden } = grantableRoles(ctx.level, ctx.caps);
  const missing = hidden.map((h) => `${ROLE_LABELS[h.role]}: ${h.reason}`).join('; ');
  return {
    id: 'who',
    title: 'Invite people',
    intro: missing ? `Roles not offered here. ${missing}.` : 'Who do you want to invite?',
    fields: [
      {
        kind: 'textarea', name: 'emails', label: 'Email addresses', default: ctx.prefill ?? '',
        placeholder: 'ana@example.org, Ben Ito <ben@example.org>',
        help: 'One or several, separated by commas or new lines. Each gets their own invitation.', maxLength: DIALOG_EMAILS_MAX,
      },
      { kind: 'text', name: 'name', label: 'Name', optional: true, maxLength: LIMITS.name, help: 'Used when you invite one person.' },
      {
        kind: 'select', name: 'role', label: 'Role', options: roles.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
        default: roles.includes('external') ? 'external' : roles[0],
      },
    ],
  };
}

function accessStep(ctx: WizardContext, role?: Role): Step {
  const fields: Field[] = [
    {
      kind: 'multiselect', name: 'channels', label: 'Channels',
      options: ctx.channels, default: ctx.channels.some((c) => c.value === ctx.currentChannelId) ? [ctx.currentChannelId] : [],
      help: 'Channels you are in. The guest joins them on arrival.',
    },
  ];
  if (ctx.caps.kdrive) {
    fields.push({ kind: 'select', name: 'kdrive', label: 'kDrive permission', default: 'none', options: KDRIVE_RIGHTS.map((r) => ({ value: r, label: KDRIVE_LABELS[r] })) });
  }
  if (ctx.caps.billing && (!role || BILLING_ROLES.includes(role))) {
    if (!role || role === 'collaborator') fields.push({ kind: 'bool', name: 'billing_rights', label: 'Billing rights', default: false, help: 'Collaborators only: may see and pay invoices.' });
    fields.push({ kind: 'bool', name: 'remind_email', label: 'Billing reminders: email', default: false });
    fields.push({ kind: 'bool', name: 'remind_sms', label: 'Billing reminders: SMS', default: false });
  }
  fields.push(
    { kind: 'select', name: 'delivery', label: 'Send it by', default: ctx.caps.deliveries[0], options: ctx.caps.deliveries.map((d) => ({ value: d, label: DELIVERY_LABELS[d] })) },
    ...(ctx.caps.deliveries.includes('sms') ? [{ kind: 'text', subtype: 'text', name: 'phone', label: 'Mobile number (SMS)', optional: true, placeholder: '+41 79 123 45 67', maxLength: LIMITS.phone } as Field] : []),
    { kind: 'select', name: 'expiry', label: 'Expires after', default: '7', options: EXPIRY_CHOICES.map((e) => ({ value: e, label: e === 'never' ? 'Never' : `${e} day${e === '1' ? '' : 's'}` })) },
    { kind: 'textarea', name: 'message', label: 'Personal message', optional: true, maxLength: LIMITS.message },
  );
  return { id: 'access', title: 'Invite people: access', intro: role ? `Access for the new ${ROLE_LABELS[role].toLowerCase()}.` : 'What they get, and how to reach them.', fields };
}

/** The steps of the wizard. With `role` known (multi-step dialogs), the second step shows only that role's extras. */
export function wizardSteps(ctx: WizardContext, role?: Role): Step[] {
  return [whoStep(ctx), accessStep(ctx, role)];
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface InvitationRequest {
  recipients: Recipient[];
  role: Role;
  channelIds: string[];
  kdriveRight: KDriveRight;
  billingRights: boolean;
  billingReminders: { email: boolean; sms: boolean };
  delivery: Delivery;
  message: string;
  phone?: string;
  expiryDays: number | null;
}

/** The wizard's fields by step, each with its type and limit. A submission is read against the fields of the step
 * it answers (readStep), so it can never set another step's values or anything that is not a field. */
const WHO_FIELDS = { emails: freeText(LIMITS.emails), name: freeText(LIMITS.name), role: choice };
const ACCESS_FIELDS = {
  channels: choices, kdrive: choice, billing_rights: flag, remind_email: flag, remind_sms: flag,
  delivery: choice, expiry: choice, message: freeText(LIMITS.message), phone: freeText(LIMITS.phone),
};
/** The first step's values, as a draft keeps them between the steps. */
export const WhoValues = z.object(WHO_FIELDS);
export type WhoValues = z.output<typeof WhoValues>;
const STEP_SCHEMAS = { who: WhoValues, access: z.object(ACCESS_FIELDS), all: z.object({ ...WHO_FIELDS, ...ACCESS_FIELDS }) };
/** Every field of the wizard, e.g. for a web form that posts them all at once. */
export const WIZARD_FIELDS = Object.keys(STEP_SCHEMAS.all.shape) as (keyof typeof STEP_SCHEMAS.all.shape)[];

/** One step's submission (or the whole wizard's, in one dialog or page), typed: unknown keys dropped, types and
 * lengths checked. Policy checks come after, in parseSubmission. */
export function readStep(raw: unknown, step: Step['id'] | 'all'): FormResult<Record<string, unknown>> {
  return readForm(STEP_SCHEMAS[step], raw);
}

/** Validates one step's values (or all, when `stepId` is omitted) against what this inviter may do. */
export function parseSubmission(values: Record<string, unknown>, ctx: WizardContext, stepId?: Step['id']): { ok: true; request: InvitationRequest } | { ok: false; errors: FieldErrors } {
  const typed = readForm(STEP_SCHEMAS.all, values);
  if (!typed.ok) return typed;
  const v = typed.values;
  const errors: FieldErrors = {};
  const check = (step: Step['id']) => !stepId || stepId === step;

  const { recipients, invalid } = parseRecipients(v.emails);
  const { roles } = grantableRoles(ctx.level, ctx.caps);
  if (check('who')) {
    const longName = recipients.find((r) => r.name.length > LIMITS.name);
    if (invalid.length) errors.emails = `Not an email address: ${invalid.slice(0, 3).map((e) => clip(e, 60)).join(', ')}${invalid.length > 3 ? '…' : ''}`;
    else if (longName) errors.emails = `A name may have at most ${LIMITS.name} characters: ${clip(longName.name, 60)}`;
    else if (!recipients.length) errors.emails = 'Enter at least one email address.';
    else if (recipients.length > MAX_RECIPIENTS) errors.emails = `At most ${MAX_RECIPIENTS} addresses at once.`;
    if (!roles.includes(v.role as Role)) errors.role = roles.length ? 'Choose one of the roles offered.' : 'You cannot grant any role here.';
  }
  if (recipients.length === 1 && v.name && !recipients[0]!.name) recipients[0]!.name = v.name;
  const role = v.role as Role;

  const allowedChannels = new Set(ctx.channels.map((c) => c.value));
  const kdrive = ctx.caps.kdrive ? (v.kdrive || 'none') : 'none';
  const billing = ctx.caps.billing && BILLING_ROLES.includes(role);
  if (check('access')) {
    const foreign = v.channels.filter((c) => !allowedChannels.has(c));
    if (foreign.length) errors.channels = 'You can only add guests to channels you are a member of.';
    if (role === 'external' && !v.channels.length) errors.channels = 'An external guest needs at least one channel.';
    if (!(KDRIVE_RIGHTS as readonly string[]).includes(kdrive)) errors.kdrive = 'Choose a kDrive permission.';
    const roleDeliveries = ctx.caps.roleDeliveries?.[role];
    if (!ctx.caps.deliveries.includes(v.delivery as Delivery)) errors.delivery = 'Choose how to send the invitation.';
    else if (roleDeliveries && !roleDeliveries.includes(v.delivery as Delivery)) errors.delivery = `For the role ${ROLE_LABELS[role]}, choose: ${roleDeliveries.map((d) => DELIVERY_LABELS[d]).join(' or ')}.`;
    if (!(EXPIRY_CHOICES as readonly string[]).includes(v.expiry || '7')) errors.expiry = 'Choose an expiry.';
    if (v.delivery === 'sms' && recipients.length > 1) errors.delivery = 'SMS delivery works for one invitee at a time.';
    if (v.delivery === 'sms' && !normalizePhone(v.phone)) errors.phone = 'Enter the number in international form, e.g. +41 79 123 45 67.';
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const expiry = v.expiry || '7';
  return {
    ok: true,
    request: {
      recipients, role, channelIds: v.channels, kdriveRight: kdrive as KDriveRight,
      billingRights: billing && role === 'collaborator' && v.billing_rights,
      billingReminders: { email: billing && v.remind_email, sms: billing && v.remind_sms },
      delivery: v.delivery as Delivery, message: v.message,
      phone: v.delivery === 'sms' ? normalizePhone(v.phone) : undefined,
      expiryDays: expiry === 'never' ? null : Number(expiry),
    },
  };
}
