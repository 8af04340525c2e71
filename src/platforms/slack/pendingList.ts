/** `/invite-people list` on Slack: the caller's open invitations (admins and owners: everyone's), newest first,
 * one mrkdwn line each (Slack renders no tables) with the buttons that act on it (see listActions.ts). */
import { slackMrkdwn as mrkdwn } from '../../core/format.js';
import { stateLabel } from '../../core/messages.js';
import type { Invitation } from '../../core/model.js';
import { mayApprove, ROLE_LABELS } from '../../core/policy.js';
import { OPEN_STATES } from '../../core/stateMachine.js';
import { pendingListBlocks, type ListAction, type ListButton } from '../../../views/slack/pendingListBlocks.js';
import { PLATFORM, type SlackContext } from './context.js';
import type { ListActions } from './listActions.js';

/** Ten a page, as on Mattermost (README); two blocks each, well within a message's 50. */
const PAGE_SIZE = 10;

export interface ListMessage { text: string; blocks?: ReturnType<typeof pendingListBlocks> }

function buttons(actions: ListActions, inv: Invitation, approver: boolean): ListButton[] {
  const button = (action: ListAction, label: string, style?: 'primary' | 'danger'): ListButton => ({ action, label, value: actions.buttonValue(inv.id, action), style });
  return [
    ...(inv.state === 'pending_approval' && approver ? [button('gl_list_approve', 'Approve', 'primary'), button('gl_list_deny', 'Deny')] : []),
    ...(inv.state === 'sent' && actions.resendMethods(inv).length ? [button('gl_list_resend', 'Resend')] : []),
    ...(inv.state === 'sent' && actions.mayShowLink(inv) ? [button('gl_list_showlink', 'Show link')] : []),
    ...(inv.state === 'failed' && approver ? [button('gl_list_retry', 'Retry', 'primary')] : []),
    button('gl_list_revoke', 'Revoke', 'danger'),
  ];
}

export async function pendingList(ctx: SlackContext, actions: ListActions, teamId: string, userId: string, page: number): Promise<ListMessage> {
  const admin = mayApprove((await ctx.api.member(userId)).level);
  const invitations = await ctx.store.listInvitations({
    platform: PLATFORM, workspaceId: teamId, states: OPEN_STATES, inviterId: admin ? undefined : userId,
    offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1,
  });
  if (!invitations.length) return { text: page > 1 ? 'No more pending invitations.' : 'No pending invitations.' };
  const shown = invitations.slice(0, PAGE_SIZE);
  const lines = shown.map((inv) => {
    const expires = inv.expiresAt ? `expires ${inv.expiresAt.slice(0, 10)}` : 'no expiry';
    return `• ${mrkdwn.bold(mrkdwn.escape(inv.name))} (${mrkdwn.escape(inv.email)}): ${ROLE_LABELS[inv.role]}, ${stateLabel(inv)}, ${inv.channelIds.length} channel(s), invited by ${mrkdwn.mention(inv.inviter)} on ${inv.createdAt.slice(0, 10)}, ${expires}`;
  });
  const more = invitations.length > PAGE_SIZE ? `\nMore: \`/${ctx.settings.trigger} list ${page + 1}\`` : '';
  const header = `*Pending invitations${admin ? ' (everyone’s)' : ''}*`;
  const rows = shown.map((inv, n) => ({ text: lines[n]!, buttons: buttons(actions, inv, admin) }));
  return { text: [header, ...lines].join('\n') + more, blocks: pendingListBlocks(header, rows, more.trim() || undefined) };
}
