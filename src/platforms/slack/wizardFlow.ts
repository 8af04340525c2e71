/** The slash command and the invitation wizard on Slack. The command is acknowledged first; the modal is opened
 * right after, within the trigger's 3 seconds. Each step's submission is validated against rights read now
 * (never the view's own data), field errors go back on the step's blocks, and the last step creates the
 * invitations and replaces the modal with the outcome. The view carries a signed draft id, nothing else. */
import type { SlashCommand, ViewOutput, types } from '@slack/bolt';
import { newId } from '../../core/clock.js';
import { slackMrkdwn as mrkdwn } from '../../core/format.js';
import { submissionSummary } from '../../core/messages.js';
import type { Role } from '../../core/model.js';
import { mayInviteAtAll } from '../../core/policy.js';
import {
  WhoValues, parseSubmission, readStep, wizardSteps, type FieldErrors, type Step, type WizardContext,
} from '../../core/wizard.js';
import { createInvitations } from '../../actions/createInvitations.js';
import type { Draft } from '../../store/store.js';
import { noticeView, readViewValues, stepView } from '../../../views/slack/wizardModal.js';
import type { SlackMember } from './api.js';
import { PLATFORM, WIZARD_TTL_MS, type SlackContext } from './context.js';
import { withTimeout } from '../withTimeout.js';

/** Existing accounts are looked up before the ack only for a few addresses; reconciliation finds the others. */
const ACCOUNT_LOOKUP_MAX = 10;
const ACCOUNT_LOOKUP_BUDGET_MS = 800;

/** What a view submission is answered with, in its ack (Slack waits 3 s for it). */
export type ViewAnswer =
  | { response_action: 'errors'; errors: FieldErrors }
  | { response_action: 'update'; view: types.ModalView };

export class WizardFlow {
  constructor(private readonly ctx: SlackContext) {}

