/** The pending list through an in-memory port: which invitations each reader sees and which buttons each gets
 * (a backend's offers included), rights read through the port at click time, and Resend's form and submission
 * ending in one stored request with its job. */

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mattermostMarkdown } from '../../src/core/format.js';
import type { Invitation } from '../../src/core/model.js';
import type { Capabilities, InviterLevel } from '../../src/core/policy.js';
import type { ApprovalFlow } from '../../src/flows/approvals.js';
import type { ChatPort, FormRequest, ListOffers } from '../../src/flows/chatPort.js';
import { PendingListFlow } from '../../src/flows/pendingList.js';
import type { Outbox } from '../../src/outbox/outbox.js';
import { Signer } from '../../src/security/signing.js';
import type { LowdbStore } from '../../src/store/lowdbStore.js';
import { anInvitation, tempStore } from '../support/invitationFixture.js';
import { locales } from '../support/words.js';

const LEVELS: Record<string, InviterLevel> = { admin1: 'admin', bob: 'member', carl: 'member' };
const bob = { id: 'bob', username: 'bob' };
const carl = { id: 'carl', username: 'carl' };
const admin = { id: 'admin1', username: 'root' };

let store: LowdbStore;
let cleanup: () => Promise<void>;
let forms: FormRequest[];
let kicks: number;
let caps: Capabilities;
let backendOffers: ((inv: Invitation) => ListOffers) | undefined;
const clock = { now: () => new Date('2030-01-01T13:00:00.000Z') };
const signer = new Signer('test-secret-0123456789-0123456789-abcdef');

/** Only what the list asks of a platform: levels, capabilities, a backend's offers, forms. */
function memoryPort(): ChatPort {
  const port: Partial<ChatPort> = {
    platform: 'mattermost',
    format: mattermostMarkdown,
    level: async (_w, userId) => LEVELS[userId] ?? 'guest',
    capabilities: () => caps,
    offers: (inv) => backendOffers?.(inv),
    openForm: async (_trigger, form) => void forms.push(form),
  };
  return port as ChatPort;
}

function flow(): PendingListFlow {
  const outbox = { kick: () => void kicks++ } as unknown as Outbox;
  const approvals = {} as ApprovalFlow;
  const deps = { store, clock, outbox, log: pino({ level: 'silent' }), locales, signer, trigger: 'invite-people' };
  return new PendingListFlow(deps, memoryPort(), approvals);
}

async function stored(over: Partial<Invitation>): Promise<Invitation> {
  const inv = anInvitation({ inviter: bob, ...over });
  await store.createInvitations([inv], [], []);
  return inv;
}

const actionsOf = (entry?: { buttons: { action: string }[] }) => entry?.buttons.map((b) => b.action);

beforeEach(async () => {
  ({ store, cleanup } = await tempStore());
  forms = [];
  kicks = 0;
  caps = {
    roles: ['collaborator'],
    missingRoleReasons: {},
    kdrive: false,
    billing: false,
    deliveries: ['platform_email', 'link'],
  };
  backendOffers = undefined;
});
afterEach(async () => cleanup());

