/** `/invite-people list` and its buttons, once for every platform. The list shows the caller's open invitations
 * (approvers: everyone's in the workspace), newest first, ten a page, each with the buttons its state and the
 * reader's rights allow. A click names an invitation and an action (the adapter vouches for it: Slack signs
 * requests, Mattermost buttons carry an HMAC'd context); the clicker's rights are read now through the port.
 * Approve / Deny go through the approval flow, the others through src/actions; Resend asks for the method in a
 * form, whose signed state names the invitation and the user who opened it. */

import { requestResend } from '../actions/requestResend.js';
import { retryDelivery } from '../actions/retryDelivery.js';
import { revokeInvitation } from '../actions/revokeInvitation.js';
import { showLinkAgain } from '../actions/showLinkAgain.js';
import {
  approvedGoesOut,
  buttonLabel,
  cannotResend,
  formExpired,
  invitationGone,
  linkComingByDm,
  listEmpty,
  listEntryText,
  listHeading,
  listMore,
  noFormHere,
  noLinkOfMine,
  onlyOutResent,
  resentOnItsWay,
  retrying,
  revokedNoLongerWorks,
} from '../core/messages.js';
import type { Invitation, Person } from '../core/model.js';
import { deliveriesFor, type Management, mayApprove, mayManage } from '../core/policy.js';
import { OPEN_STATES } from '../core/stateMachine.js';
import type { ResendForm } from '../core/userInput.js';
import type { Writer } from '../core/writer.js';
import type { Signer } from '../security/signing.js';
import type { ApprovalFlow } from './approvals.js';
import type { ChatPort, ListOffers } from './chatPort.js';
import { endingSoon, GUEST_ACTIONS, type GuestAction, guestClick, isGuestAction } from './guests.js';
import type { FlowDeps } from './jobHandlers.js';
import { Readers } from './readers.js';

const PAGE_SIZE = 10;
const RESEND_TTL_MS = 30 * 60_000;

export const LIST_ACTIONS = ['approve', 'deny', 'resend', 'showlink', 'retry', 'revoke', ...GUEST_ACTIONS] as const;
export type ListAction = (typeof LIST_ACTIONS)[number];

export interface ListButton {
  action: ListAction;
  label: string;
  style?: 'primary' | 'danger';
}
export interface ListEntry {
  invitationId: string;
  text: string;
  buttons: ListButton[];
}
/** The list as every platform shows it, in the port's markup: a heading (the whole answer when nothing is
 * pending), one entry per invitation with its buttons, and how to see the next page. Adapters render it and sign
 * each button their way. */
export interface ListMessage {
  text: string;
  entries: ListEntry[];
  more?: string;
}

export interface ListClick {
  invitationId: string;
  action: ListAction;
  user: Person;
  trigger?: string;
}

/** The resend form's outcome: a closing notice, or the reason, on its field when it is about one. */
export type ResendReply = { ok: true; notice: string } | { ok: false; reason: string; field?: 'method' | 'phone' };

const MANAGEMENT: Record<Exclude<ListAction, 'approve' | 'deny' | GuestAction>, Management> = {
  resend: 'resend',
  showlink: 'show-link',
  retry: 'retry',
  revoke: 'revoke',
};

export class PendingListFlow {
  private readonly readers: Readers;

  constructor(
    private readonly deps: FlowDeps & { signer: Signer; trigger: string },
    private readonly port: ChatPort,
    private readonly approvals: ApprovalFlow,
  ) {
    this.readers = Readers.of(deps.locales, port, () => deps.clock.now().getTime());
  }