  /** Opens the modal's first step; returns what to tell the inviter instead when it cannot. Runs after the ack. */
  async open(cmd: SlashCommand, prefill?: string): Promise<string | undefined> {
    const now = this.ctx.clock.now();
    const draft: Draft = {
      id: newId(), userId: cmd.user_id, platform: PLATFORM, workspaceId: cmd.team_id, channelId: cmd.channel_id,
      values: WhoValues.parse({}), bot: { username: cmd.user_name },
      createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + WIZARD_TTL_MS).toISOString(),
    };
    const [inviter] = await Promise.all([this.ctx.api.member(cmd.user_id), this.ctx.store.putDraft(draft)]);
    const allowed = mayInviteAtAll(inviter.level);
    if (!allowed.ok) return allowed.reason;
    const [who] = wizardSteps(this.wizardContext(inviter, draft, prefill));
    try {
      await this.ctx.api.interactive.views.open({ trigger_id: cmd.trigger_id, view: this.view(draft, who!, 'Next') });
    } catch (err) {
      this.ctx.log.warn({ err: (err as Error).message }, 'could not open the invitation modal');
      return 'I could not open the invitation form in time. Please run the command again.';
    }
    return undefined;
  }

  /** A step's submission, answered in its ack. */
  async submit(userId: string, view: ViewOutput): Promise<ViewAnswer> {
    const signed = this.ctx.signer.verify(view.private_metadata, this.ctx.clock.now().getTime());
    const draft = signed?.k === 'wizard' ? await this.ctx.store.getDraft(String(signed.d)) : undefined;
    if (!draft || draft.userId !== userId) return update(noticeView('Invite people', 'This form has expired. Run the command again.'));
    const step = view.callback_id === 'invite-who' ? 'who' : 'access';
    const read = readStep(readViewValues(view.state.values), step);
    if (!read.ok) return { response_action: 'errors', errors: read.errors };
    return step === 'who' ? this.submitWho(draft, WhoValues.parse(read.values)) : this.submitAccess(draft, read.values);
  }

  private async submitWho(draft: Draft, submitted: WhoValues): Promise<ViewAnswer> {
    const inviter = await this.ctx.api.member(draft.userId);
    const allowed = mayInviteAtAll(inviter.level);
    if (!allowed.ok) return update(noticeView('Invite people', mrkdwn.escape(allowed.reason)));
    const wizard = this.wizardContext(inviter, draft);
    const parsed = parseSubmission(submitted, wizard, 'who');
    if (!parsed.ok) return { response_action: 'errors', errors: parsed.errors };
    await this.ctx.store.putDraft({ ...draft, values: submitted });
    const [, access] = wizardSteps(wizard, submitted.role as Role);
    return update(this.view(draft, access!, 'Invite'));
  }

  /** The second step: its own fields only; the first step's come from the draft. */
  private async submitAccess(draft: Draft, submitted: Record<string, unknown>): Promise<ViewAnswer> {
    const { store, clock, api } = this.ctx;
    const values = { ...draft.values, ...submitted };
    const [inviter, channels] = await Promise.all([api.member(draft.userId), api.channelsOf(draft.userId)]);
    const wizard = { ...this.wizardContext(inviter, draft), channels };
    const parsed = parseSubmission(values, wizard);
    if (!parsed.ok) {
      const [, access] = wizardSteps(wizard, values.role as Role);
      return { response_action: 'errors', errors: onStep(access!, parsed.errors) };
    }
    const existing = await withTimeout(this.existingAccounts(parsed.request.recipients.map((r) => r.email)), ACCOUNT_LOOKUP_BUDGET_MS, new Set<string>());
    const result = await createInvitations(
      { store, clock },
      {
        platform: PLATFORM, workspaceId: draft.workspaceId, inviter: inviter.person, level: inviter.level, originChannelId: draft.channelId,
        caps: wizard.caps, request: parsed.request, existingAccounts: existing, rateLimit: { perHour: this.ctx.settings.invitesPerHour },
      },
    );
    if (!result.ok) return update(noticeView('Not sent', mrkdwn.escape(result.reason)));
    await store.deleteDraft(draft.id);
    this.ctx.outbox.kick();
    const summary = submissionSummary(result.created, result.skipped, result.needsApproval, mrkdwn);
    return update(noticeView(result.created.length ? 'Invitation sent' : 'Nobody invited', summary));
  }

  private async existingAccounts(emails: string[]): Promise<Set<string>> {
    if (emails.length > ACCOUNT_LOOKUP_MAX) return new Set();
    const found = await Promise.all(emails.map(async (e) => ((await this.ctx.api.userByEmail(e, this.ctx.api.interactive)) ? e : undefined)));
    return new Set(found.filter((e): e is string => !!e));
  }

  private wizardContext(inviter: SlackMember, draft: Draft, prefill?: string): WizardContext {
    // The channel picker lists Slack's conversations itself; the command's channel is offered as the default.
    return { level: inviter.level, caps: this.ctx.capabilities(), channels: [{ value: draft.channelId, label: '' }], currentChannelId: draft.channelId, prefill };
  }

  private view(draft: Draft, step: Step, submitLabel: string): types.ModalView {
    const privateMetadata = this.ctx.signer.sign({ k: 'wizard', d: draft.id, exp: this.ctx.clock.now().getTime() + WIZARD_TTL_MS });
    return stepView({ step, privateMetadata, submitLabel });
  }
}

function update(view: types.ModalView): ViewAnswer {
  return { response_action: 'update', view };
}

/** Errors can only be shown on the blocks of the view that was submitted: one about an earlier step (rights that
 * changed in between) goes on this step's first field. */
function onStep(step: Step, errors: FieldErrors): FieldErrors {
  const names = new Set(step.fields.map((f) => f.name));
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    const target = names.has(field) ? field : step.fields[0]!.name;
    out[target] = out[target] ? `${out[target]} ${message}` : message;
  }
  return out;
}
