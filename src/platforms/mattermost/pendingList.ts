/** `/invite-people list`: the caller's open invitations (administrators: everyone's in the team), newest first. */
import { mattermostMarkdown as md } from '../../core/format.js';
import { ROLE_LABELS } from '../../core/policy.js';
import { stateLabel } from '../../core/messages.js';
import { OPEN_STATES } from '../../core/stateMachine.js';
import { PLATFORM, type MattermostContext } from './context.js';
import { ephemeral } from './ephemeral.js';

const PAGE_SIZE = 15;

function age(fromIso: string, now: Date): string {
  const hours = Math.floor((now.getTime() - Date.parse(fromIso)) / 3600_000);
  return hours < 1 ? 'just now' : hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} days ago`;
}

export async function listInvitations(ctx: MattermostContext, teamId: string, userId: string, page: number): Promise<Record<string, unknown>> {
  const level = await ctx.api.level(teamId, userId);
  const admin = level === 'admin' || level === 'owner';
  const invitations = await ctx.store.listInvitations({
    platform: PLATFORM, workspaceId: teamId, states: OPEN_STATES, inviterId: admin ? undefined : userId,
    offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1,
  });
  if (!invitations.length) return ephemeral(page > 1 ? 'No more pending invitations.' : 'No pending invitations.');
  const now = ctx.clock.now();
  const rows = invitations.slice(0, PAGE_SIZE).map((inv) => {
    const expires = inv.expiresAt ? inv.expiresAt.slice(0, 10) : 'never';
    return `| ${md.escape(inv.name)} | ${md.escape(inv.email)} | ${ROLE_LABELS[inv.role]} | ${stateLabel(inv)} | ${inv.channelIds.length} | ${md.mention(inv.inviter)} | ${age(inv.createdAt, now)} | ${expires} |`;
  });
  const more = invitations.length > PAGE_SIZE ? `\nMore: \`/${ctx.settings.trigger} list ${page + 1}\`` : '';
  return ephemeral(
    [`**Pending invitations${admin ? ' (everyone’s)' : ''}**`, '', '| Name | Email | Role | State | Channels | Invited by | Age | Expires |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n') + more,
  );
}
