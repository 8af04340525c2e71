/** Renders the core wizard's steps as Slack modal views (one view per step), and reads a submitted view's state
 * back into the core's field names. Each input's block_id and action_id are the field's name, so the core's
 * field errors map 1:1 onto `response_action: errors`. Limits from Slack's block kit: title, submit and close
 * ≤ 24 characters, placeholder ≤ 150, option text ≤ 75, 100 static options. */

import type { types, ViewStateValue } from '@slack/bolt';
import type { Words } from '../../src/core/i18n.js';
import { denyTitle, fieldHelp, fieldLabel, formButton } from '../../src/core/messages.js';
import type { Field, Step } from '../../src/core/wizard.js';
import type { FormRequest } from '../../src/flows/chatPort.js';

type Block = types.KnownBlock;
type Modal = types.ModalView;

const MAX_OPTIONS = 100;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const plain = (text: string, n = 2000) => ({ type: 'plain_text' as const, text: clip(text, n), emoji: false });

function element(field: Field): types.InputBlockElement | undefined {
  const placeholder = 'placeholder' in field && field.placeholder ? { placeholder: plain(field.placeholder, 150) } : {};
  switch (field.kind) {
    case 'text':
      if (field.subtype === 'email')
        return {
          type: 'email_text_input',
          action_id: field.name,
          initial_value: field.default || undefined,
          ...placeholder,
        };
      return {
        type: 'plain_text_input',
        action_id: field.name,
        initial_value: field.default || undefined,
        max_length: field.maxLength,
        ...placeholder,
      };
    case 'textarea':
      return {
        type: 'plain_text_input',
        action_id: field.name,
        multiline: true,
        initial_value: field.default || undefined,
        max_length: field.maxLength,
        ...placeholder,
      };
    case 'select': {
      if (!field.options.length) return undefined;
      const options = field.options.slice(0, MAX_OPTIONS).map((o) => ({ text: plain(o.label, 75), value: o.value }));
      const initial = options.find((o) => o.value === field.default);
      return { type: 'static_select', action_id: field.name, options, ...(initial ? { initial_option: initial } : {}) };
    }
    // The wizard's one multi-select is its channels: Slack's own conversation picker, with the command's channel
    // preselected. It cannot be limited to channels the inviter has joined, so that is re-checked on submit.
    case 'multiselect':
      return {
        type: 'multi_conversations_select',
        action_id: field.name,
        ...(field.default.length
          ? { initial_conversations: field.default }
          : { default_to_current_conversation: true }),
        filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
      };
    case 'bool': {
      const option = { text: plain(field.label, 75), value: 'true' };
      return {
        type: 'checkboxes',
        action_id: field.name,
        options: [option],
        ...(field.default ? { initial_options: [option] } : {}),
      };
    }
  }
}

function inputBlock(field: Field): Block | undefined {
  const el = element(field);
  if (!el) return undefined;
  return {
    type: 'input',
    block_id: field.name,
    label: plain(field.label),
    element: el,
    // A checkbox left unticked means "no", so it is never required.
    optional: field.optional || field.kind === 'bool' || field.kind === 'multiselect',
    ...(field.help ? { hint: plain(field.help) } : {}),
  };
}

export interface StepViewInput {
  step: Step;
  /** The signed draft id: the only thing the view carries. */
  privateMetadata: string;
  submitLabel: string;
  words: Words;
}

export function stepView(input: StepViewInput): Modal {
  const { step } = input;
  const blocks: Block[] = [{ type: 'section', text: plain(step.intro, 3000) }];
  for (const field of step.fields) {
    const block = inputBlock(field);
    if (block) blocks.push(block);
  }
  return {
    type: 'modal',
    callback_id: `invite-${step.id}`,
    private_metadata: input.privateMetadata,
    title: plain(step.title, 24),
    submit: plain(input.submitLabel, 24),
    close: plain(formButton(input.words, 'cancel'), 24),
    blocks,
  };
}

/** A closing view that only tells something (the outcome, or why the form cannot go on). `mrkdwn` must be escaped. */
export function noticeView(w: Words, title: string, mrkdwn: string): Modal {
  return {
    type: 'modal',
    title: plain(title, 24),
    close: plain(formButton(w, 'done'), 24),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, 3000) } }],
  };
}

export function denyReasonView(form: Extract<FormRequest, { kind: 'deny' }>): Modal {
  const w = form.words;
  return {
    type: 'modal',
    callback_id: 'deny-reason',
    private_metadata: form.state,
    title: plain(denyTitle(w)),
    submit: plain(formButton(w, 'deny')),
    close: plain(formButton(w, 'cancel')),
    blocks: [
      {
        type: 'input',
        block_id: 'reason',
        optional: true,
        label: plain(fieldLabel(w, 'reason')),
        hint: plain(fieldHelp(w, 'reason')!),
        element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 500 },
      },
    ],
  };
}

/** `view.state.values` (block → action → value) as the core's field values. */
export function readViewValues(values: Record<string, Record<string, ViewStateValue>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [blockId, actions] of Object.entries(values)) {
    const v = Object.values(actions)[0];
    if (!v) continue;
    switch (v.type) {
      case 'static_select':
        out[blockId] = v.selected_option?.value ?? null;
        break;
      case 'multi_conversations_select':
        out[blockId] = v.selected_conversations ?? [];
        break;
      case 'checkboxes':
        out[blockId] = (v.selected_options ?? []).some((o) => o.value === 'true');
        break;
      default:
        out[blockId] = v.value ?? '';
    }
  }
  return out;
}
