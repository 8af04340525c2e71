/** The invitation wizard, once for every platform: open its first step (or all of it, where the platform has no
 * multi-step forms), take each step's submission against that step's own fields and rights read now, and create the
 * invitations. Drafts hold what was typed between steps; forms carry only a signed draft id. */

import { createInvitations } from '../actions/createInvitations.js';
import { closeDraft, openDraft, saveFirstStep } from '../actions/wizardDrafts.js';
import { newId } from '../core/clock.js';
import type { Words } from '../core/i18n.js';
import { formExpired, formNotOpened, guestsCannotInvite, submissionSummary, submitLabel } from '../core/messages.js';
import type { Person, Role } from '../core/model.js';
import { hourlyLimit, type InviteLimits, type InviterLevel, mayInviteAtAll } from '../core/policy.js';
import { LIMITS } from '../core/userInput.js';
import {
  type FieldErrors,
  parseSubmission,
  readStep,
  type Step,
  WhoValues,
  type WizardContext,
  wizardFirstStep,
  wizardSteps,
} from '../core/wizard.js';
import { writer } from '../core/writer.js';
import type { Signer } from '../security/signing.js';
import type { Draft } from '../store/store.js';

/** What a person typed between the wizard's steps, as kept until the form is submitted. */
export type { Draft };

import type { ChatPort } from './chatPort.js';
import { FormsRefused } from './chatPort.js';
import type { FlowDeps } from './jobHandlers.js';
import { Readers } from './readers.js';
import { RecentLookups } from './recentLookups.js';

/** How long a wizard's draft and its signed state stay valid. */
export const WIZARD_TTL_MS = 60 * 60_000;
/** How long the form's lookups are reused (rights are re-checked on submit whatever this says). */
const LOOKUP_TTL_MS = 60_000;

export interface WizardStart {
  workspaceId: string;
  channelId: string;
  user: Person;
  /** What opens the form (the command's trigger id). */
  trigger: string;
  prefill?: string;
  /** Where the outcome is told, if the platform gave one (already checked to be the platform's own). */
  responseUrl?: string;
}

type DraftStart = Pick<WizardStart, 'workspaceId' | 'channelId' | 'user' | 'responseUrl'>;
/** A new draft's values, parsed once: the schema's defaults. */
const EMPTY_WHO = Object.freeze(WhoValues.parse({}));

export type OpenReply =
  | { kind: 'opened' }
  | { kind: 'notice'; text: string }
  /** The wizard goes on the bot's web page (src/web/wizardPage.ts) with this draft: the platform refused to open
   * forms here, or a bulk request wants the page's larger address field. */
  | { kind: 'page'; draftId: string; why: 'no-dialogs' | 'bulk' };

export type StepName = Step['id'] | 'all';

export type SubmitReply =
  | { kind: 'errors'; errors: FieldErrors; step: Step }
  | { kind: 'next'; form: { steps: Step[]; state: string; submitLabel: string } }
  | { kind: 'done'; summary: string; anyone: boolean; responseUrl?: string }
  | { kind: 'refused'; text: string };

export class WizardFlow {
  private readonly levels: RecentLookups<InviterLevel>;
  /** Whose words each reply and form is in; adapters word their own replies with it too. */
  readonly readers: Readers;

  constructor(
    private readonly deps: FlowDeps & { signer: Signer; invitesPerHour: InviteLimits },
    private readonly port: ChatPort,
  ) {
    this.levels = new RecentLookups(LOOKUP_TTL_MS, () => deps.clock.now().getTime());
    this.readers = Readers.of(deps.locales, port, () => deps.clock.now().getTime());
  }

  /** The inviter's level for showing a form: reused for a minute (every submission reads it afresh). */
  formLevel(workspaceId: string, userId: string): Promise<InviterLevel> {
    return this.levels.get(`${workspaceId}:${userId}`, () => this.port.level(workspaceId, userId));
  }

