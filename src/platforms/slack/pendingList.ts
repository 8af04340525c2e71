/** `/invite-people list` on Slack: the caller's open invitations (admins and owners: everyone's), newest first,
 * one mrkdwn line each (Slack renders no tables). */
import { slackMrkdwn as mrkdwn } from '../../core/format.js';
import { stateLabel } from '../../core/messages.js';
import { mayApprove, ROLE_LABELS } from '../../core/policy.js';
import { OPEN_STATES } from '../../core/stateMachine.js';
import { PLATFORM, type SlackContext } from './context.js';

const PAGE_SIZE = 15;

export async function pendingList(ctx: SlackContext, teamId: string, userId: string, page: number): Promise<string> {
  const admin = mayApprove((await ctx.api.member(userId)).level);
  const invitations = await ctx.store.listInvitations({
    platform: PLATFORM, workspaceId: teamId, states: OPEN_STATES, inviterId: admin ? undefined : userId,
    offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1,
  });
  if (!invitations.length) return page > 1 ? 'No more pending invitations.' : 'No pending invitations.';
  const lines = invitations.slice(0, PAGE_SIZE).map((inv) => {
    const expires = inv.expiresAt ? `expires ${inv.expiresAt.slice(0, 10)}` : 'no expiry';
    return `• ${mrkdwn.bold(mrkdwn.escape(inv.name))} (${mrkdwn.escape(inv.email)}): ${ROLE_LABELS[inv.role]}, ${stateLabel(inv)}, ${inv.channelIds.length} channel(s), invited by ${mrkdwn.mention(inv.inviter)} on ${inv.createdAt.slice(0, 10)}, ${expires}`;
  });
  const more = invitations.length > PAGE_SIZE ? `\nMore: \`/${ctx.settings.trigger} list ${page + 1}\`` : '';
  return [`*Pending invitations${admin ? ' (everyone’s)' : ''}*`, ...lines].join('\n') + more;
}
