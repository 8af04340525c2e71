/** The flows through an in-memory chat port and a fake clock: feed what a user does, assert what the port was asked
 * to do and what was stored. The adapters' own suites (test/platforms) cover the transports. */
import { beforeEach, describe, expect, it } from 'vitest';
import { ApprovalFlow } from '../../src/flows/approvals.js';
import { jobHandlers } from '../../src/flows/jobHandlers.js';
import { WizardFlow } from '../../src/flows/wizard.js';
import { type MemoryPort, memoryWorld } from '../support/memoryPort.js';

let world: Awaited<ReturnType<typeof memoryWorld>>;
let port: MemoryPort;
const member = {
  id: 'u-member',
  username: 'mia',
  email: 'mia@acme.test',
  level: 'member' as const,
  channels: ['town', 'dev'],
};
const admin = { id: 'u-admin', username: 'root', email: 'root@acme.test', level: 'admin' as const, channels: ['town'] };
const admin2 = { id: 'u-admin2', username: 'carla', email: 'carla@acme.test', level: 'admin' as const, channels: [] };

beforeEach(async () => {
  world = await memoryWorld();
  port = world.port;
  for (const p of [member, admin, admin2]) port.add(p);
  for (const [kind, handler] of Object.entries(jobHandlers(world.deps, port)))
    world.deps.outbox.register(kind, handler);
});

const wizard = () => new WizardFlow(world.deps, port);
const approvals = () => new ApprovalFlow(world.deps, port);
const start = (user: typeof member) => ({
  workspaceId: 'team',
  channelId: 'dev',
  user: { id: user.id, username: user.username },
  trigger: 't1',
});

/** A member's request for ana@example.org, through both steps of the wizard. */
async function memberRequests(extra: Record<string, unknown> = {}) {
  await wizard().open(start(member));
  const opened = port.forms.at(-1)!.form;
  if (opened.kind !== 'wizard') throw new Error('no wizard opened');
  const draftId = world.deps.signer.verify(opened.state, world.clock.at.getTime(), 'wizard')!.d;
  const who = await wizard().submit(draftId, member, 'who', {
    emails: 'ana@example.org',
    role: 'collaborator',
    username: 'ceo',
  });
  expect(who.kind).toBe('next');
  const done = await wizard().submit(draftId, member, 'access', {
    channels: ['dev', 'secret'],
    delivery: 'platform_email',
    expiry: '7',
    ...extra,
  });
  return { draftId, done };
}

describe('the wizard flow', () => {
  it('opens the first step for a member, preselecting the current channel and offering only theirs', async () => {
    expect(await wizard().open(start(member))).toEqual({ kind: 'opened' });
    const form = port.forms[0]!.form;
    expect(form.kind === 'wizard' && form.steps.map((s) => s.id)).toEqual(['who']);
  });

  it(
    'refuses a channel the inviter is not in, then ' + 'creates the request with the inviter the command named',
    async () => {
      const { done } = await memberRequests();
      expect(done).toMatchObject({
        kind: 'errors',
        errors: { channels: expect.stringMatching(/channels you are a member of/) },
      });
      const { done: ok } = await memberRequests({ channels: ['dev'] });
      expect(ok).toMatchObject({
        kind: 'done',
        anyone: true,
        summary: expect.stringMatching(/waiting for an administrator/),
      });
      const [inv] = await world.deps.store.listInvitations({});
      expect(inv).toMatchObject({
        email: 'ana@example.org',
        state: 'pending_approval',
        inviter: { id: member.id, username: 'mia' },
      });
    },
  );

  it('tells a guest they cannot invite, without opening anything', async () => {
    port.add({ id: 'u-guest', username: 'gus', level: 'guest', channels: ['dev'] });
    expect(await wizard().open({ ...start(member), user: { id: 'u-guest', username: 'gus' } })).toMatchObject({
      kind: 'notice',
    });
    expect(port.forms).toEqual([]);
  });
});

describe('approvals through the port', () => {
  async function pendingRequest() {
    await memberRequests({ channels: ['dev'] });
    await world.deps.outbox.drain();
    return (await world.deps.store.listInvitations({}))[0]!;
  }

  it('asks each admin by direct message once, even when the job runs again', async () => {
    const inv = await pendingRequest();
    expect(port.postsIn('dm:u-admin')).toHaveLength(1);
    expect(port.postsIn('dm:u-admin2')[0]).toMatchObject({ approvalButtons: { invitationId: inv.id } });
    expect((await world.deps.store.getInvitation(inv.id))!.approvalPosts).toHaveLength(2);
  });

  it('refuses a member’s click, approves an admin’s once, updates every request and sends the invitation', async () => {
    const inv = await pendingRequest();
    expect(await approvals().click({ invitationId: inv.id, action: 'approve', user: member })).toMatchObject({
      ok: false,
      notice: expect.stringMatching(/Only administrators/),
    });
    const [a, b] = await Promise.all([
      approvals().click({ invitationId: inv.id, action: 'approve', user: admin }),
      approvals().click({ invitationId: inv.id, action: 'approve', user: admin2 }),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    await world.deps.outbox.drain();
    expect(port.sent).toEqual(['ana@example.org']);
    expect(port.updates.map((u) => u.message.outcome?.[0])).toEqual([
      expect.stringMatching(/Approved by/),
      expect.stringMatching(/Approved by/),
    ]);
    expect(port.postsIn('dm:u-member').map((m) => m.text)).toContainEqual(expect.stringMatching(/was approved by/));
  });

  it('asks for a reason in a form bound to the clicker, and tells the inviter', async () => {
    const inv = await pendingRequest();
    expect(await approvals().click({ invitationId: inv.id, action: 'deny', user: admin, trigger: 'trig' })).toEqual({
      ok: true,
    });
    const form = port.forms.at(-1)!;
    expect(form).toMatchObject({ trigger: 'trig', form: { kind: 'deny' } });
    const state = form.form.state;
    expect(await approvals().deny(state, admin2, 'mine now')).toMatchObject({
      ok: false,
      notice: expect.stringMatching(/expired/),
    });
    expect(await approvals().deny(state, admin, 'not this quarter')).toMatchObject({ ok: true });
    await world.deps.outbox.drain();
    expect((await world.deps.store.getInvitation(inv.id))!.state).toBe('denied');
    expect(port.postsIn('dm:u-member').map((m) => m.text)).toContainEqual(
      expect.stringMatching(/denied by @root: not this quarter/),
    );
  });
});
