/** Arrival on kChat without a WebSocket: each round reads the status of the Infomaniak invitations still
 * awaited. `accepted` → the invitee's kChat account is looked up by email and the arrival recorded (if the
 * account is not there yet, the email reconciliation that follows each round finds it later); `cancelled` (in the
 * Manager) → revoked here; `rejected` → failed; `pending` past its `expired_at` → expired. Where it costs fewer
 * calls, a round reads the users list (pending invitations and members, a page per call) instead of one
 * invitation per call; what the list cannot tell (rejected, cancelled, gone) is then asked one by one. A round
 * takes at most `maxChecks` invitations, least recently checked first, and stops early when the shared budget
 * is used up, so deliveries are never starved. */
import { recordArrival } from '../../actions/recordArrival.js';
import { isExternalStatus, recordExternalStatus } from '../../actions/recordExternalStatus.js';
import type { Invitation } from '../../core/model.js';
import { isPaced } from '../../outbox/errors.js';
import { PLATFORM } from '../mattermost/context.js';
import { ikInvitationId, type KchatContext } from './context.js';
import { type AccountRow, InfomaniakError } from './infomaniakApi.js';

/** Statuses after which Infomaniak has nothing more to tell. `gone`: the invitation no longer exists there. */
const SETTLED = new Set(['accepted', 'gone']);
const PER_PAGE = 100;

export class InvitationStatusPoll {
  private readonly lastChecked = new Map<string, number>();
  /** How many pages the users list had last time: reading it costs that many calls. */
  private listPages = 1;

  constructor(
    private readonly ctx: KchatContext,
    private readonly maxChecks = 20,
  ) {}

  async run(): Promise<void> {
    const sent = await this.ctx.store.listInvitations({ platform: PLATFORM, states: ['sent'] });
    const due = sent
      .filter((inv) => ikInvitationId(inv) && !SETTLED.has(inv.external?.infomaniakStatus ?? ''))
      .sort((a, b) => (this.lastChecked.get(a.id) ?? 0) - (this.lastChecked.get(b.id) ?? 0))
      .slice(0, this.maxChecks);
    const live = new Set(sent.map((i) => i.id));
    for (const id of this.lastChecked.keys()) if (!live.has(id)) this.lastChecked.delete(id);
    if (!due.length) return;

    const listed = due.length > this.listPages ? await this.fromUsersList(due) : new Map<string, string>();
    if (!listed) return;
    for (const inv of due) {
      let status = listed.get(inv.id);
      if (!status) {
        try {
          const read = await this.ctx.ik.getInvitation(ikInvitationId(inv)!);
          status = this.expiredOr(read.status, read.expiredAt);
        } catch (err) {
          if (isPaced(err)) return;
          if (err instanceof InfomaniakError && err.status === 404) status = 'gone';
          else {
            this.ctx.log.warn(
              { invitation: inv.id, err: (err as Error).message },
              'could not read an Infomaniak invitation’s status',
            );
            continue;
          }
        }
      }
      this.lastChecked.set(inv.id, this.ctx.clock.now().getTime());
      await this.settle(inv, status);
    }
  }

  /** Statuses the users list tells: our pending row → pending (or expired), a member with the address →
   * accepted. Undefined when the budget ran out (the round ends). */
  private async fromUsersList(due: Invitation[]): Promise<Map<string, string> | undefined> {
    const rows: AccountRow[] = [];
    try {
      for (let page = 1; page <= this.listPages || page === 1; page++) {
        const answer = await this.ctx.ik.accountUsersPage(page, PER_PAGE);
        rows.push(...answer.rows);
        this.listPages = answer.pages;
      }
    } catch (err) {
      if (isPaced(err)) return undefined;
      this.ctx.log.warn(
        { err: (err as Error).message },
        'could not read the Infomaniak users list; asking invitation by invitation',
      );
      return new Map();
    }
    const pending = new Set(rows.filter((r) => r.state === 'pending' && r.invitationId).map((r) => r.invitationId));
    const members = new Set(rows.filter((r) => r.state === 'valid' && r.userId).map((r) => r.email));
    const statuses = new Map<string, string>();
    for (const inv of due) {
      if (pending.has(ikInvitationId(inv)))
        statuses.set(inv.id, this.expiredOr('pending', inv.external?.infomaniakExpiresAt ?? null));
      else if (members.has(inv.email.trim().toLowerCase())) statuses.set(inv.id, 'accepted');
    }
    return statuses;
  }

  /** A pending invitation past its `expired_at` can no longer be accepted. */
  private expiredOr(status: string, expiredAt: string | null): string {
    return status === 'pending' && expiredAt && Date.parse(expiredAt) <= this.ctx.clock.now().getTime()
      ? 'expired'
      : status;
  }

  private async settle(inv: Invitation, status: string): Promise<void> {
    if (status === 'pending') return;
    if (!isExternalStatus(status)) {
      this.ctx.log.warn(
        { invitation: inv.id, status },
        'Infomaniak gave an invitation status this bot does not know; it is left as it is',
      );
      return;
    }
    const external = { ...inv.external, infomaniakStatus: status };
    await recordExternalStatus(this.ctx, inv, { status, external, actor: 'infomaniak' });
    if (status === 'accepted') {
      const user = await this.ctx.chat.userByEmail(inv.email).catch(() => undefined);
      if (user && (await recordArrival(this.ctx, { ...inv, external }, user.id, 'infomaniak'))) {
        this.ctx.log.info({ invitation: inv.id, via: 'infomaniak' }, 'invitee arrived');
      }
    }
    this.ctx.outbox.kick();
  }
}
