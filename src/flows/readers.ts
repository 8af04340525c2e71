/** Who reads a reply, in which language: a person's words come from the locale their chat gives the bot (looked up
 * through the port, and remembered a few minutes), the organization's when it says none or cannot be read now. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Locales, Words } from '../core/i18n.js';
import { type Writer, writer } from '../core/writer.js';
import type { ChatPort } from './chatPort.js';
import { RecentLookups } from './recentLookups.js';

const LOCALE_TTL_MS = 10 * 60_000;

const shared = new WeakMap<ChatPort, Readers>();

export class Readers {
  private readonly locales: RecentLookups<string | undefined>;

  /** The one Readers of a port, so every flow on it shares the locales looked up. */
  static of(all: Locales, port: ChatPort, now: () => number): Readers {
    let readers = shared.get(port);
    if (!readers) shared.set(port, (readers = new Readers(all, port, now)));
    return readers;
  }

  private constructor(
    readonly all: Locales,
    private readonly port: ChatPort,
    now: () => number,
  ) {
    this.locales = new RecentLookups(LOCALE_TTL_MS, now);
  }

  /** The organization's words, for what many people read. */
  get org(): Words {
    return this.all.org;
  }

  /** The locale the user reads the chat in, if the platform says (a failed lookup is not an error here). */
  async locale(userId: string): Promise<string | undefined> {
    try {
      return await this.locales.get(userId, async () => (await this.port.user(userId)).locale);
    } catch {
      return undefined;
    }
  }

  /** The user's words if their locale was looked up lately, else the organization's: for an answer that cannot
   * wait for a lookup. */
  known(userId: string): Words {
    return this.all.for(this.locales.peek(userId));
  }

  async words(userId: string): Promise<Words> {
    return this.all.for(await this.locale(userId));
  }

  /** The user's words if the lookup answers within `ms`, else those `known` gives: for an answer due soon. */
  async wordsWithin(userId: string, ms: number): Promise<Words> {
    const stop = new AbortController();
    const late = delay(ms, undefined, { signal: stop.signal }).catch(() => undefined);
    try {
      return (await Promise.race([this.words(userId), late])) ?? this.known(userId);
    } finally {
      stop.abort();
    }
  }

  /** Words for a locale already known (stored with an invitation). */
  wordsFor(locale: string | undefined): Words {
    return this.all.for(locale);
  }

  async writer(userId: string): Promise<Writer> {
    return writer(this.port.format, await this.words(userId));
  }

  writerFor(locale: string | undefined): Writer {
    return writer(this.port.format, this.all.for(locale));
  }
}
