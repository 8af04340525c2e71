/** Noticing that an invitee has arrived, once for every platform. Each adapter turns what its platform tells
 * (Mattermost's WebSocket, Slack's team_join and member_joined_channel) into a MemberArrived event; a periodic
 * reconciliation looks every awaited address up through the port, so a missed event still ends in an arrival.
 * The arrival itself is recordArrival's compare-and-set: however many paths notice it, it happens once. */
import { recordArrival } from '../actions/recordArrival.js';
import { type Invitation, normalizeEmail, type Platform } from '../core/model.js';
import { AWAITING_ARRIVAL } from '../core/stateMachine.js';
import type { Logger } from '../logger.js';
import type { ChatPort } from './chatPort.js';
import type { FlowDeps } from './jobHandlers.js';

export interface MemberArrived {
  platform: Platform;
  /** Where the platform saw them, when it says. Matching is by address: an account is not one workspace's. */
  workspaceId?: string;
  userId: string;
  /** When the event carries it; otherwise it is looked up through the port. */
  email?: string;
  /** What noticed it, kept in the audit entry (e.g. `websocket:new_user`, `team_join`). */
  via: string;
}

export class ArrivalFlow {
  constructor(
    private readonly deps: FlowDeps & { log: Logger },
    private readonly port: ChatPort,
  ) {}

  /** How many invitations the newcomer settled, or undefined when the bot cannot see their address. */
  async arrived(e: MemberArrived): Promise<number | undefined> {
    const email = e.email ?? (await this.port.user(e.userId)).email;
    if (!email) return undefined;
    const awaited = await this.deps.store.listInvitations({
      platform: e.platform,
      email: normalizeEmail(email),
      states: AWAITING_ARRIVAL,
    });
    let arrived = 0;
    for (const inv of awaited) if (await this.arrive(inv, e.userId, e.via, e.workspaceId)) arrived++;
    return arrived;
  }

  /** An event a receiver heard: never rejects (a failed check is logged, and the reconciliation finds the arrival
   * later). `noEmails` is called where the bot cannot see the newcomer's address. */
  async heard(e: MemberArrived, noEmails?: () => void): Promise<void> {
    try {
      if ((await this.arrived(e)) === undefined) noEmails?.();
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'arrival check failed');
    }
  }

  /** Looks each awaited invitee up by address. Returns how many arrived. */
  async reconcile(): Promise<number> {
    const awaited = await this.deps.store.listInvitations({ platform: this.port.platform, states: AWAITING_ARRIVAL });
    let arrived = 0;
    for (const inv of awaited) {
      const user = await this.port.userByEmail(inv.email);
      if (user && (await this.arrive(inv, user.id, 'reconcile'))) arrived++;
    }
    return arrived;
  }

  private async arrive(inv: Invitation, userId: string, via: string, workspace?: string): Promise<boolean> {
    const done = await recordArrival(this.deps, inv, userId, via);
    if (!done) return false;
    this.deps.log.info({ invitation: inv.id, via, ...(workspace ? { workspace } : {}) }, 'invitee arrived');
    this.deps.outbox.kick();
    return true;
  }
}
