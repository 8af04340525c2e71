import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mm from '@mattermost/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { type FakeChannel, type FakeTeam, type FakeUser, MattermostFake } from './mattermostFake.js';

// Named ESM imports of @mattermost/client fail at run time (shared/docs/stack.md).
const { Client4, WebSocketClient } = mm;
type Client = InstanceType<typeof Client4>;
type PostInput = Parameters<Client['createPost']>[0];
type CommandInput = Parameters<Client['addCommand']>[0];
type WsClientConfig = NonNullable<ConstructorParameters<typeof WebSocketClient>[0]>;

const VERSION = '11.1.0.12345.abc.true';

let clock: number;
let fake: MattermostFake;
let team: FakeTeam;
let bot: FakeUser;
let admin: FakeUser;
let alice: FakeUser;
let townSquare: FakeChannel;
let lobby: FakeChannel;

beforeEach(async () => {
  clock = 1_700_000_000_000;
  fake = await MattermostFake.start({ version: VERSION, now: () => clock });
  team = fake.addTeam({ name: 'acme', display_name: 'Acme' });
  bot = fake.addUser({ username: 'guestlist', email: 'guestlist@acme.test', is_bot: true });
  admin = fake.addUser({ username: 'root', email: 'root@acme.test', roles: 'system_user system_admin' });
  alice = fake.addUser({ username: 'alice', email: 'alice@acme.test', first_name: 'Alice' });
  fake.addToken('bot-token', bot.id);
  fake.addToken('admin-token', admin.id);
  fake.addToken('alice-token', alice.id);
  fake.addTeamMember(team.id, bot.id);
  fake.addTeamMember(team.id, alice.id);
  fake.addTeamMember(team.id, admin.id, 'team_user team_admin');
  townSquare = fake.addChannel({ team_id: team.id, name: 'town-square', display_name: 'Town Square', type: 'O' });
  lobby = fake.addChannel({ team_id: team.id, name: 'lobby', display_name: 'Lobby', type: 'P' });
  fake.addChannelMember(townSquare.id, bot.id);
  fake.addChannelMember(lobby.id, bot.id);
  fake.addChannelMember(townSquare.id, alice.id);
});

afterEach(async () => {
  await fake.stop();
});

function clientFor(token: string): Client {
  const client = new Client4();
  client.setUrl(fake.url);
  client.setToken(token);
  return client;
}

