/** The bot's view of a Mattermost (or kChat) server, on the official Client4. Errors come out as
 * MattermostError with the HTTP status and Retry-After, which Client4 alone loses for plain-text answers
 * such as the rate limiter's 429. */
import mm from '@mattermost/client';
import type { Post } from '@mattermost/types/posts';
import type { InviterLevel } from '../../core/policy.js';
import { PermanentError, RetryLaterError, parseRetryAfter } from '../../outbox/errors.js';

const { Client4 } = mm;
type Client = InstanceType<typeof Client4>;

export class MattermostError extends Error {
  constructor(readonly status: number, readonly errorId: string | undefined, message: string, readonly retryAfterMs?: number) {
    super(message);
  }
  /** For the outbox: 4xx other than 408/429 will not get better by retrying. */
  forOutbox(): Error {
    const retryable = this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
    return retryable ? new RetryLaterError(this.message, this.retryAfterMs) : new PermanentError(this.message);
  }
}

/** Makes Client4 keep the status: every request runs with ignoreStatus and failures are thrown here. Every
 * request is also bounded in time (Client4 sets no timeout): a hung server must fail the outbox job well within
 * its lease, so no other replica takes the job over while this one still runs it. */
function withStatusErrors(client: Client, timeoutMs: number): Client {
  const c = client as unknown as { doFetchWithResponse: (url: string, options: Record<string, unknown>) => Promise<{ response: Response; headers: Headers; data: unknown }> };
  const original = c.doFetchWithResponse;
  c.doFetchWithResponse = async (url, options) => {
    let result;
    try {
      result = await original(url, { ...options, ignoreStatus: true, signal: options.signal ?? AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new MattermostError(0, undefined, `Mattermost unreachable: ${(err as Error).message}`);
    }
    if (result.response.ok) return result;
    const body = (typeof result.data === 'object' && result.data) as { id?: string; message?: string } | false;
    const message = (body && body.message) || (typeof result.data === 'string' && result.data.trim()) || result.response.statusText;
    throw new MattermostError(result.response.status, body ? body.id : undefined, `Mattermost ${result.response.status}: ${message}`, parseRetryAfter(result.headers.get('Retry-After')));
  };
  return client;
}

export interface DialogOpen { trigger_id: string; url: string; dialog: Record<string, unknown> }
export interface InviteResult { email: string; error?: { id?: string; message?: string } | null }

export class MattermostApi {
  readonly client: Client;
  private botUserId: string | undefined;

  constructor(readonly url: string, token: string, opts: { timeoutMs?: number } = {}) {
    this.client = withStatusErrors(new Client4(), opts.timeoutMs ?? 20_000);
    this.client.setUrl(url);
    this.client.setToken(token);
  }

  async botId(): Promise<string> {
    this.botUserId ??= (await this.client.getMe()).id;
    return this.botUserId;
  }

  /** The server version from X-Version-Id, e.g. "11.1.0"; read after any request. */
  serverVersion(): string {
    return this.client.getServerVersion();
  }

  /** Client4 has no method for this endpoint; the trigger id is the credential. */
  async openDialog(open: DialogOpen, signal?: AbortSignal): Promise<void> {
    await (this.client as unknown as { doFetch: (u: string, o: object) => Promise<unknown> }).doFetch(`${this.client.getBaseRoute()}/actions/dialogs/open`, {
      method: 'post',
      body: JSON.stringify(open),
      signal,
    });
  }

  /** Set by a backend that knows the inviter's role better than the chat server (kChat: the organization). */
  refineLevel: ((user: { id: string; email: string }, level: InviterLevel) => Promise<InviterLevel>) | undefined;

  async level(teamId: string, userId: string): Promise<InviterLevel> {
    const [user, member] = await Promise.all([this.client.getUser(userId), this.client.getTeamMember(teamId, userId).catch(() => undefined)]);
    const roles = `${user.roles} ${member?.roles ?? ''}`.split(/\s+/);
    if (roles.includes('system_guest') || member?.scheme_guest) return 'guest';
    const level = roles.includes('system_admin') || roles.includes('team_admin') || member?.scheme_admin ? 'admin' : 'member';
    return this.refineLevel ? this.refineLevel(user, level) : level;
  }

  /** Channels of the team the user belongs to (public and private, not DMs). Needs a system-admin bot for
   * users other than the bot itself. */
  async channelsOf(teamId: string, userId: string): Promise<{ id: string; name: string; display_name: string }[]> {
    const doFetch = (this.client as unknown as { doFetch: (u: string, o: object) => Promise<{ id: string; name: string; display_name: string; type: string }[]> }).doFetch;
    const channels = await doFetch(`${this.client.getUserRoute(userId)}/teams/${teamId}/channels`, { method: 'get' });
    return channels.filter((c) => c.type === 'O' || c.type === 'P');
  }

  async isChannelMember(channelId: string, userId: string): Promise<boolean> {
    try {
      await this.client.getChannelMember(channelId, userId);
      return true;
    } catch (err) {
      if (err instanceof MattermostError && (err.status === 404 || err.status === 403)) return false;
      throw err;
    }
  }

  async userByEmail(email: string): Promise<{ id: string; username: string; first_name: string; last_name: string; nickname: string; roles: string } | undefined> {
    try {
      return await this.client.getUserByEmail(email);
    } catch (err) {
      if (err instanceof MattermostError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Team admins and system admins who are members of the team. */
  async approvers(teamId: string): Promise<string[]> {
    const ids: string[] = [];
    for (let page = 0; ; page++) {
      const members = await this.client.getTeamMembers(teamId, page, 200);
      const candidates = members.filter((m) => m.delete_at === 0 || m.delete_at === undefined);
      const users = candidates.length ? await this.client.getProfilesByIds(candidates.map((m) => m.user_id)) : [];
      const byId = new Map(users.map((u) => [u.id, u]));
      for (const m of candidates) {
        const u = byId.get(m.user_id);
        if (!u || u.is_bot || u.delete_at) continue;
        const roles = `${u.roles} ${m.roles}`.split(/\s+/);
        if (roles.includes('system_admin') || roles.includes('team_admin') || m.scheme_admin) ids.push(u.id);
      }
      if (members.length < 200) return ids;
    }
  }

  async directChannel(userId: string): Promise<string> {
    return (await this.client.createDirectChannel([await this.botId(), userId])).id;
  }

  async post(channelId: string, message: string, props?: Record<string, unknown>): Promise<Post> {
    return this.client.createPost({ channel_id: channelId, message, props: props as Post['props'] });
  }

  async patchPost(postId: string, message: string, props: Record<string, unknown>): Promise<Post> {
    return this.client.patchPost({ id: postId, message, props: props as Post['props'] });
  }
}
