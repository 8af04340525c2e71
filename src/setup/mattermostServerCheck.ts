/** The setup page's check of a Mattermost or kChat server and a bot token, before they are configured: is the
 * server there, is the token valid, is it a bot with the System Admin role, are email invitations and guest
 * accounts on. Read-only: four GETs of fixed paths, nothing written to the server.
 *
 * The URL is typed in by whoever may open the setup page (an operator: the page is open only while no platform is
 * configured, and afterwards only with ADMIN_API_TOKEN), so this is a request to an address of their choosing made
 * from the bot's network. That is what the page is for, and it is kept narrow: http(s) only, no credentials in the
 * URL, fixed GET paths under /api/v4, a timeout per request, a capped answer, no redirect to another host (nor from
 * https to http, which would send the token in clear), and only findings in words go back to the page, never what
 * the server answered. The page's own rate limit bounds how often it can be used as a probe. */
import { z } from 'zod';

export type CheckId =
  | 'reachable'
  | 'token'
  | 'bot'
  | 'system_admin'
  | 'commands'
  | 'email_invitations'
  | 'guest_accounts';

export interface CheckItem {
  id: CheckId;
  /** ok: fine; missing: the bot cannot do its job without it; unknown: not checked (an earlier check failed). */
  status: 'ok' | 'missing' | 'unknown';
  text: string;
}

export interface ServerCheck {
  ok: boolean;
  items: CheckItem[];
}

export interface ServerCheckOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 3;
/** More than any of these answers holds (a client configuration is a few kB). */
const MAX_ANSWER_BYTES = 1_000_000;

const Me = z.object({ username: z.string().max(64), is_bot: z.boolean().optional(), roles: z.string().max(1000) });
const Strings = z.record(z.string(), z.unknown());

/** A URL the check may call, or why not. */
export function checkableUrl(raw: string): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return {
      ok: false,
      reason: 'This is not a URL. Give the address you open the chat at, e.g. https://chat.example.org.',
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: 'Only http:// and https:// addresses can be checked.' };
  if (url.username || url.password) return { ok: false, reason: 'Give the address without a user name or password.' };
  url.hash = '';
  url.search = '';
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  return { ok: true, url };
}

class Unreachable extends Error {}

interface Answer {
  status: number;
  json: unknown;
}

