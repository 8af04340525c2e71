/** Noticing that an invitee has registered on Mattermost: from WebSocket events the bot can see (`new_user`
 * for everyone, `user_added` in channels it is in) and from a periodic reconciliation that looks every open
 * invitation's email up, so a missed event still ends in an arrival. */
import { recordArrival } from '../../actions/recordArrival.js';
import { normalizeEmail } from '../../core/model.js';
import { AWAITING_ARRIVAL } from '../../core/stateMachine.js';
import { PLATFORM, type MattermostContext } from './context.js';
import type { WsEvent } from './websocket.js';

export class Arrivals {
  constructor(private readonly ctx: MattermostContext) {}

  async onEvent(event: WsEvent): Promise<void> {
    if (event.event !== 'new_user' && event.event !== 'user_added') return;
    const userId = String(event.data.user_id ?? '');
    if (userId) await this.checkUser(userId, `websocket:${event.event}`);
  }

  async checkUser(userId: string, via: string): Promise<void> {
    const user = await this.ctx.api.client.getUser(userId);
    if (!user.email) {
      this.ctx.log.warn('the bot cannot see user emails: arrivals cannot be matched (see README, email visibility)');
      return;
    }
    const invitations = await this.ctx.store.listInvitations({ platform: PLATFORM, email: normalizeEmail(user.email), states: AWAITING_ARRIVAL });
    for (const inv of invitations) await this.arrive(inv.id, user.id, via);
  }

  /** Looks each awaited invitee up by email. Returns how many arrived. */
  async reconcile(): Promise<number> {
    const open = await this.ctx.store.listInvitations({ platform: PLATFORM, states: AWAITING_ARRIVAL });
    let arrived = 0;
    for (const inv of open) {
      const user = await this.ctx.api.userByEmail(inv.email);
      if (user && (await this.arrive(inv.id, user.id, 'reconcile'))) arrived++;
    }
    return arrived;
  }

  private async arrive(invitationId: string, userId: string, via: string): Promise<boolean> {
    const inv = await this.ctx.store.getInvitation(invitationId);
    if (!inv) return false;
    const done = await recordArrival({ store: this.ctx.store, clock: this.ctx.clock }, inv, userId, via);
    if (done) {
      this.ctx.log.info({ invitation: inv.id, via }, 'invitee arrived');
      this.ctx.outbox.kick();
    }
    return !!done;
  }
}
