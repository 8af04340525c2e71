/** Noticing that an invitee has joined the Slack workspace: `team_join` (with the email, given users:read.email),
 * `member_joined_channel` in the channels the bot is in, and a periodic reconciliation that looks every awaited
 * email up, so a missed event still ends in an arrival. The arrival itself is a compare-and-set: however many of
 * these notice it, the newcomer is added, announced and reported once. */
import { recordArrival } from '../../actions/recordArrival.js';
import { normalizeEmail, type Invitation } from '../../core/model.js';
import { AWAITING_ARRIVAL } from '../../core/stateMachine.js';
import { PLATFORM, type SlackContext } from './context.js';

export interface JoinedUser {
  id: string;
  is_bot?: boolean;
  profile?: { email?: string };
}

export class Arrivals {
  constructor(private readonly ctx: SlackContext) {}

  async onTeamJoin(user: JoinedUser): Promise<void> {
    if (user.is_bot) return;
    const email = user.profile?.email ?? (await this.ctx.api.member(user.id, this.ctx.api.client)).email;
    if (!email) {
      this.ctx.log.warn('Slack gives no email for new members: arrivals cannot be matched (add the users:read.email scope)');
      return;
    }
    await this.match(email, user.id, 'team_join');
  }

  async onMemberJoinedChannel(userId: string): Promise<void> {
    const { email } = await this.ctx.api.member(userId, this.ctx.api.client);
    if (email) await this.match(email, userId, 'member_joined_channel');
  }

  /** Looks each awaited invitee up by email. Returns how many arrived. */
  async reconcile(): Promise<number> {
    const open = await this.ctx.store.listInvitations({ platform: PLATFORM, states: AWAITING_ARRIVAL });
    let arrived = 0;
    for (const inv of open) {
      const user = await this.ctx.api.userByEmail(inv.email);
      if (user && (await this.arrive(inv, user.id, 'reconcile'))) arrived++;
    }
    return arrived;
  }

  private async match(email: string, userId: string, via: string): Promise<void> {
    const invitations = await this.ctx.store.listInvitations({ platform: PLATFORM, email: normalizeEmail(email), states: AWAITING_ARRIVAL });
    for (const inv of invitations) await this.arrive(inv, userId, via);
  }

  private async arrive(inv: Invitation, userId: string, via: string): Promise<boolean> {
    const done = await recordArrival({ store: this.ctx.store, clock: this.ctx.clock }, inv, userId, via);
    if (done) {
      this.ctx.log.info({ invitation: inv.id, via }, 'invitee arrived');
      this.ctx.outbox.kick();
    }
    return !!done;
  }
}
