/** Bulk invitations from a CSV, once for every platform: the dry run says per row what would happen (sent at once,
 * needs approval, already a member, already invited, refused and why) and writes nothing; the confirmation reads
 * the CSV again (the preview is never trusted), classifies it afresh with rights read now, and creates the rows
 * that pass, grouped by what they ask, one createInvitations call (one store write, duplicates and the hourly limit
 * checked there) per group. */

import { z } from 'zod';
import { createInvitations } from '../actions/createInvitations.js';
import { closeDraft } from '../actions/wizardDrafts.js';
import { BULK_LIMITS, type BulkRow, bulkLanguage, bulkRole, parseBulkCsv } from '../core/bulkCsv.js';
import type { Phrase, Words } from '../core/i18n.js';
import { bulkCsvProblem, bulkRowProblem, guestsCannotInvite } from '../core/messages.js';
import type { Invitation, Role } from '../core/model.js';
import { decide, hourlyLimit, type InviteLimits, type InviterLevel, mayInviteAtAll } from '../core/policy.js';
import { OPEN_STATES } from '../core/stateMachine.js';
import { choice, choices, freeText, LIMITS } from '../core/userInput.js';
import {
  type Field,
  type InvitationRequest,
  type Option,
  parseSubmission,
  type WizardContext,
  wizardSteps,
} from '../core/wizard.js';
import type { Draft } from '../store/store.js';
import type { ChatPort } from './chatPort.js';
import type { FlowDeps } from './jobHandlers.js';
import type { WizardFlow } from './wizard.js';

/** The page's common settings: the defaults of the columns a row leaves empty, and what every row shares. */
export const BulkSettings = z.object({
  role: choice,
  channels: choices,
  language: choice,
  delivery: choice,
  expiry: choice,
  kdrive: choice,
  message: freeText(LIMITS.message),
});
export type BulkSettings = z.output<typeof BulkSettings>;

/** How many addresses are looked up for an existing account at once (the ports bound one lookup's size). */
const ACCOUNT_CHUNK = 50;

export type BulkOutcome =
  | { kind: 'send' }
  | { kind: 'approval' }
  | { kind: 'member' }
  | { kind: 'invited' }
  | { kind: 'refused'; why: Phrase };

export interface BulkLine {
  line: number;
  email: string;
  name: string;
  role?: Role;
  /** The channels' names, as the inviter sees them. */
  channels: string[];
  outcome: BulkOutcome;
}

export type BulkPreview =
  | { ok: true; lines: BulkLine[]; counts: Record<BulkOutcome['kind'], number> }
  | { ok: false; text: string };

export type BulkSent =
  | { ok: true; lines: BulkLine[]; created: Invitation[]; from: number; to: number }
  | { ok: false; text: string };

/** A row that passed, with what it asks. */
interface Planned {
  line: BulkLine;
  request: InvitationRequest;
}

export class BulkFlow {
  constructor(
    private readonly deps: FlowDeps & { invitesPerHour: InviteLimits },
    private readonly port: ChatPort,
    private readonly wizard: WizardFlow,
  ) {}

  get readers() {
    return this.wizard.readers;
  }

  /** The page's own defaults: the inviter's channels (to choose defaults from), their level, the platform's caps. */
  async context(draft: Draft, words: Words): Promise<WizardContext & { level: InviterLevel }> {
    const [level, channels] = await Promise.all([
      this.port.level(draft.workspaceId, draft.userId),
      this.port.channelOptions(draft.workspaceId, draft.userId, draft.channelId),
    ]);
    return { words, level, caps: this.port.capabilities(), channels, currentChannelId: draft.channelId };
  }

  /** The wizard's fields for these rights, as the page's common settings choose from. */
  fields(ctx: WizardContext): Field[] {
    return wizardSteps(ctx).flatMap((s) => s.fields);
  }

  /** The dry run: nothing is written. */
  async preview(draft: Draft, csv: string, settings: BulkSettings): Promise<BulkPreview> {
    const words = await this.readers.words(draft.userId);
    const planned = await this.classify(draft, csv, settings, words);
    if (!planned.ok) return planned;
    const counts = { send: 0, approval: 0, member: 0, invited: 0, refused: 0 };
    for (const l of planned.lines) counts[l.outcome.kind]++;
    return { ok: true, lines: planned.lines, counts };
  }

