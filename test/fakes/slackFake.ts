/** Slack's Web API for tests: a small workspace of users and channels, and a record of every call, post, update,
 * opened view, invitation and response_url answer. It answers through nock at the network edge (slackNock.ts), or
 * over real HTTP (`listen`) where nock cannot be loaded. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockProblems, viewProblems } from './slackLimits.js';

export interface FakeSlackUser {
  id: string;
  name: string;
  real_name: string;
  email: string;
  is_admin?: boolean;
  is_owner?: boolean;
  is_restricted?: boolean;
  is_bot?: boolean;
  /** What users.info gives with include_locale (`fr-FR`). */
  locale?: string;
}

export interface FakeSlackChannel {
  id: string;
  name: string;
  is_private: boolean;
  members: Set<string>;
  purpose?: string;
  topic?: string;
}
export interface FakePost {
  channel: string;
  ts: string;
  text: string;
  blocks?: any[];
}

type Args = Record<string, any>;

/** The WebClient posts form-encoded arguments, objects as JSON strings. */
function parseArgs(body: string): Args {
  const raw = Object.fromEntries(new URLSearchParams(body));
  const args: Args = {};
  for (const [k, v] of Object.entries(raw)) {
    try {
      args[k] = typeof v === 'string' && /^[[{]/.test(v) ? JSON.parse(v) : v;
    } catch {
      args[k] = v;
    }
  }
  return args;
}

export class SlackFake {
  readonly team = { id: 'T0ACME', name: 'Acme' };
  readonly botUserId = 'UBOT';
  enterpriseId: string | undefined;
  /** Socket Mode: the WebSocket URL apps.connections.open hands out. */
  socketUrl: string | undefined;
  readonly users = new Map<string, FakeSlackUser>();
  readonly channels = new Map<string, FakeSlackChannel>();
  readonly calls: { method: string; args: Args; token: string }[] = [];
  readonly posts: FakePost[] = [];
  readonly viewsOpened: { trigger_id: string; view: any }[] = [];
  /** Enterprise Grid: guests' expirations (epoch seconds) and users removed by admin.users.remove. */
  readonly expirations = new Map<string, number>();
  readonly removedUsers: string[] = [];
  readonly responses: { path: string; body: any }[] = [];
  /** Next call to a method answers 429 with this Retry-After (seconds). */
  readonly rateLimitNext = new Map<string, number>();
  /** Calls to a method answer after this many milliseconds. */
  readonly slow = new Map<string, number>();
  /** The tokens this workspace knows: the bot's, an org admin's (admin.* methods), the app-level one. */
  readonly tokens = { bot: 'xoxb-test', admin: 'xoxp-org-admin', app: 'xapp-test' };
  /** How long a trigger id is good for, once (Slack: 3 seconds). */
  triggerLifetimeMs = 3000;
  now: () => number = Date.now;
  private readonly triggers = new Map<string, { at: number; used: boolean }>();
  private seq = 0;

  /** A trigger id as Slack hands one out with a command or an interaction. */
  issueTrigger(): string {
    const id = `${++this.seq}.${this.now()}.trigger`;
    this.triggers.set(id, { at: this.now(), used: false });
    return id;
  }

  private takeTrigger(id: string): string | undefined {
    const trigger = this.triggers.get(id);
    if (!trigger) return 'invalid_trigger_id';
    if (trigger.used) return 'exchanged_trigger_id';
    if (this.now() - trigger.at > this.triggerLifetimeMs) return 'expired_trigger_id';
    trigger.used = true;
    return undefined;
  }

  /** Which token a method needs: the app-level one to open a socket, an org admin's for admin.*, else the bot's. */
  private authError(method: string, header: string): string | undefined {
    const token = header.replace(/^Bearer\s+/i, '');
    if (!token) return 'not_authed';
    if (!Object.values(this.tokens).includes(token)) return 'invalid_auth';
    const needed =
      method === 'apps.connections.open'
        ? this.tokens.app
        : method.startsWith('admin.')
          ? this.tokens.admin
          : this.tokens.bot;
    return token === needed ? undefined : 'not_allowed_token_type';
  }

  private server: http.Server | undefined;

  /** Serves the fake over real HTTP on 127.0.0.1 (for tests that cannot use nock); returns the API base URL. */
  async listen(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        const path = req.url ?? '';
        if (!path.startsWith('/api/')) {
          this.responses.push({ path, body: JSON.parse(body) });
          return void res.end('ok');
        }
        const [status, reply, headers] = await this.handle(path.slice(5), req.headers.authorization ?? '', body);
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
  }

  async stop(): Promise<void> {
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
  }

  /** Answers one Web API call: [status, body, headers]. */
  async handle(
    method: string,
    token: string,
    body: string,
  ): Promise<[number, Record<string, unknown>, Record<string, string>?]> {
    const args = parseArgs(body);
    const delay = this.slow.get(method);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    this.calls.push({ method, args, token });
    const authError = this.authError(method, token);
    if (authError) return [200, { ok: false, error: authError }];
    const limited = this.rateLimitNext.get(method);
    if (limited !== undefined) {
      this.rateLimitNext.delete(method);
      return [429, { ok: false, error: 'ratelimited' }, { 'Retry-After': String(limited) }];
    }
    return [200, this.answer(method, args)];
  }

  addUser(user: Omit<FakeSlackUser, 'real_name'> & { real_name?: string }): FakeSlackUser {
    const full = { real_name: user.name, ...user };
    this.users.set(user.id, full);
    return full;
  }

  addChannel(id: string, name: string, members: string[], is_private = false): FakeSlackChannel {
    const channel = { id, name, is_private, members: new Set(members) };
    this.channels.set(id, channel);
    return channel;
  }

  callsOf(method: string) {
    return this.calls.filter((c) => c.method === method);
  }

  postsIn(channel: string): FakePost[] {
    return this.posts.filter((p) => p.channel === channel);
  }

  dmChannelOf(userId: string): string {
    return `D${userId}`;
  }

  private userJson(u: FakeSlackUser) {
    return {
      id: u.id,
      team_id: this.team.id,
      name: u.name,
      real_name: u.real_name,
      deleted: false,
      is_bot: !!u.is_bot,
      is_admin: !!u.is_admin,
      is_owner: !!u.is_owner,
      is_primary_owner: false,
      is_restricted: !!u.is_restricted,
      is_ultra_restricted: false,
      profile: { display_name: u.name, real_name: u.real_name, email: u.email },
      ...(u.locale ? { locale: u.locale } : {}),
    };
  }

  private answer(method: string, a: Args): Record<string, unknown> {
    const fail = (error: string) => ({ ok: false, error });
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          user_id: this.botUserId,
          bot_id: 'BBOT',
          team_id: this.team.id,
          team: this.team.name,
          ...(this.enterpriseId ? { enterprise_id: this.enterpriseId } : {}),
        };
      case 'users.info': {
        const u = this.users.get(a.user);
        return u ? { ok: true, user: this.userJson(u) } : fail('user_not_found');
      }
      case 'users.list':
        return {
          ok: true,
          members: [...this.users.values()].map((u) => this.userJson(u)),
          response_metadata: { next_cursor: '' },
        };
      case 'users.lookupByEmail': {
        const u = [...this.users.values()].find((x) => x.email === a.email);
        return u ? { ok: true, user: this.userJson(u) } : fail('users_not_found');
      }
      case 'users.conversations':
        return {
          ok: true,
          channels: [...this.channels.values()]
            .filter((c) => c.members.has(a.user))
            .map((c) => ({ id: c.id, name: c.name, is_private: c.is_private })),
          response_metadata: { next_cursor: '' },
        };
      case 'conversations.info': {
        const c = this.channels.get(a.channel);
        if (!c) return fail('channel_not_found');
        const text = (value = '') => ({ value, creator: '', last_set: 0 });
        return { ok: true, channel: { id: c.id, name: c.name, purpose: text(c.purpose), topic: text(c.topic) } };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: this.dmChannelOf(a.users) } };
      case 'conversations.invite': {
        const c = this.channels.get(a.channel);
        if (!c) return fail('channel_not_found');
        if (!c.members.has(this.botUserId)) return fail('not_in_channel');
        if (c.members.has(a.users)) return fail('already_in_channel');
        c.members.add(a.users);
        return { ok: true, channel: { id: c.id } };
      }
      case 'chat.postMessage': {
        const channel = this.channels.get(a.channel);
        if (channel && !channel.members.has(this.botUserId)) return fail('not_in_channel');
        if (!channel && !String(a.channel).startsWith('D')) return fail('channel_not_found');
        const problems = blockProblems(a.blocks ?? [], 50);
        if (problems.length) return { ...fail('invalid_blocks'), errors: problems };
        const ts = `${1700000000 + ++this.seq}.000100`;
        this.posts.push({ channel: a.channel, ts, text: a.text, blocks: a.blocks });
        return { ok: true, channel: a.channel, ts };
      }
      case 'chat.update': {
        const post = this.posts.find((p) => p.channel === a.channel && p.ts === a.ts);
        if (!post) return fail('message_not_found');
        Object.assign(post, { text: a.text, blocks: a.blocks });
        return { ok: true, channel: a.channel, ts: a.ts };
      }
      case 'views.open': {
        const triggerError = this.takeTrigger(a.trigger_id);
        if (triggerError) return fail(triggerError);
        const problems = viewProblems(a.view);
        if (problems.length) return { ...fail('invalid_arguments'), response_metadata: { messages: problems } };
        this.viewsOpened.push({ trigger_id: a.trigger_id, view: a.view });
        return { ok: true, view: { id: `V${++this.seq}`, ...a.view } };
      }
      case 'apps.connections.open':
        return this.socketUrl ? { ok: true, url: this.socketUrl } : fail('invalid_auth');
      case 'admin.users.invite':
        return this.enterpriseId ? { ok: true } : fail('not_allowed_token_type');
      // Enterprise Grid's guest expiration (applied by Slack hourly) and removal from a workspace.
      case 'admin.users.setExpiration': {
        if (!this.enterpriseId) return fail('feature_not_enabled');
        if (this.removedUsers.includes(a.user_id)) return fail('user_is_already_deleted');
        if (!Number.isInteger(Number(a.expiration_ts))) return fail('failed_to_validate_expiration');
        this.expirations.set(a.user_id, Number(a.expiration_ts));
        return { ok: true };
      }
      case 'admin.users.remove': {
        if (!this.enterpriseId) return fail('feature_not_enabled');
        if (this.removedUsers.includes(a.user_id)) return fail('user_not_found');
        this.removedUsers.push(a.user_id);
        for (const c of this.channels.values()) c.members.delete(a.user_id);
        return { ok: true };
      }
      case 'conversations.kick': {
        const c = this.channels.get(a.channel);
        if (!c) return fail('channel_not_found');
        if (a.user === this.botUserId) return fail('cant_kick_self');
        if (!c.members.has(a.user)) return fail('not_in_channel');
        c.members.delete(a.user);
        return { ok: true };
      }
      default:
        return fail('unknown_method');
    }
  }
}
