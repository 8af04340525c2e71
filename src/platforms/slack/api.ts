/** The bot's view of a Slack workspace, on @slack/web-api. Every client is built so that no call waits inside the
 * library: no retries (the default policy retries for about 30 minutes) and rate-limited calls rejected with their
 * Retry-After, so the outbox schedules the retry. Its failures come out as SlackErrors, which the outbox reads as
 * they are (permanent or not, Retry-After). */
import { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.js';
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

/** A failed Web API call: Slack's error code where it gave one, and whether retrying can help. */
export class SlackError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly code?: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

function slackError(err: unknown): Error {
  if (err instanceof webApi.WebAPIRateLimitedError)
    return new SlackError('Slack rate limit', false, 'ratelimited', err.retryAfter * 1000);
  if (err instanceof webApi.WebAPIPlatformError) {
    const code = err.data.error;
    return new SlackError(`Slack: ${code}`, !TRANSIENT.has(code), code);
  }
  if (err instanceof webApi.WebAPIHTTPError) {
    return new SlackError(`Slack HTTP ${err.statusCode}`, !(err.statusCode === 408 || err.statusCode >= 500));
  }
  if (err instanceof webApi.WebAPIRequestError)
    return new SlackError(`Slack unreachable: ${err.original.message}`, false);
  return err instanceof Error ? err : new Error(String(err));
}

/** Every method of the client goes through apiCall: its failures become SlackErrors here, once. */
class OutboxWebClient extends webApi.WebClient {
  override async apiCall(method: string, options?: Record<string, unknown>) {
    try {
      return await super.apiCall(method, options);
    } catch (err) {
      throw slackError(err);
    }
  }
}

/** The call's answer, or undefined where Slack answers with `code` (not found, already there). */
export async function unless<T>(code: string, call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof SlackError && err.code === code) return undefined;
    throw err;
  }
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
      new OutboxWebClient(token, {
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

  /** Pages of a cursor-paginated method (users.list, users.conversations), 200 at a time. */
  async *pages<T>(list: (cursor?: string) => Promise<T & { response_metadata?: { next_cursor?: string } }>) {
    let cursor: string | undefined;
    do {
      const page = await list(cursor);
      yield page;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  }
}