  /** Opens the first step; the form's lookups are bounded so that it opens within the trigger's lifetime. */
  async open(start: WizardStart): Promise<OpenReply> {
    const [level, channels, words] = await Promise.all([
      this.formLevel(start.workspaceId, start.user.id),
      this.port.channelOptions(start.workspaceId, start.user.id, start.channelId),
      this.readers.words(start.user.id),
    ]);
    const allowed = mayInviteAtAll(level);
    if (!allowed.ok) return { kind: 'notice', text: guestsCannotInvite(words) };
    const draft = this.draftOf(start);
    const ctx = this.context(words, level, channels, start.channelId, start.prefill);
    const multistep = this.port.multiStepForms();
    // The draft is stored while the form opens: only the form's submission, seconds later, reads it.
    const [opened, stored] = await Promise.allSettled([
      this.port.openForm(start.trigger, {
        kind: 'wizard',
        words,
        steps: multistep ? [wizardFirstStep(ctx)] : wizardSteps(ctx),
        state: this.state(draft),
        submitLabel: submitLabel(words, multistep ? 'next' : 'invite'),
      }),
      openDraft(this.deps, draft),
    ]);
    if (stored.status === 'rejected') throw stored.reason;
    if (opened.status === 'rejected') {
      const err: unknown = opened.reason;
      if (err instanceof FormsRefused) return { kind: 'page', draftId: draft.id, why: 'no-dialogs' };
      this.deps.log.warn({ err: (err as Error).message }, 'could not open the invitation form');
      return { kind: 'notice', text: formNotOpened(words) };
    }
    return { kind: 'opened' };
  }

  /** `bulk`: the whole wizard at once, its address field sized for many addresses: on the bot's web page, or where
   * the platform has no such page (`form`), as one form in the chat. */
  async bulk(start: WizardStart, where: 'page' | 'form'): Promise<OpenReply> {
    const [level, words] = await Promise.all([
      this.formLevel(start.workspaceId, start.user.id),
      this.readers.words(start.user.id),
    ]);
    if (!mayInviteAtAll(level).ok) return { kind: 'notice', text: guestsCannotInvite(words) };
    const draft = await openDraft(this.deps, this.draftOf(start));
    if (where === 'page') return { kind: 'page', draftId: draft.id, why: 'bulk' };
    const steps = (await this.wholeForm(draft, words)) ?? [];
    await this.port.openForm(start.trigger, {
      kind: 'wizard',
      words,
      steps,
      state: this.state(draft),
      submitLabel: submitLabel(words, 'invite'),
    });
    return { kind: 'opened' };
  }

  /** Every step of the wizard for `draft`'s user, as one form whose address field takes a bulk request; undefined
   * for a guest. Rights are read now. */
  async wholeForm(draft: Draft, words: Words): Promise<Step[] | undefined> {
    const [level, channels] = await Promise.all([
      this.port.level(draft.workspaceId, draft.userId),
      this.port.channelOptions(draft.workspaceId, draft.userId, draft.channelId),
    ]);
    if (!mayInviteAtAll(level).ok) return undefined;
    return wizardSteps(this.context(words, level, channels, draft.channelId)).map((step) => ({
      ...step,
      fields: step.fields.map((f) =>
        f.name === 'emails' && f.kind === 'textarea' ? { ...f, maxLength: LIMITS.emails } : f,
      ),
    }));
  }

