/** The negative and degraded paths of the Mattermost adapter. */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { COMMAND_TOKEN, type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const lastDialog = () => h!.fake.dialogsOpened.at(-1)!;
const post = (path: string, body: string, type = 'application/json') =>
  fetch(`${h!.url}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body });

/** An administrator's invitation of a collaborator to #general, by the chat's email (sent at once). */
async function inviteAsAdmin(emails: string) {
  await h!.command(h!.admin);
  const flow = h!.fake.dialogFlow(lastDialog(), { userId: h!.admin.id, channelId: h!.general.id, teamId: h!.team.id });
  await flow.submit({ emails, role: 'collaborator' });
  return flow.submit({ channels: [h!.general.id], delivery: 'platform_email', expiry: '7' });
}

async function inviteAsMember(emails: string, channels = [h!.general.id]) {
  await h!.command(h!.member);
  const flow = h!.fake.dialogFlow(lastDialog(), { userId: h!.member.id, channelId: h!.general.id, teamId: h!.team.id });
  const first = await flow.submit({ emails, role: 'collaborator' });
  if ((first.body as { type?: string }).type !== 'form') return first;
  return flow.submit({ channels, delivery: 'platform_email', expiry: '7' });
}

describe('the slash command', () => {
  it('refuses a wrong or missing token and accepts the Authorization header', async () => {
    h = await startHarness();
    expect((await h!.command(h!.member, '', { token: 'wrong' })).status).toBe(401);
    const form = new URLSearchParams({
      team_id: h!.team.id,
      channel_id: h!.general.id,
      user_id: h!.member.id,
      text: 'help',
      trigger_id: 't',
    });
    const viaHeader = await fetch(`${h!.url}/mattermost/command`, {
      method: 'POST',
      body: form,
      headers: { Authorization: `Token ${COMMAND_TOKEN}` },
    });
    expect(await viaHeader.json()).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('/invite-people list'),
    });
    expect(h!.fake.dialogsOpened).toHaveLength(0);
  });

  it('answers unknown words with help, and refuses guests', async () => {
    h = await startHarness();
    expect((await h!.command(h!.member, 'frobnicate')).body.text).toMatch(/did not understand `frobnicate`/);
    expect((await h!.command(h!.guest)).body.text).toMatch(/Guests \(external users\) cannot invite/);
    expect(h!.fake.dialogsOpened).toHaveLength(0);
  });

  it('pre-fills the address given after the command', async () => {
    h = await startHarness();
    await h!.command(h!.member, 'Ana@Example.org');
    const emails = (lastDialog().dialog.elements as { name: string; default?: string }[]).find(
      (e) => e.name === 'emails',
    );
    expect(emails!.default).toBe('ana@example.org');
  });

  it('registers its command on the team at start-up, and accepts that command’s token', async () => {
    h = await startHarness({ env: { MATTERMOST_COMMAND_TOKEN: '' } });
    const [command] = h!.fake.registeredCommands;
    expect(command).toMatchObject({ trigger: 'invite-people', url: `${h!.url}/mattermost/command`, method: 'P' });
    expect((await h!.command(h!.member, 'help', { token: command!.token })).body.text).toMatch(/Invite people/);
  });
});

describe('bad input never crashes the bot', () => {
  it('answers malformed and oversized bodies with 4xx and stays healthy', async () => {
    h = await startHarness();
    expect((await post('/mattermost/dialog', '{not json')).status).toBe(400);
    expect((await post('/mattermost/action', JSON.stringify({ user_id: 42 }))).status).toBe(400);
    expect((await post('/mattermost/dialog', JSON.stringify({ state: 'x'.repeat(70_000), user_id: 'a' }))).status).toBe(
      413,
    );
    expect(
      (
        await post(
          '/mattermost/command',
          `token=${COMMAND_TOKEN}&text=${'a'.repeat(20_000)}`,
          'application/x-www-form-urlencoded',
        )
      ).status,
    ).toBe(413);
    expect((await fetch(`${h!.url}/healthz`)).status).toBe(200);
  });

  it('refuses a dialog state that is forged or belongs to someone else', async () => {
    h = await startHarness();
    await h!.command(h!.member);
    const opened = lastDialog();
    const stolen = await h!.fake.submitDialog(opened, h!.admin.id, h!.general.id, h!.team.id, {
      emails: 'x@example.org',
      role: 'admin',
    });
    expect(stolen.status).toBe(403);
    const forged = await h!.fake.submitDialog(
      opened,
      h!.member.id,
      h!.general.id,
      h!.team.id,
      { emails: 'x@example.org', role: 'collaborator' },
      { state: 'abc.def' },
    );
    expect(forged.status).toBe(403);
    expect(await h!.app.store.listInvitations({})).toHaveLength(0);
  });
});

describe('rules checked on submit', () => {
  it('refuses a channel the inviter is not in, on the field', async () => {
    h = await startHarness();
    const res = await inviteAsMember('ana@example.org', [h!.secret.id]);
    expect(res.body).toEqual({ errors: { channels: expect.stringMatching(/channels you are a member of/) } });
    expect(await h!.app.store.listInvitations({})).toHaveLength(0);
  });

  it('rejects a role above the inviter’s own even when the form is edited', async () => {
    h = await startHarness();
    await h!.command(h!.member);
    const res = await h!.fake.submitDialog(lastDialog(), h!.member.id, h!.general.id, h!.team.id, {
      emails: 'ana@example.org',
      role: 'admin',
    });
    expect(res.body).toEqual({ errors: { role: expect.any(String) } });
  });

  it('stops an inviter at the hourly limit with a clear message', async () => {
    h = await startHarness({ env: { INVITES_PER_HOUR: '2' } });
    const res = await inviteAsMember('a@example.org, b@example.org, c@example.org');
    expect(res.body).toEqual({ error: expect.stringMatching(/2 invitations an hour and have 2 left/) });
  });

  it('gives administrators their own, higher limit: a bulk request of 30 goes through with the defaults', async () => {
    h = await startHarness();
    const emails = Array.from({ length: 30 }, (_, n) => `guest${n}@example.org`).join(', ');
    expect((await inviteAsMember(emails)).body).toEqual({
      error: expect.stringMatching(/20 invitations an hour and have 20 left/),
    });
    expect((await inviteAsAdmin(emails)).body).toEqual({});
    expect(await h.app.store.listInvitations({ inviterId: h.admin.id })).toHaveLength(30);
  });

  it('reports an address that has an account or a pending invitation instead of inviting it twice', async () => {
    h = await startHarness();
    await inviteAsMember('ana@example.org');
    await inviteAsMember('ANA@example.org, alice@acme.test, zoe@example.org');
    const emails = (await h!.app.store.listInvitations({})).map((i) => i.email).sort();
    expect(emails).toEqual(['ana@example.org', 'zoe@example.org']);
    await eventually(() => h!.responses.length >= 2);
    const told = JSON.stringify(h!.responses.at(-1));
    expect(told).toMatch(/ana@example.org already has a pending invitation/);
    expect(told).toMatch(/alice@acme.test already has an account/);
  });
});

describe('older servers', () => {
  it('fit the wizard in one dialog with channel slots on Mattermost 10.6', async () => {
    h = await startHarness({ fake: { version: '10.6.0.1.abc.true' } });
    await h!.command(h!.admin);
    const names = (lastDialog().dialog.elements as { name: string; multiselect?: boolean }[]).map((e) => e.name);
    expect(names).toEqual([
      'emails',
      'name',
      'role',
      'channels',
      'channels_2',
      'channels_3',
      'access_days',
      'delivery',
      'expiry',
      'language',
      'message',
    ]);
    const res = await h!.fake.submitDialog(lastDialog(), h!.admin.id, h!.general.id, h!.team.id, {
      emails: 'ana@example.org',
      role: 'external',
      channels: h!.general.id,
      channels_2: h!.secret.id,
      channels_3: null,
      delivery: 'platform_email',
      expiry: '3',
    });
    expect(res.body).toEqual({});
    const [inv] = await h!.app.store.listInvitations({});
    expect(inv).toMatchObject({ state: 'sending', channelIds: [h!.general.id, h!.secret.id], accessDays: 90 });
  });

  it('say so when the dialog cannot be opened in time', async () => {
    h = await startHarness();
    h!.fake.failNext('POST', /actions\/dialogs\/open/, [
      { status: 400, body: { id: 'api.interactive_dialog.trigger_expired', message: 'expired' } },
    ]);
    expect((await h!.command(h!.member)).body.text).toMatch(/could not open the invitation form/);
  });
});

describe('delivery through the outbox', () => {
  it('retries a 500 and a 429 with Retry-After, survives a restart, and invites once', async () => {
    h = await startHarness();
    await inviteAsAdmin('ana@example.org');
    h!.fake.failNext('POST', /invite\/email/, [
      { status: 500, body: { id: 'x', message: 'boom' } },
      { status: 429, body: 'limit exceeded', headers: { 'Retry-After': '1' } },
    ]);
    // 500: retried after a 1 ms backoff here, then 429: not before a second.
    const job = await eventually(async () => {
      await h!.app.outbox.drain();
      const [pending] = await h!.app.store.jobs({ state: 'pending' });
      return pending && pending.attempts === 2 ? pending : undefined;
    });
    expect(job).toMatchObject({ kind: 'mattermost.deliver', attempts: 2, lastError: expect.stringMatching(/429/) });
    expect(Date.parse(job!.runAt)).toBeGreaterThan(Date.now() + 500);
    expect(h!.fake.invitesSent).toHaveLength(0);

    await h!.restart();
    await eventually(async () => (await h!.app.outbox.drain()) >= 0 && h!.fake.invitesSent.length === 1, 4000);
    await h!.app.outbox.drain();
    expect(h!.fake.invitesSent).toHaveLength(1);
    const [inv] = await h!.app.store.listInvitations({});
    expect(inv!.state).toBe('sent');
  });

  it('paces a bulk request to the server’s email limit and reports progress', async () => {
    h = await startHarness({ env: { MATTERMOST_INVITE_EMAILS_PER_HOUR: '20', INVITES_PER_HOUR: '100' } });
    const emails = Array.from({ length: 25 }, (_, i) => `guest${i}@example.org`).join('\n');
    await h!.command(h!.admin);
    const flow = h!.fake.dialogFlow(lastDialog(), {
      userId: h!.admin.id,
      channelId: h!.general.id,
      teamId: h!.team.id,
    });
    await flow.submit({ emails, role: 'collaborator' });
    expect((await flow.submit({ channels: [h!.general.id], delivery: 'platform_email', expiry: '7' })).body).toEqual(
      {},
    );
    await eventually(() => h!.responses.length);
    expect(JSON.stringify(h!.responses[0])).toMatch(/at most 20 invitation emails an hour/);

    await h!.app.outbox.drain();
    expect(h!.fake.invitesSent).toHaveLength(20);
    const waiting = await h!.app.store.jobs({ state: 'pending' });
    expect(waiting).toHaveLength(5);
    expect(waiting.every((j) => j.attempts === 0 && Date.parse(j.runAt) > Date.now() + 30 * 60_000)).toBe(true);
    const progress = h!.fake.postsIn(h!.fake.directChannelId(h!.bot.id, h!.admin.id)).map((p) => p.message);
    expect(progress).toEqual([expect.stringMatching(/^Bulk invitation: 20 of 25 sent\. .*expected done by about/)]);
  });
});

describe('the WebSocket', () => {
  it('reconnects after a drop and gets the events it missed replayed', async () => {
    h = await startHarness();
    await inviteAsAdmin('ana@example.org');
    await h!.app.outbox.drain();
    await eventually(() => h!.fake.wsConnections === 1);
    h!.fake.dropWebSockets();
    h!.fake.registerUser({ email: 'ana@example.org', username: 'ana', teamId: h!.team.id }); // while the bot is away
    await eventually(async () => (await h!.app.store.listInvitations({}))[0]!.state === 'arrived', 8000);
    expect(h!.fake.wsConnections).toBe(1);
    const [inv] = await h!.app.store.listInvitations({});
    expect((await h!.app.store.auditTrail(inv!.id)).find((a) => a.action === 'arrived')!.detail).toEqual({
      via: 'websocket:new_user',
    });
  });
});

describe('arrival without the WebSocket event', () => {
  it('is found by reconciliation after the socket was down', async () => {
    h = await startHarness();
    await inviteAsAdmin('ana@example.org');
    await h!.app.outbox.drain();
    h!.app.mattermost!.stop(); // the bot misses every event from here
    h!.fake.registerUser({ email: 'ana@example.org', username: 'ana', teamId: h!.team.id });
    expect(await h!.app.mattermost!.arrivals.reconcile()).toBe(1);
    await h!.app.outbox.drain();
    expect(
      h!.fake.postsIn(h!.general.id).filter((p) => p.user_id === h!.bot.id && /Please welcome/.test(p.message)),
    ).toHaveLength(1);
  });
});
