/** The invitation wizard, platform-neutral: which fields each step shows for this inviter on this platform,
 * and the parsing of what was submitted into an invitation request (or field errors). Adapters render the
 * fields as a Mattermost dialog or a Slack modal and hand the submitted values back. */
import { z } from 'zod';
import { LANGUAGES, type Language, type Words } from './i18n.js';
import {
  accessDaysLabel,
  accessIntro,
  deliveryLabel,
  EMAILS_PLACEHOLDER,
  expiryLabel,
  type FieldName,
  fieldError,
  fieldHelp,
  fieldLabel,
  kdriveLabel,
  languageLabel,
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
  /** The inviter's words (the form's language, and the invitation's by default). */
  words: Words;
  level: InviterLevel;
  caps: Capabilities;
  /** Channels the inviter is a member of (the only ones offered). */
  channels: Option[];
  currentChannelId: string;
  prefill?: string;
  /** GUEST_MAX_DAYS: the longest access an external guest may be given. */
  guestMaxDays?: number;
}

/** A dialog's or modal's text field holds at most 3,000 characters; the web form takes LIMITS.emails. */
export const DIALOG_EMAILS_MAX = 3000;

export type { FieldErrors } from './userInput.js';

export const EXPIRY_CHOICES = ['1', '3', '7', '30', 'never'] as const;
/** How long an external guest's access lasts from arrival, in days. */
export const ACCESS_DAYS_CHOICES = [30, 90, 180, 365] as const;
const DEFAULT_ACCESS_DAYS = 90;

/** The access durations offered under a cap: the usual ones within it, and the cap itself when it falls between. */
export function accessDaysChoices(maxDays?: number): number[] {
  if (!maxDays) return [...ACCESS_DAYS_CHOICES];
  const within = ACCESS_DAYS_CHOICES.filter((d) => d <= maxDays);
  return maxDays < ACCESS_DAYS_CHOICES[ACCESS_DAYS_CHOICES.length - 1]! && !within.includes(maxDays as 30)
    ? [...within, maxDays]
    : within;
}

function defaultAccessDays(offered: number[]): number {
  return offered.includes(DEFAULT_ACCESS_DAYS) ? DEFAULT_ACCESS_DAYS : offered.filter((d) => d < 90).at(-1)!;
}
/** A field's words, from the messages module. */
const words = (w: Words, name: FieldName) => ({ name, label: fieldLabel(w, name), help: fieldHelp(w, name) });

/** Roles whose extras include billing (rights for collaborators, reminders for all three). */
const BILLING_ROLES: readonly Role[] = ['legal_representative', 'admin', 'collaborator'];

function whoStep(ctx: WizardContext): Step {
  const w = ctx.words;
  const { roles, hidden } = grantableRoles(ctx.level, ctx.caps);
  return {
    id: 'who',
    title: wizardTitle(w, 'who'),
    intro: whoIntro(
      w,
      hidden.map((h) => ({ role: h.role, reason: h.reason(w) })),
    ),
    fields: [
      {
        kind: 'textarea',
        ...words(w, 'emails'),
        default: ctx.prefill ?? '',
        placeholder: EMAILS_PLACEHOLDER,
        maxLength: DIALOG_EMAILS_MAX,
      },
      { kind: 'text', ...words(w, 'name'), optional: true, maxLength: LIMITS.name },
      {
        kind: 'select',
        name: 'role',
        label: fieldLabel(w, 'role'),
        options: roles.map((r) => ({ value: r, label: roleLabel(w, r) })),
        default: roles.includes('external') ? 'external' : roles[0],
      },
    ],
  };
}

function accessStep(ctx: WizardContext, role?: Role): Step {
  const w = ctx.words;
  const fields: Field[] = [
    {
      kind: 'multiselect',
      ...words(w, 'channels'),
      options: ctx.channels,
      default: ctx.channels.some((c) => c.value === ctx.currentChannelId) ? [ctx.currentChannelId] : [],
    },
  ];
  if (!role || role === 'external') {
    const offered = accessDaysChoices(ctx.guestMaxDays);
    fields.push({
      kind: 'select',
      ...words(w, 'access_days'),
      default: String(defaultAccessDays(offered)),
      options: offered.map((d) => ({ value: String(d), label: accessDaysLabel(w, d) })),
    });
  }
  if (ctx.caps.kdrive) {
    const options = KDRIVE_RIGHTS.map((r) => ({ value: r, label: kdriveLabel(w, r) }));
    fields.push({ kind: 'select', name: 'kdrive', label: fieldLabel(w, 'kdrive'), default: 'none', options });
  }
  if (ctx.caps.billing && (!role || BILLING_ROLES.includes(role))) {
    if (!role || role === 'collaborator') fields.push({ kind: 'bool', ...words(w, 'billing_rights'), default: false });
    fields.push({ kind: 'bool', name: 'remind_email', label: fieldLabel(w, 'remind_email'), default: false });
    fields.push({ kind: 'bool', name: 'remind_sms', label: fieldLabel(w, 'remind_sms'), default: false });
  }
  fields.push(
    {
      kind: 'select',
      name: 'delivery',
      label: fieldLabel(w, 'delivery'),
      default: ctx.caps.deliveries[0],
      options: ctx.caps.deliveries.map((d) => ({ value: d, label: deliveryLabel(w, d) })),
    },
    ...(ctx.caps.deliveries.includes('sms')
      ? [
          {
            kind: 'text',
            subtype: 'text',
            name: 'phone',
            label: fieldLabel(w, 'phone'),
            optional: true,
            placeholder: PHONE_PLACEHOLDER,
            maxLength: LIMITS.phone,
          } as Field,
        ]
      : []),
    {
      kind: 'select',
      name: 'expiry',
      label: fieldLabel(w, 'expiry'),
      default: '7',
      options: EXPIRY_CHOICES.map((e) => ({ value: e, label: expiryLabel(w, e) })),
    },
    {
      kind: 'select',
      ...words(w, 'language'),
      default: w.language,
      options: LANGUAGES.map((l) => ({ value: l, label: languageLabel(l) })),
    },
    { kind: 'textarea', name: 'message', label: fieldLabel(w, 'message'), optional: true, maxLength: LIMITS.message },
  );
  return { id: 'access', title: wizardTitle(w, 'access'), intro: accessIntro(w, role), fields };
}

