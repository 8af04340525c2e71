/** The bot's languages: one ICU MessageFormat catalogue per language (locales/<language>.json, which translators
 * edit), read through FormatJS's intl-messageformat, with dates, numbers and lists from Intl in the reader's locale
 * and the organization's time zone. A reader's locale tag keeps its region for formats (`de-CH` writes Swiss dates) and
 * takes its language's catalogue; anything unsupported falls back to the organization's language. */

import { type Formatters, IntlMessageFormat } from 'intl-messageformat';
import de from '../../locales/de.json' with { type: 'json' };
import en from '../../locales/en.json' with { type: 'json' };
import es from '../../locales/es.json' with { type: 'json' };
import fr from '../../locales/fr.json' with { type: 'json' };
import it from '../../locales/it.json' with { type: 'json' };

export const LANGUAGES = ['en', 'fr', 'de', 'it', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Every message's key, as English has them (test/core/catalogues.test.ts holds the others to the same keys). */
export type MessageKey = keyof typeof en;
export const CATALOGUES: Record<Language, Record<MessageKey, string>> = { en, fr, de, it, es };

export type MessageValues = Record<string, string | number | Date>;

/** A text not worded yet: what code that does not know its reader (actions, policy) returns, for the flow that
 * knows the reader to word (`reason(words)`). */
export type Phrase = (w: Words) => string;

/** What a message needs of its reader's language: the catalogue's texts and Intl's formats. */
export interface Words {
  readonly language: Language;
  /** The BCP 47 tag used for formats (`fr-CH`), whose language is `language`. */
  readonly locale: string;
  readonly timeZone: string;
  /** The message `key` with `values` in its placeholders, as plain text (`<b>…</b>` in a message stays plain). */
  t(key: MessageKey, values?: MessageValues): string;
  /** The same, with `<b>…</b>` made bold by `bold` (a Writer's markup). */
  marked(key: MessageKey, values: MessageValues | undefined, bold: (text: string) => string): string;
  /** "12 December 2026". */
  date(at: string | Date): string;
  /** "12 December 2026 at 17:00 CET": with the zone, since the reader may be elsewhere. */
  dateTime(at: string | Date): string;
  number(n: number): string;
  /** "a, b and c" (`or`: "a, b or c"). */
  list(items: string[], type?: 'and' | 'or'): string;
}

/** The language of a locale tag as the platforms write it (`fr`, `fr-CH`, `fr_FR`, `FR`), if it is one of ours. */
export function languageOf(tag: string | undefined): Language | undefined {
  const lang = tag?.trim().slice(0, 2).toLowerCase();
  return LANGUAGES.find((l) => l === lang);
}

/** The formats of a bare language tag: English is read the British way, as Infomaniak's `en_GB`. */
const BARE_LANGUAGE_FORMATS: Partial<Record<Language, string>> = { en: 'en-GB' };

/** A tag Intl can format with, keeping the region when there is one (`fr_CH` → `fr-CH`); else the language. */
function formatTag(tag: string, language: Language): string {
  const candidate = tag.trim().replace('_', '-');
  if (candidate.toLowerCase() === language) return BARE_LANGUAGE_FORMATS[language] ?? language;
  try {
    const [supported] = Intl.DateTimeFormat.supportedLocalesOf([candidate]);
    if (supported?.toLowerCase().startsWith(language)) return supported;
  } catch {
    // Not a well-formed tag (a platform's own value): the language's default formats.
  }
  return language;
}

/** Infomaniak's locale for a language, as its invitations take it. */
export const INFOMANIAK_LOCALES: Record<Language, string> = {
  de: 'de_DE',
  en: 'en_GB',
  es: 'es_ES',
  fr: 'fr_FR',
  it: 'it_IT',
};

/** The word for each language, in that language (for the language choice; not translated). */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  fr: 'Français',
  de: 'Deutsch',
  it: 'Italiano',
  es: 'Español',
};

/** Intl's formatters for the messages' plurals and numbers, made once per locale and options. */
function memo<A extends unknown[], R>(make: (...args: A) => R): (...args: A) => R {
  const made = new Map<string, R>();
  return (...args) => {
    const key = JSON.stringify(args);
    let r = made.get(key);
    if (r === undefined) made.set(key, (r = make(...args)));
    return r;
  };
}
const FORMATTERS: Formatters = {
  getNumberFormat: memo((...a: ConstructorParameters<typeof Intl.NumberFormat>) => new Intl.NumberFormat(...a)),
  getDateTimeFormat: memo((...a: ConstructorParameters<typeof Intl.DateTimeFormat>) => new Intl.DateTimeFormat(...a)),
  getPluralRules: memo((...a: ConstructorParameters<typeof Intl.PluralRules>) => new Intl.PluralRules(...a)),
};

