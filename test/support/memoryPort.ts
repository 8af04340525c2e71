/** A chat platform in memory, for testing the flows through their port as Probot tests feed events to an app:
 * people with levels, channels, and a record of every message, update and form the flows asked for. Everything
 * behind the port (actions, store, outbox, policy) runs for real. */

import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { mattermostMarkdown } from '../../src/core/format.js';
import type { ChatMessage } from '../../src/core/messages.js';
import type { Invitation } from '../../src/core/model.js';
import type { Capabilities, InviteLimits, InviterLevel } from '../../src/core/policy.js';
import type { ChatPort, ChatUser, FormRequest, MessageRef } from '../../src/flows/chatPort.js';
import type { FlowDeps } from '../../src/flows/jobHandlers.js';
import { Outbox } from '../../src/outbox/outbox.js';
import { Signer } from '../../src/security/signing.js';
import { LowdbStore } from '../../src/store/lowdbStore.js';
import { locales } from './words.js';

export interface MemoryPerson extends ChatUser {
  level: InviterLevel;
  channels: string[];
}

export class MemoryPort implements ChatPort {
  readonly platform = 'mattermost' as const;
  readonly format = mattermostMarkdown;
  approvalChannel?: string;
  readonly people = new Map<string, MemoryPerson>();
  /** Every message posted, by channel (direct channels are `dm:<user id>`). */
  readonly posts: { ref: MessageRef; message: ChatMessage }[] = [];
  readonly updates: { ref: MessageRef; message: ChatMessage }[] = [];
  readonly forms: { trigger: string; form: FormRequest }[] = [];
  /** Invitations the platform itself was asked to send. */
  readonly sent: string[] = [];
  caps: Capabilities = {
    roles: ['external', 'collaborator', 'admin'],
    missingRoleReasons: { legal_representative: () => 'kChat only' },
    kdrive: false,
    billing: false,
    deliveries: ['platform_email'],
  };

  add(person: Omit<MemoryPerson, 'displayName' | 'channels'> & { channels?: string[] }): MemoryPerson {
    const full = { displayName: person.username, channels: [], ...person };
    this.people.set(full.id, full);
    return full;
  }

  postsIn(channelId: string): ChatMessage[] {
    return this.posts.filter((p) => p.ref.channelId === channelId).map((p) => p.message);
  }

  private person(id: string): MemoryPerson {
    const p = this.people.get(id);
    if (!p) throw new Error(`no user ${id}`);
    return p;
  }

  capabilities = () => this.caps;
  multiStepForms = () => true;
  channelOptions = async (_w: string, userId: string) =>
    this.person(userId).channels.map((c) => ({ value: c, label: c }));
  verifyChannels = async (_w: string, userId: string, selected: string[]) =>
    selected.filter((c) => this.person(userId).channels.includes(c)).map((c) => ({ value: c, label: c }));
  existingAccounts = async (emails: string[]) =>
    new Set(emails.filter((e) => [...this.people.values()].some((p) => p.email === e)));
  level = async (_w: string, userId: string) => this.person(userId).level;
  approvers = async () =>
    [...this.people.values()].filter((p) => p.level === 'admin' || p.level === 'owner').map((p) => p.id);
  user = async (userId: string) => this.person(userId);
  userByEmail = async (email: string) => [...this.people.values()].find((p) => p.email === email);
  channelNames = async (inv: Invitation) => inv.channelIds.map((c) => `#${c}`);
  /** What each channel is for, where a test says. */
  readonly purposes = new Map<string, string>();
  channelDetails = async (ids: string[]) => ids.map((id) => ({ id, name: `#${id}`, purpose: this.purposes.get(id) }));
  directChannel = async (userId: string) => `dm:${userId}`;
  post = async (channelId: string, message: ChatMessage) => {
    const ref = { channelId, postId: `p${this.posts.length + 1}` };
    this.posts.push({ ref, message });
    return ref;
  };
  update = async (ref: MessageRef, message: ChatMessage) => void this.updates.push({ ref, message });
  openForm = async (trigger: string, form: FormRequest) => void this.forms.push({ trigger, form });
  deliver = async (inv: Invitation) =>
    inv.delivery === 'platform_email' ? (this.sent.push(inv.email), []) : undefined;
  resend = async (inv: Invitation, method: Invitation['delivery']) =>
    method === 'platform_email' ? (this.sent.push(inv.email), {}) : undefined;
  admit = async (_inv: Invitation, userId: string, channelId: string) => {
    const p = this.person(userId);
    if (!p.channels.includes(channelId)) p.channels.push(channelId);
    return p;
  };
  applyRole = async () => {};
  withdraw = async () => {};
  /** Every end of a guest's access the flows asked for, as `userId`. */
  readonly ended: string[] = [];
  /** What endGuestAccess answers: `manual` as on kChat. */
  endResult: 'done' | 'manual' = 'done';
  endGuestAccess = async (_inv: Invitation, userId: string) => {
    this.ended.push(userId);
    const p = this.people.get(userId);
    if (p) p.channels = [];
    return this.endResult;
  };
}

/** Real store (lowdb in a temporary directory), outbox and signer around a MemoryPort, with a settable clock. */
export async function memoryWorld(): Promise<{
  port: MemoryPort;
  deps: FlowDeps & { signer: Signer; invitesPerHour: InviteLimits };
  clock: { at: Date };
}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-flows-'));
  const clock = { at: new Date('2030-01-01T10:00:00Z') };
  const now = { now: () => clock.at };
  const log = pino({ level: 'silent' });
  const store = await LowdbStore.open(dir);
  const outbox = new Outbox(store, now, log, { pollMs: 60_000, baseDelayMs: 1 });
  const signer = new Signer('memory-port-secret-0123456789-abcdefghij');
  return {
    port: new MemoryPort(),
    clock,
    deps: { store, clock: now, outbox, log, locales, signer, invitesPerHour: { member: 20, admin: 100 } },
  };
}
