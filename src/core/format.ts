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

/** A zero-width joiner after an @ that starts a word (one inside ana@example.org cannot mention) and inside
 * `://` and `www.`, so neither a mention nor an auto-link survives. */
function defuseMentionsAndLinks(text: string): string {
  return text
    .replace(/(^|[^\p{L}\p{N}._%+-])@/gu, `$1@${ZWJ}`)
    .replace(/:\/\//g, `:${ZWJ}//`)
    .replace(/www\./gi, (m) => `${m.slice(0, 3)}${ZWJ}.`);
}

/** Mattermost markdown. A backslash or an HTML entity before `@all` is turned back into a live mention by the
 * server, so mentions and URLs are defused with a zero-width joiner, and markdown characters are backslash-escaped. */
export const mattermostMarkdown: TextFormat = {
  escape(text) {
    return defuseMentionsAndLinks(text.replace(/[\r\n\t]+/g, ' ').replace(MARKDOWN_SPECIALS, (c) => `\\${c}`));
  },
  mention(user) {
    const name = user.username;
    return SAFE_USERNAME.test(name) && !BROADCAST_NAMES.has(name.toLowerCase()) ? `@${name}` : this.escape(name);
  },
  bold(text) {
    return `**${text}**`;
  },
};

const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** Slack mrkdwn. `&`, `<` and `>` are Slack's control characters: escaped, they can no longer open `<!channel>`,
 * `<@U…>` or `<http://…|label>`. A bare `@here` or URL stays text with chat.postMessage's defaults, but clients
 * still highlight and auto-link them, so they are broken with a zero-width joiner as on Mattermost. */
export const slackMrkdwn: TextFormat = {
  escape(text) {
    return defuseMentionsAndLinks(text.replace(/[\r\n\t]+/g, ' ').replace(/[&<>]/g, (c) => SLACK_ENTITIES[c]!));
  },
  /** Slack mentions by id; a name never becomes a mention. */
  mention(user) {
    return SLACK_USER_ID.test(user.id) ? `<@${user.id}>` : this.escape(user.username);
  },
  bold(text) {
    return `*${text}*`;
  },
};
