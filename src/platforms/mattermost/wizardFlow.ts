/** The slash command and the invitation wizard on Mattermost: open the dialog within the trigger's lifetime,
 * then validate each submission against fresh rights (never the dialog's own data) and create the invitations. */
import { newId } from '../../core/clock.js';
import { mattermostMarkdown as md } from '../../core/format.js';
import { submissionSummary } from '../../core/messages.js';
import type { Role } from '../../core/model.js';
import type { InviterLevel } from '../../core/policy.js';
import {
  WhoValues, parseSubmission, readStep, wizardSteps, type FieldErrors, type Option, type Step, type WizardContext,
} from '../../core/wizard.js';
import { createInvitations, type CreateResult } from '../../actions/createInvitations.js';
import { parseCommand, helpText } from '../../../commands/invitePeople.js';
import { CHANNEL_SLOTS, readSubmission, renderDialog } from '../../../views/mattermost/dialog.js';
import { PLATFORM, WIZARD_TTL_MS, type MattermostContext } from './context.js';
import { ephemeral } from './ephemeral.js';
import { RecentLookups } from './recentLookups.js';
import { listInvitations } from './pendingList.js';
import { MattermostError } from './api.js';
import { webFormOffer } from './webForm.js';
import { withTimeout } from '../withTimeout.js';

const GUESTS_CANNOT_INVITE = 'Guests (external users) cannot invite anyone. Ask a member of the team.';
/** Budget for the lookups made before the dialog opens: old servers and kChat expire trigger ids after 3 s. */
const LOOKUP_BUDGET_MS = 1200;
const DIALOG_OPEN_BUDGET_MS = 1500;
/** How long the dialog's lookups are reused (rights are re-checked on submit whatever this says). */
const LOOKUP_TTL_MS = 60_000;
/** Above this many recipients, existing accounts are reported by the delivery instead of looked up at submit. */
const ACCOUNT_LOOKUP_MAX = 50;
/** Answers to actions/dialogs/open meaning "not here", as opposed to a slow or failing server. */
const DIALOGS_REFUSED = [403, 404, 405, 501];
/** Mattermost's command response URLs: `/hooks/commands/{26-character id}`. */
const COMMAND_HOOK_PATH = /^\/hooks\/commands\/[a-z0-9]{1,64}$/i;
const CONFIRM_TIMEOUT_MS = 5000;

export interface CommandRequest {
  team_id: string;
  channel_id: string;
  user_id: string;
  user_name: string;
  text: string;
  trigger_id: string;
  response_url?: string;
}

export interface DialogSubmission {
  callback_id: string;
  user_id: string;
  channel_id: string;
  team_id: string;
  submission: Record<string, unknown>;
  cancelled: boolean;
}

type DialogAnswer = Record<string, unknown>;

export class WizardFlow {
  private readonly levels: RecentLookups<InviterLevel>;
  private readonly channelLists: RecentLookups<Option[] | undefined>;

  constructor(private readonly ctx: MattermostContext) {
    const now = () => ctx.clock.now().getTime();
    this.levels = new RecentLookups(LOOKUP_TTL_MS, now);
    this.channelLists = new RecentLookups(LOOKUP_TTL_MS, now);
  }

  async command(cmd: CommandRequest): Promise<Record<string, unknown>> {
    const intent = parseCommand(cmd.text);
    if (intent.kind === 'help') return ephemeral(helpText(this.ctx.settings.trigger, intent.unknown, true));
    if (intent.kind === 'list') return listInvitations(this.ctx, cmd.team_id, cmd.user_id, intent.page);
    if (intent.kind === 'bulk') return this.offerBulkForm(cmd);
    return this.openWizard(cmd, intent.prefill);
  }

  /** The wizard as a web page, whose address field takes far more than a dialog's 3,000 characters. */
  private async offerBulkForm(cmd: CommandRequest): Promise<Record<string, unknown>> {
    if ((await this.levels.get(`${cmd.team_id}:${cmd.user_id}`, () => this.ctx.api.level(cmd.team_id, cmd.user_id))) === 'guest') return ephemeral(GUESTS_CANNOT_INVITE);
    return ephemeral(webFormOffer(this.ctx, await this.newDraft(cmd), cmd.user_id, 'bulk'));
  }

