/** Mattermost's WebSocket events that can mean an invitee registered (`new_user` for everyone, `user_added` in
 * channels the bot is in), handed to the arrival flow as member-arrived events. */
import type { ArrivalFlow } from '../../flows/arrivals.js';
import type { Logger } from '../../logger.js';
import { PLATFORM } from './context.js';
import type { WsEvent } from './websocket.js';

/** Never rejects: a failed check is logged, and the reconciliation catches the arrival later. */
export async function onSocketEvent(flow: ArrivalFlow, log: Logger, event: WsEvent): Promise<void> {
  if (event.event !== 'new_user' && event.event !== 'user_added') return;
  const userId = String(event.data.user_id ?? '');
  if (!userId) return;
  const workspaceId = event.broadcast.team_id || undefined;
  try {
    const arrived = await flow.arrived({ platform: PLATFORM, workspaceId, userId, via: `websocket:${event.event}` });
    if (arrived === undefined) {
      log.warn('the bot cannot see user emails: arrivals cannot be matched (see README, email visibility)');
    }
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'arrival check failed');
  }
}
