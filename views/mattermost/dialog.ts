/** Renders the core wizard's steps as Mattermost interactive dialogs, and reads submissions back into the
 * core's field names. Limits from the server's model: title ≤24, display_name ≤24, help_text ≤150. */

import type { Words } from '../../src/core/i18n.js';
import {
  deliveryLabel,
  denyTitle,
  fieldError,
  fieldHelp,
  fieldLabel,
  formButton,
  PHONE_PLACEHOLDER,
  resendIntro,
  resendTitle,
} from '../../src/core/messages.js';
import type { Field, Step } from '../../src/core/wizard.js';
import type { FormRequest } from '../../src/flows/chatPort.js';
import type { SubmitReply } from '../../src/flows/wizard.js';

/** What the server's dialogs can do, from its version. */
export interface DialogFeatures {
  /** `multiselect` on select elements: 11.0. */
  multiselect: boolean;
  /** `{type: "form"}` answers to a submission (multi-step dialogs): 11.1. */
  multistep: boolean;
}

/** Without multiselect (before 11.0, and kChat), channels are offered as this many single selects. */
export const CHANNEL_SLOTS = 3;

type Element = Record<string, unknown>;

const clip = (s: string | undefined, n: number) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : s);

function element(field: Field, features: DialogFeatures): Element[] {
  const base = {
    name: field.name,
    display_name: clip(field.label, 24),
    help_text: clip(field.help, 150),
    optional: field.optional ?? false,
  };
  switch (field.kind) {
    case 'text':
      return [
        {
          ...base,
          type: 'text',
          subtype: field.subtype ?? 'text',
          default: field.default,
          placeholder: field.placeholder,
          max_length: field.maxLength,
        },
      ];
    case 'textarea':
      return [
        {
          ...base,
          type: 'textarea',
          default: field.default,
          placeholder: field.placeholder,
          max_length: field.maxLength,
        },
      ];
    case 'select':
      return [
        {
          ...base,
          type: 'select',
          default: field.default,
          options: field.options.map((o) => ({ text: o.label, value: o.value })),
        },
      ];
    case 'bool':
      return [
        {
          ...base,
          type: 'bool',
          optional: true,
          default: String(field.default),
          placeholder: field.help ?? field.label,
          help_text: undefined,
        },
      ];
    case 'multiselect': {
      const options = field.options.map((o) => ({ text: o.label, value: o.value }));
      if (features.multiselect)
        return [
          { ...base, type: 'select', multiselect: true, optional: true, default: field.default.join(','), options },
        ];
      return Array.from({ length: CHANNEL_SLOTS }, (_, i) => ({
        ...base,
        name: i === 0 ? field.name : `${field.name}_${i + 1}`,
        display_name: i === 0 ? field.label : `${field.label} (${i + 1})`,
        help_text: i === 0 ? base.help_text : undefined,
        type: 'select',
        optional: true,
        default: field.default[i],
        options,
      }));
    }
  }
}

export interface DialogInput {
  callbackId: string;
  state: string;
  steps: Step[];
  submitLabel: string;
  features: DialogFeatures;
}

/** One dialog holding the given steps (one step in multi-step mode, all of them otherwise). */
export function renderDialog(input: DialogInput): Record<string, unknown> {
  const [first] = input.steps;
  return {
    callback_id: input.callbackId,
    title: clip(first!.title, 24),
    introduction_text: input.steps.map((s) => s.intro).join('\n\n'),
    elements: input.steps.flatMap((s) => s.fields.flatMap((f) => element(f, input.features))),
    submit_label: input.submitLabel,
    notify_on_cancel: false,
    state: input.state,
  };
}

/** The dialog of a form the flows open. */
export function formDialog(form: FormRequest, features: DialogFeatures): Record<string, unknown> {
  switch (form.kind) {
    case 'deny':
      return denyReasonDialog(form);
    case 'resend':
      return resendDialog(form);
    case 'wizard':
      return renderDialog({ callbackId: `invite-${form.steps[0]!.id}`, ...form, features });
  }
}

/** A wizard dialog's submission answered as Mattermost expects: field errors (those on the slotted channel selects
 * on the first one), a closing error, the next step as a form, or {} to close. */
export function dialogAnswer(reply: SubmitReply, features: DialogFeatures, words: Words): Record<string, unknown> {
  switch (reply.kind) {
    case 'errors': {
      const { errors } = reply;
      const slotted = errors.channels && !features.multiselect;
      return {
        errors: slotted ? { ...errors, channels: fieldError.slots(words, errors.channels!, CHANNEL_SLOTS) } : errors,
      };
    }
    case 'refused':
      return { error: reply.text };
    case 'next':
      return { type: 'form', form: formDialog({ kind: 'wizard', ...reply.form, words }, features) };
    case 'done':
      return {};
  }
}

/** Folds `channels_2`, `channels_3` back into `channels`; other values pass through for the core to parse. */
export function readSubmission(submission: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = { ...submission };
  const slots = [values.channels, ...Array.from({ length: CHANNEL_SLOTS - 1 }, (_, i) => values[`channels_${i + 2}`])];
  if (slots.slice(1).some((v) => v != null && v !== '')) {
    values.channels = slots.flatMap((v) => (v == null || v === '' ? [] : Array.isArray(v) ? v : String(v).split(',')));
  }
  for (let i = 2; i <= CHANNEL_SLOTS; i++) delete values[`channels_${i}`];
  return values;
}

export function denyReasonDialog(form: Extract<FormRequest, { kind: 'deny' }>): Record<string, unknown> {
  const w = form.words;
  return {
    callback_id: 'deny',
    title: denyTitle(w),
    elements: [
      {
        type: 'textarea',
        name: 'reason',
        display_name: fieldLabel(w, 'reason'),
        optional: true,
        max_length: 500,
        help_text: fieldHelp(w, 'reason'),
      },
    ],
    submit_label: formButton(w, 'deny'),
    state: form.state,
  };
}

export function resendDialog(form: Extract<FormRequest, { kind: 'resend' }>): Record<string, unknown> {
  const { methods, words: w } = form;
  const phone = {
    type: 'text',
    subtype: 'tel',
    name: 'phone',
    display_name: fieldLabel(w, 'phone'),
    optional: true,
    default: form.phone ?? '',
    placeholder: PHONE_PLACEHOLDER,
    max_length: 20,
  };
  const options = methods.map((m) => ({ text: deliveryLabel(w, m), value: m }));
  return {
    callback_id: 'resend',
    title: resendTitle(w),
    introduction_text: resendIntro(w, form.email),
    elements: [
      { type: 'select', name: 'method', display_name: fieldLabel(w, 'method'), default: methods[0], options },
      ...(methods.includes('sms') ? [phone] : []),
    ],
    submit_label: formButton(w, 'send'),
    state: form.state,
  };
}
