/** Approve and Deny, once for every platform: a click names an invitation (the platform or the button's signature
 * vouches for it), the clicker's rights are read now through the port, Deny asks for a reason in a form, and the
 * decision itself is the action's compare-and-set (four eyes, exactly once). */

import { decideApproval } from '../actions/decideApproval.js';
import {
  alreadyDecided,
  approvalMessage,
  type ChatMessage,
  formExpired,
  invitationGone,
  noFormHere,
} from '../core/messages.js';
import type { Invitation, Person } from '../core/model.js';
import { type InviterLevel, mayManage } from '../core/policy.js';
import type { Writer } from '../core/writer.js';
import type { Signer } from '../security/signing.js';
import type { ChatPort } from './chatPort.js';
import type { FlowDeps } from './jobHandlers.js';
import { Readers } from './readers.js';

const REASON_TTL_MS = 30 * 60_000;

export interface ApprovalClick {
  invitationId: string;
  action: 'approve' | 'deny';
  user: Person;
  /** What opens the reason form; a client without one (some mobile apps) cannot deny from the post. */
  trigger?: string;
}

/** A notice for the clicker, and the approval request as it now stands (to update the post in place). */
export interface ApprovalReply {
  ok: boolean;
  notice?: string;
  update?: ChatMessage;
}

export class ApprovalFlow {
  private readonly readers: Readers;

  constructor(
    private readonly deps: FlowDeps & { signer: Signer },
    private readonly port: ChatPort,
  ) {
    this.readers = Readers.of(deps.locales, port, () => deps.clock.now().getTime());
  }

  async click(c: ApprovalClick): Promise<ApprovalReply> {
    const [inv, f] = await Promise.all([this.invitation(c.invitationId), this.readers.writer(c.user.id)]);
    if (!inv) return { ok: false, notice: invitationGone(f) };
    if (inv.state !== 'pending_approval')
      return { ok: false, notice: alreadyDecided(f, inv.state), update: await this.message(inv, c.user) };
    const level = await this.port.level(inv.workspaceId, c.user.id);
    const allowed = mayManage(c.user.id, level, inv, 'decide');
    if (!allowed.ok) return { ok: false, notice: allowed.reason(f) };
    if (c.action === 'approve') return this.decide(inv, c.user, level, true);
    if (!c.trigger) return { ok: false, notice: noFormHere(f) };
    const exp = this.deps.clock.now().getTime() + REASON_TTL_MS;
    await this.port.openForm(c.trigger, {
      kind: 'deny',
      words: f,
      state: this.deps.signer.sign({ k: 'deny', i: inv.id, u: c.user.id, n: c.user.username, exp }),
    });
    return { ok: true };
  }

  /** The reason form's submission. `state` is the form's signed value, checked here; `user` submitted it. */
  async deny(state: unknown, user: Person, reason: string): Promise<ApprovalReply> {
    const claims = this.deps.signer.verify(state, this.deps.clock.now().getTime(), 'deny');
    const inv = claims?.u === user.id ? await this.invitation(claims.i) : undefined;
    if (!inv) return { ok: false, notice: formExpired(await this.readers.words(user.id), 'Deny') };
    return this.decide(inv, user, await this.port.level(inv.workspaceId, user.id), false, reason);
  }

  private async invitation(id: string): Promise<Invitation | undefined> {
    const inv = await this.deps.store.getInvitation(id);
    return inv?.platform === this.port.platform ? inv : undefined;
  }

  /** `level`: the approver's, read for this click or submission. */
  private async decide(
    inv: Invitation,
    approver: Person,
    level: InviterLevel,
    approved: boolean,
    reason?: string,
  ): Promise<ApprovalReply> {
    // Four eyes only matters when the inviter decides their own request: only then are the approvers listed.
    const own = approver.id === inv.inviter.id;
    const approvers = own ? await this.port.approvers(inv.workspaceId) : [];
    const otherApproverExists = !own || approvers.some((id) => id !== inv.inviter.id);
    const locale = await this.readers.locale(approver.id);
    const result = await decideApproval(this.deps, {
      invitationId: inv.id,
      approver: { ...approver, locale },
      approverLevel: level,
      approved,
      reason,
      otherApproverExists,
    });
    this.deps.outbox.kick();
    const now = result.invitation && result.invitation.state !== 'pending_approval' ? result.invitation : undefined;
    const update = now && (await this.message(now, approver));
    if (result.ok) return { ok: true, update };
    return { ok: false, notice: result.reason(this.readers.wordsFor(locale)), update };
  }

  /** The post as it now stands, in the words it was posted in (where the clicker sees it). */
  private async message(inv: Invitation, clicker: Person): Promise<ChatMessage> {
    const f: Writer = this.port.approvalChannel
      ? this.readers.writerFor(undefined)
      : await this.readers.writer(clicker.id);
    return approvalMessage(f, inv, await this.port.channelNames(inv));
  }
}
