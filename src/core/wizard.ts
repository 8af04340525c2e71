/** The invitation wizard, platform-neutral: which fields each step shows for this inviter on this platform,
 * and the parsing of what was submitted into an invitation request (or field errors). Adapters render the
 * fields as a Mattermost dialog or a Slack modal and hand the submitted values back. */
import { z } from 'zod';
import {
  accessIntro,
  deliveryLabel,
  EMAILS_PLACEHOLDER,
  expiryLabel,
  type FieldName,
  fieldError,
  fieldHelp,
  fieldLabel,
  kdriveLabel,
  PHONE_PLACEHOLDER,
  phoneInternational,
  roleLabel,
  whoIntro,
  wizardTitle,
} from './messages.js';
import { type Delivery, KDRIVE_RIGHTS, type KDriveRight, type Role } from './model.js';
import { normalizePhone } from './phone.js';
import { type Capabilities, grantableRoles, type InviterLevel } from './policy.js';
import { MAX_RECIPIENTS, parseRecipients, type Recipient } from './recipients.js';
import { choice, choices, type FieldErrors, type FormResult, flag, freeText, LIMITS, readForm } from './userInput.js';

export interface Option {
  value: string;
  label: string;
}

interface FieldBase {
  name: string;
  label: string;
  help?: string;
  optional?: boolean;
}
export type Field =
  | (FieldBase & {
      kind: 'text';
      subtype?: 'email' | 'text';
      default?: string;
      placeholder?: string;
      maxLength?: number;
    })
  | (FieldBase & { kind: 'textarea'; default?: string; placeholder?: string; maxLength?: number })
  | (FieldBase & { kind: 'select'; options: Option[]; default?: string; multi?: false })
  | (FieldBase & { kind: 'multiselect'; options: Option[]; default: string[] })
  | (FieldBase & { kind: 'bool'; default: boolean });

export interface Step {
  id: 'who' | 'access';
  title: string;
  intro: string;
  fields: Field[];
}

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

/** The delivery labels moved to the messages module; kept here for callers not yet moved (the local playground). */
export type { FieldErrors } from './userInput.js';

export const EXPIRY_CHOICES = ['1', '3', '7', '30', 'never'] as const;
/** A field's words, from the messages module. */
const words = (name: FieldName) => ({ name, label: fieldLabel(name), help: fieldHelp(name) });

/** Roles whose extras include billing (rights for collaborators, reminders for all three). */
const BILLING_ROLES: readonly Role[] = ['legal_representative', 'admin', 'collaborator'];

function whoStep(ctx: WizardContext): Step {
  const { roles, hidden } = grantableRoles(ctx.level, ctx.caps);
  return {
    id: 'who',
    title: wizardTitle('who'),
    intro: whoIntro(hidden),
    fields: [
      {
        kind: 'textarea',
        ...words('emails'),
        default: ctx.prefill ?? '',
        placeholder: EMAILS_PLACEHOLDER,
        maxLength: DIALOG_EMAILS_MAX,
      },
      { kind: 'text', ...words('name'), optional: true, maxLength: LIMITS.name },
      {
        kind: 'select',
        name: 'role',
        label: fieldLabel('role'),
        options: roles.map((r) => ({ value: r, label: roleLabel(r) })),
        default: roles.includes('external') ? 'external' : roles[0],
      },
    ],
  };
}

function accessStep(ctx: WizardContext, role?: Role): Step {
  const fields: Field[] = [
    {
      kind: 'multiselect',
      ...words('channels'),
      options: ctx.channels,
      default: ctx.channels.some((c) => c.value === ctx.currentChannelId) ? [ctx.currentChannelId] : [],
    },
  ];
  if (ctx.caps.kdrive) {
    const options = KDRIVE_RIGHTS.map((r) => ({ value: r, label: kdriveLabel(r) }));
    fields.push({ kind: 'select', name: 'kdrive', label: fieldLabel('kdrive'), default: 'none', options });
  }
  if (ctx.caps.billing && (!role || BILLING_ROLES.includes(role))) {
    if (!role || role === 'collaborator') fields.push({ kind: 'bool', ...words('billing_rights'), default: false });
    fields.push({ kind: 'bool', name: 'remind_email', label: fieldLabel('remind_email'), default: false });
    fields.push({ kind: 'bool', name: 'remind_sms', label: fieldLabel('remind_sms'), default: false });
  }
  fields.push(
    {
      kind: 'select',
      name: 'delivery',
      label: fieldLabel('delivery'),
      default: ctx.caps.deliveries[0],
      options: ctx.caps.deliveries.map((d) => ({ value: d, label: deliveryLabel(d) })),
    },
    ...(ctx.caps.deliveries.includes('sms')
      ? [
          {
            kind: 'text',
            subtype: 'text',
            name: 'phone',
            label: fieldLabel('phone'),
            optional: true,
            placeholder: PHONE_PLACEHOLDER,
            maxLength: LIMITS.phone,
          } as Field,
        ]
      : []),
    {
      kind: 'select',
      name: 'expiry',
      label: fieldLabel('expiry'),
      default: '7',
      options: EXPIRY_CHOICES.map((e) => ({ value: e, label: expiryLabel(e) })),
    },
    { kind: 'textarea', name: 'message', label: fieldLabel('message'), optional: true, maxLength: LIMITS.message },
  );
  return { id: 'access', title: wizardTitle('access'), intro: accessIntro(role), fields };
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
  channels: choices,
  kdrive: choice,
  billing_rights: flag,
  remind_email: flag,
  remind_sms: flag,
  delivery: choice,
  expiry: choice,
  message: freeText(LIMITS.message),
  phone: freeText(LIMITS.phone),
};
/** The first step's values, as a draft keeps them between the steps. */
export const WhoValues = z.object(WHO_FIELDS);
export type WhoValues = z.output<typeof WhoValues>;
const STEP_SCHEMAS = {
  who: WhoValues,
  access: z.object(ACCESS_FIELDS),
  all: z.object({ ...WHO_FIELDS, ...ACCESS_FIELDS }),
};
/** Every field of the wizard, e.g. for a web form that posts them all at once. */
export const WIZARD_FIELDS = Object.keys(STEP_SCHEMAS.all.shape) as (keyof typeof STEP_SCHEMAS.all.shape)[];

