/** Slack's events that can mean an invitee joined, handed to the arrival flow as member-arrived events:
 * `team_join` (with the email, given users:read.email) and `member_joined_channel` in the channels the bot is in. */
import type { ArrivalFlow } from '../../flows/arrivals.js';
import type { Logger } from '../../logger.js';
import { PLATFORM } from './context.js';

export interface JoinedUser {
  id: string;
  is_bot?: boolean;
  team_id?: string;
  profile?: { email?: string };
}

export async function onTeamJoin(flow: ArrivalFlow, log: Logger, user: JoinedUser): Promise<void> {
  if (user.is_bot) return;
  const event = { platform: PLATFORM, workspaceId: user.team_id, userId: user.id, email: user.profile?.email };
  if ((await flow.arrived({ ...event, via: 'team_join' })) === undefined) {
    log.warn('Slack gives no email for new members: arrivals cannot be matched (add the users:read.email scope)');
  }
}

export async function onMemberJoinedChannel(flow: ArrivalFlow, userId: string, workspaceId?: string): Promise<void> {
  await flow.arrived({ platform: PLATFORM, workspaceId, userId, via: 'member_joined_channel' });
}
