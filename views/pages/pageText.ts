/** A page's words: a catalogue message with its values HTML-escaped and `<b>` made `<strong>`. */
import { htmlText } from '../../src/core/format.js';
import type { MessageKey, MessageValues, Words } from '../../src/core/i18n.js';
import { writer } from '../../src/core/writer.js';
import { SafeHtml } from '../html.js';

export function pageText(w: Words, key: MessageKey, values: Record<string, string | number> = {}): SafeHtml {
  const f = writer(htmlText, w);
  const escaped: MessageValues = {};
  for (const [k, value] of Object.entries(values)) escaped[k] = typeof value === 'string' ? f.escape(value) : value;
  return new SafeHtml(f.t(key, escaped));
}