/** The first step alone: what a multi-step dialog opens with (the second is built from its answers). */
export const wizardFirstStep = whoStep;

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
  /** External guests: how many days their access lasts from arrival. */
  accessDays?: number;
  /** The invitee's language: the bot's email, SMS, page and reminders, and the platform's invitation. */
  language: Language;
}

/** The wizard's fields by step, each with its type and limit. A submission is read against the fields of the step
 * it answers (readStep), so it can never set another step's values or anything that is not a field. */
const WHO_FIELDS = { emails: freeText(LIMITS.emails), name: freeText(LIMITS.name), role: choice };
const ACCESS_FIELDS = {
  channels: choices,
  access_days: choice,
  kdrive: choice,
  billing_rights: flag,
  remind_email: flag,
  remind_sms: flag,
  delivery: choice,
  expiry: choice,
  language: choice,
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
export function readStep(raw: unknown, step: Step['id'] | 'all', w: Words): FormResult<Record<string, unknown>> {
  return readForm(STEP_SCHEMAS[step], raw, w);
}

/** Validates one step's values (or all, when `stepId` is omitted) against what this inviter may do. */
export function parseSubmission(
  values: Record<string, unknown>,
  ctx: WizardContext,
  stepId?: Step['id'],
): { ok: true; request: InvitationRequest } | { ok: false; errors: FieldErrors } {
  const typed = readForm(STEP_SCHEMAS.all, values, ctx.words);
  if (!typed.ok) return typed;
  const v = typed.values;
  const errors: FieldErrors = {};
  const check = (step: Step['id']) => !stepId || stepId === step;

  const w = ctx.words;
  const { recipients, invalid } = parseRecipients(v.emails);
  const { roles } = grantableRoles(ctx.level, ctx.caps);
  if (check('who')) {
    const longName = recipients.find((r) => r.name.length > LIMITS.name);
    if (invalid.length)
      errors.emails = fieldError.notEmails(
        w,
        invalid.slice(0, 3).map((e) => clip(e, 60)),
        invalid.length > 3,
      );
    else if (longName) errors.emails = fieldError.longName(w, LIMITS.name, clip(longName.name, 60));
    else if (!recipients.length) errors.emails = fieldError.noEmail(w);
    else if (recipients.length > MAX_RECIPIENTS) errors.emails = fieldError.tooManyAddresses(w, MAX_RECIPIENTS);
    if (!roles.includes(v.role as Role)) errors.role = fieldError.chooseRole(w, roles.length > 0);
  }
  if (recipients.length === 1 && v.name && !recipients[0]!.name) recipients[0]!.name = v.name;
  const role = v.role as Role;

  const allowedChannels = new Set(ctx.channels.map((c) => c.value));
  const kdrive = ctx.caps.kdrive ? v.kdrive || 'none' : 'none';
  const billing = ctx.caps.billing && BILLING_ROLES.includes(role);
  if (check('access')) {
    const foreign = v.channels.filter((c) => !allowedChannels.has(c));
    if (foreign.length) errors.channels = fieldError.foreignChannel(w);
    if (role === 'external' && !v.channels.length) errors.channels = fieldError.externalNeedsChannel(w);
    const offered = accessDaysChoices(ctx.guestMaxDays);
    if (role === 'external' && v.access_days && !offered.map(String).includes(v.access_days)) {
      errors.access_days = fieldError.chooseAccessDays(w, ctx.guestMaxDays);
    }
    if (!(KDRIVE_RIGHTS as readonly string[]).includes(kdrive)) errors.kdrive = fieldError.chooseKdrive(w);
    const roleDeliveries = ctx.caps.roleDeliveries?.[role];
    if (!ctx.caps.deliveries.includes(v.delivery as Delivery)) errors.delivery = fieldError.chooseDelivery(w);
    else if (roleDeliveries && !roleDeliveries.includes(v.delivery as Delivery)) {
      errors.delivery = fieldError.roleDeliveries(w, role, roleDeliveries);
    }
    if (!(EXPIRY_CHOICES as readonly string[]).includes(v.expiry || '7')) errors.expiry = fieldError.chooseExpiry(w);
    if (v.delivery === 'sms' && recipients.length > 1) errors.delivery = fieldError.smsOnePerson(w);
    if (v.delivery === 'sms' && !normalizePhone(v.phone)) errors.phone = phoneInternational(w);
    if (v.language && !(LANGUAGES as readonly string[]).includes(v.language))
      errors.language = fieldError.chooseLanguage(w);
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
      accessDays:
        role === 'external'
          ? v.access_days
            ? Number(v.access_days)
            : defaultAccessDays(accessDaysChoices(ctx.guestMaxDays))
          : undefined,
      language: (v.language || w.language) as Language,
    },
  };
}
