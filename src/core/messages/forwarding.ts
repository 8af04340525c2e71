/** A newcomer's reply to the bot's direct message, passed on to their sponsor, and what the newcomer is answered.
 * The reply is hostile text: cut to a few lines (cutReply, before it is stored), then every line escaped for the
 * sponsor's platform, so that it can neither mention, link, format, nor forge a line of the bot's. */
import type { Person } from '../model.js';
import type { Writer } from '../writer.js';
import type { ArrivedUser } from './invitation.js';

export const REPLY_LIMITS = { chars: 1500, lines: 20 } as const;
const LINE_BREAK = /\r\n|[\r\n\v\f\u0085\u2028\u2029]/;

/** The reply as it is kept and passed on: at most REPLY_LIMITS (cut with "…"), no blank lines at its ends and no
 * run of them inside; empty when nothing is left. */
export function cutReply(text: string): string {
  const lines = text
    .split(LINE_BREAK)
    .map((l) => l.trimEnd())
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''));
  while (lines.length && !lines.at(-1)!.trim()) lines.pop();
  while (lines.length && !lines[0]!.trim()) lines.shift();
  const kept = lines.slice(0, REPLY_LIMITS.lines).join('\n');
  const chars = [...kept];
  const cut = chars.length > REPLY_LIMITS.chars || lines.length > REPLY_LIMITS.lines;
  return cut ? `${chars.slice(0, REPLY_LIMITS.chars - 1).join('')}…` : kept;
}

/** Each line escaped (no mention, link, markup or control character survives) behind the quote mark that both
 * Mattermost's markdown and Slack's mrkdwn read; an escaped line can never open a quote or a line of its own. */
function quoted(f: Writer, text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${f.escape(line)}`.trimEnd())
    .join('\n');
}

export interface ForwardedReply {
  newcomer: ArrivedUser;
  /** Who invited them; `sponsorInvited`: the sponsor is that person (else an admin who adopted the guest). */
  inviter: Person;
  sponsorInvited: boolean;
  invitedAt: string;
  text: string;
}

/** The sponsor's direct message. */
export function forwardedReply(f: Writer, r: ForwardedReply): string {
  return f.t('forward.toSponsor', {
    name: f.escape(r.newcomer.displayName || r.newcomer.username),
    newcomer: f.mention(r.newcomer),
    by: r.sponsorInvited ? 'you' : 'other',
    inviter: f.mention(r.inviter),
    date: f.date(r.invitedAt),
    quote: quoted(f, r.text),
  });
}

/** The newcomer's answer: passed on (at most once in a while, not per message). */
export const replyPassedOn = (f: Writer, sponsor: Person) => f.t('forward.passedOn', { sponsor: f.mention(sponsor) });

/** The newcomer wrote more than the hourly limit: what they write until `at` is not passed on. */
export const replyLimited = (f: Writer, sponsor: Person, at: Date) =>
  f.t('forward.limited', { sponsor: f.mention(sponsor), time: f.dateTime(at) });

/** Anyone else who writes to the bot, answered once. */
export const replyNotForwarded = (f: Writer) => f.t('forward.notForwarded');