async function api(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${fake.url}/api/v4${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text
  }
  return { status: res.status, headers: res.headers, body: parsed as Record<string, any> };
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

/** A stand-in for the bot's HTTP endpoint. */
async function startBot(answer: (path: string, body: any) => { status?: number; body?: unknown }) {
  const received: { path: string; body: any }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw);
      received.push({ path: req.url ?? '', body });
      const reply = answer(req.url ?? '', body);
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

type WsMessage = {
  event?: string;
  data?: Record<string, any>;
  seq?: number;
  status?: string;
  seq_reply?: number;
  broadcast?: Record<string, any>;
};

class WsProbe {
  readonly messages: WsMessage[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => this.messages.push(JSON.parse(String(raw)) as WsMessage));
    this.closed = new Promise((resolve) => ws.on('close', () => resolve()));
  }

  static async open(query = '', token?: string): Promise<WsProbe> {
    const url = `${fake.url.replace('http', 'ws')}/api/v4/websocket${query}`;
    const ws = new WebSocket(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
    const probe = new WsProbe(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return probe;
  }

  async waitFor(predicate: (m: WsMessage) => boolean, timeoutMs = 2000): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  events(name: string): WsMessage[] {
    return this.messages.filter((m) => m.event === name);
  }

  close(): void {
    this.ws.close();
  }
}

describe('REST through Client4', () => {
  it('reads users and the server version from X-Version-Id', async () => {
    const client = clientFor('bot-token');
    const me = await client.getMe();
    expect(me.id).toBe(bot.id);
    expect(me.is_bot).toBe(true);
    expect(client.getServerVersion()).toBe(VERSION);

    const byEmail = await client.getUserByEmail('Alice@ACME.test');
    expect(byEmail).toMatchObject({ id: alice.id, username: 'alice', email: 'alice@acme.test', first_name: 'Alice' });
    expect((await client.getProfilesByIds([alice.id, admin.id])).map((u) => u.id)).toEqual([alice.id, admin.id]);

    const err = await rejection(client.getUserByEmail('nobody@acme.test'));
    expect(err).toMatchObject({ status_code: 404, server_error_id: 'app.user.missing_account.const' });
  });

  it('answers JSON with the exact content type, X-Version-Id and AppError bodies', async () => {
    const ping = await api('GET', '/system/ping');
    expect(ping.status).toBe(200);
    expect(ping.headers.get('content-type')).toBe('application/json');
    expect(ping.headers.get('x-version-id')).toBe(VERSION);

    const missing = await api('GET', '/nothing/here', 'bot-token');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-version-id')).toBe(VERSION);
    expect(missing.body).toMatchObject({ id: 'api.context.404.app_error', status_code: 404, detailed_error: '' });
    expect(typeof missing.body.request_id).toBe('string');

    const err = await rejection(clientFor('wrong-token').getMe());
    expect(err).toMatchObject({ status_code: 401, server_error_id: 'api.context.session_expired.app_error' });
  });

  it('strips actions[].integration from every post it returns but keeps it stored', async () => {
    const client = clientFor('bot-token');
    const integration = { url: 'http://bot.invalid/actions', context: { invitation: 'inv1', sig: 'secret' } };
    const post = await client.createPost({
      channel_id: townSquare.id,
      message: 'Invite bob?',
      props: {
        attachments: [
          { text: 'Pending', actions: [{ id: 'approve', name: 'Approve', integration }, { name: 'No id' }] },
        ],
      },
    } as unknown as PostInput);

    const returnedActions = (post.props as any).attachments[0].actions;
    expect(returnedActions[0]).toEqual({ id: 'approve', name: 'Approve' });
    expect(returnedActions[1].id).toMatch(/^[a-z0-9]{26}$/); // the server fills missing ids
    expect(post.props.from_bot).toBe('true');
    expect((fake.postsIn(townSquare.id)[0]?.props as any).attachments[0].actions[0].integration).toEqual(integration);

    const patched = await client.patchPost({ id: post.id, message: 'Invite bob? (2 votes)' } as Parameters<
      Client['patchPost']
    >[0]);
    expect(patched.message).toBe('Invite bob? (2 votes)');
    expect(patched.edit_at).toBeGreaterThan(0);

    const fetched = await client.getPost(post.id);
    expect((fetched.props as any).attachments[0].actions[0].integration).toBeUndefined();
    expect(fake.posts.find((p) => p.id === post.id)?.message).toBe('Invite bob? (2 votes)');
    expect(fake.requests.some((r) => r.method === 'PUT' && r.path === `/api/v4/posts/${post.id}/patch`)).toBe(true);
  });

  it('checks channel and user permissions like the server', async () => {
    const asAlice = clientFor('alice-token');
    const denied = await rejection(asAlice.getChannelMember(lobby.id, bot.id));
    expect(denied).toMatchObject({ status_code: 403, server_error_id: 'api.context.permissions.app_error' });

    const notMember = await rejection(clientFor('bot-token').getChannelMember(townSquare.id, admin.id));
    expect(notMember).toMatchObject({ status_code: 404, server_error_id: 'app.channel.get_member.missing.app_error' });

    expect((await api('GET', `/users/${bot.id}/teams/${team.id}/channels`, 'alice-token')).status).toBe(403);
    const own = await api('GET', `/users/${bot.id}/teams/${team.id}/channels`, 'bot-token');
    expect(own.body.map((c: FakeChannel) => c.name).sort()).toEqual(['lobby', 'town-square']);
    expect((await api('GET', `/users/${bot.id}/teams/${team.id}/channels`, 'admin-token')).status).toBe(200);
  });

  it('returns the same direct channel for the same pair', async () => {
    const client = clientFor('bot-token');
    const first = await client.createDirectChannel([bot.id, alice.id]);
    const second = await client.createDirectChannel([alice.id, bot.id]);
    expect(second.id).toBe(first.id);
    expect(first.type).toBe('D');
    expect(fake.directChannelId(alice.id, bot.id)).toBe(first.id);
  });

  it('injects failures: a 429 from the rate limiter is a Client4 error without status', async () => {
    const limited = {
      status: 429,
      body: 'limit exceeded',
      headers: { 'Retry-After': '1', 'X-RateLimit-Remaining': '0' },
    };
    fake.failNext('GET', /\/users\/me$/, [limited, limited]);
    const client = clientFor('bot-token');

    const err = await rejection(client.getMe());
    expect(err.status_code).toBeUndefined(); // Client4 only reads the status from a JSON body
    const raw = await api('GET', '/users/me', 'bot-token');
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(raw.body).toBe('limit exceeded');

    expect((await client.getMe()).id).toBe(bot.id);

    fake.failNext('POST', /\/posts$/, [{ status: 500, body: { id: 'boom', message: 'db down', status_code: 500 } }]);
    expect(await rejection(client.createPost({ channel_id: townSquare.id, message: 'x' } as PostInput))).toMatchObject({
      status_code: 500,
      server_error_id: 'boom',
    });
  });
});

describe('invitations', () => {
  it('rate limits invite emails per sender like throttled GCRA (burst 20 means 21 at once), with 413', async () => {
    const emails = Array.from({ length: 21 }, (_, i) => `guest${i}@example.com`);
    const first = await api('POST', `/teams/${team.id}/invite/email?graceful=true`, 'alice-token', emails);
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(21);
    expect(first.body.every((r: { error: unknown }) => r.error === null)).toBe(true);

    const limited = await api('POST', `/teams/${team.id}/invite/email?graceful=true`, 'alice-token', [
      'late@example.com',
    ]);
    expect(limited.status).toBe(413);
    expect(limited.body).toMatchObject({ id: 'app.email.rate_limit_exceeded.app_error', status_code: 413 });

    // Another sender has its own budget.
    expect((await api('POST', `/teams/${team.id}/invite/email`, 'bot-token', ['other@example.com'])).body).toEqual({
      status: 'OK',
    });

    clock += 3 * 60_000; // one emission interval
    const again = await api('POST', `/teams/${team.id}/invite/email`, 'alice-token', {
      emails: ['late@example.com'],
      channelIds: [townSquare.id, lobby.id],
      message: 'welcome',
    });
    expect(again.body).toEqual({ status: 'OK' });
    expect(fake.invitesSent.at(-1)).toEqual({
      teamId: team.id,
      senderId: alice.id,
      emails: ['late@example.com'],
      channels: [townSquare.id], // alice cannot access lobby: dropped silently
      message: 'welcome',
      guest: false,
    });
    expect(fake.invitesSent).toHaveLength(3);
  });

  it('reports bad emails per address in graceful mode', async () => {
    const client = clientFor('alice-token');
    const result = await client.sendEmailInvitesToTeamGracefully(team.id, ['ok@example.com', 'not-an-email']);
    expect(result[0]).toEqual({ email: 'ok@example.com', error: null });
    expect(result[1]?.error).toMatchObject({ id: 'api.team.invite_members.invalid_email.app_error' });
  });

  it('lets only system admins invite guests, and requires channels', async () => {
    const body = { emails: ['ext@partner.test'], channels: [lobby.id], message: 'hi' };
    expect((await api('POST', `/teams/${team.id}/invite-guests/email`, 'alice-token', body)).status).toBe(403);
    const noChannels = await api('POST', `/teams/${team.id}/invite-guests/email`, 'admin-token', {
      emails: ['ext@partner.test'],
    });
    expect(noChannels.status).toBe(400);
    expect((await api('POST', `/teams/${team.id}/invite-guests/email`, 'admin-token', body)).body).toEqual({
      status: 'OK',
    });
    expect(fake.invitesSent).toEqual([
      {
        teamId: team.id,
        senderId: admin.id,
        emails: ['ext@partner.test'],
        channels: [lobby.id],
        message: 'hi',
        guest: true,
      },
    ]);
  });

  it('answers the license and client config the bot checks', async () => {
    expect((await api('GET', '/license/client?format=old', 'bot-token')).body).toMatchObject({
      IsLicensed: 'true',
      GuestAccounts: 'true',
    });
    expect((await api('GET', '/config/client?format=old', 'bot-token')).body).toMatchObject({
      Version: '11.1.0',
      EnableGuestAccounts: 'true',
    });
  });
});

describe('slash commands', () => {
  it('refuses built-in and duplicate triggers', async () => {
    const client = clientFor('admin-token');
    const command = {
      team_id: team.id,
      trigger: 'invite',
      method: 'P',
      url: 'https://bot.example/cmd',
      auto_complete: true,
    };
    const builtIn = await rejection(client.addCommand(command as unknown as CommandInput));
    expect(builtIn).toMatchObject({ status_code: 400, server_error_id: 'api.command.duplicate_trigger.app_error' });

    const created = await client.addCommand({ ...command, trigger: 'Guest' } as unknown as CommandInput);
    expect(created).toMatchObject({ trigger: 'guest', team_id: team.id, creator_id: admin.id });
    expect(created.token).toMatch(/^[a-z0-9]{26}$/);
    const dup = await rejection(client.addCommand({ ...command, trigger: 'guest' } as unknown as CommandInput));
    expect(dup).toMatchObject({ status_code: 400, server_error_id: 'api.command.duplicate_trigger.app_error' });

    const edited = await client.editCommand({ ...created, url: 'https://bot.example/v2' });
    expect(edited).toMatchObject({ id: created.id, token: created.token, url: 'https://bot.example/v2' });
    expect((await client.getCustomTeamCommands(team.id)).map((c) => c.trigger)).toEqual(['guest']);

    const asUser = await rejection(clientFor('alice-token').getCustomTeamCommands(team.id));
    expect(asUser).toMatchObject({ status_code: 403 });
  });
});

describe('interactive dialogs and buttons', () => {
  const dialog = {
    callback_id: 'invite',
    title: 'Invite someone',
    state: 'wizard-1',
    elements: [{ display_name: 'Email', name: 'email', type: 'text', subtype: 'email' }],
  };

  it('opens dialogs only with a fresh trigger id and a valid dialog', async () => {
    const triggerId = fake.issueTriggerId(alice.id);
    const opened = await api('POST', '/actions/dialogs/open', undefined, {
      trigger_id: triggerId,
      url: 'http://bot/dialog',
      dialog,
    });
    expect(opened.body).toEqual({ status: 'OK' });
    expect(fake.dialogsOpened).toEqual([{ trigger_id: triggerId, url: 'http://bot/dialog', dialog }]);

    const tooLong = { ...dialog, title: 'Invite someone to the team now' };
    const invalid = await api('POST', '/actions/dialogs/open', 'bot-token', {
      trigger_id: triggerId,
      url: 'http://bot/dialog',
      dialog: tooLong,
    });
    expect(invalid.status).toBe(400);

    const unknown = await api('POST', '/actions/dialogs/open', 'bot-token', {
      trigger_id: 'forged',
      url: 'http://bot/dialog',
      dialog,
    });
    expect(unknown.status).toBe(400);

    clock += 3001;
    const expired = await api('POST', '/actions/dialogs/open', 'bot-token', {
      trigger_id: triggerId,
      url: 'http://bot/dialog',
      dialog,
    });
    expect(expired.body).toMatchObject({ id: 'interactive_message.decode_trigger_id.expired', status_code: 400 });
  });

  it('clicks a button: sends the PostActionIntegrationRequest and applies the update', async () => {
    const botServer = await startBot((path) =>
      path === '/keep'
        ? { body: { update: { message: 'Still pending' } } }
        : { body: { update: { message: 'Approved', props: { attachments: [] } }, ephemeral_text: 'Done' } },
    );
    try {
      const client = clientFor('bot-token');
      const attachments = [
        {
          actions: [
            {
              id: 'approve',
              name: 'Approve',
              type: 'button',
              integration: { url: `${botServer.url}/approve`, context: { invitation: 'inv1' } },
            },
            { id: 'keep', name: 'Keep', integration: { url: `${botServer.url}/keep` } },
            { id: 'bad_id', name: 'Broken', integration: { url: `${botServer.url}/approve` } },
          ],
        },
      ];
      const post = await client.createPost({
        channel_id: townSquare.id,
        message: 'Invite?',
        props: { attachments },
      } as unknown as PostInput);

      const broken = await fake.clickButton(post.id, 'bad_id', alice.id);
      expect(broken.status).toBe(404);
      expect(botServer.received).toHaveLength(0);

      const kept = await fake.clickButton(post.id, 'keep', alice.id);
      expect(kept.status).toBe(200);
      // props omitted: kept
      expect(fake.postsIn(townSquare.id)[0]).toMatchObject({ message: 'Still pending', props: { attachments } });

      const click = await fake.clickButton(post.id, 'approve', alice.id);
      expect(click.status).toBe(200);
      expect(botServer.received.at(-1)?.body).toEqual({
        user_id: alice.id,
        user_name: 'alice',
        channel_id: townSquare.id,
        channel_name: 'town-square',
        team_id: team.id,
        team_domain: 'acme',
        post_id: post.id,
        trigger_id: click.triggerId,
        type: 'button',
        data_source: '',
        context: { invitation: 'inv1' },
      });
      expect(fake.postsIn(townSquare.id)[0]).toMatchObject({ message: 'Approved', props: { attachments: [] } });
      expect(fake.ephemeralPosts).toEqual([
        { user_id: alice.id, channel_id: townSquare.id, root_id: post.id, message: 'Done' },
      ]);

      // The click's trigger id opens a dialog.
      const opened = await api('POST', '/actions/dialogs/open', 'bot-token', {
        trigger_id: click.triggerId,
        url: `${botServer.url}/d`,
        dialog,
      });
      expect(opened.status).toBe(200);
    } finally {
      await botServer.close();
    }
  });

  it('submits multi-step dialogs, accumulating earlier steps like the 11.1 web client', async () => {
    const step2 = {
      callback_id: 'invite-2',
      title: 'Role',
      state: 'wizard-1:2',
      elements: [{ display_name: 'Role', name: 'role', type: 'radio', options: [{ text: 'Guest', value: 'guest' }] }],
    };
    const botServer = await startBot((_path, body) =>
      body.callback_id === 'invite' ? { body: { type: 'form', form: step2 } } : { body: {} },
    );
    try {
      const flow = fake.dialogFlow(
        { url: `${botServer.url}/dialog`, dialog },
        { userId: alice.id, channelId: townSquare.id, teamId: team.id },
      );
      const first = await flow.submit({ email: 'bob@example.com' });
      expect(first.body).toEqual({ type: 'form', form: step2 });
      expect(flow.current.dialog).toEqual(step2);

      await flow.submit({ role: 'guest' });
      expect(botServer.received.map((r) => r.body)).toEqual([
        {
          type: 'dialog_submission',
          callback_id: 'invite',
          state: 'wizard-1',
          user_id: alice.id,
          channel_id: townSquare.id,
          team_id: team.id,
          submission: { email: 'bob@example.com' },
          cancelled: false,
        },
        {
          type: 'dialog_submission',
          callback_id: 'invite-2',
          state: 'wizard-1:2',
          user_id: alice.id,
          channel_id: townSquare.id,
          team_id: team.id,
          submission: { email: 'bob@example.com', role: 'guest' },
          cancelled: false,
        },
      ]);

      await flow.cancel();
      expect(botServer.received.at(-1)?.body).toMatchObject({ cancelled: true, submission: {} });
    } finally {
      await botServer.close();
    }
  });
});

describe('WebSocket', () => {
  it('authenticates by header or challenge, then says hello', async () => {
    const byHeader = await WsProbe.open('', 'bot-token');
    const hello = await byHeader.waitFor((m) => m.event === 'hello');
    expect(hello).toMatchObject({
      seq: 0,
      data: { server_version: VERSION },
      broadcast: { user_id: bot.id, channel_id: '', team_id: '', omit_users: null },
    });
    expect(hello.data?.connection_id).toMatch(/^[a-z0-9]{26}$/);

    const byChallenge = await WsProbe.open();
    byChallenge.ws.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: 'alice-token' } }));
    await byChallenge.waitFor((m) => m.event === 'hello');
    expect(byChallenge.messages[0]).toEqual({ status: 'OK', seq_reply: 1 });
    expect(fake.wsConnections).toBe(2);
    byHeader.close();
    byChallenge.close();
  });

  it('publishes new_user and user_added after registerUser, but added_to_team only to the new user', async () => {
    const botWs = await WsProbe.open('', 'bot-token');
    const aliceWs = await WsProbe.open('', 'alice-token');
    await botWs.waitFor((m) => m.event === 'hello');

    const bob = fake.registerUser({
      email: 'bob@example.com',
      username: 'bob',
      teamId: team.id,
      channelIds: [lobby.id],
    });

    await botWs.waitFor((m) => m.event === 'user_added' && m.broadcast?.channel_id === lobby.id);
    expect(botWs.events('new_user')).toEqual([
      {
        event: 'new_user',
        data: { user_id: bob.id },
        broadcast: { omit_users: null, user_id: '', channel_id: '', team_id: '' },
        seq: 1,
      },
    ]);
    // town-square is a default channel: joining the team joins it too.
    expect(botWs.events('user_added').map((m) => [m.broadcast?.channel_id, m.data])).toEqual([
      [townSquare.id, { user_id: bob.id, team_id: team.id }],
      [lobby.id, { user_id: bob.id, team_id: team.id }],
    ]);
    expect(botWs.messages.map((m) => m.seq)).toEqual([0, 1, 2, 3]);
    await aliceWs.waitFor((m) => m.event === 'user_added');
    expect(aliceWs.events('user_added')).toHaveLength(1); // alice is not in lobby
    expect(botWs.events('added_to_team')).toEqual([]);
    expect(fake.teamMember(team.id, bob.id)?.roles).toBe('team_user');
    botWs.close();
    aliceWs.close();
  });

  it('resumes with connection_id and sequence_number, replaying missed events', async () => {
    const first = await WsProbe.open('', 'bot-token');
    const hello = await first.waitFor((m) => m.event === 'hello');
    const connectionId = String(hello.data?.connection_id);
    fake.emit('custom', { n: 1 });
    fake.emit('custom', { n: 2 });
    await first.waitFor((m) => m.seq === 2);

    fake.dropWebSockets();
    await first.closed;
    expect(fake.wsConnections).toBe(0);
    fake.emit('custom', { n: 3 }); // queued while disconnected

    // Lossless resume: no hello, the queued event continues the sequence.
    const second = await WsProbe.open(`?connection_id=${connectionId}&sequence_number=3`, 'bot-token');
    await second.waitFor((m) => m.seq === 3);
    expect(second.messages).toEqual([
      {
        event: 'custom',
        data: { n: 3 },
        broadcast: { omit_users: null, user_id: '', channel_id: '', team_id: '' },
        seq: 3,
      },
    ]);

    // The client lost seq 1-3: they are replayed from the dead queue.
    fake.dropWebSockets();
    await second.closed;
    const third = await WsProbe.open(`?connection_id=${connectionId}&sequence_number=1`, 'bot-token');
    await third.waitFor((m) => m.seq === 3);
    expect(third.messages.map((m) => [m.seq, m.data?.n])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    fake.emit('custom', { n: 4 });
    await third.waitFor((m) => m.seq === 4);

    // Unknown connection: a new connection id and hello, so the client must resync.
    const fourth = await WsProbe.open(`?connection_id=${'x'.repeat(26)}&sequence_number=5`, 'bot-token');
    const newHello = await fourth.waitFor((m) => m.event === 'hello');
    expect(newHello.data?.connection_id).not.toBe(connectionId);
    expect(newHello.seq).toBe(0);
    third.close();
    fourth.close();
  });

  it('works with the official WebSocketClient, which resumes only with the token on the upgrade', async () => {
    // WebSocketClient reads the WebSocket and CloseEvent globals, which Node 20 lacks.
    vi.stubGlobal('WebSocket', WebSocket);
    vi.stubGlobal('CloseEvent', class extends Event {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const received: WsMessage[] = [];
    const withHeader = (url: string) => new WebSocket(url, { headers: { Authorization: 'Bearer bot-token' } });
    const client = new WebSocketClient({
      minWebSocketRetryTime: 10,
      reconnectJitterRange: 0,
      newWebSocketFn: withHeader as unknown as WsClientConfig['newWebSocketFn'],
    });
    client.addMessageListener((m) => received.push(m as WsMessage));
    client.addMissedMessageListener(() => {}); // without one, the client never records connection_id
    try {
      client.initialize(`${fake.url.replace('http', 'ws')}/api/v4/websocket`, 'bot-token');
      await vi.waitFor(() => expect(received.some((m) => m.event === 'hello')).toBe(true));
      fake.emit('custom', { n: 1 });
      await vi.waitFor(() => expect(received).toHaveLength(2));

      fake.dropWebSockets();
      fake.emit('custom', { n: 2 });
      await vi.waitFor(() => expect(received).toHaveLength(3));
      expect(received.map((m) => [m.event, m.seq])).toEqual([
        ['hello', 0],
        ['custom', 1],
        ['custom', 2],
      ]);
      expect(fake.wsConnections).toBe(1);
    } finally {
      client.close();
      vi.restoreAllMocks();
      vi.unstubAllGlobals();
    }
  });

  it('gives a challenge-authenticated reconnect a new connection id, as the server does', async () => {
    const first = await WsProbe.open('', 'bot-token');
    const hello = await first.waitFor((m) => m.event === 'hello');
    fake.dropWebSockets();
    await first.closed;
    const second = await WsProbe.open(`?connection_id=${String(hello.data?.connection_id)}&sequence_number=1`);
    second.ws.send(JSON.stringify({ seq: 1, action: 'authentication_challenge', data: { token: 'bot-token' } }));
    const newHello = await second.waitFor((m) => m.event === 'hello');
    expect(newHello.data?.connection_id).not.toBe(hello.data?.connection_id);
    second.close();
  });

  it('can be switched off to emulate kChat', async () => {
    const kchat = await MattermostFake.start({ websocket: false });
    try {
      const ws = new WebSocket(`${kchat.url.replace('http', 'ws')}/api/v4/websocket`);
      const status = await new Promise<number | undefined>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
        ws.on('error', () => resolve(undefined));
      });
      expect(status).toBe(404);
    } finally {
      await kchat.stop();
    }
  });
});

