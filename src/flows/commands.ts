/** What each word after the slash command does, once for every platform (commands/invitePeople.ts reads the
 * words): help, the pending list, the wizard (prefilled with the addresses given), and `bulk`, the whole wizard at
 * once. The receiver hands the command over and sends the reply its platform's way. */
import { parseCommand } from '../../commands/invitePeople.js';
import type { Words } from '../core/i18n.js';
import { formNotOpenedHere, helpText } from '../core/messages.js';
import type { Person } from '../core/model.js';
import type { ListMessage, PendingListFlow } from './pendingList.js';
import type { Readers } from './readers.js';
import type { StoryFlow } from './story.js';
import type { WizardFlow } from './wizard.js';

/** How long the help waits for the user's locale: Slack wants the ack within 3 s. */
const HELP_LOOKUP_MS = 1000;

export interface Command {
  workspaceId: string;
  channelId: string;
  user: Person;
  /** What opens a form (the command's trigger id). */
  trigger: string;
  text: string;
  /** Where the wizard's outcome is told, if the platform gave one (already checked to be the platform's own). */
  responseUrl?: string;
}

/** What to answer the command with, only to the user who ran it: a text, the list, or nothing (a form opened). */
export type CommandReply = { kind: 'text'; text: string } | { kind: 'list'; list: ListMessage } | { kind: 'opened' };

export interface CommandOptions {
  trigger: string;
  /** Where `bulk` puts the whole wizard: the bot's web page, one form in the chat, or nowhere (the platform's
   * forms take as many addresses as a bulk request: the wizard opens as usual). */
  bulk?: 'page' | 'form';
  /** The answer that offers the bot's web page, where the platform serves it. */
  pageOffer?(offer: { draftId: string; userId: string; why: 'no-dialogs' | 'bulk'; words: Words }): string;
}

export class CommandFlow {
  constructor(
    private readonly opts: CommandOptions,
    private readonly wizard: WizardFlow,
    private readonly list: PendingListFlow,
    private readonly story?: StoryFlow,
  ) {}

  /** Whose words the adapter's own replies are in (a failure, a stale button or form). */
  get readers(): Readers {
    return this.wizard.readers;
  }

  /** The help, where `typed` asks for it, soon enough for a platform to answer at once (Slack: in the command's
   * ack): in the user's words when their locale is known or can be looked up within a second, else the
   * organization's. */
  async help(typed: string, userId: string): Promise<string | undefined> {
    const intent = parseCommand(typed);
    if (intent.kind !== 'help') return undefined;
    const words = await this.wizard.readers.wordsWithin(userId, HELP_LOOKUP_MS);
    return helpText(words, this.opts.trigger, intent.unknown, !!this.opts.bulk);
  }

  async run(cmd: Command): Promise<CommandReply> {
    const intent = parseCommand(cmd.text);
    // Looked up only where the answer is worded here: the wizard reads it beside the inviter's level, in parallel,
    // so that the form opens within the trigger's life.
    const words = () => this.wizard.readers.words(cmd.user.id);
    if (intent.kind === 'help') {
      return text(helpText(await words(), this.opts.trigger, intent.unknown, !!this.opts.bulk));
    }
    if (intent.kind === 'history' && this.story)
      return text(await this.story.history(cmd.workspaceId, cmd.user, intent.email));
    if (intent.kind === 'stats' && this.story) return text(await this.story.stats(cmd.workspaceId, cmd.user));
    if (intent.kind === 'list')
      return { kind: 'list', list: await this.list.list(cmd.workspaceId, cmd.user.id, intent.page) };
    const start = { ...cmd, prefill: intent.kind === 'wizard' ? intent.prefill : undefined };
    const opened =
      intent.kind === 'bulk' && this.opts.bulk
        ? await this.wizard.bulk(start, this.opts.bulk)
        : await this.wizard.open(start);
    if (opened.kind === 'notice') return text(opened.text);
    if (opened.kind === 'page') {
      const { pageOffer } = this.opts;
      const w = await words();
      return text(pageOffer ? pageOffer({ ...opened, userId: cmd.user.id, words: w }) : formNotOpenedHere(w));
    }
    return { kind: 'opened' };
  }
}

const text = (t: string): CommandReply => ({ kind: 'text', text: t });