  private async newDraft(cmd: CommandRequest): Promise<string> {
    const now = this.ctx.clock.now();
    const draftId = newId();
    await this.ctx.store.putDraft({
      id: draftId, userId: cmd.user_id, platform: PLATFORM, workspaceId: cmd.team_id, channelId: cmd.channel_id,
      values: WhoValues.parse({}), bot: { username: cmd.user_name, responseUrl: this.commandResponseUrl(cmd.response_url) },
      createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + WIZARD_TTL_MS).toISOString(),
    });
    return draftId;
  }

  /** The command's response URL, on the configured server only: a command hook's path is kept, any other host
   * or path is dropped, so no request can make the bot post somewhere else. */
  private commandResponseUrl(given: string | undefined): string | undefined {
    const path = given && URL.canParse(given) ? new URL(given).pathname : undefined;
    return path && COMMAND_HOOK_PATH.test(path) ? `${this.ctx.settings.serverUrl}${path}` : undefined;
  }

  private async openWizard(cmd: CommandRequest, prefill?: string): Promise<Record<string, unknown>> {
    const { api, log } = this.ctx;
    const key = `${cmd.team_id}:${cmd.user_id}`;
    const [level, channels] = await Promise.all([
      this.levels.get(key, () => api.level(cmd.team_id, cmd.user_id)),
      withTimeout(this.channelLists.get(key, () => this.channelOptions(cmd.team_id, cmd.user_id)), LOOKUP_BUDGET_MS, undefined),
    ]);
    if (level === 'guest') return ephemeral(GUESTS_CANNOT_INVITE);
    const wizard = this.wizardContext(level, channels ?? [{ value: cmd.channel_id, label: 'This channel' }], cmd.channel_id, prefill);
    const draftId = await this.newDraft(cmd);
    const multistep = this.ctx.dialogFeatures().multistep;
    const steps = wizardSteps(wizard);
    const dialog = this.dialog(draftId, cmd.user_id, multistep ? [steps[0]!] : steps, multistep ? 'Next' : 'Invite');
    try {
      await api.openDialog({ trigger_id: cmd.trigger_id, url: `${this.ctx.settings.publicUrl}/mattermost/dialog`, dialog }, AbortSignal.timeout(DIALOG_OPEN_BUDGET_MS));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not open the invitation dialog');
      // Refused outright (kChat may not serve dialogs): the same wizard as a web page, for this user only.
      if (err instanceof MattermostError && DIALOGS_REFUSED.includes(err.status)) return ephemeral(webFormOffer(this.ctx, draftId, cmd.user_id));
      return ephemeral('I could not open the invitation form (the server refused or took too long). Please run the command again.');
    }
    return {};
  }

  /** The inviter's channels, or undefined when the bot may not list them (it then offers the current channel). */
  async channelOptions(teamId: string, userId: string): Promise<Option[] | undefined> {
    try {
      const channels = await this.ctx.api.channelsOf(teamId, userId);
      return channels.map((c) => ({ value: c.id, label: c.display_name || c.name })).sort((a, b) => a.label.localeCompare(b.label));
    } catch (err) {
      this.ctx.log.debug({ err: (err as Error).message }, 'cannot list the inviter’s channels; offering the current one');
      return undefined;
    }
  }

  private wizardContext(level: InviterLevel, channels: Option[], currentChannelId: string, prefill?: string): WizardContext {
    return { level, caps: this.ctx.capabilities(), channels, currentChannelId, prefill };
  }

  private dialog(draftId: string, userId: string, steps: Step[], submitLabel: string): Record<string, unknown> {
    const state = this.ctx.signer.sign({ k: 'wizard', d: draftId, u: userId, exp: this.ctx.clock.now().getTime() + WIZARD_TTL_MS });
    return renderDialog({ callbackId: `invite-${steps[0]!.id}`, state, steps, submitLabel, features: this.ctx.dialogFeatures() });
  }

  /** A wizard submission; `draftId` and `userId` come from the verified state. */
  async submit(sub: DialogSubmission, draftId: string): Promise<DialogAnswer> {
    const { store, api } = this.ctx;
    const draft = await store.getDraft(draftId);
    if (!draft || draft.userId !== sub.user_id) return { error: 'This form has expired. Run the command again.' };
    const multistep = this.ctx.dialogFeatures().multistep;
    const step = !multistep ? 'all' : sub.callback_id === 'invite-who' ? 'who' : sub.callback_id === 'invite-access' ? 'access' : 'all';
    const read = readStep(readSubmission(sub.submission), step);
    if (!read.ok) return { errors: this.fieldErrors(read.errors) };
    // The second step answers only its own fields; the first step's come from the draft.
    const values = step === 'access' ? { ...draft.values, ...read.values } : read.values;
    const firstStep = step === 'who';

    const level = await api.level(draft.workspaceId, sub.user_id);
    const wizard = this.wizardContext(level, await this.verifiedChannels(values.channels, sub.user_id), draft.channelId);
    const parsed = parseSubmission(values, wizard, firstStep ? 'who' : undefined);
    if (!parsed.ok) return { errors: this.fieldErrors(parsed.errors) };

    if (firstStep) {
      await store.putDraft({ ...draft, values: WhoValues.parse(values) });
      const [, access] = wizardSteps({ ...wizard, channels: (await this.channelLists.get(`${draft.workspaceId}:${sub.user_id}`, () => this.channelOptions(draft.workspaceId, sub.user_id))) ?? [{ value: draft.channelId, label: 'This channel' }] }, values.role as Role);
      return { type: 'form', form: this.dialog(draft.id, sub.user_id, [access!], 'Invite') };
    }

    const existing = await this.existingAccounts(parsed.request.recipients.map((r) => r.email));
    const result = await createInvitations(
      { store, clock: this.ctx.clock },
      {
        platform: PLATFORM, workspaceId: draft.workspaceId, inviter: { id: sub.user_id, username: draft.bot.username },
        level, originChannelId: draft.channelId, caps: wizard.caps, request: parsed.request, existingAccounts: existing,
        rateLimit: { perHour: this.ctx.settings.invitesPerHour },
      },
    );
    if (!result.ok) return { error: result.reason };
    await store.deleteDraft(draft.id);
    this.ctx.outbox.kick();
    void this.confirm(draft.bot.responseUrl, result);
    return {};
  }

  /** Only the selected channels the user really is in are allowed: checked against the server, now. */
  private async verifiedChannels(selected: unknown, userId: string): Promise<Option[]> {
    const ids = Array.isArray(selected) ? selected.map(String) : typeof selected === 'string' && selected ? selected.split(',') : [];
    const checks = await Promise.all(ids.map(async (id) => ((await this.ctx.api.isChannelMember(id, userId)) ? id : undefined)));
    return checks.filter((id): id is string => !!id).map((id) => ({ value: id, label: id }));
  }

  private async existingAccounts(emails: string[]): Promise<Set<string>> {
    if (emails.length > ACCOUNT_LOOKUP_MAX) return new Set();
    const found = await Promise.all(emails.map(async (e) => ((await this.ctx.api.userByEmail(e).catch(() => undefined)) ? e : undefined)));
    return new Set(found.filter((e): e is string => !!e));
  }

  /** Errors on the slotted channel selects are shown on the first one. */
  private fieldErrors(errors: FieldErrors): FieldErrors {
    if (errors.channels && !this.ctx.dialogFeatures().multiselect) return { ...errors, channels: `${errors.channels} (up to ${CHANNEL_SLOTS})` };
    return errors;
  }

  /** Tells the inviter what happened, through the command's response URL (ephemeral, no extra permission). */
  private async confirm(responseUrl: string | undefined, result: Extract<CreateResult, { ok: true }>): Promise<void> {
    const text = submissionSummary(result.created, result.skipped, result.needsApproval, md, this.ctx.settings.inviteEmailsPerHour);
    if (!responseUrl || !text) return;
    try {
      const res = await fetch(responseUrl, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ephemeral(text)),
        signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS), redirect: 'error',
      });
      if (!res.ok) throw new Error(`status ${res.status}`);
    } catch (err) {
      this.ctx.log.warn({ err: (err as Error).message }, 'could not confirm the invitation to the inviter');
    }
  }
}
