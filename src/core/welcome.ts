/** The operator's own welcome text (WELCOME_MESSAGE, WELCOME_MESSAGE_FILE): a template with a few placeholders,
 * checked when the bot starts. The operator's words are kept as written; only the placeholders' values come from
 * users, and the caller escapes them for the platform, so a display name can neither mention nor link. */
import { LANGUAGES, type Language } from './i18n.js';

export const WELCOME_PLACEHOLDERS = ['name', 'inviter', 'channels', 'role', 'until'] as const;
export type WelcomePlaceholder = (typeof WELCOME_PLACEHOLDERS)[number];
export type WelcomeValues = Record<WelcomePlaceholder, string>;

/** A checked template: its literal text and placeholders, in order. */
export type WelcomeTemplate = readonly ({ text: string } | { placeholder: WelcomePlaceholder })[];

/** One welcome text for every language, or one per language (`default`: any other language). */
export type WelcomeTexts = Partial<Record<Language | 'default', WelcomeTemplate>>;

/** The templates of a deployment: `teams` by workspace id, `all` for any other workspace. */
export interface WelcomeTemplates {
  all?: WelcomeTexts;
  teams: Record<string, WelcomeTexts>;
}

const KNOWN = WELCOME_PLACEHOLDERS.map((p) => `{${p}}`).join(', ');
const TOKEN = /\{([^{}]*)\}|\{|\}/g;

/** The template's parts, or why it is refused (an unknown placeholder, a brace that opens none). */
export function parseWelcomeTemplate(
  text: string,
): { ok: true; template: WelcomeTemplate } | { ok: false; error: string } {
  const parts: ({ text: string } | { placeholder: WelcomePlaceholder })[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const name = m[1];
    if (name === undefined)
      return { ok: false, error: `a lone "${m[0]}" at character ${m.index + 1}: braces only enclose a placeholder` };
    if (!(WELCOME_PLACEHOLDERS as readonly string[]).includes(name))
      return {
        ok: false,
        error: `unknown placeholder {${name.slice(0, 40)}}: use ${KNOWN}`,
      };
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ placeholder: name as WelcomePlaceholder });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return { ok: true, template: parts };
}

/** The template with its values (already escaped by the caller for the platform). */
export function fillWelcome(template: WelcomeTemplate, values: WelcomeValues): string {
  return template.map((p) => ('text' in p ? p.text : values[p.placeholder])).join('');
}

/** The operator's template for this workspace and language, if they wrote one. */
export function welcomeTemplateFor(
  templates: WelcomeTemplates | undefined,
  workspaceId: string,
  language: Language,
): WelcomeTemplate | undefined {
  const texts = templates?.teams[workspaceId] ?? templates?.all;
  return texts?.[language] ?? texts?.default;
}

export const WELCOME_KEYS: readonly string[] = [...LANGUAGES, 'default'];
