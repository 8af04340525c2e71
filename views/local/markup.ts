/** The playground's markup (core/format.ts, localMarkup) as HTML. The whole text is HTML-escaped first, so nothing
 * in it can become an element of its own; backslash-escaped characters are set aside before the markup is read
 * and put back as text, so user text never becomes bold, a mention or a link. */
import { escapeHtml, SafeHtml } from '../html.js';

/** Private-use code points standing for escaped ASCII characters while the markup is read. */
const SET_ASIDE = 0xe000;
const SET_ASIDE_RANGE = /[\uE000-\uE07F]/g;
/** The emoji shortcodes the bot's messages use. */
const EMOJI: Record<string, string> = { warning: '⚠', wave: '👋', white_check_mark: '✓', no_entry_sign: '✗' };

export function renderMarkup(text: string, mentionable: (username: string) => boolean): SafeHtml {
  const aside = text
    .replace(SET_ASIDE_RANGE, '')
    .replace(/\\([\x21-\x7e])/g, (_m, c: string) => String.fromCharCode(SET_ASIDE + c.charCodeAt(0)));
  const out = escapeHtml(aside)
    .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/(^|\s)_([^_\n]+)_(?=\s|$)/g, '$1<em>$2</em>')
    .replace(/:([a-z_]+):/g, (m, code: string) => EMOJI[code] ?? m)
    .replace(/https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g, (url) => `<a href="${url}" rel="noreferrer">${url}</a>`)
    .replace(/(^|[^\p{L}\p{N}/])@([a-z0-9._-]+[a-z0-9])/giu, (m, before: string, name: string) =>
      mentionable(name) ? `${before}<span class="mention">@${name}</span>` : m,
    )
    .replace(SET_ASIDE_RANGE, (c) => escapeHtml(String.fromCharCode(c.charCodeAt(0) - SET_ASIDE)))
    .replace(/\n/g, '<br>');
  return new SafeHtml(out);
}
