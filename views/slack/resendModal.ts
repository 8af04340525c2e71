/** The modal Resend opens: how the invitee should get the invitation again, and the number when SMS is offered.
 * Block ids are the field names the resend action reports errors on (`method`, `phone`). */
import type { types } from '@slack/bolt';
import { DELIVERY_LABELS } from '../../src/core/wizard.js';
import type { FormRequest } from '../../src/flows/chatPort.js';

export const RESEND_CALLBACK = 'gl_resend';

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: false });

export function resendView(form: Extract<FormRequest, { kind: 'resend' }>): types.ModalView {
  const { email, methods, phone } = form;
  const options = methods.map((m) => ({ text: plain(DELIVERY_LABELS[m]), value: m }));
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: plain(`How should ${email} get the invitation again?`) },
    { type: 'input', block_id: 'method', label: plain('Method'), element: { type: 'static_select', action_id: 'method', options, initial_option: options[0] } },
  ];
  if (methods.includes('sms')) {
    blocks.push({
      type: 'input', block_id: 'phone', optional: true, label: plain('Mobile number (SMS)'), hint: plain('In international form, only for SMS.'),
      element: { type: 'plain_text_input', action_id: 'phone', max_length: 20, placeholder: plain('+41 79 123 45 67'), ...(phone ? { initial_value: phone } : {}) },
    });
  }
  return {
    type: 'modal', callback_id: RESEND_CALLBACK, private_metadata: form.state,
    title: plain('Resend the invitation'), submit: plain('Send'), close: plain('Cancel'), blocks,
  };
}
