/** kChat's own pending guest invitations, through routes of Infomaniak's kChat web client (not in Mattermost):
 * `GET /api/v4/channels/{channel_id}/members/pending_guest` lists a channel's, and `DELETE
 * /api/v4/teams/invites/email` with the body `{id}` cancels one. On upstream Mattermost that same DELETE, without
 * a body, invalidates every pending email invitation of the server: it is only ever sent from here (the kChat
 * backend) and only with an id. */
import { z } from 'zod';
import type { MattermostApi } from '../mattermost/api.js';

/** kChat's `PendingGuest` (webapp types), the fields read here. */
const PendingGuest = z.object({ id: z.number().int(), email: z.string().nullish() }).loose();
/** `PendingGuests` is a record keyed by id; an array is read too. */
const PendingGuests = z.union([
  z.array(PendingGuest),
  z.record(z.string(), PendingGuest).transform((r) => Object.values(r)),
]);

type Fetch = (url: string, options: { method: string; body?: string }) => Promise<unknown>;

export class KchatGuests {
  constructor(private readonly chat: MattermostApi) {}

  /** The id of the pending guest invitation for this address in this channel, if any. */
  async pendingId(channelId: string, email: string): Promise<number | undefined> {
    const raw = await this.fetch(`${this.chat.client.getChannelRoute(channelId)}/members/pending_guest`, {
      method: 'get',
    });
    const wanted = email.trim().toLowerCase();
    const parsed = PendingGuests.safeParse(raw ?? []);
    if (!parsed.success)
      throw new Error(`kChat answered an unexpected list of pending guests (${parsed.error.issues[0]?.message})`);
    return parsed.data.find((g) => g.email?.trim().toLowerCase() === wanted)?.id;
  }

  async cancel(id: number): Promise<void> {
    if (!Number.isInteger(id)) throw new Error('a pending guest invitation is cancelled only by its id');
    await this.fetch(`${this.chat.client.getTeamsRoute()}/invites/email`, {
      method: 'delete',
      body: JSON.stringify({ id }),
    });
  }

  private fetch(url: string, options: { method: string; body?: string }): Promise<unknown> {
    const client = this.chat.client as unknown as { doFetch: Fetch };
    return client.doFetch.call(client, url, options);
  }
}
