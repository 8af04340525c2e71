/** What one person sees of the playground: the view model views/local renders, from the chat's state, the open
 * form and the store's invitations. */

import type { FormView, PlaygroundView } from '../../../views/local/playgroundPage.js';
import type { Words } from '../../core/i18n.js';
import {
  deliveryLabel,
  denyTitle,
  fieldHelp,
  fieldLabel,
  formButton,
  resendIntro,
  resendTitle,
  roleLabel,
  stateLabel,
} from '../../core/messages.js';
import { LIMITS } from '../../core/userInput.js';
import type { Field } from '../../core/wizard.js';
import type { FormRequest } from '../../flows/chatPort.js';
import type { FlowDeps } from '../../flows/jobHandlers.js';
import { BOT, type LocalChat, type LocalPerson, type OpenForm } from './state.js';

function fieldsOf(form: FormRequest): Pick<FormView, 'title' | 'intro' | 'fields' | 'submitLabel'> {
  switch (form.kind) {
    case 'wizard': {
      const bulk = form.steps.length > 1;
      // One form with every step is the bulk form: its address field takes what a web page can.
      const fields = form.steps
        .flatMap((s) => s.fields)
        .map(
          (f): Field => (bulk && f.name === 'emails' && f.kind === 'textarea' ? { ...f, maxLength: LIMITS.emails } : f),
        );
      return {
        title: form.steps[0]!.title,
        intro: form.steps.map((s) => s.intro).join(' '),
        fields,
        submitLabel: form.submitLabel,
      };
    }
    case 'deny': {
      const w = form.words;
      const reason = { name: 'reason', label: fieldLabel(w, 'reason'), help: fieldHelp(w, 'reason') };
      const fields: Field[] = [{ kind: 'textarea', ...reason, optional: true, maxLength: LIMITS.reason }];
      return { title: denyTitle(w), submitLabel: formButton(w, 'deny'), fields };
    }
    case 'resend': {
      const w = form.words;
      const methods = form.methods.map((m) => ({ value: m, label: deliveryLabel(w, m) }));
      const fields: Field[] = [
        { kind: 'select', name: 'method', label: fieldLabel(w, 'method'), options: methods, default: form.methods[0] },
      ];
      if (form.methods.includes('sms')) {
        fields.push({
          kind: 'text',
          name: 'phone',
          label: fieldLabel(w, 'phone'),
          optional: true,
          default: form.phone,
          maxLength: LIMITS.phone,
        });
      }
      return { title: resendTitle(w), intro: resendIntro(w, form.email), submitLabel: formButton(w, 'send'), fields };
    }
  }
}

export function formView(open: OpenForm): FormView {
  return {
    ...fieldsOf(open.form),
    words: open.form.words,
    state: open.form.state,
    values: open.values,
    errors: open.errors,
    error: open.error,
  };
}

export interface ScreenDeps {
  chat: LocalChat;
  /** The playground's words: the organization's. */
  words: Words;
  store: FlowDeps['store'];
  trigger: string;
  base: string;
  setupUrl?: string;
}

export async function screen(
  deps: ScreenDeps,
  me: LocalPerson,
  channelId: string,
  csrf: string,
): Promise<PlaygroundView> {
  const { chat } = deps;
  const direct = channelId === `dm-${me.id}`;
  const channel = chat.channel(channelId);
  const member = direct || !!channel?.members.includes(me.id);
  const names = new Map(chat.people().map((p) => [p.id, p.displayName]));
  const invitations = await deps.store.listInvitations({ platform: 'local', limit: 20 });
  const open = chat.forms.get(me.id);
  return {
    base: deps.base,
    setupUrl: deps.setupUrl,
    trigger: deps.trigger,
    csrf,
    me,
    people: chat.people(),
    channels: chat.channels().map((c) => ({ id: c.id, name: c.name, member: c.members.includes(me.id) })),
    current: { id: channelId, name: channel?.name ?? 'guestlist', direct },
    messages: member
      ? chat.messagesIn(channelId, me.id).map((m) => ({
          id: m.id,
          at: m.at,
          text: m.text,
          outcome: m.outcome,
          ephemeral: !!m.to,
          from: m.from === BOT ? 'Guestlist (bot)' : (names.get(m.from) ?? m.from),
          buttons: m.buttons.map(({ label, style }) => ({ label, style })),
        }))
      : [
          {
            id: 'not-member',
            at: '',
            text: 'You are not a member of this channel.',
            outcome: [],
            buttons: [],
            ephemeral: true,
            from: 'Guestlist (bot)',
          },
        ],
    invitations: invitations.map((i) => ({
      name: i.name,
      email: i.email,
      role: roleLabel(deps.words, i.role),
      state: stateLabel(deps.words, i),
      inviter: i.inviter.username,
    })),
    form: open ? formView(open) : undefined,
  };
}
