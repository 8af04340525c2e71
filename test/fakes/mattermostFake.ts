/**
 * In-process fake of the Mattermost REST API v4 and WebSocket, for integration tests.
 *
 * REST shapes follow ../shared/specs/mattermost/*.yaml; what Mattermost sends to integrations
 * (action clicks, dialog submissions) and the WebSocket replay rules follow the Go model
 * summarised in ../shared/docs/mattermost-kchat.md and the server source it cites.
 *
 * Built on node:http and `ws` only. Every response carries `X-Version-Id` (Client4 reads the
 * server version from it) and every JSON response has `Content-Type: application/json`
 * exactly (Client4 parses nothing else). Errors are AppError bodies.
 */

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { RequestSchemas } from './specs/requestSchemas.js';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface MattermostFakeOptions {
  /** `X-Version-Id` header and WebSocket `hello.server_version`: version.build.confighash.licensed */
  version?: string;
  /** Clock (ms) for timestamps, trigger-id age and the invite-email rate limiter. */
  now?: () => number;
  /** Trigger-id lifetime. 3000 = servers before 9.5 (default, the worst case); 30000 = current default. */
  triggerLifetimeMs?: number;
  /** false: no /api/v4/websocket (404), as on kChat. */
  websocket?: boolean;
  /**
   * GET /license/client?format=old body. Default {IsLicensed:'true', GuestAccounts:'true'};
   * {IsLicensed:'false'} = unlicensed.
   */
  license?: Record<string, string>;
  /** Extra keys merged into GET /config/client?format=old. */
  clientConfig?: Record<string, string>;
  /** ServiceSettings.EnableEmailInvitations (default true). */
  enableEmailInvitations?: boolean;
  /** GuestAccountsSettings.Enable (default true). */
  guestAccountsEnabled?: boolean;
  /** PrivacySettings.ShowEmailAddress (default true, as on a fresh server). */
  showEmailAddress?: boolean;
  /** ServiceSettings.EnableCommands (default true). */
  enableCommands?: boolean;
  /** Invite-email limiter: rate per hour and burst per sending user (server constants: 20 and 20). */
  emailInvitesPerHour?: number;
  emailInvitesMaxBurst?: number;
  /** How long simulated clicks/submissions wait for the bot (OutgoingIntegrationRequestsTimeout, 30 s). */
  integrationTimeoutMs?: number;
}

export interface FakeUser {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  username: string;
  email: string;
  email_verified: boolean;
  auth_service: string;
  nickname: string;
  first_name: string;
  last_name: string;
  position: string;
  roles: string;
  locale: string;
  is_bot: boolean;
  notify_props: Record<string, string>;
  props: Record<string, string>;
  timezone: Record<string, string>;
  last_password_update: number;
  disable_welcome_email: boolean;
}

export interface FakeTeam {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  display_name: string;
  name: string;
  description: string;
  email: string;
  type: 'O' | 'I';
  company_name: string;
  allowed_domains: string;
  invite_id: string;
  allow_open_invite: boolean;
  scheme_id: string | null;
  group_constrained: boolean | null;
}

export interface FakeChannel {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  team_id: string;
  type: 'O' | 'P' | 'D' | 'G';
  display_name: string;
  name: string;
  header: string;
  purpose: string;
  last_post_at: number;
  total_msg_count: number;
  extra_update_at: number;
  creator_id: string;
  scheme_id: string | null;
  group_constrained: boolean | null;
}

export interface FakeTeamMember {
  team_id: string;
  user_id: string;
  roles: string;
  delete_at: number;
  scheme_guest: boolean;
  scheme_user: boolean;
  scheme_admin: boolean;
  explicit_roles: string;
  create_at: number;
}

export interface FakeChannelMember {
  channel_id: string;
  user_id: string;
  roles: string;
  last_viewed_at: number;
  msg_count: number;
  mention_count: number;
  notify_props: Record<string, string>;
  last_update_at: number;
  scheme_guest: boolean;
  scheme_user: boolean;
  scheme_admin: boolean;
  explicit_roles: string;
}

export interface FakePost {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  pending_post_id: string;
  reply_count: number;
  last_reply_at: number;
  participants: null;
  file_ids?: string[];
  metadata: Record<string, unknown>;
}

export interface FakeCommand {
  id: string;
  token: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  creator_id: string;
  team_id: string;
  trigger: string;
  method: string;
  username: string;
  icon_url: string;
  auto_complete: boolean;
  auto_complete_desc: string;
  auto_complete_hint: string;
  display_name: string;
  description: string;
  url: string;
  plugin_id: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, the raw text when not JSON, undefined when empty. */
  body: unknown;
  /** User of a valid token, null when anonymous or the token is unknown. */
  userId: string | null;
}

export interface ScriptedResponse {
  status: number;
  /** Object: sent as JSON. String: sent as text/plain (like the rate limiter's `limit exceeded`). */
  body?: string | object;
  headers?: Record<string, string>;
}

export interface OpenedDialog {
  trigger_id: string;
  url: string;
  dialog: Record<string, unknown>;
}

export interface SentInvite {
  teamId: string;
  senderId: string;
  emails: string[];
  channels?: string[];
  message?: string;
  guest: boolean;
}

export interface EphemeralPost {
  user_id: string;
  channel_id: string;
  root_id: string;
  message: string;
}

export interface IntegrationResponse {
  status: number;
  /** Parsed JSON when the body is JSON, otherwise the text ('' when empty). */
  body: unknown;
}

export interface ClickResult extends IntegrationResponse {
  /** Trigger id sent to the bot with the click (valid for dialogs/open). */
  triggerId: string;
}

export interface WsBroadcastInput {
  user_id?: string;
  channel_id?: string;
  team_id?: string;
  omit_users?: string[] | Record<string, boolean> | null;
}

export interface WsEnvelope {
  event: string;
  data: Record<string, unknown>;
  /** omit_users is a JSON object {user_id: true} on the wire (Go map), not an array. */
  broadcast: { omit_users: Record<string, boolean> | null; user_id: string; channel_id: string; team_id: string };
  seq: number;
}

export interface DialogContext {
  userId: string;
  channelId: string;
  teamId: string;
}

// ---------------------------------------------------------------------------
// Constants and small helpers
// ---------------------------------------------------------------------------

const API = '/api/v4';
const DEFAULT_VERSION = '11.1.0.12345.abc.true';
const WS_DEAD_QUEUE_SIZE = 128; // deadQueueSize in web_conn.go
const WS_SEND_QUEUE_SIZE = 256; // sendQueueSize: an inactive connection holding more is dropped
const ACTION_ID = /^[A-Za-z0-9]+$/; // route /posts/{post_id}/actions/{action_id:[A-Za-z0-9]+}
const ACTION_RETAIN_PROPS = ['from_webhook', 'override_username', 'override_icon_url']; // PostActionRetainPropKeys

/** Built-in slash command triggers of a stock server (server/channels/app/slashcommands). */
export const BUILT_IN_TRIGGERS: readonly string[] = [
  'away',
  'code',
  'collapse',
  'custom_status',
  'dnd',
  'expand',
  'groupmsg',
  'header',
  'help',
  'invite',
  'invite_people',
  'join',
  'kick',
  'leave',
  'logout',
  'me',
  'msg',
  'mute',
  'offline',
  'online',
  'open',
  'purpose',
  'remove',
  'rename',
  'search',
  'settings',
  'shortcuts',
  'shrug',
];

const ID_ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769'; // model.NewId's base32 alphabet

/** A 26-character lowercase alphanumeric id, like model.NewId(). */
export function newId(): string {
  let id = '';
  for (const byte of randomBytes(26)) id += ID_ALPHABET.charAt(byte % 32);
  return id;
}

const isValidId = (id: string): boolean => /^[a-z0-9]{26}$/.test(id);
const isValidEmail = (email: string): boolean => /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email);
const hasRole = (roles: string, role: string): boolean => roles.split(/\s+/).includes(role);

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function asStringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

let schemas: RequestSchemas | undefined;
const requestSchemas = () => (schemas ??= RequestSchemas.load());

function parseJsonOrText(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Go's time.Duration.String() for whole seconds, e.g. 2h57m0s. */
function goDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------
// AppError
// ---------------------------------------------------------------------------

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly detailed = '',
  ) {
    super(message);
  }
}

function appErrorBody(err: ApiError, requestId: string): Record<string, unknown> {
  return {
    id: err.id,
    message: err.message,
    detailed_error: err.detailed,
    request_id: requestId,
    status_code: err.status,
  };
}

