/** The bot's view of a Slack workspace, on @slack/web-api. Every client is built so that no call waits inside the
 * library: no retries (the default policy retries for about 30 minutes) and rate-limited calls rejected with their
 * Retry-After, so the outbox schedules the retry. `slackErrorForOutbox` turns a failure into that decision. */
import { type types, webApi } from '@slack/bolt';
import type { Person } from '../../core/model.js';
import type { InviterLevel } from '../../core/policy.js';
import type { Option } from '../../core/wizard.js';
import type { Logger } from '../../logger.js';
import { PermanentError, RetryLaterError } from '../../outbox/errors.js';
import { slackLogger } from './slackLogger.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

/** Platform errors that a later try may not get (Slack's own trouble, or a race it resolves). */
const TRANSIENT = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

export function slackErrorForOutbox(err: unknown): Error {
  if (err instanceof webApi.WebAPIRateLimitedError)
    return new RetryLaterError('Slack rate limit', err.retryAfter * 1000);
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = err.data.error;
    return TRANSIENT.has(code) ? new RetryLaterError(`Slack: ${code}`) : new PermanentError(`Slack: ${code}`);
  }
  if (err instanceof webApi.WebAPIHTTPError) {
    const retry = err.statusCode === 408 || err.statusCode >= 500;
    return retry
      ? new RetryLaterError(`Slack HTTP ${err.statusCode}`)
      : new PermanentError(`Slack HTTP ${err.statusCode}`);
  }
  if (err instanceof webApi.WebAPIRequestError)
    return new RetryLaterError(`Slack unreachable: ${err.original.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

function platformError(err: unknown): string | undefined {
  return err instanceof webApi.WebAPIPlatformError ? err.data.error : undefined;
}

export interface SlackMember {
  /** `username` is the display name: Slack mentions by id, so it is only ever shown. */
  person: Person;
  realName: string;
  level: InviterLevel;
  email?: string;
  /** With `include_locale`: e.g. `fr-FR`. */
  locale?: string;
}

export interface Identity {
  botUserId: string;
  botId: string;
  teamId: string;
  /** Set on an Enterprise Grid workspace. */
  enterpriseId?: string;
}

export interface SlackApiOptions {
  botToken: string;
  adminToken?: string;
  apiUrl: string;
  log: Logger;
}

/** Interactive calls answer a person who waits (and a trigger that expires 3 s after Slack sent it). */
const INTERACTIVE_TIMEOUT_MS = 2000;
const OUTBOX_TIMEOUT_MS = 15_000;

export class SlackApi {
  /** For calls made while someone waits for the answer (views.open, lookups before an ack). */
  readonly interactive: WebClient;
  /** For outbox jobs. */
  readonly client: WebClient;
  /** Enterprise Grid: the org admin's user token, for admin.users.invite. */
  readonly admin: WebClient | undefined;
  private identityCall: Promise<Identity> | undefined;

  constructor(opts: SlackApiOptions) {
    const make = (token: string, timeout: number) =>
      new webApi.WebClient(token, {
        slackApiUrl: opts.apiUrl,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout,
        logger: slackLogger(opts.log),
      });
    this.interactive = make(opts.botToken, INTERACTIVE_TIMEOUT_MS);
    this.client = make(opts.botToken, OUTBOX_TIMEOUT_MS);
    this.admin = opts.adminToken ? make(opts.adminToken, OUTBOX_TIMEOUT_MS) : undefined;
  }

  /** auth.test, once (again after a failure). */
  identity(): Promise<Identity> {
    this.identityCall ??= this.client.auth.test().then(
      (r) => ({
        botUserId: r.user_id!,
        botId: r.bot_id ?? '',
        teamId: r.team_id!,
        enterpriseId: r.enterprise_id || undefined,
      }),
      (err: unknown) => {
        this.identityCall = undefined;
        throw err;
      },
    );
    return this.identityCall;
  }

  /** Who the user is and what they may do, read now (rights are never taken from a payload). */
  async member(userId: string, client: WebClient = this.interactive): Promise<SlackMember> {
    const { user } = await client.users.info({ user: userId, include_locale: true });
    if (!user) throw new Error('users.info returned no user');
    const level: InviterLevel =
      user.is_restricted || user.is_ultra_restricted || user.is_bot || user.deleted
        ? 'guest'
        : user.is_owner || user.is_primary_owner
          ? 'owner'
          : user.is_admin
            ? 'admin'
            : 'member';
    const username = user.profile?.display_name || user.real_name || user.name || userId;
    return {
      person: { id: userId, username },
      realName: user.real_name || username,
      level,
      email: user.profile?.email,
      locale: user.locale,
    };
  }

  /** Public and private channels the user is in (users.conversations, paginated). */
  async channelsOf(userId: string, client: WebClient = this.interactive): Promise<Option[]> {
    const options: Option[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.users.conversations({
        user: userId,
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: 200,
        cursor,
      });
      for (const c of page.channels ?? []) if (c.id) options.push({ value: c.id, label: c.name ?? c.id });
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return options;
  }

  /** Workspace admins and owners (users.list, paginated). */
  async approvers(): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.users.list({ limit: 200, cursor });
      for (const u of page.members ?? [])
        if (u.id && !u.deleted && !u.is_bot && (u.is_admin || u.is_owner)) ids.push(u.id);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return ids;
  }

  async userByEmail(email: string, client: WebClient = this.client): Promise<{ id: string } | undefined> {
    try {
      const { user } = await client.users.lookupByEmail({ email });
      return user?.id ? { id: user.id } : undefined;
    } catch (err) {
      if (platformError(err) === 'users_not_found') return undefined;
      throw err;
    }
  }

  async channelName(channelId: string): Promise<string> {
    const { channel } = await this.client.conversations.info({ channel: channelId });
    return channel?.name ? `#${channel.name}` : channelId;
  }

  async post(channel: string, text: string, blocks?: types.KnownBlock[]): Promise<{ channel: string; ts: string }> {
    const res = await this.client.chat.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false });
    return { channel: res.channel ?? channel, ts: res.ts! };
  }

  async update(channel: string, ts: string, text: string, blocks: types.KnownBlock[]): Promise<void> {
    await this.client.chat.update({ channel, ts, text, blocks });
  }

  async directChannel(userId: string): Promise<string> {
    const { channel } = await this.client.conversations.open({ users: userId });
    return channel!.id!;
  }

  async dm(userId: string, text: string): Promise<void> {
    await this.post(await this.directChannel(userId), text);
  }

  /** Adds a member to a channel the bot is in; being there already is success. */
  async addToChannel(channel: string, userId: string): Promise<void> {
    try {
      await this.client.conversations.invite({ channel, users: userId });
    } catch (err) {
      if (platformError(err) !== 'already_in_channel') throw err;
    }
  }
}
