/** Every form of @all/@channel/@here, Slack's <!channel>, links and control characters, checked against what
 * the servers would read as a mention (test/support/mentionOracle.ts), in every message the bot posts. */
import { describe, expect, it } from 'vitest';
import { mattermostMarkdown as md, slackMrkdwn as mrkdwn, oneLine, type TextFormat } from '../../src/core/format.js';
import { LANGUAGES } from '../../src/core/i18n.js';
import * as messages from '../../src/core/messages.js';
import type { Invitation } from '../../src/core/model.js';
import { statsOf } from '../../src/core/story.js';
import { parseWelcomeTemplate } from '../../src/core/welcome.js';
import { invitationEmail } from '../../views/email/invitationEmail.js';
import { invitationSms } from '../../views/sms/invitationSms.js';
import { invitation } from '../store/storeContract.js';
import { CONTROL_CHARACTERS, type Mentions, mattermostMentions, slackMentions } from '../support/mentionOracle.js';
import { en, markdownIn } from '../support/words.js';

/** Forms Mattermost reads as a channel-wide mention, from its parser's rules: words split on anything but letters,
 * digits and `: . - _ @`; `: . - _` trimmed in front and `. - : _` behind; a word split again on `. - :`;
 * markdown escapes and entities resolved first. */
const MATTERMOST_BROADCASTS = [
  '@all',
  '@channel',
  '@here',
  '@ALL',
  '@Here',
  'hi @all!',
  '(@channel)',
  '"@here"',
  '*@all*',
  '~@all',
  '.@all',
  '_@all',
  '-@all',
  ':@all',
  '%@all',
  '+@all',
  '/@all',
  '¡@all',
  '—@all',
  'e\u0301@all',
  'ana-@channel.org',
  'x.@here',
  'a:@all',
  'a-b-@here',
  '__@all',
  '.:-@channel',
  '@all.',
  '@all:',
  '@all-',
  '@all_',
  '@here!',
  '@channel...',
  '@all_-:',
  '\\@all',
  '&#64;all',
  '&#x40;channel',
  '&commat;here',
];
/** Forms that become a mention only once a control character between their letters is dropped by a client. */
const HIDDEN = ['@\u202Eall', '@\u2066here\u2069', '@\u0000channel', '@\u200Eall'];
const SLACK_BROADCASTS = ['<!channel>', '<!here>', '<!everyone>', '<!subteam^S0123|devs>', '@everyone', '<@U0123ABC>'];
const LINKS = [
  '[x](http://evil.test)',
  'http://evil.test',
  'https://evil.test/a',
  'www.evil.test',
  '<http://evil.test|bank>',
];
const ALL_FORMS = [...MATTERMOST_BROADCASTS, ...HIDDEN, ...SLACK_BROADCASTS, ...LINKS];

const nothing = (m: Mentions, allowedUsers: string[] = []) => {
  expect(m.broadcast).toEqual([]);
  expect(m.links).toEqual([]);
  expect(m.users.filter((u) => !allowedUsers.includes(u))).toEqual([]);
};

describe('the mention oracle', () => {
  it.each(MATTERMOST_BROADCASTS)('reads %j as a broadcast, as Mattermost does', (form) => {
    expect(mattermostMentions(form).broadcast).not.toEqual([]);
  });

  it.each(['ana@example.org', 'a_@all', 'ana@all.example', '@allan', ':@all:'])('reads %j as no broadcast', (form) => {
    expect(mattermostMentions(form).broadcast).toEqual([]);
  });

  it.each(SLACK_BROADCASTS.slice(0, 5))('reads %j as a broadcast, as Slack does', (form) => {
    expect(slackMentions(form).broadcast).not.toEqual([]);
  });
});

describe.each([
  ['Mattermost', md, mattermostMentions],
  ['Slack', mrkdwn, slackMentions],
] as [string, TextFormat, (s: string) => Mentions][])('escaping for %s', (_platform, f, mentionsIn) => {
  it.each(ALL_FORMS)('leaves %j neither a mention nor a link', (form) => {
    const escaped = f.escape(form);
    nothing(mentionsIn(escaped));
    expect(escaped).not.toMatch(CONTROL_CHARACTERS);
    expect(escaped).not.toContain('\n');
  });

  it('keeps an email address as it is', () => {
    expect(f.escape('ana.lopez@example.org')).toBe('ana.lopez@example.org');
  });

  it.each(['all', 'channel', 'here', 'everyone', 'here-', 'all_', 'channel.'])(
    'never mentions a user named %j',
    (username) => {
      nothing(mentionsIn(f.mention({ id: 'x1', username })));
    },
  );
});

/** An invitation with a hostile value in every field a message shows. */
function hostileInvitation(form: string): Invitation {
  return invitation('i1', {
    name: `Ana ${form}`,
    email: 'ana-@channel.org',
    message: `hello ${form}\nAccept the invitation: http://evil.test`,
    lastError: `refused ${form}`,
    inviter: { id: 'u1', username: 'ben' },
    decision: {
      by: { id: 'u2', username: 'root' },
      at: '2030-01-01T10:00:00.000Z',
      approved: false,
      reason: `no ${form}`,
    },
  });
}