const errors = {
  unauthorized: () =>
    new ApiError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.'),
  permission: (permission: string) =>
    new ApiError(
      403,
      'api.context.permissions.app_error',
      'You do not have the appropriate permissions.',
      `permission=${permission}`,
    ),
  routeNotFound: () => new ApiError(404, 'api.context.404.app_error', 'Sorry, we could not find the page.'),
  invalidParam: (name: string) =>
    new ApiError(400, 'api.context.invalid_param.app_error', `Invalid ${name} parameter.`),
  invalidUrlParam: (name: string) =>
    new ApiError(
      400,
      'api.context.invalid_url_param.app_error',
      `Invalid or missing ${name} parameter in request URL.`,
    ),
  invalidBodyParam: (name: string) =>
    new ApiError(400, 'api.context.invalid_body_param.app_error', `Invalid or missing ${name} in request body.`),
  userNotFound: () => new ApiError(404, 'app.user.missing_account.const', 'Unable to find the user.'),
  teamNotFound: () => new ApiError(404, 'app.team.get.find.app_error', 'Unable to find the existing team.'),
  teamMemberNotFound: () =>
    new ApiError(404, 'app.team.get_member.missing.app_error', 'No team member found for that user ID and team ID.'),
  channelNotFound: () =>
    new ApiError(404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.'),
  channelMemberNotFound: () =>
    new ApiError(
      404,
      'app.channel.get_member.missing.app_error',
      'No channel member found for that user ID and channel ID.',
    ),
  postNotFound: () => new ApiError(404, 'app.post.get.app_error', 'Unable to get the post.'),
};

// ---------------------------------------------------------------------------
// Invite-email rate limiter
// ---------------------------------------------------------------------------

type RateResult = { limited: false } | { limited: true; retryAfterMs: number; resetAfterMs: number };

/**
 * GCRA as in github.com/throttled/throttled (what the server's perHourEmailRateLimiter uses).
 * Note the library admits MaxBurst + 1 at once: with burst 20, 21 invites pass in one go and the
 * 22nd is refused; then one more every 3 minutes.
 */
class GcraLimiter {
  private readonly tat = new Map<string, number>();
  private readonly emissionMs: number;
  private readonly toleranceMs: number;

  constructor(
    perHour: number,
    maxBurst: number,
    private readonly now: () => number,
  ) {
    this.emissionMs = 3_600_000 / perHour;
    this.toleranceMs = this.emissionMs * (maxBurst + 1);
  }

  take(key: string, quantity: number): RateResult {
    const now = this.now();
    const tat = Math.max(this.tat.get(key) ?? now, now);
    const newTat = tat + quantity * this.emissionMs;
    const allowAt = newTat - this.toleranceMs;
    if (now < allowAt) return { limited: true, retryAfterMs: allowAt - now, resetAfterMs: tat - now };
    this.tat.set(key, newTat);
    return { limited: false };
  }
}

// ---------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------

interface Reply {
  status: number;
  body: unknown;
}

interface Ctx {
  user: FakeUser | undefined;
  params: Record<string, string>;
  query: URLSearchParams;
  rawBody: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  /** Routes the server serves without a session (APIHandler rather than APISessionRequired). */
  anonymous: boolean;
  handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

function compileRoute(method: string, template: string, handler: Route['handler'], anonymous = false): Route {
  const names: string[] = [];
  const source = template.replace(/:([a-z_]+)/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${API}${source}/?$`), names, anonymous, handler };
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const created = (body: unknown): Reply => ({ status: 201, body });
const statusOk = (): Reply => ok({ status: 'OK' });

// ---------------------------------------------------------------------------
// WebSocket connection state
// ---------------------------------------------------------------------------

interface PendingEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast: WsEnvelope['broadcast'];
}

/** One logical connection (web_conn.go): survives socket drops so a resume can replay. */
interface WsConn {
  connectionId: string;
  userId: string;
  nextSeq: number;
  deadQueue: WsEnvelope[];
  /** Events broadcast while no socket was attached (the server's active `send` queue). */
  pending: PendingEvent[];
  socket: WebSocket | null;
}

// ---------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------

interface ScriptRule {
  method: string;
  pattern: RegExp;
  responses: ScriptedResponse[];
}

interface IssuedTrigger {
  userId: string;
  issuedAt: number;
}

export class MattermostFake {
  readonly url: string;
  readonly version: string;

  /** Every HTTP request and WebSocket upgrade received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Dialogs successfully opened through POST /actions/dialogs/open. */
  readonly dialogsOpened: OpenedDialog[] = [];
  /** Invitation emails the server would have sent. */
  readonly invitesSent: SentInvite[] = [];
  /** What was posted to slash commands' response URLs, in order. */
  readonly commandResponses: unknown[] = [];
  /** Ephemeral posts produced by `ephemeral_text` in action responses. */
  readonly ephemeralPosts: EphemeralPost[] = [];

  private readonly now: () => number;
  private readonly options: MattermostFakeOptions;
  private readonly emailLimiter: GcraLimiter;
  private readonly routes: Route[];

  private readonly users = new Map<string, FakeUser>();
  private readonly tokens = new Map<string, string>();
  private readonly teams = new Map<string, FakeTeam>();
  private readonly teamMembers = new Map<string, FakeTeamMember>();
  private readonly channels = new Map<string, FakeChannel>();
  private readonly channelMembers = new Map<string, FakeChannelMember>();
  private readonly postStore = new Map<string, FakePost>();
  private readonly commands = new Map<string, FakeCommand>();
  private readonly triggers = new Map<string, IssuedTrigger>();
  private readonly scripts: ScriptRule[] = [];

  private readonly wsConns = new Map<string, WsConn>();
  private readonly socketConn = new WeakMap<WebSocket, WsConn>();
  private readonly sockets = new Set<WebSocket>();

  private constructor(
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    options: MattermostFakeOptions,
  ) {
    this.options = options;
    this.version = options.version ?? DEFAULT_VERSION;
    this.now = options.now ?? Date.now;
    this.emailLimiter = new GcraLimiter(
      options.emailInvitesPerHour ?? 20,
      options.emailInvitesMaxBurst ?? 20,
      this.now,
    );
    this.routes = this.buildRoutes();
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    server.on('request', (req, res) => {
      this.onRequest(req, res).catch(() => res.destroy());
    });
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  static async start(options: MattermostFakeOptions = {}): Promise<MattermostFake> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const wss = new WebSocketServer({ noServer: true });
    return new MattermostFake(server, wss, options);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // -------------------------------------------------------------------------
  // Seeding (silent: no WebSocket events)
  // -------------------------------------------------------------------------

  addTeam(input: {
    id?: string;
    name: string;
    display_name: string;
    type?: 'O' | 'I';
    allow_open_invite?: boolean;
    allowed_domains?: string;
  }): FakeTeam {
    const at = this.now();
    const team: FakeTeam = {
      id: input.id ?? newId(),
      create_at: at,
      update_at: at,
      delete_at: 0,
      display_name: input.display_name,
      name: input.name,
      description: '',
      email: '',
      type: input.type ?? 'O',
      company_name: '',
      allowed_domains: input.allowed_domains ?? '',
      invite_id: newId(),
      allow_open_invite: input.allow_open_invite ?? false,
      scheme_id: null,
      group_constrained: null,
    };
    this.teams.set(team.id, team);
    return team;
  }

  addUser(input: {
    id?: string;
    username: string;
    email: string;
    roles?: string;
    first_name?: string;
    last_name?: string;
    is_bot?: boolean;
    /** The user's language as Mattermost stores it (`en`, `fr`, `de`, `it`, `pt-br`…). */
    locale?: string;
  }): FakeUser {
    const at = this.now();
    const user: FakeUser = {
      id: input.id ?? newId(),
      create_at: at,
      update_at: at,
      delete_at: 0,
      username: input.username.toLowerCase(),
      email: input.email.toLowerCase(),
      email_verified: true,
      auth_service: '',
      nickname: '',
      first_name: input.first_name ?? '',
      last_name: input.last_name ?? '',
      position: '',
      roles: input.roles ?? 'system_user',
      locale: input.locale ?? 'en',
      is_bot: input.is_bot ?? false,
      notify_props: {},
      props: {},
      timezone: { automaticTimezone: '', manualTimezone: '', useAutomaticTimezone: 'true' },
      last_password_update: at,
      disable_welcome_email: false,
    };
    this.users.set(user.id, user);
    return user;
  }

  addToken(token: string, userId: string): void {
    this.tokens.set(token, userId);
  }

  addTeamMember(teamId: string, userId: string, roles = 'team_user'): FakeTeamMember {
    const member: FakeTeamMember = {
      team_id: teamId,
      user_id: userId,
      roles,
      delete_at: 0,
      scheme_guest: hasRole(roles, 'team_guest'),
      scheme_user: hasRole(roles, 'team_user'),
      scheme_admin: hasRole(roles, 'team_admin'),
      explicit_roles: '',
      create_at: this.now(),
    };
    this.teamMembers.set(`${teamId}:${userId}`, member);
    return member;
  }

  addChannel(input: {
    id?: string;
    team_id: string;
    name: string;
    display_name: string;
    type: 'O' | 'P' | 'D';
    creator_id?: string;
  }): FakeChannel {
    const at = this.now();
    const channel: FakeChannel = {
      id: input.id ?? newId(),
      create_at: at,
      update_at: at,
      delete_at: 0,
      team_id: input.type === 'D' ? '' : input.team_id,
      type: input.type,
      display_name: input.display_name,
      name: input.name,
      header: '',
      purpose: '',
      last_post_at: at,
      total_msg_count: 0,
      extra_update_at: 0,
      creator_id: input.creator_id ?? '',
      scheme_id: null,
      group_constrained: null,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  addChannelMember(channelId: string, userId: string): FakeChannelMember {
    const existing = this.channelMembers.get(`${channelId}:${userId}`);
    if (existing) return existing;
    const guest = this.isGuest(this.users.get(userId));
    const member: FakeChannelMember = {
      channel_id: channelId,
      user_id: userId,
      roles: guest ? 'channel_guest' : 'channel_user',
      last_viewed_at: 0,
      msg_count: 0,
      mention_count: 0,
      notify_props: { desktop: 'default', email: 'default', mark_unread: 'all', push: 'default' },
      last_update_at: this.now(),
      scheme_guest: guest,
      scheme_user: !guest,
      scheme_admin: false,
      explicit_roles: '',
    };
    this.channelMembers.set(`${channelId}:${userId}`, member);
    return member;
  }

  // -------------------------------------------------------------------------
  // Inspection
  // -------------------------------------------------------------------------

  /** All stored posts, with `integration` intact (the API strips it). */
  get posts(): FakePost[] {
    return [...this.postStore.values()];
  }

  postsIn(channelId: string | undefined): FakePost[] {
    return this.posts.filter((post) => post.channel_id === channelId);
  }

  /** The D channel between two users, if it exists. */
  directChannelId(userA: string, userB: string): string | undefined {
    const name = [userA, userB].sort().join('__');
    for (const channel of this.channels.values()) {
      if (channel.type === 'D' && channel.name === name) return channel.id;
    }
    return undefined;
  }

  getUser(userId: string): FakeUser | undefined {
    return this.users.get(userId);
  }

  teamMember(teamId: string, userId: string): FakeTeamMember | undefined {
    const member = this.teamMembers.get(`${teamId}:${userId}`);
    return member && member.delete_at === 0 ? member : undefined;
  }

  channelMember(channelId: string, userId: string): FakeChannelMember | undefined {
    return this.channelMembers.get(`${channelId}:${userId}`);
  }

  /** Custom slash commands registered through the API. */
  get registeredCommands(): FakeCommand[] {
    return [...this.commands.values()];
  }

  /** Number of authenticated WebSocket connections with an open socket. */
  get wsConnections(): number {
    let count = 0;
    for (const conn of this.wsConns.values()) if (conn.socket) count++;
    return count;
  }

  // -------------------------------------------------------------------------
  // Fault injection
  // -------------------------------------------------------------------------

  /**
   * The next `responses.length` requests with this method whose path (no query string) matches
   * `pathPattern` get these answers, before authentication, like the server's rate limiter.
   */
  failNext(method: string, pathPattern: RegExp, responses: ScriptedResponse[]): void {
    this.scripts.push({ method: method.toUpperCase(), pattern: pathPattern, responses: [...responses] });
  }

  private readonly holds: { method: string; pattern: RegExp; reached(): void; released: Promise<void> }[] = [];

  /** Holds the next matching request until `release()`: a platform call in flight, e.g. when a signal comes. */
  holdNext(method: string, pathPattern: RegExp): { reached: Promise<void>; release(): void } {
    let reached!: () => void;
    let release!: () => void;
    const hold = {
      reached: new Promise<void>((r) => (reached = r)),
      released: new Promise<void>((r) => (release = r)),
    };
    this.holds.push({ method: method.toUpperCase(), pattern: pathPattern, reached, released: hold.released });
    return { reached: hold.reached, release };
  }

  private takeScripted(method: string, path: string): ScriptedResponse | undefined {
    for (const rule of this.scripts) {
      rule.pattern.lastIndex = 0;
      if (rule.method !== method || !rule.pattern.test(path)) continue;
      const response = rule.responses.shift();
      if (rule.responses.length === 0) this.scripts.splice(this.scripts.indexOf(rule), 1);
      return response;
    }
    return undefined;
  }

  // -------------------------------------------------------------------------
  // HTTP plumbing
  // -------------------------------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = newId();
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);
    const user = this.userFromHeader(req.headers.authorization);
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseJsonOrText(rawBody),
      userId: user?.id ?? null,
    });

    // A slash command's response URL (`/hooks/commands/{id}`): what the bot answered through it.
    if (method === 'POST' && /^\/hooks\/commands\/[a-z0-9]+$/i.test(url.pathname)) {
      this.commandResponses.push(parseJsonOrText(rawBody));
      this.sendJson(res, 200, { status: 'OK' }, requestId);
      return;
    }
    const hold = this.holds.find((x) => x.method === method && x.pattern.test(url.pathname));
    if (hold) {
      this.holds.splice(this.holds.indexOf(hold), 1);
      hold.reached();
      await hold.released;
    }
    if (this.down) {
      this.sendJson(res, 503, { message: 'Service Unavailable' }, requestId);
      return;
    }
    const scripted = this.takeScripted(method, url.pathname);
    if (scripted) {
      this.sendScripted(res, scripted, requestId);
      return;
    }
    // A JSON body the spec does not allow (a missing required field, a wrong type or enum value) is refused
    // as the server's body binding would, so a request the fake accepts is one the spec accepts.
    const problem = rawBody ? requestSchemas().problem(method, url.pathname, parseJsonOrText(rawBody)) : undefined;
    if (problem) {
      this.sendJson(
        res,
        400,
        appErrorBody(
          new ApiError(
            400,
            'api.context.invalid_body_param.app_error',
            'Invalid or missing parameter in request body.',
            problem,
          ),
          requestId,
        ),
        requestId,
      );
      return;
    }
    try {
      const reply = await this.dispatch(method, url, rawBody, user);
      this.sendJson(res, reply.status, reply.body, requestId);
    } catch (err) {
      const apiError =
        err instanceof ApiError ? err : new ApiError(500, 'fake.internal_error', 'Fake server error', String(err));
      this.sendJson(res, apiError.status, appErrorBody(apiError, requestId), requestId);
    }
  }

  private async dispatch(method: string, url: URL, rawBody: string, user: FakeUser | undefined): Promise<Reply> {
    const candidates = this.routes.filter((route) => route.pattern.test(url.pathname));
    if (candidates.length === 0) throw errors.routeNotFound();
    const route = candidates.find((candidate) => candidate.method === method);
    if (!route) throw new ApiError(405, 'api.context.405.app_error', 'Method not allowed.');
    if (!route.anonymous && !user) throw errors.unauthorized();
    const match = route.pattern.exec(url.pathname) ?? [];
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? '')));
    return route.handler({ user, params, query: url.searchParams, rawBody });
  }

  private baseHeaders(requestId: string): Record<string, string> {
    return { 'X-Version-Id': this.version, 'X-Request-Id': requestId };
  }

  private sendJson(res: http.ServerResponse, status: number, body: unknown, requestId: string): void {
    const text = JSON.stringify(body ?? null);
    res.writeHead(status, {
      ...this.baseHeaders(requestId),
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private sendScripted(res: http.ServerResponse, scripted: ScriptedResponse, requestId: string): void {
    const isText = typeof scripted.body === 'string';
    const text = scripted.body === undefined ? '' : isText ? (scripted.body as string) : JSON.stringify(scripted.body);
    const contentType = isText ? 'text/plain; charset=utf-8' : 'application/json';
    res.writeHead(scripted.status, {
      ...this.baseHeaders(requestId),
      ...(scripted.body === undefined ? {} : { 'Content-Type': contentType }),
      'Content-Length': Buffer.byteLength(text),
      ...scripted.headers,
    });
    res.end(text);
  }

  /** `Authorization: Bearer <token>` (Client4 sends `BEARER`) or `Token <token>`, any case. */
  private userFromHeader(header: string | undefined): FakeUser | undefined {
    const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header ?? '');
    return match?.[1] ? this.userFromToken(match[1]) : undefined;
  }

  private userFromToken(token: string): FakeUser | undefined {
    const userId = this.tokens.get(token);
    const user = userId ? this.users.get(userId) : undefined;
    return user && user.delete_at === 0 ? user : undefined;
  }

  private me(ctx: Ctx): FakeUser {
    if (!ctx.user) throw errors.unauthorized();
    return ctx.user;
  }

  private json(ctx: Ctx, name: string): unknown {
    try {
      return JSON.parse(ctx.rawBody) as unknown;
    } catch {
      throw errors.invalidBodyParam(name);
    }
  }

  private jsonObject(ctx: Ctx, name: string): Record<string, unknown> {
    const body = asRecord(this.json(ctx, name));
    if (!body) throw errors.invalidBodyParam(name);
    return body;
  }

  private requireId(ctx: Ctx, name: string): string {
    const value = ctx.params[name] ?? '';
    if (!isValidId(value)) throw errors.invalidUrlParam(name);
    return value;
  }

  // -------------------------------------------------------------------------
  // Permissions (default roles of a stock server, "only admins manage integrations")
  // -------------------------------------------------------------------------

  private isAdmin(user: FakeUser | undefined): boolean {
    return !!user && hasRole(user.roles, 'system_admin');
  }

  private isGuest(user: FakeUser | undefined): boolean {
    return !!user && hasRole(user.roles, 'system_guest');
  }

  private static readonly TEAM_USER_PERMISSIONS = new Set([
    'view_team',
    'add_user_to_team',
    'invite_user',
    'join_public_channels',
    'read_public_channel',
    'list_team_channels',
  ]);

  private hasTeamPermission(user: FakeUser, teamId: string, permission: string): boolean {
    if (this.isAdmin(user)) return true;
    const member = this.teamMember(teamId, user.id);
    if (!member) return false;
    if (member.scheme_admin) return true;
    if (member.scheme_guest) return permission === 'view_team';
    return MattermostFake.TEAM_USER_PERMISSIONS.has(permission);
  }

  private requireTeamPermission(user: FakeUser, teamId: string, permission: string): void {
    if (!this.hasTeamPermission(user, teamId, permission)) throw errors.permission(permission);
  }

  /** read_channel / create_post: channel members (and system admins). */
  private canUseChannel(user: FakeUser, channelId: string): boolean {
    return this.isAdmin(user) || !!this.channelMember(channelId, user.id);
  }

  private requireChannelPermission(user: FakeUser, channelId: string, permission: string): void {
    if (!this.canUseChannel(user, channelId)) throw errors.permission(permission);
  }

  // -------------------------------------------------------------------------
  // Serialisation (what the API returns)
  // -------------------------------------------------------------------------

  private userJson(user: FakeUser, viewer: FakeUser | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = { ...user };
    const seesEmail = this.options.showEmailAddress !== false || viewer?.id === user.id || this.isAdmin(viewer);
    if (!seesEmail) out.email = '';
    if (!user.is_bot) delete out.is_bot; // `is_bot,omitempty`
    return out;
  }

  private teamJson(team: FakeTeam, viewer: FakeUser): Record<string, unknown> {
    const out: Record<string, unknown> = { ...team };
    if (!this.hasTeamPermission(viewer, team.id, 'manage_team')) {
      out.email = '';
      out.invite_id = '';
    }
    return out;
  }

  /** Post.StripActionIntegrations(): every API/WebSocket serialisation drops actions[].integration. */
  private postJson(post: FakePost): FakePost {
    const copy = structuredClone(post);
    for (const action of postActions(copy)) delete action.integration;
    return copy;
  }

  // -------------------------------------------------------------------------
  // Routes
  // -------------------------------------------------------------------------

  private buildRoutes(): Route[] {
    const r = compileRoute;
    return [
      r('GET', '/system/ping', () => statusOk(), true),
      r('GET', '/license/client', (ctx) => this.getClientLicense(ctx), true),
      r('GET', '/config/client', (ctx) => this.getClientConfig(ctx), true),
      r('GET', '/websocket', () => this.websocketWithoutUpgrade(), true),

      r('GET', '/users/me', (ctx) => ok(this.userJson(this.me(ctx), ctx.user))),
      r('GET', '/users/me/teams', (ctx) => this.getTeamsForUser(ctx, this.me(ctx).id)),
      r('POST', '/users/ids', (ctx) => this.getUsersByIds(ctx)),
      r('GET', '/users/email/:email', (ctx) => this.getUserByEmail(ctx)),
      r('GET', '/users/username/:username', (ctx) => this.getUserByUsername(ctx)),
      r('GET', '/users/:user_id', (ctx) => this.getUserRoute(ctx)),
      r('GET', '/users/:user_id/teams', (ctx) => this.getTeamsForUser(ctx, this.requireId(ctx, 'user_id'))),
      r('GET', '/users/:user_id/teams/:team_id/channels', (ctx) => this.getChannelsForUser(ctx)),
      r('POST', '/users', (ctx) => this.createUserRoute(ctx)),
      r('POST', '/users/:user_id/demote', (ctx) => this.demoteUser(ctx)),
      r('PUT', '/users/:user_id/active', (ctx) => this.updateUserActive(ctx)),

      r('GET', '/teams/:team_id', (ctx) => this.getTeam(ctx)),
      r('GET', '/teams/:team_id/members', (ctx) => this.getTeamMembers(ctx)),
      r('POST', '/teams/:team_id/members', (ctx) => this.addTeamMemberRoute(ctx)),
      r('GET', '/teams/:team_id/members/:user_id', (ctx) => this.getTeamMember(ctx)),
      r('PUT', '/teams/:team_id/members/:user_id/roles', (ctx) => this.updateTeamMemberRoles(ctx)),
      r('DELETE', '/teams/:team_id/members/:user_id', (ctx) => this.removeTeamMemberRoute(ctx)),
      r('POST', '/teams/:team_id/invite/email', (ctx) => this.inviteUsersToTeam(ctx)),
      r('POST', '/teams/:team_id/invite-guests/email', (ctx) => this.inviteGuestsToTeam(ctx)),

      r('POST', '/channels/direct', (ctx) => this.createDirectChannel(ctx)),
      r('GET', '/channels/:channel_id', (ctx) => this.getChannel(ctx)),
      r('POST', '/channels/:channel_id/members', (ctx) => this.addChannelMemberRoute(ctx)),
      r('GET', '/channels/:channel_id/members/:user_id', (ctx) => this.getChannelMember(ctx)),
      r('DELETE', '/channels/:channel_id/members/:user_id', (ctx) => this.removeChannelMemberRoute(ctx)),

      r('POST', '/posts', (ctx) => this.createPost(ctx)),
      r('GET', '/posts/:post_id', (ctx) => this.getPost(ctx)),
      r('PUT', '/posts/:post_id', (ctx) => this.updatePost(ctx)),
      r('PUT', '/posts/:post_id/patch', (ctx) => this.patchPost(ctx)),

      r('POST', '/actions/dialogs/open', (ctx) => this.openDialog(ctx), true),

      r('GET', '/commands', (ctx) => this.listCommands(ctx)),
      r('POST', '/commands', (ctx) => this.createCommand(ctx)),
      r('PUT', '/commands/:command_id', (ctx) => this.updateCommand(ctx)),
    ];
  }

  // --- system ---------------------------------------------------------------

  private license(): Record<string, string> {
    return this.options.license ?? { IsLicensed: 'true', GuestAccounts: 'true' };
  }

  private getClientLicense(ctx: Ctx): Reply {
    if (ctx.query.get('format') !== 'old') {
      throw new ApiError(
        501,
        'api.license.client.old_format.app_error',
        'New format for the client license is not supported yet. Please specify format=old in the query string.',
      );
    }
    const license = this.license();
    return ok(ctx.user ? license : { IsLicensed: license.IsLicensed ?? 'false' });
  }

  private getClientConfig(ctx: Ctx): Reply {
    if (ctx.query.get('format') !== 'old') {
      throw new ApiError(
        501,
        'api.config.client.old_format.app_error',
        'New format for the client configuration is not supported yet. Please specify format=old in the query string.',
      );
    }
    const [major = '0', minor = '0', patch = '0', build = ''] = this.version.split('.');
    return ok({
      Version: `${major}.${minor}.${patch}`,
      BuildNumber: build,
      SiteURL: this.url,
      SiteName: 'Mattermost',
      EnableCommands: String(this.options.enableCommands !== false),
      EnableEmailInvitations: String(this.options.enableEmailInvitations !== false),
      EnableGuestAccounts: String(this.options.guestAccountsEnabled !== false),
      ShowEmailAddress: String(this.options.showEmailAddress !== false),
      ...this.options.clientConfig,
    });
  }

  private websocketWithoutUpgrade(): Reply {
    if (this.options.websocket === false) throw errors.routeNotFound();
    throw new ApiError(400, 'api.web_socket.connect.upgrade.app_error', 'Failed to upgrade websocket connection.');
  }

  // --- users ----------------------------------------------------------------

  private getUserRoute(ctx: Ctx): Reply {
    const user = this.users.get(this.requireId(ctx, 'user_id'));
    if (!user) throw errors.userNotFound();
    return ok(this.userJson(user, ctx.user));
  }

  private getUserByUsername(ctx: Ctx): Reply {
    const username = (ctx.params.username ?? '').toLowerCase();
    const user = [...this.users.values()].find((u) => u.username === username);
    if (!user) throw errors.userNotFound();
    return ok(this.userJson(user, ctx.user));
  }

  private getUserByEmail(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const email = (ctx.params.email ?? '').toLowerCase();
    if (!isValidEmail(email)) throw errors.invalidUrlParam('email');
    if (this.options.showEmailAddress === false && !this.isAdmin(viewer)) {
      throw new ApiError(403, 'api.user.get_user_by_email.permissions.app_error', 'Unable to get user by email.');
    }
    const user = [...this.users.values()].find((u) => u.email === email);
    if (!user) throw errors.userNotFound();
    return ok(this.userJson(user, viewer));
  }

  private getUsersByIds(ctx: Ctx): Reply {
    const ids = asStringArray(this.json(ctx, 'user_ids'));
    if (!ids || ids.length === 0) throw errors.invalidParam('user_ids');
    const found = ids.map((id) => this.users.get(id)).filter((u): u is FakeUser => !!u);
    return ok(found.map((u) => this.userJson(u, ctx.user)));
  }

  private getTeamsForUser(ctx: Ctx, userId: string): Reply {
    const viewer = this.me(ctx);
    if (viewer.id !== userId && !this.isAdmin(viewer)) throw errors.permission('edit_other_users');
    const teams = [...this.teams.values()].filter((team) => this.teamMember(team.id, userId));
    return ok(teams.map((team) => this.teamJson(team, viewer)));
  }

  private getChannelsForUser(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const userId = this.requireId(ctx, 'user_id');
    const teamId = this.requireId(ctx, 'team_id');
    if (viewer.id !== userId && !this.isAdmin(viewer)) throw errors.permission('edit_other_users');
    this.requireTeamPermission(viewer, teamId, 'view_team');
    // GetChannelsForTeamForUser includes the user's direct and group messages.
    const channels = [...this.channels.values()].filter(
      (ch) => (ch.team_id === teamId || ch.team_id === '') && this.channelMember(ch.id, userId),
    );
    return ok(channels);
  }

  /** As a system admin (no invite token or open sign-up here). Validation as model.User.IsValid with the
   * default PasswordSettings (minimum length 8, no character classes). Publishes `new_user`. */
  private createUserRoute(ctx: Ctx): Reply {
    if (!this.isAdmin(this.me(ctx))) throw errors.permission('create_user');
    const body = this.jsonObject(ctx, 'user');
    const username = (asString(body.username) ?? '').toLowerCase();
    const email = (asString(body.email) ?? '').toLowerCase();
    const password = asString(body.password) ?? '';
    const restricted = ['all', 'channel', 'matterbot', 'system'];
    if (!/^[a-z][a-z0-9.\-_]{0,63}$/.test(username) || restricted.includes(username)) {
      throw new ApiError(400, 'model.user.is_valid.username.app_error', 'Invalid username.');
    }
    if (!isValidEmail(email)) throw new ApiError(400, 'model.user.is_valid.email.app_error', 'Invalid email.');
    if (password.length < 8 || password.length > 72) {
      throw new ApiError(400, 'model.user.is_valid.pwd.app_error', 'Your password must contain at least 8 characters.');
    }
    const users = [...this.users.values()];
    if (users.some((u) => u.email === email))
      throw new ApiError(400, 'app.user.save.email_exists.app_error', 'An account with that email already exists.');
    if (users.some((u) => u.username === username))
      throw new ApiError(
        400,
        'app.user.save.username_exists.app_error',
        'An account with that username already exists.',
      );
    const user = this.addUser({
      username,
      email,
      first_name: asString(body.first_name),
      last_name: asString(body.last_name),
    });
    this.emit('new_user', { user_id: user.id }, {});
    return created(this.userJson(user, ctx.user));
  }

  /** demoteUserToGuest: needs the guest-accounts licence and setting; memberships become guest ones. */
  private demoteUser(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const user = this.users.get(this.requireId(ctx, 'user_id'));
    const license = this.license();
    if (license.IsLicensed !== 'true' || license.GuestAccounts !== 'true') {
      throw new ApiError(
        501,
        'api.team.demote_user_to_guest.license.error',
        'Your license does not support guest accounts',
      );
    }
    if (this.options.guestAccountsEnabled === false) {
      throw new ApiError(
        501,
        'api.team.demote_user_to_guest.disabled.error',
        'Guest accounts are disabled on this server.',
      );
    }
    if (!this.isAdmin(viewer)) throw errors.permission('demote_to_guest');
    if (!user) throw errors.userNotFound();
    if (user.is_bot)
      throw new ApiError(400, 'api.user.demote_user_to_guest.bot.app_error', 'Bots cannot be demoted to guests.');
    user.roles = 'system_guest';
    user.update_at = this.now();
    for (const m of this.teamMembers.values()) {
      if (m.user_id === user.id)
        Object.assign(m, { roles: 'team_guest', scheme_guest: true, scheme_user: false, scheme_admin: false });
    }
    for (const m of this.channelMembers.values()) {
      if (m.user_id === user.id)
        Object.assign(m, { roles: 'channel_guest', scheme_guest: true, scheme_user: false, scheme_admin: false });
    }
    return statusOk();
  }

  private updateUserActive(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const user = this.users.get(this.requireId(ctx, 'user_id'));
    const active = this.jsonObject(ctx, 'active').active;
    if (typeof active !== 'boolean') throw errors.invalidBodyParam('active');
    if (!this.isAdmin(viewer) && viewer.id !== user?.id) throw errors.permission('manage_system');
    if (!user) throw errors.userNotFound();
    user.delete_at = active ? 0 : this.now();
    return statusOk();
  }

  // --- teams ----------------------------------------------------------------

  private getTeam(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const team = this.teams.get(this.requireId(ctx, 'team_id'));
    if (!team) throw errors.teamNotFound();
    const openTeam = team.allow_open_invite && team.type === 'O';
    if (!openTeam) this.requireTeamPermission(viewer, team.id, 'view_team');
    return ok(this.teamJson(team, viewer));
  }

  private getTeamMembers(ctx: Ctx): Reply {
    const teamId = this.requireId(ctx, 'team_id');
    this.requireTeamPermission(this.me(ctx), teamId, 'view_team');
    const page = Math.max(0, Number(ctx.query.get('page') ?? 0) || 0);
    const perPage = Math.min(200, Math.max(1, Number(ctx.query.get('per_page') ?? 60) || 60));
    const members = [...this.teamMembers.values()]
      .filter((m) => m.team_id === teamId && m.delete_at === 0)
      .sort((a, b) => a.user_id.localeCompare(b.user_id));
    return ok(members.slice(page * perPage, (page + 1) * perPage));
  }

  private getTeamMember(ctx: Ctx): Reply {
    const teamId = this.requireId(ctx, 'team_id');
    const userId = this.requireId(ctx, 'user_id');
    this.requireTeamPermission(this.me(ctx), teamId, 'view_team');
    const member = this.teamMember(teamId, userId);
    if (!member) throw errors.teamMemberNotFound();
    return ok(member);
  }

  private addTeamMemberRoute(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const teamId = this.requireId(ctx, 'team_id');
    const body = this.jsonObject(ctx, 'team_member');
    const userId = asString(body.user_id) ?? '';
    if (asString(body.team_id) !== teamId) throw errors.invalidParam('team_id');
    if (!isValidId(userId)) throw errors.invalidParam('user_id');
    const team = this.teams.get(teamId);
    const selfJoinOpenTeam = userId === viewer.id && !!team?.allow_open_invite && team.type === 'O';
    if (!selfJoinOpenTeam) this.requireTeamPermission(viewer, teamId, 'add_user_to_team');
    if (!team) throw errors.teamNotFound();
    const user = this.users.get(userId);
    if (!user) throw errors.userNotFound();
    return created(this.joinTeam(team, user));
  }

  private updateTeamMemberRoles(ctx: Ctx): Reply {
    const teamId = this.requireId(ctx, 'team_id');
    const userId = this.requireId(ctx, 'user_id');
    const roles = asString(this.jsonObject(ctx, 'team_member_roles').roles);
    if (roles === undefined) throw errors.invalidParam('team_member_roles');
    this.requireTeamPermission(this.me(ctx), teamId, 'manage_team_roles');
    if (!this.teamMember(teamId, userId)) throw errors.teamMemberNotFound();
    const tokens = roles.split(/\s+/).filter(Boolean);
    const allowed = ['team_user', 'team_admin', 'team_guest'];
    const invalid = tokens.some((t) => !allowed.includes(t));
    const guestMix = tokens.includes('team_guest') && (tokens.includes('team_user') || tokens.includes('team_admin'));
    if (invalid || guestMix) {
      throw new ApiError(
        400,
        'api.team.update_team_member_roles.bad_role',
        'Invalid team member roles.',
        `roles=${roles}`,
      );
    }
    const member = this.addTeamMember(teamId, userId, tokens.join(' '));
    this.emit('memberrole_updated', { member: JSON.stringify(member) }, { user_id: userId });
    return statusOk();
  }

  // --- invitations ------------------------------------------------------------

  private inviteUsersToTeam(ctx: Ctx): Reply {
    const sender = this.me(ctx);
    const teamId = this.requireId(ctx, 'team_id');
    this.requireTeamPermission(sender, teamId, 'invite_user');
    this.requireTeamPermission(sender, teamId, 'add_user_to_team');
    const { emails, channelIds, message } = this.parseMemberInvite(ctx);
    if (this.options.enableEmailInvitations === false) {
      throw new ApiError(501, 'api.team.invite_members.disabled.app_error', 'Email invitations are disabled.');
    }
    const team = this.teams.get(teamId);
    if (!team) throw errors.teamNotFound();
    const channels = this.accessibleChannels(sender, teamId, channelIds);
    return this.sendInvites(ctx, { team, sender, emails, channels, message, guest: false });
  }

  private parseMemberInvite(ctx: Ctx): { emails: string[]; channelIds: string[]; message?: string } {
    const body = this.json(ctx, 'user_email');
    const record = asRecord(body);
    const emails = asStringArray(record ? record.emails : body);
    if (!emails || emails.length === 0) throw errors.invalidParam('user_email');
    return {
      emails: emails.map((e) => e.toLowerCase()),
      channelIds: asStringArray(record?.channelIds) ?? [],
      message: asString(record?.message),
    };
  }

  private inviteGuestsToTeam(ctx: Ctx): Reply {
    const sender = this.me(ctx);
    const teamId = this.requireId(ctx, 'team_id');
    const license = this.license();
    if (license.IsLicensed !== 'true') {
      throw new ApiError(
        501,
        'api.team.invite_guests_to_channels.license.error',
        'Your license does not support guest accounts',
      );
    }
    if (this.options.guestAccountsEnabled === false) {
      throw new ApiError(501, 'api.team.invite_guests_to_channels.disabled.error', 'Guest accounts are disabled');
    }
    if (license.GuestAccounts !== 'true') {
      throw new ApiError(
        403,
        'api.team.invite_guests_to_channels.license.error',
        'Your license does not support guest accounts',
      );
    }
    if (this.options.enableEmailInvitations === false) {
      throw new ApiError(501, 'api.team.invite_members.disabled.app_error', 'Email invitations are disabled.');
    }
    if (!this.isAdmin(sender)) throw errors.permission('invite_guest'); // only system_admin holds it by default
    const body = this.jsonObject(ctx, 'guests_invite');
    const emails = (asStringArray(body.emails) ?? []).map((e) => e.toLowerCase());
    const channelIds = asStringArray(body.channels) ?? [];
    if (emails.length === 0) throw new ApiError(400, 'model.guest.is_valid.emails.app_error', 'Invalid emails.');
    if (channelIds.length === 0)
      throw new ApiError(400, 'model.guest.is_valid.channels.app_error', 'Invalid channels.');
    const team = this.teams.get(teamId);
    if (!team) throw errors.teamNotFound();
    if (channelIds.some((id) => this.channels.get(id)?.team_id !== teamId)) {
      throw new ApiError(
        400,
        'api.team.invite_guests.channel_in_invalid_team.app_error',
        'The channels of the invite must be part of the team of the invite.',
      );
    }
    return this.sendInvites(ctx, {
      team,
      sender,
      emails,
      channels: channelIds,
      message: asString(body.message),
      guest: true,
    });
  }

  /** Channels the inviter cannot access are dropped silently (ValidateUserPermissionsOnChannels). */
  private accessibleChannels(sender: FakeUser, teamId: string, channelIds: string[]): string[] {
    return channelIds.filter((id) => this.channels.get(id)?.team_id === teamId && this.canUseChannel(sender, id));
  }

  private sendInvites(
    ctx: Ctx,
    invite: {
      team: FakeTeam;
      sender: FakeUser;
      emails: string[];
      channels: string[];
      message?: string;
      guest: boolean;
    },
  ): Reply {
    const graceful = (ctx.query.get('graceful') ?? '') !== '';
    const rejected = invite.emails.filter((email) => !this.emailAllowed(invite.team, email));
    if (!graceful && rejected.length > 0) throw this.invalidEmailError(rejected);
    const good = invite.emails.filter((email) => !rejected.includes(email));
    if (good.length > 0) {
      this.checkEmailRateLimit(invite.sender.id, invite.team.id, good.length);
      this.invitesSent.push({
        teamId: invite.team.id,
        senderId: invite.sender.id,
        emails: good,
        ...(invite.channels.length > 0 ? { channels: invite.channels } : {}),
        ...(invite.message !== undefined ? { message: invite.message } : {}),
        guest: invite.guest,
      });
    }
    if (!graceful) return statusOk();
    return ok(
      invite.emails.map((email) => ({
        email,
        error: rejected.includes(email) ? appErrorBody(this.invalidEmailError([email]), '') : null,
      })),
    );
  }

  private emailAllowed(team: FakeTeam, email: string): boolean {
    if (!isValidEmail(email)) return false;
    const domains = team.allowed_domains
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((d) => d.toLowerCase());
    return domains.length === 0 || domains.some((d) => email.endsWith(`@${d}`));
  }

  private invalidEmailError(emails: string[]): ApiError {
    return new ApiError(
      400,
      'api.team.invite_members.invalid_email.app_error',
      `The following email addresses do not belong to an accepted domain: ${emails.join(', ')}. ` +
        'Please contact your System Administrator for details.',
    );
  }

  /**
   * The server answers a limited invite with HTTP 413 (StatusRequestEntityTooLarge), not 429:
   * server/channels/app/email/email.go SendInviteEmails and its test TestSendInviteEmailRateLimits;
   * the spec lists 413 (TooLarge) for both invite endpoints. In graceful mode the whole request
   * fails too (no per-email result).
   */
  private checkEmailRateLimit(senderId: string, teamId: string, quantity: number): void {
    const result = this.emailLimiter.take(senderId, quantity);
    if (!result.limited) return;
    const retryAfter = goDuration(result.retryAfterMs);
    const resetAfter = goDuration(result.resetAfterMs);
    throw new ApiError(
      413,
      'app.email.rate_limit_exceeded.app_error',
      `Invite emails rate limit exceeded. Timer will be reset after ${resetAfter}. Please retry after ${retryAfter}.`,
      `user_id=${senderId}, team_id=${teamId}, ` +
        `retry_after_secs=${result.retryAfterMs / 1000}, reset_after_secs=${result.resetAfterMs / 1000}`,
    );
  }

  // --- channels ---------------------------------------------------------------

  private getChannel(ctx: Ctx): Reply {
    const channelId = this.requireId(ctx, 'channel_id');
    this.requireChannelPermission(this.me(ctx), channelId, 'read_channel');
    const channel = this.channels.get(channelId);
    if (!channel) throw errors.channelNotFound();
    return ok(channel);
  }

  private getChannelMember(ctx: Ctx): Reply {
    const channelId = this.requireId(ctx, 'channel_id');
    const userId = this.requireId(ctx, 'user_id');
    this.requireChannelPermission(this.me(ctx), channelId, 'read_channel');
    const member = this.channelMember(channelId, userId);
    if (!member) throw errors.channelMemberNotFound();
    return ok(member);
  }

  /** Mattermost's removeUserFromChannel: a member leaves (the server's `user_removed` event). */
  private removeChannelMemberRoute(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const channel = this.channels.get(this.requireId(ctx, 'channel_id'));
    const userId = this.requireId(ctx, 'user_id');
    if (!channel) throw errors.channelNotFound();
    this.requireAddChannelMemberPermission(viewer, channel, userId);
    if (!this.channelMembers.delete(`${channel.id}:${userId}`)) throw errors.channelMemberNotFound();
    this.emit('user_removed', { user_id: userId, remover_id: viewer.id }, { channel_id: channel.id });
    return statusOk();
  }

  /** Mattermost's removeTeamMember: out of the team and of its channels (the server's `leave_team` event). */
  private removeTeamMemberRoute(ctx: Ctx): Reply {
    const teamId = this.requireId(ctx, 'team_id');
    const userId = this.requireId(ctx, 'user_id');
    this.requireTeamPermission(this.me(ctx), teamId, 'remove_user_from_team');
    if (!this.teamMembers.delete(`${teamId}:${userId}`)) throw errors.teamMemberNotFound();
    for (const channel of this.channels.values()) {
      if (channel.team_id === teamId) this.channelMembers.delete(`${channel.id}:${userId}`);
    }
    this.emit('leave_team', { team_id: teamId, user_id: userId }, { team_id: teamId });
    return statusOk();
  }

  private addChannelMemberRoute(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const channel = this.channels.get(this.requireId(ctx, 'channel_id'));
    const body = this.jsonObject(ctx, 'channel_member');
    const userId = asString(body.user_id) ?? '';
    if (!isValidId(userId)) throw errors.invalidParam('user_id');
    if (!channel) throw errors.channelNotFound();
    if (channel.type === 'D' || channel.type === 'G') {
      throw new ApiError(
        400,
        'api.channel.add_user_to_channel.type.app_error',
        'Can not add user to this channel type.',
      );
    }
    this.requireAddChannelMemberPermission(viewer, channel, userId);
    const user = this.users.get(userId);
    if (!user) throw errors.userNotFound();
    if (!this.teamMember(channel.team_id, userId)) throw errors.teamMemberNotFound();
    return created(this.joinChannel(channel, userId));
  }

  private requireAddChannelMemberPermission(viewer: FakeUser, channel: FakeChannel, userId: string): void {
    const permission = channel.type === 'O' ? 'manage_public_channel_members' : 'manage_private_channel_members';
    const selfJoinPublic =
      channel.type === 'O' &&
      userId === viewer.id &&
      this.hasTeamPermission(viewer, channel.team_id, 'join_public_channels');
    if (!selfJoinPublic && !this.canUseChannel(viewer, channel.id)) throw errors.permission(permission);
  }

  private createDirectChannel(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const ids = asStringArray(this.json(ctx, 'user_ids'));
    if (!ids || ids.length !== 2) throw errors.invalidBodyParam('user_ids');
    const [a = '', b = ''] = ids;
    if (![a, b].includes(viewer.id) && !this.isAdmin(viewer)) throw errors.permission('manage_system');
    if (!this.users.has(a) || !this.users.has(b)) {
      throw new ApiError(
        400,
        'api.channel.create_direct_channel.invalid_user.app_error',
        'Invalid user ID for direct channel creation.',
      );
    }
    return created(this.getOrCreateDirectChannel(a, b, viewer.id));
  }

  private getOrCreateDirectChannel(a: string, b: string, creatorId: string): FakeChannel {
    const existing = this.directChannelId(a, b);
    if (existing) return this.channels.get(existing) as FakeChannel;
    const channel = this.addChannel({
      team_id: '',
      name: [a, b].sort().join('__'),
      display_name: '',
      type: 'D',
      creator_id: creatorId,
    });
    this.addChannelMember(channel.id, a);
    this.addChannelMember(channel.id, b);
    const teammate = creatorId === a ? b : a;
    this.emit('direct_added', { creator_id: creatorId, teammate_id: teammate }, { channel_id: channel.id });
    return channel;
  }

  // --- posts ------------------------------------------------------------------

  private createPost(ctx: Ctx): Reply {
    const author = this.me(ctx);
    const body = this.jsonObject(ctx, 'post');
    const channelId = asString(body.channel_id) ?? '';
    if (!isValidId(channelId)) throw errors.invalidParam('channel_id');
    this.requireChannelPermission(author, channelId, 'create_post');
    const channel = this.channels.get(channelId);
    if (!channel) throw errors.channelNotFound();
    const rootId = asString(body.root_id) ?? '';
    const root = rootId ? this.postStore.get(rootId) : undefined;
    if (rootId && root?.channel_id !== channelId) {
      throw new ApiError(400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.');
    }
    const message = asString(body.message) ?? '';
    validatePostMessage(message);
    const props = structuredClone(asRecord(body.props) ?? {});
    if (author.is_bot) props.from_bot = 'true';
    const post = this.storeNewPost({ author, channel, rootId, message, props, body });
    if (root) {
      root.reply_count += 1;
      root.last_reply_at = post.create_at;
    }
    this.emitPosted(post, channel, author);
    return created(this.postJson(post));
  }

  private storeNewPost(input: {
    author: FakeUser;
    channel: FakeChannel;
    rootId: string;
    message: string;
    props: Record<string, unknown>;
    body: Record<string, unknown>;
  }): FakePost {
    const at = this.now();
    const post: FakePost = {
      id: newId(),
      create_at: at,
      update_at: at,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: input.author.id,
      channel_id: input.channel.id,
      root_id: input.rootId,
      original_id: '',
      message: input.message,
      type: asString(input.body.type) ?? '',
      props: input.props,
      hashtags: '',
      pending_post_id: asString(input.body.pending_post_id) ?? '',
      reply_count: 0,
      last_reply_at: 0,
      participants: null,
      ...(asStringArray(input.body.file_ids) ? { file_ids: asStringArray(input.body.file_ids) } : {}),
      metadata: {},
    };
    fillMissingActionIds(post);
    this.postStore.set(post.id, post);
    input.channel.last_post_at = at;
    input.channel.total_msg_count += 1;
    return post;
  }

  private emitPosted(post: FakePost, channel: FakeChannel, author: FakeUser): void {
    this.emit(
      'posted',
      {
        channel_display_name: channel.display_name,
        channel_name: channel.name,
        channel_type: channel.type,
        post: JSON.stringify(this.postJson(post)),
        sender_name: `@${author.username}`,
        set_online: true,
        team_id: channel.team_id,
      },
      { channel_id: channel.id },
    );
  }

  private getPost(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const post = this.postStore.get(this.requireId(ctx, 'post_id'));
    if (!post || post.delete_at > 0) throw errors.postNotFound();
    this.requireChannelPermission(viewer, post.channel_id, 'read_channel');
    return ok(this.postJson(post));
  }

  /** edit_post for one's own posts (channel members), edit_others_posts for others (admins). */
  private editablePost(ctx: Ctx): FakePost {
    const viewer = this.me(ctx);
    const post = this.postStore.get(this.requireId(ctx, 'post_id'));
    if (!post) throw errors.permission('edit_post'); // the server answers 403, not 404, here
    if (post.user_id === viewer.id) {
      this.requireChannelPermission(viewer, post.channel_id, 'edit_post');
    } else {
      const channel = this.channels.get(post.channel_id);
      const teamAdmin = !!channel?.team_id && !!this.teamMember(channel.team_id, viewer.id)?.scheme_admin;
      if (!this.isAdmin(viewer) && !teamAdmin) throw errors.permission('edit_others_posts');
    }
    if (post.delete_at > 0) {
      throw new ApiError(400, 'api.post.update_post.permissions_details.app_error', 'Already deleted id.');
    }
    return post;
  }

  private patchPost(ctx: Ctx): Reply {
    const post = this.editablePost(ctx);
    const patch = this.jsonObject(ctx, 'post');
    const message = asString(patch.message);
    if (message !== undefined) validatePostMessage(message);
    const props = patch.props === undefined || patch.props === null ? undefined : asRecord(patch.props);
    this.applyPostUpdate(post, {
      message: message ?? post.message,
      props: props ? structuredClone(props) : post.props,
      is_pinned: typeof patch.is_pinned === 'boolean' ? patch.is_pinned : post.is_pinned,
    });
    return ok(this.postJson(post));
  }

  /** PUT /posts/{id}: a full update; omitted props or message are cleared, as on the server. */
  private updatePost(ctx: Ctx): Reply {
    const post = this.editablePost(ctx);
    const body = this.jsonObject(ctx, 'post');
    if (asString(body.id) !== post.id) throw errors.invalidParam('id');
    const message = asString(body.message) ?? '';
    validatePostMessage(message);
    this.applyPostUpdate(post, {
      message,
      props: structuredClone(asRecord(body.props) ?? {}),
      is_pinned: typeof body.is_pinned === 'boolean' ? body.is_pinned : false,
    });
    return ok(this.postJson(post));
  }

  private applyPostUpdate(
    post: FakePost,
    change: { message: string; props: Record<string, unknown>; is_pinned: boolean },
  ): void {
    const at = this.now();
    if (change.message !== post.message) {
      post.message = change.message;
      post.edit_at = at;
    }
    post.props = change.props;
    post.is_pinned = change.is_pinned;
    post.update_at = at;
    fillMissingActionIds(post);
    this.emit('post_edited', { post: JSON.stringify(this.postJson(post)) }, { channel_id: post.channel_id });
  }

  // --- dialogs ----------------------------------------------------------------

  private openDialog(ctx: Ctx): Reply {
    const body = this.jsonObject(ctx, 'dialog');
    const url = asString(body.url) ?? '';
    if (url === '') throw errors.invalidParam('url');
    const triggerId = asString(body.trigger_id) ?? '';
    const trigger = this.verifyTrigger(triggerId);
    const dialog = asRecord(body.dialog) ?? {};
    validateDialog(dialog, { multiselect: this.versionAtLeast(11, 0) });
    const opened: OpenedDialog = { trigger_id: triggerId, url, dialog: structuredClone(dialog) };
    this.dialogsOpened.push(opened);
    this.emit('open_dialog', { dialog: JSON.stringify(opened) }, { user_id: trigger.userId });
    return statusOk();
  }

  private verifyTrigger(triggerId: string): IssuedTrigger {
    const trigger = this.triggers.get(triggerId);
    if (!trigger) {
      throw new ApiError(
        400,
        'interactive_message.decode_trigger_id.verify_signature_failed',
        'Signature verification failed for trigger ID for interactive dialog.',
      );
    }
    const lifetime = this.options.triggerLifetimeMs ?? 3000;
    if (this.now() - trigger.issuedAt > lifetime) {
      throw new ApiError(
        400,
        'interactive_message.decode_trigger_id.expired',
        `Trigger ID for interactive dialog is expired. Trigger IDs live for a maximum of ${lifetime / 1000}s.`,
      );
    }
    return trigger;
  }

  // --- commands ---------------------------------------------------------------

  private listCommands(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const teamId = ctx.query.get('team_id') ?? '';
    if (!isValidId(teamId)) throw errors.invalidParam('team_id');
    const custom = [...this.commands.values()].filter((cmd) => cmd.team_id === teamId && cmd.delete_at === 0);
    if (ctx.query.get('custom_only') === 'true') {
      this.requireTeamPermission(viewer, teamId, 'manage_slash_commands');
      return ok(custom);
    }
    this.requireTeamPermission(viewer, teamId, 'view_team');
    const manages = this.hasTeamPermission(viewer, teamId, 'manage_slash_commands');
    const builtIns = BUILT_IN_TRIGGERS.map((trigger) => ({ trigger, auto_complete: true }));
    const visible = manages ? custom : custom.filter((cmd) => cmd.auto_complete).map((cmd) => ({ ...cmd, token: '' }));
    return ok([...builtIns, ...visible]);
  }

  private createCommand(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const body = this.jsonObject(ctx, 'command');
    const teamId = asString(body.team_id) ?? '';
    this.requireTeamPermission(viewer, teamId, 'manage_slash_commands');
    if (this.options.enableCommands === false) {
      throw new ApiError(501, 'api.command.disabled.app_error', 'Commands have been disabled by the system admin.');
    }
    const at = this.now();
    const command = commandFromBody(body, {
      id: newId(),
      token: newId(),
      create_at: at,
      update_at: at,
      delete_at: 0,
      creator_id: viewer.id,
      team_id: teamId,
      plugin_id: '',
    });
    this.rejectDuplicateTrigger(command);
    validateCommand(command);
    this.commands.set(command.id, command);
    return created(command);
  }

  private rejectDuplicateTrigger(command: FakeCommand): void {
    const inTeam = [...this.commands.values()].some(
      (cmd) => cmd.team_id === command.team_id && cmd.delete_at === 0 && cmd.trigger === command.trigger,
    );
    if (inTeam || BUILT_IN_TRIGGERS.includes(command.trigger)) {
      throw new ApiError(
        400,
        'api.command.duplicate_trigger.app_error',
        'This trigger word is already in use. Please choose another word.',
      );
    }
  }

  /** Like UpdateCommand: no built-in or duplicate trigger check, token/creator/create_at kept. */
  private updateCommand(ctx: Ctx): Reply {
    const viewer = this.me(ctx);
    const commandId = this.requireId(ctx, 'command_id');
    const body = this.jsonObject(ctx, 'command');
    if (asString(body.id) !== commandId) throw errors.invalidParam('command');
    const old = this.commands.get(commandId);
    if (!old || old.delete_at > 0) throw commandNotFound();
    if (asString(body.team_id) !== old.team_id) {
      throw new ApiError(400, 'api.command.team_mismatch.app_error', 'Unable to update commands across teams.');
    }
    // The server answers 404, not 403, so as not to leak the command's existence.
    if (!this.hasTeamPermission(viewer, old.team_id, 'manage_slash_commands')) throw commandNotFound();
    const updated = commandFromBody(body, {
      id: old.id,
      token: old.token,
      create_at: old.create_at,
      update_at: this.now(),
      delete_at: old.delete_at,
      creator_id: old.creator_id,
      team_id: old.team_id,
      plugin_id: old.plugin_id,
    });
    validateCommand(updated);
    this.commands.set(updated.id, updated);
    return ok(updated);
  }

  // -------------------------------------------------------------------------
  // Membership changes with the events the server publishes
  // -------------------------------------------------------------------------

  /** JoinUserToTeam: added_to_team to the user only, then the team's default channels. */
  private joinTeam(team: FakeTeam, user: FakeUser): FakeTeamMember {
    const existing = this.teamMember(team.id, user.id);
    if (existing) return existing;
    const guest = this.isGuest(user);
    const member = this.addTeamMember(team.id, user.id, guest ? 'team_guest' : 'team_user');
    this.emit('added_to_team', { team_id: team.id, user_id: user.id }, { user_id: user.id });
    if (!guest) {
      for (const channel of this.channels.values()) {
        const isDefault = channel.name === 'town-square' || channel.name === 'off-topic';
        if (channel.team_id === team.id && isDefault) this.joinChannel(channel, user.id);
      }
    }
    return member;
  }

  /** user_added {user_id, team_id} to the channel's members (the joiner included). */
  private joinChannel(channel: FakeChannel, userId: string): FakeChannelMember {
    const existing = this.channelMember(channel.id, userId);
    if (existing) return existing;
    const member = this.addChannelMember(channel.id, userId);
    this.emit('user_added', { user_id: userId, team_id: channel.team_id }, { channel_id: channel.id });
    return member;
  }

  // -------------------------------------------------------------------------
  // Simulation: what the server does towards the bot
  // -------------------------------------------------------------------------

  /** A fresh trigger id accepted by dialogs/open for `triggerLifetimeMs` (reusable, like the real one). */
  issueTriggerId(userId: string): string {
    const id = Buffer.from(`${newId()}:${userId}:${this.now()}:fake-signature`).toString('base64');
    this.triggers.set(id, { userId, issuedAt: this.now() });
    return id;
  }

  /** As if `userId` accepted an email invitation: creates the account and publishes the events. */
  registerUser(input: {
    email: string;
    username: string;
    roles?: string;
    teamId: string;
    channelIds?: string[];
    first_name?: string;
    last_name?: string;
  }): FakeUser {
    const team = this.teams.get(input.teamId);
    if (!team) throw new Error(`registerUser: unknown team ${input.teamId}`);
    const user = this.addUser({ ...input, roles: input.roles ?? 'system_user' });
    this.emit('new_user', { user_id: user.id }, {});
    this.joinTeam(team, user);
    for (const channelId of input.channelIds ?? []) {
      const channel = this.channels.get(channelId);
      if (!channel) throw new Error(`registerUser: unknown channel ${channelId}`);
      this.joinChannel(channel, user.id);
    }
    return user;
  }

  /** A user writes in a channel they are in, as from their client: the post is stored and `posted` goes out on
   * the WebSocket as createPost sends it (direct channels: channel_type `D`, no team). `again` re-sends the same
   * event, as a server does when it replays a missed one. */
  writeAs(userId: string, channelId: string, message: string): { post: FakePost; again(): void } {
    const author = this.users.get(userId);
    const channel = this.channels.get(channelId);
    if (!author || !channel) throw new Error(`writeAs: unknown user ${userId} or channel ${channelId}`);
    if (!this.channelMember(channelId, userId)) throw new Error(`writeAs: ${userId} is not in ${channelId}`);
    validatePostMessage(message);
    const props = author.is_bot ? { from_bot: 'true' } : {};
    const post = this.storeNewPost({ author, channel, rootId: '', message, props, body: {} });
    this.emitPosted(post, channel, author);
    return { post, again: () => this.emitPosted(post, channel, author) };
  }

  /**
   * A click on a button (or a menu choice with `selectedOption`): POSTs the
   * PostActionIntegrationRequest to the stored action's integration.url and, if the bot answers
   * 200 with `update`, applies it the way DoPostActionWithCookie does.
   */
  async clickButton(
    postId: string,
    actionId: string,
    userId: string,
    opts: { selectedOption?: string } = {},
  ): Promise<ClickResult> {
    // The route only matches [A-Za-z0-9]+ ids: other ids never reach the bot.
    if (!ACTION_ID.test(actionId)) return this.failedClick(errors.routeNotFound());
    const post = this.postStore.get(postId);
    const user = this.users.get(userId);
    if (!post || !user) return this.failedClick(post ? errors.userNotFound() : errors.postNotFound());
    if (!this.canUseChannel(user, post.channel_id)) return this.failedClick(errors.permission('read_channel'));
    const action = postActions(post).find((a) => a.id === actionId);
    const integration = asRecord(action?.integration);
    const target = asString(integration?.url);
    if (!action || !target) {
      return this.failedClick(
        new ApiError(404, 'api.post.do_action.action_id.app_error', 'Unable to find the action.'),
      );
    }
    const triggerId = this.issueTriggerId(userId);
    const request = this.actionRequest(post, user, action, integration, triggerId, opts.selectedOption);
    const response = await this.postToIntegration(target, request);
    const update = response.status === 200 ? asRecord(asRecord(response.body)?.update) : undefined;
    if (update) this.applyActionUpdate(post, update);
    const ephemeral = response.status === 200 ? asString(asRecord(response.body)?.ephemeral_text) : undefined;
    if (ephemeral) {
      this.ephemeralPosts.push({
        user_id: userId,
        channel_id: post.channel_id,
        root_id: post.root_id || post.id,
        message: ephemeral,
      });
    }
    return { ...response, triggerId };
  }

  private failedClick(err: ApiError): ClickResult {
    return { status: err.status, body: appErrorBody(err, ''), triggerId: '' };
  }

  private actionRequest(
    post: FakePost,
    user: FakeUser,
    action: Record<string, unknown>,
    integration: Record<string, unknown> | undefined,
    triggerId: string,
    selectedOption: string | undefined,
  ): Record<string, unknown> {
    const channel = this.channels.get(post.channel_id);
    const team = channel?.team_id ? this.teams.get(channel.team_id) : undefined;
    const type = asString(action.type) ?? '';
    const context = structuredClone(asRecord(integration?.context) ?? {});
    const isSelect = type === 'select' && selectedOption !== undefined;
    if (isSelect) context.selected_option = selectedOption;
    return {
      user_id: user.id,
      user_name: user.username,
      channel_id: post.channel_id,
      channel_name: channel?.name ?? '',
      team_id: channel?.team_id ?? '',
      team_domain: team?.name ?? '',
      post_id: post.id,
      trigger_id: triggerId,
      type,
      data_source: isSelect ? (asString(action.data_source) ?? '') : '',
      ...(Object.keys(context).length > 0 ? { context } : {}), // `context,omitempty`
    };
  }

  /**
   * `props` absent or null: props kept; otherwise replaced, keeping only the retained keys.
   * Message is always replaced.
   */
  private applyActionUpdate(post: FakePost, update: Record<string, unknown>): void {
    const newProps = update.props === undefined || update.props === null ? undefined : asRecord(update.props);
    let props = post.props;
    if (newProps) {
      props = structuredClone(newProps);
      for (const key of ACTION_RETAIN_PROPS) {
        if (key in post.props) props[key] = post.props[key];
        else delete props[key];
      }
    }
    this.applyPostUpdate(post, { message: asString(update.message) ?? '', props, is_pinned: post.is_pinned });
  }

  /** POSTs a SubmitDialogRequest to the dialog's url. `{type:'form'}` answers are multi-step (11.1+). */
  async submitDialog(
    opened: Pick<OpenedDialog, 'url' | 'dialog'>,
    userId: string,
    channelId: string,
    teamId: string,
    submission: Record<string, unknown>,
    opts: { cancelled?: boolean; state?: string } = {},
  ): Promise<IntegrationResponse> {
    const user = this.users.get(userId);
    if (!user) return { status: 404, body: appErrorBody(errors.userNotFound(), '') };
    if (channelId && !this.canUseChannel(user, channelId)) {
      return { status: 403, body: appErrorBody(errors.permission('read_channel'), '') };
    }
    const cancelled = opts.cancelled ?? false;
    const answer = await this.postToIntegration(opened.url, {
      type: 'dialog_submission',
      callback_id: asString(opened.dialog.callback_id) ?? '',
      state: opts.state ?? asString(opened.dialog.state) ?? '',
      user_id: userId,
      channel_id: channelId,
      team_id: teamId,
      submission: cancelled ? {} : submission,
      cancelled,
    });
    // Before 11.1 the client knows no multi-step answer: the dialog would just close with the step lost.
    if (asRecord(answer.body)?.type === 'form' && !this.versionAtLeast(11, 1)) {
      throw new Error(`the bot answered a multi-step form to a ${this.version} server, which cannot show it`);
    }
    return answer;
  }

  private versionAtLeast(major: number, minor: number): boolean {
    const [a = 0, b = 0] = this.version.split('.').map(Number);
    return a > major || (a === major && b >= minor);
  }

  /** A dialog being filled in by one user, across multi-step forms (see DialogFlow). */
  dialogFlow(opened: Pick<OpenedDialog, 'url' | 'dialog'>, context: DialogContext): DialogFlow {
    return new DialogFlow(this, opened, context);
  }

  private async postToIntegration(url: string, payload: unknown): Promise<IntegrationResponse> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.options.integrationTimeoutMs ?? 30_000),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? '' : parseJsonOrText(text) };
  }

  // -------------------------------------------------------------------------
  // WebSocket
  // -------------------------------------------------------------------------

  /** Publishes an event like the server's hub: user_id, then omit_users, channel, team, everyone. */
  emit(event: string, data: Record<string, unknown>, broadcast: WsBroadcastInput = {}): void {
    const wire = normaliseBroadcast(broadcast);
    for (const conn of [...this.wsConns.values()]) {
      if (this.shouldSend(conn, wire)) this.deliver(conn, { event, data, broadcast: wire });
    }
  }

  /** Closes every socket abruptly; connection state is kept so clients can resume. */
  private down = false;

  /** The server out of reach, as behind a proxy whose upstream stopped: every request and WebSocket upgrade is
   * answered 503 and open sockets drop, until `setDown(false)`. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) this.dropWebSockets();
  }

  dropWebSockets(): void {
    for (const conn of this.wsConns.values()) conn.socket = null;
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
  }

  private shouldSend(conn: WsConn, b: WsEnvelope['broadcast']): boolean {
    if (b.user_id) return conn.userId === b.user_id;
    if (b.omit_users?.[conn.userId]) return false;
    if (b.channel_id) return !!this.channelMember(b.channel_id, conn.userId);
    if (b.team_id) return !!this.teamMember(b.team_id, conn.userId);
    return true;
  }

  private deliver(conn: WsConn, event: PendingEvent): void {
    if (conn.socket && conn.socket.readyState === WebSocket.OPEN) {
      this.write(conn, { ...event, seq: conn.nextSeq++ });
      return;
    }
    if (conn.pending.length >= WS_SEND_QUEUE_SIZE) {
      this.wsConns.delete(conn.connectionId); // queue full: the server drops the connection state
      return;
    }
    conn.pending.push(event);
  }

  private write(conn: WsConn, envelope: WsEnvelope, remember = true): void {
    if (remember) {
      conn.deadQueue.push(envelope);
      if (conn.deadQueue.length > WS_DEAD_QUEUE_SIZE) conn.deadQueue.shift();
    }
    conn.socket?.send(JSON.stringify(envelope));
  }

  private sendHello(conn: WsConn): void {
    const data = { server_version: this.version, connection_id: conn.connectionId, server_hostname: 'mattermost-fake' };
    this.write(conn, {
      event: 'hello',
      data,
      broadcast: normaliseBroadcast({ user_id: conn.userId }),
      seq: conn.nextSeq++,
    });
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.url);
    const isWebSocketPath = url.pathname === `${API}/websocket` || url.pathname === `${API}/websocket/`;
    if (this.down) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (this.options.websocket === false || !isWebSocketPath) {
      this.rejectUpgrade(socket);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws, req, url));
  }

  private rejectUpgrade(socket: Duplex): void {
    const body = JSON.stringify(appErrorBody(errors.routeNotFound(), ''));
    socket.end(
      'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n' +
        `X-Version-Id: ${this.version}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }

  private onSocket(ws: WebSocket, req: http.IncomingMessage, url: URL): void {
    this.sockets.add(ws);
    const user = this.userFromHeader(req.headers.authorization);
    this.requests.push({
      method: 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      userId: user?.id ?? null,
    });
    ws.on('message', (raw) => this.onSocketMessage(ws, String(raw)));
    ws.on('close', () => this.onSocketClose(ws));
    if (user) this.attachWithHeaderAuth(ws, user, url.searchParams);
  }

  private onSocketClose(ws: WebSocket): void {
    this.sockets.delete(ws);
    const conn = this.socketConn.get(ws);
    if (conn && conn.socket === ws) conn.socket = null;
  }

  /**
   * Only a connection authenticated on the upgrade (header or cookie) can resume: with the
   * authentication challenge the session is empty at upgrade time, so connectWebSocket always
   * issues a new connection_id (server/channels/api4/websocket.go).
   */
  private attachWithHeaderAuth(ws: WebSocket, user: FakeUser, params: URLSearchParams): void {
    const connectionId = params.get('connection_id');
    if (!connectionId) {
      this.openConnection(ws, user.id);
      return;
    }
    if (!isValidId(connectionId)) {
      ws.close();
      return;
    }
    const old = this.wsConns.get(connectionId);
    if (!old || old.userId !== user.id || old.socket) {
      this.openConnection(ws, user.id); // reaped, restarted or still active: new id + hello
      return;
    }
    const seq = Number(params.get('sequence_number') ?? '');
    if (params.get('sequence_number') === null || !Number.isInteger(seq) || seq < 0) {
      ws.close();
      return;
    }
    this.resumeConnection(old, ws, seq);
  }

  private openConnection(ws: WebSocket, userId: string): void {
    const conn: WsConn = { connectionId: newId(), userId, nextSeq: 0, deadQueue: [], pending: [], socket: ws };
    this.wsConns.set(conn.connectionId, conn);
    this.socketConn.set(ws, conn);
    this.sendHello(conn);
  }

  /** writePump's start: replay from the dead queue, or on a gap a new connection id + hello; then the queued events. */
  private resumeConnection(conn: WsConn, ws: WebSocket, seq: number): void {
    conn.socket = ws;
    this.socketConn.set(ws, conn);
    conn.nextSeq = seq;
    if (seq !== 0) {
      const index = conn.deadQueue.findIndex((e) => e.seq === seq);
      if (index >= 0) {
        for (const envelope of conn.deadQueue.slice(index)) {
          this.write(conn, envelope, false);
          conn.nextSeq++;
        }
      } else if (hasMessageLoss(conn)) {
        this.wsConns.delete(conn.connectionId);
        conn.connectionId = newId();
        this.wsConns.set(conn.connectionId, conn);
        conn.deadQueue = [];
        conn.nextSeq = 0;
        this.sendHello(conn);
      }
    }
    const pending = conn.pending;
    conn.pending = [];
    for (const event of pending) this.deliver(conn, event);
  }

  private onSocketMessage(ws: WebSocket, raw: string): void {
    const request = asRecord(parseJsonOrText(raw));
    const seq = typeof request?.seq === 'number' ? request.seq : 0;
    const action = asString(request?.action) ?? '';
    const conn = this.socketConn.get(ws);
    if (action === 'authentication_challenge') {
      this.onAuthenticationChallenge(ws, seq, asString(asRecord(request?.data)?.token) ?? '');
      return;
    }
    if (!conn) {
      ws.send(
        JSON.stringify(
          wsFail(seq, 'api.web_socket_router.not_authenticated.app_error', 'No websocket connection authenticated.'),
        ),
      );
      return;
    }
    const data =
      action === 'ping' ? { text: 'pong', version: this.version, server_time: this.now(), node_id: '' } : undefined;
    ws.send(JSON.stringify({ status: 'OK', seq_reply: seq, ...(data ? { data } : {}) }));
  }

  private onAuthenticationChallenge(ws: WebSocket, seq: number, token: string): void {
    const user = this.userFromToken(token);
    if (!user) {
      ws.send(
        JSON.stringify(
          wsFail(seq, 'api.web_socket_router.not_authenticated.app_error', 'No websocket connection authenticated.'),
        ),
      );
      return;
    }
    ws.send(JSON.stringify({ status: 'OK', seq_reply: seq }));
    if (!this.socketConn.get(ws)) this.openConnection(ws, user.id);
  }
}

// ---------------------------------------------------------------------------
// DialogFlow: multi-step dialogs the way the 11.1 web client drives them
// ---------------------------------------------------------------------------

/**
 * Holds the dialog on screen. `submit` sends the values of the current step merged over those of
 * the earlier steps (the 11.1 client accumulates them); a `{type:'form', form}` answer replaces
 * the dialog, any other answer leaves it as is (errors keep the dialog open).
 */
export class DialogFlow {
  current: Pick<OpenedDialog, 'url' | 'dialog'>;
  values: Record<string, unknown> = {};
  steps = 1;

  constructor(
    private readonly fake: MattermostFake,
    opened: Pick<OpenedDialog, 'url' | 'dialog'>,
    private readonly context: DialogContext,
  ) {
    this.current = opened;
  }

  async submit(submission: Record<string, unknown>): Promise<IntegrationResponse> {
    const merged = { ...this.values, ...submission };
    const { userId, channelId, teamId } = this.context;
    const response = await this.fake.submitDialog(this.current, userId, channelId, teamId, merged);
    const body = asRecord(response.body);
    const form = asRecord(body?.form);
    if (response.status === 200 && body?.type === 'form' && form) {
      this.values = merged;
      this.current = { url: this.current.url, dialog: form };
      this.steps++;
    }
    return response;
  }

  cancel(): Promise<IntegrationResponse> {
    const { userId, channelId, teamId } = this.context;
    return this.fake.submitDialog(this.current, userId, channelId, teamId, {}, { cancelled: true });
  }
}

// ---------------------------------------------------------------------------
// Model helpers
// ---------------------------------------------------------------------------

function normaliseBroadcast(input: WsBroadcastInput): WsEnvelope['broadcast'] {
  const omit = input.omit_users;
  const omitMap = Array.isArray(omit) ? Object.fromEntries(omit.map((id) => [id, true])) : (omit ?? null);
  return {
    omit_users: omitMap,
    user_id: input.user_id ?? '',
    channel_id: input.channel_id ?? '',
    team_id: input.team_id ?? '',
  };
}

/** The newest dead-queue entry should be the one just before the requested sequence. */
function hasMessageLoss(conn: WsConn): boolean {
  const last = conn.deadQueue[conn.deadQueue.length - 1];
  return last !== undefined && last.seq !== conn.nextSeq - 1;
}

function wsFail(seq: number, id: string, message: string): Record<string, unknown> {
  return { status: 'FAIL', seq_reply: seq, error: { id, message } };
}

/** props.attachments[].actions[] of a post (live references into the post). */
function postActions(post: FakePost): Record<string, unknown>[] {
  const attachments = Array.isArray(post.props.attachments) ? (post.props.attachments as unknown[]) : [];
  return attachments.flatMap((attachment) => {
    const actions = asRecord(attachment)?.actions;
    return Array.isArray(actions) ? actions.map(asRecord).filter((a): a is Record<string, unknown> => !!a) : [];
  });
}

/** Post.GenerateActionIds: the server fills missing ids (ids with _ or - are kept, and break clicks). */
function fillMissingActionIds(post: FakePost): void {
  for (const action of postActions(post)) {
    if (!action.id) action.id = newId();
  }
}

function validatePostMessage(message: string): void {
  if ([...message].length > 16383) {
    throw new ApiError(400, 'model.post.is_valid.msg.app_error', 'Invalid Message.');
  }
}

function commandNotFound(): ApiError {
  return new ApiError(404, 'store.sql_command.get.missing.app_error', 'Command does not exist.');
}

function commandFromBody(
  body: Record<string, unknown>,
  fixed: Pick<
    FakeCommand,
    'id' | 'token' | 'create_at' | 'update_at' | 'delete_at' | 'creator_id' | 'team_id' | 'plugin_id'
  >,
): FakeCommand {
  return {
    ...fixed,
    trigger: (asString(body.trigger) ?? '').toLowerCase(),
    method: asString(body.method) ?? '',
    username: asString(body.username) ?? '',
    icon_url: asString(body.icon_url) ?? '',
    auto_complete: body.auto_complete === true,
    auto_complete_desc: asString(body.auto_complete_desc) ?? '',
    auto_complete_hint: asString(body.auto_complete_hint) ?? '',
    display_name: asString(body.display_name) ?? '',
    description: asString(body.description) ?? '',
    url: asString(body.url) ?? '',
  };
}

/** Command.IsValid (server/public/model/command.go). */
function validateCommand(cmd: FakeCommand): void {
  const fail = (field: string, message: string) =>
    new ApiError(400, `model.command.is_valid.${field}.app_error`, message, `id=${cmd.id}`);
  if (!isValidId(cmd.team_id)) throw fail('team_id', 'Invalid team ID.');
  if (cmd.trigger.length < 1 || cmd.trigger.length > 128 || cmd.trigger.startsWith('/') || cmd.trigger.includes(' ')) {
    throw fail('trigger', 'Invalid trigger.');
  }
  if (cmd.url.length === 0 || cmd.url.length > 1024) throw fail('url', 'Invalid URL.');
  if (!/^https?:\/\/[^\s]+$/i.test(cmd.url))
    throw fail('url_http', 'Invalid URL. Must be a valid URL and start with http:// or https://.');
  if (cmd.method !== 'P' && cmd.method !== 'G') throw fail('method', 'Invalid Method.');
  if (cmd.display_name.length > 64) throw fail('display_name', 'Invalid title.');
  if (cmd.description.length > 128) throw fail('description', 'Invalid description.');
}

const TEXT_SUBTYPES = ['', 'text', 'email', 'number', 'tel', 'url', 'password'];
const ELEMENT_TYPES = ['text', 'textarea', 'select', 'bool', 'radio', 'date', 'datetime', 'file', 'action_button'];

/**
 * Stricter than the server on purpose: Mattermost only logs a warning for an invalid dialog and
 * sends it anyway (the client may then fail to render it), so the fake refuses it with 400 to make
 * tests catch bad dialogs. Checks follow Dialog.IsValid / DialogElement.IsValid.
 */
/** `multiselect` false: a server before 11.0, where a multiselect select would silently take one value. */
function validateDialog(dialog: Record<string, unknown>, features: { multiselect: boolean }): void {
  const problems: string[] = [];
  const title = asString(dialog.title) ?? '';
  if (title === '' || [...title].length > 24) problems.push(`invalid dialog title "${title}" (1-24 characters)`);
  const elements = Array.isArray(dialog.elements) ? dialog.elements : [];
  const names = new Set<string>();
  elements.forEach((raw, index) => {
    const element = asRecord(raw) ?? {};
    const name = asString(element.name) ?? '';
    if (names.has(name)) problems.push(`duplicate dialog element name "${name}"`);
    names.add(name);
    problems.push(...elementProblems(element, index));
    if (element.multiselect === true && !features.multiselect)
      problems.push(`element ${index}: multiselect needs Mattermost 11.0`);
  });
  if (problems.length > 0) {
    throw new ApiError(
      400,
      'fake.interactive_dialog.invalid.app_error',
      'Invalid interactive dialog (the real server would only log a warning).',
      problems.join('; '),
    );
  }
}

function elementProblems(element: Record<string, unknown>, index: number): string[] {
  const problems: string[] = [];
  const at = `element ${index}`;
  const displayName = asString(element.display_name) ?? '';
  const name = asString(element.name) ?? '';
  const type = asString(element.type) ?? '';
  if (displayName === '' || [...displayName].length > 24)
    problems.push(`${at}: display_name "${displayName}" must be 1-24 characters`);
  if (name === '' || name.length > 300) problems.push(`${at}: name must be 1-300 characters`);
  if ((asString(element.help_text) ?? '').length > 150) problems.push(`${at}: help_text longer than 150`);
  if (!ELEMENT_TYPES.includes(type)) problems.push(`${at}: unknown type "${type}"`);
  if (type === 'text' && !TEXT_SUBTYPES.includes(asString(element.subtype) ?? ''))
    problems.push(`${at}: invalid subtype`);
  const maxLength = typeof element.max_length === 'number' ? element.max_length : 0;
  if (type === 'text' && maxLength > 150) problems.push(`${at}: text max_length above 150`);
  if (type === 'textarea' && maxLength > 3000) problems.push(`${at}: textarea max_length above 3000`);
  const hasOptions = Array.isArray(element.options) && element.options.length > 0;
  const dataSource = asString(element.data_source) ?? '';
  if (type === 'select' && !hasOptions && !['users', 'channels', 'dynamic'].includes(dataSource)) {
    problems.push(`${at}: select needs options or a data_source`);
  }
  if (type === 'radio' && !hasOptions) problems.push(`${at}: radio needs options`);
  if (element.multiselect === true && type !== 'select') problems.push(`${at}: multiselect only applies to select`);
  return problems;
}
