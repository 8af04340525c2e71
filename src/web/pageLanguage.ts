/** The language a page is shown in: `?lang=` (the page's language switch), else the language the page is about
 * (the invitation's), else the browser's Accept-Language, else the organization's. */
import type { Request } from 'express';
import { LANGUAGES, type Language, type Locales, languageOf, type Words } from '../core/i18n.js';

/** The browser's preferred language among ours, by its q-values (`fr-CH;q=0.9, de;q=0.8`). */
export function acceptedLanguage(header: string | undefined): string | undefined {
  const ranked = (header ?? '')
    .split(',')
    .slice(0, 20)
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.q > 0 && languageOf(r.tag))
    .sort((a, b) => b.q - a.q);
  return ranked[0]?.tag;
}

export function pageWords(locales: Locales, req: Request, language?: Language): Words {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  if (asked && (LANGUAGES as readonly string[]).includes(asked)) return locales.for(asked);
  const browser = acceptedLanguage(req.get('accept-language'));
  // The browser's region keeps its formats when it reads the invitation's language (fr-CH for French).
  if (language) return locales.for(browser && languageOf(browser) === language ? browser : language);
  return locales.for(browser);
}
