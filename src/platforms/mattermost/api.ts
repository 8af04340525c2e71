/** The bot's view of a Mattermost (or kChat) server, on the official Client4. Errors come out as
 * MattermostError with the HTTP status and Retry-After, which Client4 alone loses for plain-text answers
 * such as the rate limiter's 429. */
import { STATUS_CODES } from 'node:http';
import mm from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';
import { Agent, request } from 'undici';
import { PermanentError, parseRetryAfter, RetryLaterError } from '../../outbox/errors.js';

const { Client4 } = mm;
type Client = InstanceType<typeof Client4>;
/** A server that does not accept a connection within this is as good as down for a command's 3 seconds. */
const CONNECT_TIMEOUT_MS = 1500;

export class MattermostError extends Error {
  constructor(
    readonly status: number,
    readonly errorId: string | undefined,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
  /** Read by the outbox as it is (`isPermanent`, `retryAfterOf`): 4xx other than 408/429 will not get better by
   * retrying. */
  get permanent(): boolean {
    return !(this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500);
  }
  /** The outbox's own error classes, for callers that want them. */
  forOutbox(): Error {
    return this.permanent ? new PermanentError(this.message) : new RetryLaterError(this.message, this.retryAfterMs);
  }
}

function unreachable(err: unknown): MattermostError {
  return new MattermostError(0, undefined, `Mattermost unreachable: ${(err as Error).message}`);
}

/** A failed answer: the server's `{id, message}` when it sent JSON, its text or the status's name otherwise. */
function statusError(status: number, data: unknown, retryAfter: string | null | undefined): MattermostError {
  const body = (typeof data === 'object' && data) as { id?: string; message?: string } | false;
  const message = (body && body.message) || (typeof data === 'string' && data.trim()) || STATUS_CODES[status] || '';
  return new MattermostError(
    status,
    body ? body.id : undefined,
    `Mattermost ${status}: ${message}`,
    parseRetryAfter(retryAfter),
  );
}

/** Makes Client4 keep the status: every request runs with ignoreStatus and failures are thrown here. Its fetch
 * goes through the bot's keep-alive pool, whose timeouts bound every request (Client4 sets none): a hung server
 * must fail the outbox job well within its lease, so no other replica takes the job over while this one runs it. */
function withStatusErrors(client: Client, dispatcher: Agent): Client {
  const c = client as unknown as {
    doFetchWithResponse: (
      url: string,
      options: Record<string, unknown>,
    ) => Promise<{ response: Response; headers: Headers; data: unknown }>;
  };
  const original = c.doFetchWithResponse;
  c.doFetchWithResponse = async (url, options) => {
    let result;
    try {
      result = await original(url, { ...options, ignoreStatus: true, dispatcher });
    } catch (err) {
      throw unreachable(err);
    }
    if (result.response.ok) return result;
    throw statusError(result.response.status, result.data, result.headers.get('Retry-After'));
  };
  return client;
}

/** The call's answer, or undefined where the server answers one of `statuses` (not found, not visible). */
export async function absent<T>(call: Promise<T>, statuses: number[]): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof MattermostError && statuses.includes(err.status)) return undefined;
    throw err;
  }
}

export interface DialogOpen {
  trigger_id: string;
  url: string;
  dialog: Record<string, unknown>;
}

export class MattermostApi {
  readonly client: Client;
  private botUserId: string | undefined;
  /** One keep-alive pool for every call to the server: Client4's and the bot's own. */
  private readonly pool: Agent;
  private readonly headers: Record<string, string>;

  constructor(
    readonly url: string,
    token: string,
    opts: { timeoutMs?: number } = {},
  ) {
    const timeoutMs = opts.timeoutMs ?? 20_000;
    this.pool = new Agent({
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: Math.min(timeoutMs, CONNECT_TIMEOUT_MS) },
    });
    this.client = withStatusErrors(new Client4(), this.pool);
    this.client.setUrl(url);
    this.client.setToken(token);
    this.headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-requested-with': 'XMLHttpRequest',
    };
  }

  async botId(): Promise<string> {
    this.botUserId ??= (await this.client.getMe()).id;
    return this.botUserId;
  }

  /** The server version from X-Version-Id, e.g. "11.1.0"; read after any request. */
  serverVersion(): string {
    return this.client.getServerVersion();
  }

  /** Client4 has no method for this endpoint; the trigger id is the credential. On the command's path, so sent
   * with undici's own request (a third of fetch's cost), bounded by the pool's shared timers. */
  async openDialog(open: DialogOpen, timeoutMs?: number): Promise<void> {
    const timeouts = timeoutMs ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {};
    let res;
    try {
      res = await request(`${this.client.getBaseRoute()}/actions/dialogs/open`, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify(open),
        dispatcher: this.pool,
        ...timeouts,
      });
    } catch (err) {
      throw unreachable(err);
    }
    const text = await res.body.text().catch((err: unknown) => Promise.reject(unreachable(err)));
    if (res.statusCode >= 200 && res.statusCode < 300) return;
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // a plain-text answer, such as a proxy's
    }
    const retryAfter = res.headers['retry-after'];
    throw statusError(res.statusCode, data, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  }

  /** Channels of the team the user belongs to (public and private, not DMs). Needs a system-admin bot for
   * users other than the bot itself. */
  async channelsOf(teamId: string, userId: string): Promise<{ id: string; name: string; display_name: string }[]> {
    const doFetch = (
      this.client as unknown as {
        doFetch: (u: string, o: object) => Promise<{ id: string; name: string; display_name: string; type: string }[]>;
      }
    ).doFetch;
    const channels = await doFetch(`${this.client.getUserRoute(userId)}/teams/${teamId}/channels`, { method: 'get' });
    return channels.filter((c) => c.type === 'O' || c.type === 'P');
  }

  userByEmail(email: string): Promise<UserProfile | undefined> {
    return absent(this.client.getUserByEmail(email), [404]);
  }

  /** A channel's display name, or undefined where the bot cannot read the channel. */
  async channelName(channelId: string): Promise<string | undefined> {
    return (await this.client.getChannel(channelId).catch(() => undefined))?.display_name;
  }

  async directChannel(userId: string): Promise<string> {
    return (await this.client.createDirectChannel([await this.botId(), userId])).id;
  }
}