/** One step's submission (or the whole wizard's, in one dialog or page), typed: unknown keys dropped, types and
 * lengths checked. Policy checks come after, in parseSubmission. */
export function readStep(raw: unknown, step: Step['id'] | 'all'): FormResult<Record<string, unknown>> {
  return readForm(STEP_SCHEMAS[step], raw);
}

/** Validates one step's values (or all, when `stepId` is omitted) against what this inviter may do. */
export function parseSubmission(
  values: Record<string, unknown>,
  ctx: WizardContext,
  stepId?: Step['id'],
): { ok: true; request: InvitationRequest } | { ok: false; errors: FieldErrors } {
  const typed = readForm(STEP_SCHEMAS.all, values);
  if (!typed.ok) return typed;
  const v = typed.values;
  const errors: FieldErrors = {};
  const check = (step: Step['id']) => !stepId || stepId === step;

  const { recipients, invalid } = parseRecipients(v.emails);
  const { roles } = grantableRoles(ctx.level, ctx.caps);
  if (check('who')) {
    const longName = recipients.find((r) => r.name.length > LIMITS.name);
    if (invalid.length)
      errors.emails = fieldError.notEmails(
        invalid.slice(0, 3).map((e) => clip(e, 60)),
        invalid.length > 3,
      );
    else if (longName) errors.emails = fieldError.longName(LIMITS.name, clip(longName.name, 60));
    else if (!recipients.length) errors.emails = fieldError.noEmail();
    else if (recipients.length > MAX_RECIPIENTS) errors.emails = fieldError.tooManyAddresses(MAX_RECIPIENTS);
    if (!roles.includes(v.role as Role)) errors.role = fieldError.chooseRole(roles.length > 0);
  }
  if (recipients.length === 1 && v.name && !recipients[0]!.name) recipients[0]!.name = v.name;
  const role = v.role as Role;

  const allowedChannels = new Set(ctx.channels.map((c) => c.value));
  const kdrive = ctx.caps.kdrive ? v.kdrive || 'none' : 'none';
  const billing = ctx.caps.billing && BILLING_ROLES.includes(role);
  if (check('access')) {
    const foreign = v.channels.filter((c) => !allowedChannels.has(c));
    if (foreign.length) errors.channels = fieldError.foreignChannel();
    if (role === 'external' && !v.channels.length) errors.channels = fieldError.externalNeedsChannel();
    if (!(KDRIVE_RIGHTS as readonly string[]).includes(kdrive)) errors.kdrive = fieldError.chooseKdrive();
    const roleDeliveries = ctx.caps.roleDeliveries?.[role];
    if (!ctx.caps.deliveries.includes(v.delivery as Delivery)) errors.delivery = fieldError.chooseDelivery();
    else if (roleDeliveries && !roleDeliveries.includes(v.delivery as Delivery)) {
      errors.delivery = fieldError.roleDeliveries(role, roleDeliveries);
    }
    if (!(EXPIRY_CHOICES as readonly string[]).includes(v.expiry || '7')) errors.expiry = fieldError.chooseExpiry();
    if (v.delivery === 'sms' && recipients.length > 1) errors.delivery = fieldError.smsOnePerson();
    if (v.delivery === 'sms' && !normalizePhone(v.phone)) errors.phone = phoneInternational();
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const expiry = v.expiry || '7';
  return {
    ok: true,
    request: {
      recipients,
      role,
      channelIds: v.channels,
      kdriveRight: kdrive as KDriveRight,
      billingRights: billing && role === 'collaborator' && v.billing_rights,
      billingReminders: { email: billing && v.remind_email, sms: billing && v.remind_sms },
      delivery: v.delivery as Delivery,
      message: v.message,
      phone: v.delivery === 'sms' ? normalizePhone(v.phone) : undefined,
      expiryDays: expiry === 'never' ? null : Number(expiry),
    },
  };
}