describe('team membership routes', () => {
  it('adds members, pages them and updates roles', async () => {
    const carol = fake.addUser({ username: 'carol', email: 'carol@acme.test' });
    const botWs = await WsProbe.open('', 'bot-token');
    await botWs.waitFor((m) => m.event === 'hello');

    const added = await api('POST', `/teams/${team.id}/members`, 'alice-token', {
      team_id: team.id,
      user_id: carol.id,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ team_id: team.id, user_id: carol.id, roles: 'team_user', scheme_user: true });
    await botWs.waitFor((m) => m.event === 'user_added' && m.data?.user_id === carol.id);
    // One socket delivers in order: once a later marker is in, nothing sent before it is still on its way.
    fake.emit('marker', {}, {});
    await botWs.waitFor((m) => m.event === 'marker');
    expect(botWs.events('added_to_team')).toEqual([]);

    const page = await api('GET', `/teams/${team.id}/members?page=0&per_page=2`, 'bot-token');
    expect(page.body).toHaveLength(2);
    const all = await api('GET', `/teams/${team.id}/members?per_page=200`, 'bot-token');
    expect(all.body).toHaveLength(4);

    expect(
      (
        await api('PUT', `/teams/${team.id}/members/${carol.id}/roles`, 'alice-token', {
          roles: 'team_user team_admin',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api('PUT', `/teams/${team.id}/members/${carol.id}/roles`, 'admin-token', {
          roles: 'team_user team_admin',
        })
      ).body,
    ).toEqual({ status: 'OK' });
    expect((await clientFor('bot-token').getTeamMember(team.id, carol.id)).roles).toBe('team_user team_admin');
    expect((await api('GET', `/teams/${team.id}/members/${carol.id}`, 'alice-token')).status).toBe(200);
    botWs.close();
  });
});

describe('as strict as the server it plays', () => {
  it(
    'refuses a JSON body the spec does not allow: a missing ' + 'required field, a wrong type, a value outside an enum',
    async () => {
      const missing = await api('POST', '/posts', 'bot-token', { channel_id: townSquare.id });
      expect(missing).toMatchObject({
        status: 400,
        body: {
          id: 'api.context.invalid_body_param.app_error',
          detailed_error: expect.stringMatching(/required property 'message'/),
        },
      });
      const wrongType = await api('POST', '/posts', 'bot-token', { channel_id: townSquare.id, message: 42 });
      expect(wrongType.body).toMatchObject({ detailed_error: expect.stringMatching(/\/message must be string/) });
      const category = await api('POST', `/users/${bot.id}/teams/${team.id}/channels/categories`, 'bot-token', {
        team_id: team.id,
        user_id: bot.id,
        display_name: 'x',
        type: 'bogus',
      });
      expect(category.body).toMatchObject({
        detailed_error: expect.stringMatching(/\/type must be equal to one of the allowed values/),
      });
      expect((await api('POST', '/posts', 'bot-token', { channel_id: townSquare.id, message: 'fine' })).status).toBe(
        201,
      );
    },
  );

  it('answers 501 to guest invitations while email invitations are off', async () => {
    const off = await MattermostFake.start({ enableEmailInvitations: false });
    try {
      const root = off.addUser({ username: 'root', email: 'root@acme.test', roles: 'system_user system_admin' });
      off.addToken('root-token', root.id);
      const acme = off.addTeam({ name: 'acme', display_name: 'Acme' });
      off.addTeamMember(acme.id, root.id, 'team_user team_admin');
      const res = await fetch(`${off.url}/api/v4/teams/${acme.id}/invite-guests/email`, {
        method: 'POST',
        headers: { Authorization: 'Bearer root-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ emails: ['gil@partner.example'], channels: ['c'.repeat(26)] }),
      });
      expect(res.status).toBe(501);
      expect(await res.json()).toMatchObject({ id: 'api.team.invite_members.disabled.app_error' });
    } finally {
      await off.stop();
    }
  });

  it('on a 10.6 server refuses multiselect and has no multi-step forms', async () => {
    const old = await MattermostFake.start({ version: '10.6.0.1.abc.true' });
    const bot10 = await startBot(() => ({ body: { type: 'form', form: { title: 'Step 2', elements: [] } } }));
    try {
      const user = old.addUser({ username: 'alice', email: 'alice@acme.test' });
      const multi = {
        title: 'Invite',
        elements: [
          {
            display_name: 'Channels',
            name: 'c',
            type: 'select',
            multiselect: true,
            options: [{ text: 'a', value: 'a' }],
          },
        ],
      };
      const res = await fetch(`${old.url}/api/v4/actions/dialogs/open`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ trigger_id: old.issueTriggerId(user.id), url: `${bot10.url}/dialog`, dialog: multi }),
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/multiselect needs Mattermost 11\.0/);
      await expect(
        old.submitDialog(
          { url: `${bot10.url}/dialog`, dialog: { title: 'Invite', elements: [] } },
          user.id,
          '',
          '',
          {},
        ),
      ).rejects.toThrow(/multi-step form to a 10\.6/);
    } finally {
      await bot10.close();
      await old.stop();
    }
  });
});