async function readCapped(res: Response): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_ANSWER_BYTES) throw new Unreachable('its answer is far too large for a Mattermost server');
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new Unreachable('its answer is far too large for a Mattermost server');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} seconds`;
  switch (e.cause?.code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (nothing listens there)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name is not known';
    case 'ECONNRESET':
      return 'the connection was cut';
    default:
      return e.cause?.code?.startsWith('ERR_TLS') || e.cause?.code?.includes('CERT')
        ? 'its TLS certificate is not accepted'
        : 'the connection failed';
  }
}

/** GET base + path, following redirects only on the same host and port, and never from https to http. */
async function get(base: URL, path: string, token: string | undefined, opts: ServerCheckOptions): Promise<Answer> {
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  const send = opts.fetch ?? ((input, init) => fetch(input, init));
  let url = new URL(base.pathname.replace(/\/+$/, '') + path, base.origin);
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await send(url, {
        method: 'GET',
        redirect: 'manual',
        headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Unreachable(networkReason(err, timeoutMs));
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      const next = new URL(location, url);
      // The same host name and port (http to https on default ports counts as the same).
      if (next.host !== base.host)
        throw new Unreachable(`it redirects to another host (${next.host}); give that address instead`);
      if (url.protocol === 'https:' && next.protocol !== 'https:')
        throw new Unreachable('it redirects from https to http, which would send the token unencrypted');
      if (hop >= MAX_REDIRECTS) throw new Unreachable('it redirects too many times');
      url = next;
      continue;
    }
    const text = await readCapped(res).catch((err) => {
      if (err instanceof Unreachable) throw err;
      throw new Unreachable(networkReason(err, timeoutMs));
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json };
  }
}

const NOT_CHECKED = 'Not checked: an earlier check failed.';

/** Runs the checks in order; once the server or the token fails, what depends on it is "not checked". */
export async function checkMattermostServer(
  input: { url: string; token: string },
  opts: ServerCheckOptions = {},
): Promise<ServerCheck> {
  const items: CheckItem[] = [];
  const add = (id: CheckId, status: CheckItem['status'], text: string) => void items.push({ id, status, text });
  const rest = (ids: CheckId[]) => {
    for (const id of ids) add(id, 'unknown', NOT_CHECKED);
    return { ok: false, items };
  };
  const AFTER_TOKEN: CheckId[] = ['bot', 'system_admin', 'commands', 'email_invitations', 'guest_accounts'];

  const target = checkableUrl(input.url);
  if (!target.ok) {
    add('reachable', 'missing', target.reason);
    return rest(['token', ...AFTER_TOKEN]);
  }
  const base = target.url;
  const where = base.origin + base.pathname.replace(/\/+$/, '');
  try {
    const ping = await get(base, '/api/v4/system/ping', undefined, opts);
    const status = Strings.safeParse(ping.json).data?.status;
    if (ping.status !== 200 || typeof status !== 'string' || status.toUpperCase() !== 'OK') {
      add(
        'reachable',
        'missing',
        `${where} answered, but not as a Mattermost server (HTTP ${ping.status} at /api/v4/system/ping). ` +
          'Give the address you open the chat at, without /api/v4.',
      );
      return rest(['token', ...AFTER_TOKEN]);
    }
    add('reachable', 'ok', `${where} answers as a Mattermost server.`);
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    add('reachable', 'missing', `Could not reach ${where}: ${err.message}.`);
    return rest(['token', ...AFTER_TOKEN]);
  }

  try {
    const meAnswer = await get(base, '/api/v4/users/me', input.token, opts);
    const me = Me.safeParse(meAnswer.json);
    if (meAnswer.status === 401 || meAnswer.status === 403) {
      add(
        'token',
        'missing',
        `The server refused the token (HTTP ${meAnswer.status}): it is wrong, revoked or expired. ` +
          'Create an access token for the bot account and use that one.',
      );
      return rest(AFTER_TOKEN);
    }
    if (meAnswer.status !== 200 || !me.success) {
      add('token', 'missing', `The server did not say whose token this is (HTTP ${meAnswer.status} at /users/me).`);
      return rest(AFTER_TOKEN);
    }
    const user = me.data;
    add('token', 'ok', `The token is valid: it belongs to @${user.username}.`);
    add(
      'bot',
      user.is_bot ? 'ok' : 'missing',
      user.is_bot
        ? `@${user.username} is a bot account.`
        : `@${user.username} is a person's account, not a bot account. Create a bot account (System Console → ` +
            'Integrations → Bot Accounts) and use its token, so that invitations do not come from a person.',
    );
    const admin = user.roles.split(/\s+/).includes('system_admin');
    add(
      'system_admin',
      admin ? 'ok' : 'missing',
      admin
        ? `@${user.username} has the System Admin role.`
        : `@${user.username} does not have the System Admin role. Give it that role (System Console → ` +
            'User Management → Users → Manage roles): the bot needs it to send guest invitations, to see ' +
            "invitees' email addresses, to list private channels and to create accounts.",
    );

    const config = Strings.safeParse((await get(base, '/api/v4/config/client?format=old', input.token, opts)).json);
    const license = Strings.safeParse((await get(base, '/api/v4/license/client?format=old', input.token, opts)).json);
    const setting = (key: string) => (config.success ? config.data[key] : undefined);
    if (setting('EnableCommands') === 'false')
      add(
        'commands',
        'missing',
        'Slash commands are off. Turn on System Console → Integrations → Integration Management → ' +
          'Enable Custom Slash Commands (ServiceSettings.EnableCommands).',
      );
    else add('commands', 'ok', 'Slash commands are on.');
    if (setting('EnableEmailInvitations') === 'true')
      add('email_invitations', 'ok', 'Email invitations are on (they also need working SMTP).');
    else
      add(
        'email_invitations',
        'missing',
        setting('EnableEmailInvitations') === 'false'
          ? 'Email invitations are off. Turn on System Console → Site Configuration → Notifications → ' +
              'Enable Email Invitations (ServiceSettings.EnableEmailInvitations), and configure SMTP.'
          : 'The server did not say whether email invitations are on (EnableEmailInvitations).',
      );
    const licensed = license.success && license.data.IsLicensed === 'true' && license.data.GuestAccounts === 'true';
    if (!licensed)
      add(
        'guest_accounts',
        'missing',
        "The server's licence does not include guest accounts, so external guests cannot be invited " +
          '(members and administrators still can).',
      );
    else if (setting('EnableGuestAccounts') === 'false')
      add(
        'guest_accounts',
        'missing',
        'Guest accounts are off. Turn on System Console → Authentication → Guest Access → Enable Guest Access ' +
          '(GuestAccountsSettings.Enable) to invite external guests.',
      );
    else add('guest_accounts', 'ok', 'Guest accounts are licensed and on.');
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    const pending = (['token', ...AFTER_TOKEN] as CheckId[]).filter((id) => !items.some((i) => i.id === id));
    add(pending[0]!, 'missing', `The server stopped answering: ${err.message}.`);
    return rest(pending.slice(1));
  }
  return { ok: items.every((i) => i.status === 'ok'), items };
}