  private draftOf(start: DraftStart): Draft {
    const now = this.deps.clock.now();
    return {
      id: newId(),
      userId: start.user.id,
      platform: this.port.platform,
      workspaceId: start.workspaceId,
      channelId: start.channelId,
      values: EMPTY_WHO,
      bot: { username: start.user.username, responseUrl: start.responseUrl },
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + WIZARD_TTL_MS).toISOString(),
    };
  }

  /** The open draft `draftId` of this user on this platform, if any (the web form's page reads it). */
  async openDraftOf(draftId: string, userId: string): Promise<Draft | undefined> {
    const draft = await this.deps.store.getDraft(draftId);
    return draft && draft.userId === userId && draft.platform === this.port.platform ? draft : undefined;
  }

  /** A form's submission with its signed state, as the chat hands it back: refused as expired unless the state is
   * the wizard's, genuine, unexpired and `user`'s. */
  async submitForm(state: unknown, user: Person, step: StepName, raw: unknown): Promise<SubmitReply> {
    const claims = this.deps.signer.verify(state, this.deps.clock.now().getTime(), 'wizard');
    if (claims?.u !== user.id)
      return { kind: 'refused', text: formExpired(await this.readers.words(user.id), 'command') };
    return this.submit(claims.d, user, step, raw);
  }

  /** One step's submission (`all`: the whole wizard in one form or page). `draftId` comes from the form's verified
   * state; the user is who submitted it. */
  async submit(draftId: string, user: Person, step: StepName, raw: unknown): Promise<SubmitReply> {
    const [draft, words] = await Promise.all([this.openDraftOf(draftId, user.id), this.readers.words(user.id)]);
    if (!draft) return { kind: 'refused', text: formExpired(words, 'command') };
    const level = await this.port.level(draft.workspaceId, user.id);
    if (!mayInviteAtAll(level).ok) return { kind: 'refused', text: guestsCannotInvite(words) };
    const shown = (role?: Role) => this.shownStep(words, draft, level, step, role);

    const read = readStep(raw, step, words);
    if (!read.ok) return { kind: 'errors', errors: read.errors, step: await shown(draft.values.role as Role) };
    // The second step answers only its own fields; the first step's come from the draft.
    const values = step === 'access' ? { ...draft.values, ...read.values } : read.values;
    const selected = Array.isArray(values.channels) ? (values.channels as string[]) : [];
    const channels = step === 'who' ? [] : await this.port.verifyChannels(draft.workspaceId, user.id, selected);
    const wizard = this.context(words, level, channels, draft.channelId);
    const parsed = parseSubmission(values, wizard, step === 'who' ? 'who' : undefined);
    if (!parsed.ok) return { kind: 'errors', errors: parsed.errors, step: await shown(values.role as Role) };

    if (step === 'who') {
      const who = WhoValues.parse(values);
      await saveFirstStep(this.deps, draft, who);
      const options = await this.port.channelOptions(draft.workspaceId, user.id, draft.channelId);
      const [, access] = wizardSteps({ ...wizard, channels: options }, who.role as Role);
      const form = { steps: [access!], state: this.state(draft), submitLabel: submitLabel(words, 'invite') };
      return { kind: 'next', form };
    }

    const existing = await this.port.existingAccounts(parsed.request.recipients.map((r) => r.email));
    const result = await createInvitations(this.deps, {
      platform: this.port.platform,
      workspaceId: draft.workspaceId,
      // The inviter's own chat locale, if known (unknown: their notices follow DEFAULT_LOCALE as it is then).
      inviter: {
        id: user.id,
        username: draft.bot.username || user.username,
        locale: await this.readers.locale(user.id),
      },
      level,
      originChannelId: draft.channelId,
      caps: wizard.caps,
      request: parsed.request,
      existingAccounts: existing,
      rateLimit: hourlyLimit(level, this.deps.invitesPerHour),
    });
    if (!result.ok) return { kind: 'refused', text: result.reason(words) };
    await closeDraft(this.deps, draft.id);
    this.deps.outbox.kick();
    const f = writer(this.port.format, words);
    const summary = submissionSummary(
      f,
      result.created,
      result.skipped,
      result.needsApproval,
      this.port.invitationsPerHour,
    );
    return { kind: 'done', summary, anyone: result.created.length > 0, responseUrl: draft.bot.responseUrl };
  }

  /** The step a submission answered, as shown (where its field errors go). */
  private async shownStep(words: Words, draft: Draft, level: InviterLevel, step: StepName, role?: Role): Promise<Step> {
    const options = await this.port.channelOptions(draft.workspaceId, draft.userId, draft.channelId);
    const [who, access] = wizardSteps(this.context(words, level, options, draft.channelId), role);
    if (step === 'who') return who!;
    if (step === 'access') return access!;
    return { ...who!, fields: [...who!.fields, ...access!.fields] };
  }

  private context(
    words: Words,
    level: InviterLevel,
    channels: WizardContext['channels'],
    currentChannelId: string,
    prefill?: string,
  ): WizardContext {
    const guestMaxDays = this.deps.guests?.maxDays;
    return { words, level, caps: this.port.capabilities(), channels, currentChannelId, prefill, guestMaxDays };
  }

  private state(draft: Draft): string {
    return this.deps.signer.sign({
      k: 'wizard',
      d: draft.id,
      u: draft.userId,
      exp: this.deps.clock.now().getTime() + WIZARD_TTL_MS,
    });
  }
}
