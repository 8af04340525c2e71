/** What a chat server would read as mentions and links in a message the bot posts: the tests' oracle.
 *
 * Mattermost: a port of StandardMentionParser.ProcessText (server/channels/app/mention_parser_standard.go), run,
 * as getExplicitMentions does, on the markdown's text, where backslash escapes and HTML entities are resolved.
 * Slack: the `<!…>`, `<@…>`, `<#…>` and `<url|…>` control sequences, plus the same @-words clients highlight. */

export interface Mentions {
  /** @all, @channel, @here (and @everyone on Slack), lower-cased. */
  broadcast: string[];
  /** Words the server would look up as user or group mentions, without the @. */
  users: string[];
  /** Auto-linked or linked targets. */
  links: string[];
}

const SYSTEM = new Set(['@here', '@channel', '@all']);
const isWordChar = (c: string) => /[:.\-_@\p{L}\p{N}]/u.test(c);

function processText(text: string, out: Mentions, system = SYSTEM): void {
  const check = (word: string) => {
    if (system.has(word.toLowerCase())) return (void out.broadcast.push(word.toLowerCase()), true);
    return false;
  };
  const words = [...text]
    .reduce<string[]>(
      (acc, c) => {
        if (isWordChar(c)) acc[acc.length - 1] += c;
        else if (acc.at(-1) !== '') acc.push('');
        return acc;
      },
      [''],
    )
    .filter(Boolean);
  for (let word of words) {
    if (word.startsWith(':') && word.endsWith(':')) continue;
    word = word.replace(/^[:.\-_]+/, '');
    if (!word || check(word)) continue;
    let stem = word;
    let found = false;
    while (stem && /[.\-:_]$/.test(stem)) {
      stem = stem.slice(0, -1);
      if (check(stem)) {
        found = true;
        break;
      }
    }
    if (found) continue;
    // A lone @ is a potential mention of nobody: the server looks up an empty name and finds no one.
    if (word.startsWith('@')) out.users.push(...[word.slice(1).replace(/[.\-:]$/, '')].filter(Boolean));
    else if (/[.\-:]/.test(word)) {
      for (const part of word.split(/[.\-:]/).filter(Boolean)) {
        if (!check(part) && part.length > 1 && part.startsWith('@')) out.users.push(part.slice(1));
      }
    }
  }
}

/** The text a markdown parser hands on: escapes and entities resolved (what the server checks for mentions). */
function markdownText(message: string): string {
  // One pass, left to right: an escaped `\&` starts no entity.
  const named: Record<string, string> = { commat: '@', amp: '&', lt: '<', gt: '>' };
  return message.replace(
    /\\([!-/:-@[-`{-~])|&#x([0-9a-f]+);|&#([0-9]+);|&([a-z]+);/gi,
    (m, esc, hex, dec, name) =>
      esc ??
      (hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : (named[name] ?? m)),
  );
}

/** URLs clients link by themselves; an @-mention is rendered before links (`@www.x.org` is a username). */
const AUTOLINK = /(?:https?|ftp):\/\/\S+|(?<!@)www\.\S+/gi;

export function mattermostMentions(message: string): Mentions {
  const out: Mentions = { broadcast: [], users: [], links: [] };
  const text = markdownText(message);
  processText(text, out);
  for (const m of message.matchAll(/\]\(([^)]*)\)/g)) out.links.push(m[1]!);
  for (const m of text.matchAll(AUTOLINK)) out.links.push(m[0]);
  return out;
}

export function slackMentions(message: string): Mentions {
  const out: Mentions = { broadcast: [], users: [], links: [] };
  for (const m of message.matchAll(/<([!@#])([^>|]*)[^>]*>/g)) {
    if (m[1] === '!') out.broadcast.push(`@${m[2]!.split('^')[0]}`);
    else out.users.push(m[2]!);
  }
  for (const m of message.matchAll(/<((?:https?|mailto|ftp):[^>|]*)[^>]*>/gi)) out.links.push(m[1]!);
  processText(message.replace(/&lt;|&gt;|&amp;/g, ' '), out, new Set([...SYSTEM, '@everyone']));
  for (const m of message.matchAll(AUTOLINK)) out.links.push(m[0]);
  return out;
}

/** Bidirectional and other control characters that would reorder or hide text in a client (a message's own line
 * breaks aside). */
export const CONTROL_CHARACTERS =
  /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
