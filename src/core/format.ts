/** How user-supplied text is made safe for a platform's message markup. The core writes messages against
 * this interface; each platform supplies its own. */
export interface TextFormat {
  /** Shows `text` literally: no mention, no link, no markup. */
  escape(text: string): string;
  /** A mention of a user that notifies them (only ever built from platform ids and usernames). */
  mention(user: { id: string; username: string }): string;
  bold(text: string): string;
}

const ZWJ = '\u200D';
const MARKDOWN_SPECIALS = /[\\`*_{}[\]()#+!|<>~]/g;
const SAFE_USERNAME = /^[a-z0-9][a-z0-9._-]*$/i;
const BROADCAST_NAMES = new Set(['all', 'channel', 'here']);

/** Mattermost markdown. A backslash or an HTML entity before `@all` is turned back into a live mention by the
 * server, so the `@` is separated from the name with a zero-width joiner; URLs are broken the same way so they
 * are not auto-linked, and markdown characters are backslash-escaped. */
export const mattermostMarkdown: TextFormat = {
  escape(text) {
    return text
      .replace(/[\r\n\t]+/g, ' ')
      .replace(MARKDOWN_SPECIALS, (c) => `\\${c}`)
      // Only an @ that starts a word can mention; one inside an address (ana@example.org) stays as typed.
      .replace(/(^|[^\p{L}\p{N}._%+-])@/gu, `$1@${ZWJ}`)
      .replace(/:\/\//g, `:${ZWJ}//`)
      .replace(/www\./gi, (m) => `${m.slice(0, 3)}${ZWJ}.`);
  },
  mention(user) {
    const name = user.username;
    return SAFE_USERNAME.test(name) && !BROADCAST_NAMES.has(name.toLowerCase()) ? `@${name}` : this.escape(name);
  },
  bold(text) {
    return `**${text}**`;
  },
};