  async list(workspaceId: string, userId: string, page: number): Promise<ListMessage> {
    const [level, f] = await Promise.all([this.port.level(workspaceId, userId), this.readers.writer(userId)]);
    const approver = mayApprove(level);
    const invitations = await this.deps.store.listInvitations({
      platform: this.port.platform,
      workspaceId,
      states: OPEN_STATES,
      inviterId: approver ? undefined : userId,
      offset: (page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE + 1,
    });
    // Guests ending soon, with their Extend / Remove now buttons, come after the first page.
    const soon = page === 1 ? await endingSoon(this.deps, this.port, f, workspaceId, userId, approver) : [];
    if (!invitations.length && !soon.length) {
      return { text: listEmpty(f, page), entries: [] };
    }
    const entries = [...invitations.slice(0, PAGE_SIZE).map((inv) => this.entry(f, inv, approver)), ...soon];
    const text = listHeading(f, approver, page);
    const more = invitations.length > PAGE_SIZE ? listMore(f, this.deps.trigger, page + 1) : undefined;
    return { text, entries, more };
  }

  /** A click on one of the list's buttons. Returns what to tell the clicker, if anything. */
  async click(c: ListClick): Promise<string | undefined> {
    const [inv, f] = await Promise.all([this.invitation(c.invitationId), this.readers.writer(c.user.id)]);
    if (!inv) return invitationGone(f);
    if (c.action === 'approve' || c.action === 'deny') {
      const reply = await this.approvals.click({ ...c, action: c.action });
      if (!reply.ok) return reply.notice;
      return c.action === 'approve' ? approvedGoesOut(f, inv.email) : undefined;
    }
    if (isGuestAction(c.action)) return guestClick(this.deps, this.port, f, inv, { ...c, action: c.action });
    const level = await this.port.level(inv.workspaceId, c.user.id);
    const allowed = mayManage(c.user.id, level, inv, MANAGEMENT[c.action]);
    if (!allowed.ok) return allowed.reason(f);
    const input = { invitationId: inv.id, by: c.user, byLevel: level };
    const offers = this.offers(inv);
    switch (c.action) {
      case 'revoke': {
        const result = await revokeInvitation(this.deps, input);
        this.deps.outbox.kick();
        return result.ok ? revokedNoLongerWorks(f, inv.email) : result.reason(f);
      }
      case 'showlink': {
        if (!offers.showLink) return offers.why?.(f) ?? noLinkOfMine(f);
        const result = await showLinkAgain(this.deps, input);
        this.deps.outbox.kick();
        return result.ok ? linkComingByDm(f) : result.reason(f);
      }
      case 'retry': {
        const result = await retryDelivery(this.deps, input);
        this.deps.outbox.kick();
        return result.ok ? retrying(f, result.email) : result.reason(f);
      }
      case 'resend': {
        if (inv.state !== 'sent') return onlyOutResent(f);
        if (!offers.resend.length) return offers.why?.(f) ?? cannotResend(f);
        if (!c.trigger) return noFormHere(f);
        const exp = this.deps.clock.now().getTime() + RESEND_TTL_MS;
        const state = this.deps.signer.sign({ k: 'resend', i: inv.id, u: c.user.id, n: c.user.username, exp });
        const form = {
          kind: 'resend' as const,
          words: f,
          state,
          email: inv.email,
          methods: offers.resend,
          phone: inv.phone,
        };
        await this.port.openForm(c.trigger, form);
        return undefined;
      }
    }
  }

  /** The resend form's submission. `state` is the form's signed value, checked here; `user` submitted it. */
  async submitResend(state: unknown, user: Person, values: ResendForm): Promise<ResendReply> {
    const claims = this.deps.signer.verify(state, this.deps.clock.now().getTime(), 'resend');
    const f = await this.readers.writer(user.id);
    if (claims?.u !== user.id) return { ok: false, reason: formExpired(f, 'Resend'), field: 'method' };
    const inv = await this.invitation(claims.i);
    if (!inv) return { ok: false, reason: invitationGone(f) };
    const level = await this.port.level(inv.workspaceId, user.id);
    const offered = this.offers(inv).resend;
    const input = { invitationId: inv.id, by: user, byLevel: level, ...values, offered };
    const result = await requestResend(this.deps, input);
    if (!result.ok) return { ok: false, reason: result.reason(f), field: result.field };
    this.deps.outbox.kick();
    return { ok: true, notice: resentOnItsWay(f, inv.email) };
  }

  private async invitation(id: string): Promise<Invitation | undefined> {
    const inv = await this.deps.store.getInvitation(id);
    return inv?.platform === this.port.platform ? inv : undefined;
  }

  /** What can be done to a `sent` invitation here: a backend decides for its own (kChat); otherwise the methods the
   * platform offers for its role, Show link wherever the bot's links are one of them. */
  private offers(inv: Invitation): ListOffers {
    const own = this.port.offers?.(inv);
    if (own) return own;
    const resend = deliveriesFor(this.port.capabilities(), inv.role);
    return { resend, showLink: resend.includes('link') };
  }

  private entry(f: Writer, inv: Invitation, approver: boolean): ListEntry {
    const offers = this.offers(inv);
    const text = listEntryText(f, inv, this.deps.clock.now(), offers.why?.(f));
    const button = (action: ListAction, style?: ListButton['style']) => ({
      action,
      label: buttonLabel(f, action),
      style,
    });
    const sent = inv.state === 'sent';
    const decide = inv.state === 'pending_approval' && approver;
    const buttons = [
      ...(decide ? [button('approve', 'primary'), button('deny')] : []),
      ...(sent && offers.resend.length ? [button('resend')] : []),
      ...(sent && offers.showLink ? [button('showlink')] : []),
      ...(inv.state === 'failed' && approver ? [button('retry', 'primary')] : []),
      button('revoke', 'danger'),
    ];
    return { invitationId: inv.id, text, buttons };
  }
}
