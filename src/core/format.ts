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
const MARKDOWN_SPECIALS = /[\\`*_{}[\]()#+!|<>~&]/g;
/** A username that mentions only its user: it ends in a letter or digit, so no suffix the server trims can leave a
 * broadcast word (`@here-` is `@here`). */
const SAFE_USERNAME = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/i;
const BROADCAST_NAMES = new Set(['all', 'channel', 'here', 'everyone']);
/** Line breaks of every kind, including Unicode's line and paragraph separators. */
const LINE_BREAKS = /[\r\n\t\v\f\u0085\u2028\u2029]+/g;
/** Control characters, and the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069) that let a name reorder or hide the text after it. */
const INVISIBLE_CONTROLS = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/** Whether `text` holds a control, line-break or bidirectional character (for forms that refuse them). */
export function hasControls(text: string): boolean {
  return oneLine(text) !== text.trim();
}

/** User text on one line, without control or bidirectional characters: for posts, subjects, SMS and the plain
 * text of emails, where a line break could forge a line of the bot's own. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(INVISIBLE_CONTROLS, '').trim();
}

/** Mattermost starts a mention at an @ that follows anything but a letter or a digit (it splits words on
 * punctuation and on `.`, `-`, `:`, and trims `.`, `-`, `:`, `_` in front: see mention_parser_standard.go),
 * so a zero-width joiner goes after every such @: `@\u200Dall` is two words, neither a mention. One inside
 * ana@example.org cannot mention and is kept. `://` and `www.` are broken the same way, so no auto-link
 * survives. */
function defuseMentionsAndLinks(text: string): string {
  return text
    .replace(/(?<![\p{L}\p{N}])@/gu, `@${ZWJ}`)
    .replace(/:\/\//g, `:${ZWJ}//`)
    .replace(/www\./gi, (m) => `${m.slice(0, 3)}${ZWJ}.`);
}

/** Mattermost markdown. The server reads mentions from the markdown's text, after backslash escapes and HTML
 * entities are resolved (`\\@all` and `&#64;all` are live), so mentions and URLs are defused with a zero-width
 * joiner, and markdown characters, `&` among them, are backslash-escaped. */
export const mattermostMarkdown: TextFormat = {
  escape(text) {
    return defuseMentionsAndLinks(oneLine(text).replace(MARKDOWN_SPECIALS, (c) => `\\${c}`));
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
    return defuseMentionsAndLinks(oneLine(text).replace(/[&<>]/g, (c) => SLACK_ENTITIES[c]!));
  },
  /** Slack mentions by id; a name never becomes a mention. */
  mention(user) {
    return SLACK_USER_ID.test(user.id) ? `<@${user.id}>` : this.escape(user.username);
  },
  bold(text) {
    return `*${text}*`;
  },
};

/** What localMarkup escapes: its own markup (`\`, `*`, `` ` ``, `_`), mentions (`@`) and links (`:`). */
const LOCAL_SPECIALS = /[\\*`_@:]/g;

/** The playground's markup (rendered to HTML by views/local/markup.ts): `**bold**`, `` `code` ``, `@username`
 * mentions and bare http(s) links; a backslash makes the next character literal. User text is backslash-escaped
 * wholesale, so it can neither mention, nor link, nor format; HTML is escaped when rendering, whatever the text. */
export const localMarkup: TextFormat = {
  escape(text) {
    return oneLine(text).replace(LOCAL_SPECIALS, (c) => `\\${c}`);
  },
  mention(user) {
    const name = user.username;
    return SAFE_USERNAME.test(name) && !BROADCAST_NAMES.has(name.toLowerCase()) ? `@${name}` : this.escape(name);
  },
  bold(text) {
    return `**${text}**`;
  },
};

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML element content (pages and the email's HTML part): user text escaped and on one line, bold as `strong`.
 * Browsers and mail clients make no mentions, and a link is only ever an element the view writes itself. */
export const htmlText: TextFormat = {
  escape(text) {
    return oneLine(text).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
  },
  mention(user) {
    return this.escape(user.username);
  },
  bold(text) {
    return `<strong>${text}</strong>`;
  },
};

/** Plain text (SMS, the email's text part and subject): user text on one line; nothing is markup. */
export const plainText: TextFormat = {
  escape: oneLine,
  mention: (user) => oneLine(user.username),
  bold: (text) => text,
};
