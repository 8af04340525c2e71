/** The chat port over the playground's own chat (state.ts): posts, direct messages and forms are entries in it,
 * rights are the seeded people's levels, and every delivery is the bot's acceptance link. */

import { localMarkup } from '../../core/format.js';
import type { ChatMessage } from '../../core/messages.js';
import { roleMissingOn } from '../../core/messages.js';
import type { Capabilities } from '../../core/policy.js';
import { type LinkChannels, linkMethods } from '../../delivery/acceptanceLink.js';
import type { ChatPort, ChatUser } from '../../flows/chatPort.js';
import { PermanentError } from '../../outbox/errors.js';
import { BOT, type LocalButton, type LocalChat, type LocalPerson } from './state.js';

/** The person who clicked or typed, and where: what a local form's trigger carries. */
export const trigger = (userId: string, channelId: string) => `${userId}|${channelId}`;

function capabilities(links?: LinkChannels): Capabilities {
  return {
    roles: ['external', 'collaborator', 'admin'],
    missingRoleReasons: { legal_representative: (w) => roleMissingOn(w, 'playgroundLegal') },
    kdrive: false,
    billing: false,
    deliveries: links ? linkMethods(links) : [],
  };
}

export const chatUser = (p: LocalPerson): ChatUser => ({
  id: p.id,
  username: p.username,
  displayName: p.displayName,
  email: p.email,
});

/** A message's buttons: Approve / Deny while an approval request waits, or a guest's (Extend, Remove now, Adopt). */
function buttonsOf(msg: ChatMessage): LocalButton[] {
  const acts = msg.actionButtons;
  if (acts) return acts.buttons.map((b) => ({ ...b, invitationId: acts.invitationId, fromList: true }));
  const id = msg.approvalButtons?.invitationId;
  if (!id) return [];
  return [
    { label: 'Approve', action: 'approve', invitationId: id, style: 'primary', fromList: false },
    { label: 'Deny', action: 'deny', invitationId: id, fromList: false },
  ];
}

export function localPort(chat: LocalChat, links?: LinkChannels): ChatPort {
  const person = (id: string) => {
    const found = chat.person(id);
    if (!found) throw new PermanentError('no such person in the playground');
    return found;
  };
  const memberOf = (userId: string) =>
    chat
      .channels()
      .filter((c) => c.members.includes(userId))
      .map((c) => ({ value: c.id, label: `~${c.name}` }));

  return {
    platform: 'local',
    format: localMarkup,
    capabilities: () => capabilities(links),
    multiStepForms: () => true,
    channelOptions: async (_workspace, userId) => memberOf(userId),
    verifyChannels: async (_workspace, userId, selected) => memberOf(userId).filter((c) => selected.includes(c.value)),
    existingAccounts: async (emails) =>
      new Set(emails.filter((e) => chat.people().some((p) => p.email.toLowerCase() === e.toLowerCase()))),
    level: async (_workspace, userId) => person(userId).level,
    approvers: async () =>
      chat
        .people()
        .filter((p) => p.level === 'admin' || p.level === 'owner')
        .map((p) => p.id),
    user: async (userId) => chatUser(person(userId)),
    async userByEmail(email) {
      const found = chat.people().find((p) => p.email.toLowerCase() === email.toLowerCase());
      return found && chatUser(found);
    },
    channelNames: async (inv) => inv.channelIds.map((id) => chat.channel(id)?.name ?? id),
    channelDetails: async (ids) =>
      ids.map((id) => {
        const c = chat.channel(id);
        return { id, name: c ? `~${c.name}` : id, purpose: c?.purpose };
      }),
    directChannel: async (userId) => (await chat.directChannel(userId)).id,
    async post(channelId, msg) {
      const posted = await chat.post({
        channelId,
        from: BOT,
        text: msg.text,
        outcome: msg.outcome,
        buttons: buttonsOf(msg),
      });
      return { channelId, postId: posted.id };
    },
    async openForm(given, form) {
      const [userId, channelId = ''] = given.split('|');
      chat.setForm(userId!, { channelId, form });
    },
    async update(ref, msg) {
      await chat.update(ref.postId, { text: msg.text, outcome: msg.outcome ?? [], buttons: buttonsOf(msg) });
    },
    // Every delivery is the bot's own link: the job handlers send it.
    deliver: async () => undefined,
    resend: async () => undefined,
    async admit(_inv, userId, channelId) {
      await chat.join(userId, channelId);
      return chatUser(person(userId));
    },
    async applyRole(inv, userId) {
      if (inv.role === 'admin') await chat.setLevel(userId, 'admin');
    },
    withdraw: async () => undefined,
    async endGuestAccess(_inv, userId) {
      await chat.removeFromTeam(userId);
      return 'done';
    },
  };
}
