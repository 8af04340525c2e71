/** The modal Resend opens: how the invitee should get the invitation again, and the number when SMS is offered.
 * Block ids are the field names the resend action reports errors on (`method`, `phone`). */
import type { types } from '@slack/bolt';
import {
  deliveryLabel,
  fieldLabel,
  formButton,
  PHONE_PLACEHOLDER,
  phoneHint,
  resendIntro,
  resendTitle,
} from '../../src/core/messages.js';
import type { FormRequest } from '../../src/flows/chatPort.js';

export const RESEND_CALLBACK = 'gl_resend';

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: false });

export function resendView(form: Extract<FormRequest, { kind: 'resend' }>): types.ModalView {
  const { email, methods, phone, words: w } = form;
  const options = methods.map((m) => ({ text: plain(deliveryLabel(w, m)), value: m }));
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: plain(resendIntro(w, email)) },
    {
      type: 'input',
      block_id: 'method',
      label: plain(fieldLabel(w, 'method')),
      element: { type: 'static_select', action_id: 'method', options, initial_option: options[0] },
    },
  ];
  if (methods.includes('sms')) {
    blocks.push({
      type: 'input',
      block_id: 'phone',
      optional: true,
      label: plain(fieldLabel(w, 'phone')),
      hint: plain(phoneHint(w)),
      element: {
        type: 'plain_text_input',
        action_id: 'phone',
        max_length: 20,
        placeholder: plain(PHONE_PLACEHOLDER),
        ...(phone ? { initial_value: phone } : {}),
      },
    });
  }
  return {
    type: 'modal',
    callback_id: RESEND_CALLBACK,
    private_metadata: form.state,
    title: plain(resendTitle(w)),
    submit: plain(formButton(w, 'send')),
    close: plain(formButton(w, 'cancel')),
    blocks,
  };
}
