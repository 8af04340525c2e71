/** Every sentence a user reads comes from src/core/messages: this fails when one is written elsewhere, so the
 * translation catalogue can stand behind those functions without hunting strings. A "sentence" is a string or
 * template literal that starts with a capital letter (or an emoji code) and holds a space. Log lines, thrown
 * errors meant for logs and the operator, and CSS are not user texts; they are recognised below, by line. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
/** Where user-visible texts used to be assembled; src/platforms/local is the playground, moved separately. */
const SCANNED = [
  'src/flows',
  'src/actions',
  'src/platforms/mattermost',
  'src/platforms/kchat',
  'src/platforms/slack',
  'src/web',
  'views',
  'commands',
];
const SKIPPED_DIRS = new Set(['src/platforms/local', 'views/local']);

/** Lines that carry no user text: logs (pino's message argument), operator-facing errors, headers, CSS fonts. */
const NOT_USER_TEXT = [
  /\blog\.(trace|debug|info|warn|error|fatal)\(/, // pino
  /\bnew (Error|MattermostError|SlackError|PermanentError|RetryLaterError|TypeError)\(/, // for logs and lastError
  /`Bearer \$\{/, // an Authorization header
  /font-family|Segoe UI/, // CSS
];
/** Files whose sentences are not for chat users: operator-facing API clients and the admin JSON API. */
const OPERATOR_FILES = new Set([
  'src/platforms/mattermost/api.ts', // error texts of Mattermost calls, for logs and lastError
  'src/platforms/slack/api.ts', // the same for Slack's Web API
  'src/platforms/mattermost/registerCommand.ts', // the slash command's description, set once by the operator's bot
  'src/web/adminApi.ts', // the operator's JSON API
  'src/web/server.ts', // bare HTTP status texts for clients that are not people
  'src/platforms/slack/receiver.ts', // a 413 to Slack's servers
  'src/platforms/kchat/infomaniakApi.ts', // Infomaniak call errors and the token check, for logs and /readyz
  'src/platforms/kchat/access.ts', // what the operator fixes when the token check fails
  'views/setup/statusPage.ts', // GET /: what runs here, for the operator
  'views/setup/setupPage.ts', // /setup: how to connect a platform, for the operator
  'src/web/setupPage.ts', // its refusals
  'src/setup/mattermostServerCheck.ts', // what the setup page's server check found, for the operator
  'src/setup/infomaniakCheck.ts', // the same for the Infomaniak check
]);
/** Still holding sentences, to move next: what Infomaniak's error codes mean, kept in an invitation's last error
 * in English beside Infomaniak's own English descriptions. */
const NOT_YET_MOVED = new Set(['src/platforms/kchat/errorWords.ts']);

const SENTENCE = /(['"`])((?:\\.|(?!\1)[^\\])*?)\1/g;
const looksLikeSentence = (s: string) => /^(:[a-z_]+: )?[A-Z][a-z']*[ ,:][^]*[a-z]/.test(s) && s.includes(' ');

function files(dir: string): string[] {
  if (SKIPPED_DIRS.has(relative(ROOT, dir))) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The sentences written in one file, as `path:line: text`. */
export function sentencesIn(path: string, source: string): string[] {
  const found: string[] = [];
  /** How many parentheses of a log or operator-error call (one the formatter may spread over lines) are open. */
  let openCall = 0;
  const depth = (code: string) =>
    code.replace(SENTENCE, '').split('(').length - code.replace(SENTENCE, '').split(')').length;
  source.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/ .*$/, '');
    if (openCall > 0) {
      openCall += depth(code);
      return;
    }
    if (NOT_USER_TEXT.some((re) => re.test(code))) {
      openCall = Math.max(0, depth(code));
      return;
    }
    if (/^\s*(\*|\/\*\*?)/.test(code)) return;
    for (const m of code.matchAll(SENTENCE)) if (looksLikeSentence(m[2]!)) found.push(`${path}:${i + 1}: ${m[2]}`);
  });
  return found;
}

describe('user-visible sentences', () => {
  it('are all written in src/core/messages, not in flows, actions, adapters, views or commands', () => {
    const found = SCANNED.flatMap((dir) => files(join(ROOT, dir)))
      .map((abs) => relative(ROOT, abs))
      .filter((path) => !OPERATOR_FILES.has(path) && !NOT_YET_MOVED.has(path))
      .flatMap((path) => sentencesIn(path, readFileSync(join(ROOT, path), 'utf8')));
    expect(found).toEqual([]);
  });

  it('recognise a sentence added to an adapter, and leave log lines and ids alone', () => {
    const source = [
      "return ephemeral('This invitation was already approved.');",
      "ctx.log.warn({ err }, 'Could not open the form');",
      "const id = 'invite-who';",
      'ctx.log.warn(',
      '  { invitation: inv.id },',
      "  'Infomaniak gave a status this bot does not know',",
      ');',
      'notice(`:warning: The link for ${who} expired.`);',
    ].join('\n');
    expect(sentencesIn('x.ts', source)).toEqual([
      'x.ts:1: This invitation was already approved.',
      'x.ts:8: :warning: The link for ${who} expired.',
    ]);
  });
});