class IntlWords implements Words {
  /** Each message parsed once, when first used: a command formats dozens, and parsing was most of their cost. */
  private readonly compiled = new Map<MessageKey, IntlMessageFormat>();
  private readonly dayFormat: Intl.DateTimeFormat;
  private readonly timeFormat: Intl.DateTimeFormat;
  private readonly numberFormat: Intl.NumberFormat;
  private readonly lists: Record<'and' | 'or', Intl.ListFormat>;

  constructor(
    readonly language: Language,
    readonly locale: string,
    readonly timeZone: string,
  ) {
    this.dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone });
    this.timeFormat = new Intl.DateTimeFormat(locale, {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone,
    });
    this.numberFormat = new Intl.NumberFormat(locale);
    this.lists = {
      and: new Intl.ListFormat(locale, { type: 'conjunction' }),
      or: new Intl.ListFormat(locale, { type: 'disjunction' }),
    };
  }

  t(key: MessageKey, values?: MessageValues): string {
    return this.marked(key, values, (text) => text);
  }

  marked(key: MessageKey, values: MessageValues = {}, bold: (text: string) => string): string {
    const b = (chunks: string[]) => bold(chunks.join(''));
    const message = this.message(key);
    try {
      const out = message.format<string>({ ...values, b });
      return Array.isArray(out) ? out.join('') : out;
    } catch {
      // A value missing or of the wrong type (the catalogue test keeps that from shipping): the text as written.
      return CATALOGUES[this.language][key] ?? en[key];
    }
  }

  private message(key: MessageKey): IntlMessageFormat {
    let message = this.compiled.get(key);
    if (!message) {
      // A message missing from a catalogue falls back to English (the catalogue test keeps that from shipping).
      const text = CATALOGUES[this.language][key] ?? en[key];
      message = new IntlMessageFormat(text, this.locale, undefined, { formatters: FORMATTERS });
      this.compiled.set(key, message);
    }
    return message;
  }

  date(at: string | Date): string {
    return this.dayFormat.format(new Date(at));
  }

  dateTime(at: string | Date): string {
    const d = new Date(at);
    const zone = new Intl.DateTimeFormat(this.locale, { timeZone: this.timeZone, timeZoneName: 'short' })
      .formatToParts(d)
      .find((p) => p.type === 'timeZoneName')?.value;
    return zone ? `${this.timeFormat.format(d)} ${zone}` : this.timeFormat.format(d);
  }

  number(n: number): string {
    return this.numberFormat.format(n);
  }

  list(items: string[], type: 'and' | 'or' = 'and'): string {
    return this.lists[type].format(items);
  }
}

/** The words of every reader: built once per locale tag and time zone, with the organization's as the fallback. */
export class Locales {
  private readonly byTag = new Map<string, Words>();
  /** The organization's words: channel posts, and readers whose language is not known or not ours. */
  readonly org: Words;
  private readonly defaultLanguage: Language;

  /** `defaultTag`: the organization's locale (`fr-CH`: French, with Swiss formats), one of our languages. */
  constructor(
    defaultTag: string,
    readonly timeZone: string,
  ) {
    this.defaultLanguage = languageOf(defaultTag) ?? 'en';
    this.org = this.for(defaultTag);
  }

  /** A reader's words: their tag's language with its formats; the organization's where it is not ours. */
  for(tag: string | undefined): Words {
    if (!tag || !languageOf(tag)) {
      return this.org ?? this.build(this.defaultLanguage, formatTag(this.defaultLanguage, this.defaultLanguage));
    }
    const language = languageOf(tag)!;
    return this.build(language, formatTag(tag, language));
  }

  private build(language: Language, locale: string): Words {
    let words = this.byTag.get(locale);
    if (!words) {
      if (this.byTag.size > 200) this.byTag.clear(); // tags come from platforms: keep the memo bounded
      words = new IntlWords(language, locale, this.timeZone);
      this.byTag.set(locale, words);
    }
    return words;
  }
}
