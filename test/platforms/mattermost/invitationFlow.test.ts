/** The whole Mattermost flow through the bot's real endpoints: command, dialog, approval, delivery, arrival. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const lastDialog = () => h!.fake.dialogsOpened.at(-1)!;
const flowFor = (user: { id: string }) =>
  h!.fake.dialogFlow(lastDialog(), { userId: user.id, channelId: h!.general.id, teamId: h!.team.id });
const dmTo = (userId: string) => h!.fake.postsIn(h!.fake.directChannelId(h!.bot.id, userId));

/** A member asks to invite a collaborator to #general; returns the approval request posted for it. */
async function memberRequests(email: string) {
  await h!.command(h!.member);
  const flow = flowFor(h!.member);
  await flow.submit({ emails: email, role: 'collaborator' });
  await flow.submit({ channels: [h!.general.id], delivery: 'platform_email', expiry: '7' });
  await h!.app.outbox.drain();
  return h!.fake.postsIn(h!.approvals.id)[0]!;
}

describe('a member invites an external guest on Mattermost 11.1', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('goes from the command to the announcement of the arrival', async () => {
    const cmd = await h!.command(h!.member);
    expect(cmd).toEqual({ status: 200, body: {} });
    const dialog = lastDialog().dialog as { elements: { name: string; options?: { value: string }[] }[] };
    // Multi-step: the first step asks who and which role, offering only what a member may grant.
    expect(dialog.elements.map((e) => e.name)).toEqual(['emails', 'name', 'role']);
    expect(dialog.elements[2]!.options!.map((o) => o.value)).toEqual(['external', 'collaborator']);

    const flow = flowFor(h!.member);
    const step1 = await flow.submit({ emails: '  Ana@Example.ORG ', name: '@all [x](http://evil)', role: 'external' });
    expect(step1.body).toMatchObject({ type: 'form' });
    const step2 = flow.current.dialog as {
      elements: { name: string; default?: string; options?: { value: string }[] }[];
    };
    const channels = step2.elements.find((e) => e.name === 'channels')!;
    expect(channels.default).toBe(h!.general.id);
    expect(channels.options!.map((o) => o.value)).not.toContain(h!.secret.id);
    expect((await flow.submit({ channels: [h!.general.id], delivery: 'platform_email', expiry: '7' })).body).toEqual(
      {},
    );

    const [inv] = await h!.app.store.listInvitations({});
    expect(inv).toMatchObject({
      email: 'ana@example.org',
      state: 'pending_approval',
      role: 'external',
      channelIds: [h!.general.id],
    });
    await eventually(() => h!.responses.length);
    expect(JSON.stringify(h!.responses)).toMatch(/waiting for an administrator/);

    // The approval request goes to the approvals channel with authenticated buttons.
    await h!.app.outbox.drain();
    const [request] = h!.fake.postsIn(h!.approvals.id);
    expect(request!.message).toContain('ana@example.org');
    expect(request!.message).not.toMatch(/@all|\]\(http/);

    const click = await h!.fake.clickButton(request!.id, 'approve', h!.admin.id);
    expect(click.status).toBe(200);
    const updated = h!.fake.postsIn(h!.approvals.id)[0]!;
    expect(updated.message).toMatch(/Approved by @root/);
    expect(JSON.stringify(updated.props)).not.toContain('"actions"');

    await h!.app.outbox.drain();
    expect(h!.fake.invitesSent).toEqual([
      expect.objectContaining({ emails: ['ana@example.org'], guest: true, channels: [h!.general.id] }),
    ]);
    expect((await h!.app.store.getInvitation(inv!.id))!.state).toBe('sent');
    expect(
      dmTo(h!.member.id)
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/approved by @root/);

    // The invitee registers; the bot hears it on the WebSocket and announces it once.
    await eventually(() => h!.app.mattermost!.ready() && h!.fake.wsConnections > 0);
    const ana = h!.fake.registerUser({
      email: 'ana@example.org',
      username: 'ana',
      first_name: 'Ana',
      teamId: h!.team.id,
      channelIds: [h!.general.id],
      roles: 'system_guest',
    });
    await eventually(async () => (await h!.app.store.getInvitation(inv!.id))!.state === 'arrived');
    await h!.app.outbox.drain();
    const announcements = h!.fake.postsIn(h!.general.id).filter((p) => p.user_id === h!.bot.id);
    expect(announcements).toHaveLength(1);
    expect(announcements[0]!.message).toContain('@ana');
    expect(dmTo(h!.member.id).at(-1)!.message).toMatch(/accepted your invitation/);
    expect((await h!.app.store.getInvitation(inv!.id))!.arrivedUserId).toBe(ana.id);

    // A second signal of the same arrival (reconciliation) changes nothing.
    expect(await h!.app.mattermost!.arrivals.reconcile()).toBe(0);
    await h!.app.outbox.drain();
    expect(h!.fake.postsIn(h!.general.id).filter((p) => p.user_id === h!.bot.id)).toHaveLength(1);
    const trail = (await h!.app.store.auditTrail(inv!.id)).map((a) => a.action);
    expect(trail).toEqual(['created', 'approve', 'delivered', 'arrived']);
  });

  it('decides once when two admins click at once, and refuses a member, a forged and a replayed click', async () => {
    const post = await memberRequests('ben@example.org');

    const actions = (post.props.attachments as { actions: { id: string; integration: { context: unknown } }[] }[])[0]!
      .actions;
    const approveContext = actions.find((a) => a.id === 'approve')!.integration.context;

    h!.fake.addChannelMember(h!.approvals.id, h!.member.id);
    const byMember = await h!.fake.clickButton(post.id, 'approve', h!.member.id);
    expect(byMember.body).toMatchObject({ ephemeral_text: expect.stringMatching(/Only administrators/) });

    const forged = await fetch(`${h!.url}/mattermost/action`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        user_id: h!.admin.id,
        post_id: post.id,
        context: { token: 'eyJpIjoieCIsImEiOiJhcHByb3ZlIn0.forged' },
      }),
    });
    expect(await forged.json()).toMatchObject({ ephemeral_text: expect.stringMatching(/not valid/) });

    const [a, b] = await Promise.all([
      h!.fake.clickButton(post.id, 'approve', h!.admin.id),
      h!.fake.clickButton(post.id, 'approve', h!.admin2.id),
    ]);
    const texts = [a.body, b.body].map((x) => JSON.stringify(x));
    expect(texts.filter((t) => t.includes('already decided'))).toHaveLength(1);
    const [inv] = await h!.app.store.listInvitations({});
    expect(inv!.state).toBe('sending');
    expect((await h!.app.store.auditTrail(inv!.id)).filter((e) => e.action === 'approve')).toHaveLength(1);

    // The buttons are gone from the post; a captured request replayed straight at the bot changes nothing.
    const replay = await fetch(`${h!.url}/mattermost/action`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user_id: h!.admin.id, post_id: post.id, context: approveContext }),
    });
    expect(JSON.stringify(await replay.json())).toMatch(/already decided/);
    await h!.app.outbox.drain();
    expect(h!.fake.invitesSent).toHaveLength(1);
  });

  it('keeps four eyes: an inviter promoted to admin cannot approve their own request while others can', async () => {
    const post = await memberRequests('eve@example.org');
    h!.fake.teamMember(h!.team.id, h!.member.id)!.roles = 'team_user team_admin';
    h!.fake.addChannelMember(h!.approvals.id, h!.member.id);
    const own = await h!.fake.clickButton(post.id, 'approve', h!.member.id);
    expect(own.body).toMatchObject({ ephemeral_text: expect.stringMatching(/cannot approve your own invitation/) });
    expect((await h!.app.store.listInvitations({}))[0]!.state).toBe('pending_approval');
    await h!.fake.clickButton(post.id, 'approve', h!.admin.id);
    expect((await h!.app.store.listInvitations({}))[0]!.state).toBe('sending');
  });

  it('asks for a reason on Deny and tells the inviter', async () => {
    const post = await memberRequests('cleo@example.org');
    await h!.fake.clickButton(post.id, 'deny', h!.admin.id);
    const reasonDialog = lastDialog();
    expect(reasonDialog.dialog).toMatchObject({ callback_id: 'deny' });
    const denied = await h!.fake.submitDialog(reasonDialog, h!.admin.id, h!.approvals.id, h!.team.id, {
      reason: 'not @channel today',
    });
    expect(denied).toMatchObject({ status: 200, body: {} });
    await h!.app.outbox.drain();
    expect(h!.fake.postsIn(h!.approvals.id)[0]!.message).toMatch(/Denied by @root/);
    const notice = dmTo(h!.member.id).at(-1)!.message;
    expect(notice).toMatch(/was denied by @root/);
    expect(notice).not.toMatch(/@channel/);
    expect(h!.fake.invitesSent).toHaveLength(0);
  });

  it('sends an admin’s invitation at once and makes an arrived administrator a team admin', async () => {
    await h!.command(h!.admin);
    const flow = flowFor(h!.admin);
    await flow.submit({ emails: 'dora@example.org', role: 'admin' });
    await flow.submit({ channels: [h!.secret.id], delivery: 'platform_email', expiry: 'never' });
    await h!.app.outbox.drain();
    expect(h!.fake.postsIn(h!.approvals.id)).toHaveLength(0);
    expect(h!.fake.invitesSent).toEqual([expect.objectContaining({ emails: ['dora@example.org'], guest: false })]);
    const dora = h!.fake.registerUser({ email: 'dora@example.org', username: 'dora', teamId: h!.team.id });
    const [inv] = await h!.app.store.listInvitations({});
    await eventually(async () => (await h!.app.store.getInvitation(inv!.id))!.state === 'arrived');
    await h!.app.outbox.drain();
    expect(h!.fake.channelMember(h!.secret.id, dora.id)).toBeTruthy();
    expect(h!.fake.teamMember(h!.team.id, dora.id)!.roles).toContain('team_admin');
    expect(h!.fake.postsIn(h!.secret.id).filter((p) => p.user_id === h!.bot.id)).toHaveLength(1);
  });
});
