/** `/invite-people list`: the caller's open invitations (administrators: everyone's in the team), newest first,
 * each with its state, role, channels, inviter, age and expiry, and the buttons that act on it. */
import { mattermostMarkdown as md } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import { ROLE_LABELS, mayApprove } from '../../core/policy.js';
import { stateLabel } from '../../core/messages.js';
import { OPEN_STATES } from '../../core/stateMachine.js';
import { invitationButton } from './buttons.js';
import { PLATFORM, type MattermostContext } from './context.js';
import { ephemeral } from './ephemeral.js';

const PAGE_SIZE = 10;

function age(fromIso: string, now: Date): string {
  const hours = Math.floor((now.getTime() - Date.parse(fromIso)) / 3600_000);
  return hours < 1 ? 'just now' : hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}

function buttons(ctx: MattermostContext, inv: Invitation, approver: boolean): Record<string, unknown>[] {
  const button = (action: Parameters<typeof invitationButton>[2], name: string, style?: 'primary' | 'danger') => invitationButton(ctx, inv.id, action, name, { style, fromList: true });
  const offers = ctx.backend?.offers(inv);
  const hasLinks = offers ? offers.showLink : !!ctx.links;
  return [
    ...(inv.state === 'pending_approval' && approver ? [button('approve', 'Approve', 'primary'), button('deny', 'Deny')] : []),
    ...(inv.state === 'sent' && (!offers || offers.resend.length) ? [button('resend', 'Resend')] : []),
    ...(inv.state === 'sent' && hasLinks ? [button('showlink', 'Show link')] : []),
    ...(inv.state === 'failed' && approver ? [button('retry', 'Retry', 'primary')] : []),
    button('revoke', 'Revoke', 'danger'),
  ];
}

export async function listInvitations(ctx: MattermostContext, teamId: string, userId: string, page: number): Promise<Record<string, unknown>> {
  const approver = mayApprove(await ctx.api.level(teamId, userId));
  const invitations = await ctx.store.listInvitations({
    platform: PLATFORM, workspaceId: teamId, states: OPEN_STATES, inviterId: approver ? undefined : userId,
    offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1,
  });
  if (!invitations.length) return ephemeral(page > 1 ? 'No more pending invitations.' : 'No pending invitations.');
  const now = ctx.clock.now();
  const attachments = invitations.slice(0, PAGE_SIZE).map((inv) => ({
    text: [
      `**${md.escape(inv.name)}** (${md.escape(inv.email)}): ${stateLabel(inv)}`,
      `${ROLE_LABELS[inv.role]} · ${inv.channelIds.length} channel${inv.channelIds.length === 1 ? '' : 's'} · invited by ${md.mention(inv.inviter)} ${age(inv.createdAt, now)} · expires ${inv.expiresAt ? inv.expiresAt.slice(0, 10) : 'never'}`,
      ...(inv.lastError ? [`:warning: ${md.escape(inv.lastError)}`] : []),
      ...(inv.state === 'sent' && ctx.backend?.offers(inv).why ? [`_${md.escape(ctx.backend.offers(inv).why!)}_`] : []),
    ].join('\n'),
    actions: buttons(ctx, inv, approver),
  }));
  const more = invitations.length > PAGE_SIZE ? `\nMore: \`/${ctx.settings.trigger} list ${page + 1}\`` : '';
  return { ...ephemeral(`**Pending invitations${approver ? ' (everyone’s)' : ''}**, page ${page}${more}`), attachments };
}