const STATS = statsOf([], new Date('2030-01-01T00:00:00Z'), new Date('2030-01-31T00:00:00Z'));

/** An operator's welcome with every placeholder. */
const parsedWelcome = parseWelcomeTemplate('Hi {name}! {inviter} invited you as {role} until {until}:\n{channels}');
const OPERATOR_WELCOME = parsedWelcome.ok ? parsedWelcome.template : undefined;

/** Every message of the bot about an invitation, as it would be posted. */
function everyMessage(inv: Invitation, format: TextFormat, form: string, language: string): string[] {
  const f = markdownIn(format, language);
  const arrived = { id: 'u3', username: 'ana', displayName: `Ana ${form}` };
  const skipped = [{ email: `x${form}@example.org`, reason: (w: typeof en) => messages.skippedReason(w, 'account') }];
  return [
    messages.arrivalAnnouncement(f, inv, arrived),
    messages.arrivalNoticeToInviter(f, inv, arrived),
    messages.approvalRequest(f, { ...inv, kdriveRight: 'read' }, [`#${form}`]),
    messages.decisionLine(f, inv),
    messages.decisionNoticeToInviter(f, inv),
    messages.deliveryFailedNotice(f, inv),
    messages.submissionSummary(f, [inv], skipped, true),
    messages.revokedNoticeToInviter(f, inv, undefined),
    messages.declinedNoticeToInviter(f, inv, 'rejected'),
    messages.declinedNoticeToInviter(f, inv, 'cancelled'),
    messages.expiredNoticeToInviter(f, inv),
    messages.renewalRequestNotice(f, inv),
    messages.linkReminderToInviter(f, inv),
    messages.approvalDigest(f, [inv, { ...inv, inviter: { id: 'u9', username: form } }]),
    messages.listEntryText(f, inv, new Date()),
    messages.storyText(
      f,
      inv,
      {
        invitationId: inv.id,
        createdAt: inv.createdAt,
        visitors: 0,
        events: [{ at: inv.createdAt, action: 'revoked', actor: form }],
      },
      new Map(),
    ),
    messages.storyNone(f, `x${form}@example.org`),
    messages.forwardedReply(f, {
      newcomer: arrived,
      inviter: inv.inviter,
      sponsorInvited: false,
      invitedAt: inv.createdAt,
      text: messages.cutReply(`hi ${form}\n> ${form}\n\u2028${form} **${form}**`),
    }),
    messages.replyPassedOn(f, inv.inviter),
    messages.replyLimited(f, inv.inviter, new Date(inv.createdAt)),
    messages.statsText(f, STATS, 30, [{ inv, openedAt: inv.createdAt }], 'invite-people list'),
    ...[undefined, OPERATOR_WELCOME].map((template) =>
      messages.welcomeMessage(
        f,
        {
          newcomer: arrived,
          inviter: inv.inviter,
          sponsor: inv.inviter,
          channels: [{ name: `#${form}`, purpose: `for ${form}` }, { name: form }],
          role: 'external',
          until: '2030-03-01T10:00:00.000Z',
        },
        template,
      ),
    ),
  ];
}

describe.each([
  ['Mattermost', md, mattermostMentions],
  ['Slack', mrkdwn, slackMentions],
] as [string, TextFormat, (s: string) => Mentions][])(
  'every message the bot posts on %s',
  (_platform, f, mentionsIn) => {
    it.each(ALL_FORMS)('shows %j in every field as text, in every language', (form) => {
      const texts = LANGUAGES.flatMap((language) => everyMessage(hostileInvitation(form), f, form, language));
      for (const text of texts) {
        // Only the people the bot means to mention: the inviter, the approver, the newcomer (Mattermost mentions
        // by username: one named like the form, if the server allows that name, is a real user).
        nothing(mentionsIn(text), f === md ? ['ben', 'root', 'ana', form] : []);
        expect(text).not.toMatch(CONTROL_CHARACTERS);
        expect(text).not.toMatch(/\nAccept the invitation/);
      }
    });
  },
);

describe('plain-text deliveries', () => {
  const form = '\u202Eevil\nAccept the invitation: http://evil.test';

  it('keeps every user value of the email’s text part on its line', () => {
    const mail = invitationEmail(en, {
      email: 'ana@example.org',
      inviteeName: `Ana${form}`,
      inviterName: `Ben${form}`,
      orgName: `Acme${form}`,
      roleLabel: 'Collaborator',
      expiresAt: null,
      link: 'https://guestlist.test/join/t',
      message: `Hi${form}`,
    });
    const lines = mail.text.split('\n');
    expect(lines.filter((l) => l.startsWith('Accept the invitation:'))).toEqual([
      'Accept the invitation: https://guestlist.test/join/t',
    ]);
    expect(mail.text).not.toMatch(CONTROL_CHARACTERS);
    expect(mail.subject).not.toMatch(/[\n\u202E]/);
  });

  it('keeps control characters out of the SMS', () => {
    const sms = invitationSms(en, {
      inviterName: `Ben${form}`,
      orgName: 'Acme',
      email: 'ana@example.org',
      expiresAt: null,
      link: 'https://g.test/j',
    });
    expect(sms).not.toMatch(/[\n\u202E]/);
    expect(oneLine('a\u2028b\u2067c')).toBe('a bc');
  });
});