describe('the pending list', () => {
  it('shows a member their own invitations, an approver everyone’s, with the buttons each state allows', async () => {
    const waiting = await stored({ email: 'wait@example.org', state: 'pending_approval' });
    const sent = await stored({ email: 'sent@example.org', role: 'collaborator', state: 'sent' });
    const failed = await stored({ email: 'fail@example.org', state: 'failed', lastError: 'SMTP', inviter: carl });

    const mine = await flow().list('team1', 'bob', 1);
    expect(mine.entries.map((e) => e.invitationId).sort()).toEqual([waiting.id, sent.id].sort());
    expect(actionsOf(mine.entries.find((e) => e.invitationId === waiting.id))).toEqual(['revoke']);

    const all = await flow().list('team1', 'admin1', 1);
    expect(all.text).toBe('**Pending invitations (everyone’s)**, page 1');
    const entry = (id: string) => all.entries.find((e) => e.invitationId === id);
    expect(actionsOf(entry(waiting.id))).toEqual(['approve', 'deny', 'revoke']);
    expect(actionsOf(entry(sent.id))).toEqual(['resend', 'showlink', 'revoke']);
    expect(actionsOf(entry(failed.id))).toEqual(['retry', 'revoke']);
    expect(entry(failed.id)!.text).toMatch(/fail@example\.org.*: failed\n.*invited by @carl 3 h ago.*\n:warning: SMTP/);
  });

  it('offers no Show link where the platform has no links, and a backend’s own offers with its reason', async () => {
    const guest = await stored({ role: 'external', state: 'sent' });
    caps = { ...caps, deliveries: ['platform_email'] };
    expect(actionsOf((await flow().list('team1', 'bob', 1)).entries[0])).toEqual(['resend', 'revoke']);

    const why = 'No link to show: the backend mails guests itself.';
    backendOffers = () => ({ resend: [], showLink: false, why: () => why });
    const [entry] = (await flow().list('team1', 'bob', 1)).entries;
    expect(actionsOf(entry)).toEqual(['revoke']);
    expect(entry!.text).toContain(`_${why}_`);
    const click = { invitationId: guest.id, user: bob, trigger: 't1' };
    expect(await flow().click({ ...click, action: 'showlink' })).toBe(why);
    expect(await flow().click({ ...click, action: 'resend' })).toBe(why);
    expect(forms).toEqual([]);
  });

  it('pages ten at a time and says how to see the next page', async () => {
    for (let n = 0; n < 11; n++) await stored({ email: `p${n}@example.org` });
    const first = await flow().list('team1', 'bob', 1);
    expect(first.entries).toHaveLength(10);
    expect(first.more).toBe('More: `/invite-people list 2`');
    const second = await flow().list('team1', 'bob', 2);
    expect([second.entries.length, second.more]).toEqual([1, undefined]);
    expect((await flow().list('team1', 'bob', 3)).text).toBe('No more pending invitations.');
  });
});

describe('its buttons', () => {
  it('refuses another member’s Revoke with the one rule’s words, and revokes for the inviter', async () => {
    const inv = await stored({ state: 'sent' });
    expect(await flow().click({ invitationId: inv.id, action: 'revoke', user: carl })).toBe(
      'Only the inviter or an administrator can revoke this invitation.',
    );
    expect((await store.getInvitation(inv.id))!.state).toBe('sent');
    expect(await flow().click({ invitationId: inv.id, action: 'revoke', user: bob })).toMatch(/^Revoked: /);
    expect((await store.getInvitation(inv.id))!.state).toBe('revoked');
    expect(kicks).toBe(1);
  });

  it('ignores an invitation of another platform', async () => {
    const inv = await stored({ platform: 'slack' });
    const answer = await flow().click({ invitationId: inv.id, action: 'revoke', user: admin });
    expect(answer).toBe('This invitation no longer exists.');
    expect((await store.getInvitation(inv.id))!.state).toBe('sent');
  });

  it('Resend opens the method form; its submission is checked against the user and the offered methods', async () => {
    const inv = await stored({ role: 'collaborator', state: 'sent' });
    expect(await flow().click({ invitationId: inv.id, action: 'resend', user: bob, trigger: 't1' })).toBeUndefined();
    const [form] = forms;
    expect(form).toMatchObject({ kind: 'resend', email: inv.email, methods: ['platform_email', 'link'] });
    const state = (form as { state: string }).state;

    expect(await flow().submitResend(state, carl, { method: 'link', phone: '' })).toEqual({
      ok: false,
      reason: 'This form has expired. Click Resend again.',
      field: 'method',
    });
    const notOffered = await flow().submitResend(state, bob, { method: 'sms', phone: '' });
    expect(notOffered).toMatchObject({ ok: false, field: 'method' });
    expect(await store.jobs({ invitationId: inv.id })).toEqual([]);

    expect(await flow().submitResend(state, bob, { method: 'link', phone: '' })).toEqual({
      ok: true,
      notice: 'The invitation for ana@example.com is on its way again.',
    });
    expect((await store.auditTrail(inv.id)).map((a) => a.action)).toContain('resend_requested');
    const [job, ...more] = await store.jobs({ invitationId: inv.id });
    expect([job?.kind, job?.payload, more]).toEqual(['mattermost.resend', { method: 'link' }, []]);
  });
});
