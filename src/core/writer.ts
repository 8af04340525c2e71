/** A reader's text: the platform's markup (TextFormat) and the reader's language (Words). Every message function
 * takes one, so a text is worded for who reads it and made safe for where it is shown. */
import type { TextFormat } from './format.js';
import type { MessageKey, MessageValues, Words } from './i18n.js';

export interface Writer extends TextFormat, Words {}

export function writer(format: TextFormat, words: Words): Writer {
  return {
    language: words.language,
    locale: words.locale,
    timeZone: words.timeZone,
    escape: (text) => format.escape(text),
    mention: (user) => format.mention(user),
    bold: (text) => format.bold(text),
    t: (key: MessageKey, values?: MessageValues) => words.marked(key, values, (text) => format.bold(text)),
    marked: (key, values, bold) => words.marked(key, values, bold),
    date: (at) => words.date(at),
    dateTime: (at) => words.dateTime(at),
    number: (n) => words.number(n),
    list: (items, type) => words.list(items, type),
  };
}