  /** The confirmation: the CSV classified again, then the rows that pass created, group by group. The draft is
   * closed, so the same page cannot send twice. */
  async send(draft: Draft, csv: string, settings: BulkSettings): Promise<BulkSent> {
    const words = await this.readers.words(draft.userId);
    const planned = await this.classify(draft, csv, settings, words);
    if (!planned.ok) return planned;
    await closeDraft(this.deps, draft.id);
    const from = this.deps.clock.now().getTime();
    const groups = new Map<string, Planned[]>();
    for (const p of planned.planned) {
      const r = p.request;
      const key = JSON.stringify([r.role, [...r.channelIds].sort(), r.language]);
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const created: Invitation[] = [];
    for (const members of groups.values()) {
      const request = { ...members[0]!.request, recipients: members.flatMap((m) => m.request.recipients) };
      const result = await createInvitations(this.deps, {
        platform: this.port.platform,
        workspaceId: draft.workspaceId,
        inviter: { id: draft.userId, username: draft.bot.username, locale: words.locale },
        level: planned.level,
        originChannelId: draft.channelId,
        caps: planned.ctx.caps,
        request,
        existingAccounts: new Set(),
        rateLimit: hourlyLimit(planned.level, this.deps.invitesPerHour),
      });
      if (!result.ok) {
        for (const m of members) m.line.outcome = { kind: 'refused', why: result.reason };
        continue;
      }
      created.push(...result.created);
      const made = new Set(result.created.map((i) => i.email));
      for (const m of members) if (!made.has(m.request.recipients[0]!.email)) m.line.outcome = { kind: 'invited' };
    }
    this.deps.outbox.kick();
    return { ok: true, lines: planned.lines, created, from, to: this.deps.clock.now().getTime() };
  }

  /** How far a sent bulk is: of the inviter's invitations created in [from, to] here, those past `sending`. */
  async progress(
    draft: Pick<Draft, 'userId' | 'workspaceId'>,
    from: number,
    to: number,
  ): Promise<{ done: number; total: number }> {
    const invitations = await this.deps.store.listInvitations({
      platform: this.port.platform,
      workspaceId: draft.workspaceId,
      inviterId: draft.userId,
    });
    const ours = invitations.filter((i) => {
      const at = Date.parse(i.createdAt);
      return at >= from && at <= to;
    });
    return { done: ours.filter((i) => i.state !== 'sending').length, total: ours.length };
  }

  private async classify(draft: Draft, csv: string, settings: BulkSettings, words: Words) {
    const read = parseBulkCsv(csv);
    if (!read.ok) return { ok: false as const, text: bulkCsvProblem(words, BULK_LIMITS, read.problem, read.line) };
    const ctx = await this.context(draft, words);
    if (!mayInviteAtAll(ctx.level).ok) return { ok: false as const, text: guestsCannotInvite(words) };
    const { level } = ctx;
    const channelOf = channelFinder(ctx.channels);
    // Channels named by the rows and the defaults, checked now to be the inviter's.
    const offered = new Set(ctx.channels.map((c) => c.value));
    const asked = new Set(settings.channels.filter((c) => offered.has(c)));
    for (const row of read.rows) {
      for (const c of row.channels) {
        const id = channelOf(c);
        if (id) asked.add(id);
      }
    }
    const verified = await this.port.verifyChannels(draft.workspaceId, draft.userId, [...asked]);
    const mine = new Set(verified.map((c) => c.value));
    const shown = new Map(ctx.channels.map((c) => [c.value, c.label]));
    const own = { ...ctx, channels: ctx.channels.filter((c) => mine.has(c.value)) };

    const seen = new Set<string>();
    const lines: BulkLine[] = [];
    const planned: Planned[] = [];
    for (const row of read.rows) {
      const line: BulkLine = {
        line: row.line,
        email: row.email,
        name: row.name,
        channels: [],
        outcome: { kind: 'send' },
      };
      lines.push(line);
      const refuse = (why: Phrase) => void (line.outcome = { kind: 'refused', why });
      if (row.problem) {
        refuse((w) => bulkRowProblem(w, row.problem!, BULK_LIMITS.channels));
        continue;
      }
      if (seen.has(row.email)) {
        refuse((w) => bulkRowProblem(w, 'duplicate'));
        continue;
      }
      seen.add(row.email);
      const request = this.rowRequest(row, settings, own, channelOf, (why) => refuse(why));
      if (!request) continue;
      line.role = request.role;
      line.channels = request.channelIds.map((id) => shown.get(id) ?? id);
      planned.push({ line, request });
    }

    // Who already has an account, then who has an open invitation here: looked up for the rows that passed.
    const members = new Set<string>();
    const emails = planned.map((p) => p.line.email);
    for (let i = 0; i < emails.length; i += ACCOUNT_CHUNK) {
      for (const e of await this.port.existingAccounts(emails.slice(i, i + ACCOUNT_CHUNK))) members.add(e);
    }
    const invited = new Set<string>();
    for (let i = 0; i < emails.length; i += ACCOUNT_CHUNK) {
      const found = await Promise.all(
        emails.slice(i, i + ACCOUNT_CHUNK).map(async (email) => {
          const open = await this.deps.store.listInvitations({
            platform: this.port.platform,
            workspaceId: draft.workspaceId,
            email,
            states: OPEN_STATES,
            limit: 1,
          });
          return open.length ? email : undefined;
        }),
      );
      for (const e of found) if (e) invited.add(e);
    }

    const limit = hourlyLimit(level, this.deps.invitesPerHour);
    let left = limit.perHour - (await this.recent(draft.userId, limit.perHour));
    const sending: Planned[] = [];
    for (const p of planned) {
      const verdict = decide(level, p.request.role, ctx.caps);
      if (!verdict.ok) p.line.outcome = { kind: 'refused', why: verdict.reason };
      else if (members.has(p.line.email)) p.line.outcome = { kind: 'member' };
      else if (invited.has(p.line.email)) p.line.outcome = { kind: 'invited' };
      else if (left <= 0)
        p.line.outcome = { kind: 'refused', why: (w) => bulkRowProblem(w, 'rateLimit', limit.perHour) };
      else {
        left--;
        p.line.outcome = { kind: verdict.needsApproval ? 'approval' : 'send' };
        sending.push(p);
      }
    }
    return { ok: true as const, lines, planned: sending, level, ctx: own };
  }

  /** One row's request, judged by the wizard's own rules (parseSubmission) after the role, read first through
   * policy so that its refusal says why; undefined (and `refuse` told) when the row cannot be sent. */
  private rowRequest(
    row: BulkRow,
    settings: BulkSettings,
    ctx: WizardContext,
    channelOf: (cell: string) => string | undefined,
    refuse: (why: Phrase) => void,
  ): InvitationRequest | undefined {
    const role = row.role ? bulkRole(row.role) : (settings.role as Role);
    if (!role) return void refuse((w) => bulkRowProblem(w, 'role'));
    const verdict = decide(ctx.level, role, ctx.caps);
    if (!verdict.ok) return void refuse(verdict.reason);
    const language = row.language ? bulkLanguage(row.language) : settings.language || ctx.words.language;
    if (!language) return void refuse((w) => bulkRowProblem(w, 'language'));
    const channels = row.channels.length ? row.channels.map((c) => channelOf(c)) : settings.channels;
    const mine = new Set(ctx.channels.map((c) => c.value));
    if (channels.some((c) => !c || !mine.has(c))) return void refuse((w) => bulkRowProblem(w, 'channel'));
    const values = {
      emails: row.email,
      name: row.name,
      role,
      channels,
      language,
      delivery: settings.delivery,
      expiry: settings.expiry,
      kdrive: settings.kdrive,
      message: settings.message,
    };
    const parsed = parseSubmission(values, ctx);
    if (!parsed.ok) {
      const first = Object.values(parsed.errors)[0] ?? '';
      return void refuse(() => first);
    }
    return parsed.request;
  }

  /** How many invitations the inviter made in the last hour (counted up to `cap`: more says nothing new). */
  private async recent(inviterId: string, cap: number): Promise<number> {
    const since = this.deps.clock.now().getTime() - 3600_000;
    const mine = await this.deps.store.listInvitations({ inviterId, limit: cap + 1 });
    return mine.filter((i) => Date.parse(i.createdAt) >= since).length;
  }
}

/** A channel cell (id, name or display name, any case, with or without `#`/`~`) as one of the inviter's channels. */
function channelFinder(channels: readonly Option[]): (cell: string) => string | undefined {
  const slug = (s: string) => s.trim().toLowerCase().replace(/^[#~]/, '').replace(/\s+/g, '-');
  const byKey = new Map<string, string>();
  for (const c of channels) {
    byKey.set(c.value, c.value);
    byKey.set(slug(c.label), c.value);
  }
  return (cell) => byKey.get(cell.trim()) ?? byKey.get(slug(cell));
}
