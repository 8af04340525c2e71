/** A small Mattermost WebSocket client on `ws` (the official WebSocketClient needs browser globals and logs
 * to the console). It authenticates with the bot token, resumes with connection_id + sequence_number after a
 * drop (the server then replays what was missed, without a new hello; resuming needs the token in the upgrade's
 * Authorization header), reconnects with capped exponential backoff, and reports when events may have been
 * missed (a hello with a new connection id), so the caller can resynchronise. */
import WebSocket from 'ws';
import { z } from 'zod';
import type { DirectMessageReceived } from '../../flows/replies.js';
import type { Logger } from '../../logger.js';
import { PLATFORM } from './context.js';

export interface WsEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast: { user_id?: string; channel_id?: string; team_id?: string };
  seq: number;
}

const Id = z.string().min(1).max(64);
/** `leave_team` (left or removed) and `user_updated` with a deactivation: what tells that someone is gone. */
const LeftTeam = z.object({ user_id: Id, team_id: Id });
const Deactivated = z.object({
  user: z.object({ id: Id, username: z.string().max(64), delete_at: z.number().positive() }),
});

/** Who left, and from which team ('' for the whole server), when the event says someone did. */
export function sponsorLeaving(e: WsEvent): { teamId: string; user: { id: string; username: string } } | undefined {
  if (e.event === 'leave_team') {
    const left = LeftTeam.safeParse(e.data);
    return left.success ? { teamId: left.data.team_id, user: { id: left.data.user_id, username: '' } } : undefined;
  }
  if (e.event !== 'user_updated') return undefined;
  const updated = Deactivated.safeParse(e.data);
  return updated.success
    ? { teamId: '', user: { id: updated.data.user.id, username: updated.data.user.username } }
    : undefined;
}

/** A user's post (`type` '': no system message) as `posted` carries it, JSON in a string. */
const Post = z.object({
  id: Id,
  user_id: Id,
  channel_id: Id,
  message: z.string().max(100_000),
  type: z.literal('').default(''),
  props: z.object({ from_bot: z.unknown().optional() }).nullish(),
});

/** A message written to the bot in its direct channel with someone (`D`: the bot only hears its own). */
export function directMessage(e: WsEvent, botId: string): DirectMessageReceived | undefined {
  if (e.event !== 'posted' || e.data.channel_type !== 'D' || typeof e.data.post !== 'string') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(e.data.post);
  } catch {
    return undefined;
  }
  const post = Post.safeParse(raw);
  if (!post.success) return undefined;
  const { id, user_id: senderId, channel_id: channelId, message: text, props } = post.data;
  const fromBot = senderId === botId || props?.from_bot === 'true';
  return { platform: PLATFORM, senderId, fromBot, channelId, messageId: id, text };
}

export interface WsOptions {
  url: string;
  token: string;
  log: Logger;
  onEvent(event: WsEvent): void;
  /** After the first connection, and after any reconnect where the server could not replay what was missed. */
  onResync(): void;
  /** The server has no WebSocket endpoint (404, as on kChat): the socket gives up instead of retrying forever. */
  onUnsupported?(): void;
  minRetryMs?: number;
  maxRetryMs?: number;
}

export class MattermostSocket {
  private ws: WebSocket | undefined;
  private connectionId = '';
  private nextSeq = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  connected = false;
  /** The server has no WebSocket endpoint (404): nothing to be connected to. */
  unsupported = false;

  constructor(private readonly opts: WsOptions) {}

  start(): void {
    this.closed = false;
    this.connect();
  }

  stop(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.terminate();
  }

  private connect(): void {
    const base = this.opts.url.replace(/^http/, 'ws') + '/api/v4/websocket';
    const url = this.connectionId
      ? `${base}?connection_id=${encodeURIComponent(this.connectionId)}&sequence_number=${this.nextSeq}`
      : base;
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${this.opts.token}` } });
    this.ws = ws;
    // A resumed connection gets no new hello: being open is being connected.
    ws.on('open', () => {
      this.connected = true;
      this.failures = 0;
    });
    ws.on('message', (raw) => this.receive(raw.toString()));
    ws.on('error', (err) => {
      if (/Unexpected server response: 404\b/.test(err.message)) {
        this.closed = true;
        this.unsupported = true;
        this.opts.onUnsupported?.();
        return;
      }
      this.opts.log.warn({ err: err.message }, 'Mattermost WebSocket error');
    });
    ws.on('close', () => {
      this.connected = false;
      if (this.closed) return;
      const max = this.opts.maxRetryMs ?? 60_000;
      const delay = Math.min(max, (this.opts.minRetryMs ?? 1000) * 2 ** this.failures++);
      this.opts.log.info({ retryInMs: delay }, 'Mattermost WebSocket closed; reconnecting');
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  private receive(raw: string): void {
    let msg: Partial<WsEvent> & { seq_reply?: number };
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (!msg.event) return;
    if (typeof msg.seq === 'number') this.nextSeq = msg.seq + 1;
    if (msg.event === 'hello') {
      const id = String(msg.data?.connection_id ?? '');
      const resumed = id !== '' && id === this.connectionId;
      this.connectionId = id;
      if (!resumed) {
        this.nextSeq = 1;
        this.opts.onResync();
      }
      return;
    }
    this.opts.onEvent(msg as WsEvent);
  }
}
