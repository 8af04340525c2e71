import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvitationMailer } from '../../src/delivery/mailer.js';
import { acceptanceUrl, newLinkToken } from '../../src/lifecycle/inviteTokens.js';
import { createLogger } from '../../src/logger.js';
import { PermanentError, RetryLaterError } from '../../src/outbox/errors.js';
import { anInvitation } from '../support/invitationFixture.js';
import { decodeHeader, readMime, type SmtpSink, startSmtpSink } from '../support/smtpSink.js';
import { en } from '../support/words.js';

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => void (lines.push(String(chunk)), cb()) });
  return { log: createLogger('debug', sink), lines };
}

describe('the invitation email, through a real SMTP server', () => {
  let smtp: SmtpSink;
  beforeAll(async () => (smtp = await startSmtpSink({ user: 'bot', pass: 'p@ss word' })));
  afterAll(() => smtp.stop());

  it(
    'sends text and HTML parts naming the organization, the ' +
      'inviter, the required address, the expiry and the link',
    async () => {
      const { log, lines } = capturedLogger();
      const mailer = new InvitationMailer({
        smtpUrl: smtp.url({ user: 'bot', pass: 'p@ss word' }),
        from: 'Guestlist <guestlist@example.org>',
        orgName: 'Acme & Söhne',
        log,
      });
      const link = acceptanceUrl('https://guestlist.example.org', newLinkToken().token);
      const inv = anInvitation({
        email: 'ana@example.com',
        name: 'Ana Lima',
        inviter: { id: 'u1', username: 'bob' },
        role: 'external',
        expiresAt: '2030-01-08T10:00:00.000Z',
        message: 'See you on Monday!',
      });

      const messageId = await mailer.sendInvitation(inv, link, en);
      mailer.close();

      const got = smtp.received.at(-1)!;
      expect(got.user).toBe('bot');
      expect(got.from).toBe('guestlist@example.org');
      expect(got.to).toEqual(['ana@example.com']);
      const mail = readMime(got.raw);
      expect(mail.headers['message-id']).toBe(messageId);
      expect(mail.headers['content-type']).toMatch(/^multipart\/alternative/);
      expect(decodeHeader(mail.headers.subject!)).toBe('bob invited you to join Acme & Söhne');
      for (const part of [mail.text!, mail.html!]) {
        expect(part).toContain(link);
        expect(part).toContain('ana@example.com');
        expect(part).toContain('8 January 2030');
        expect(part).toContain('10:00 UTC');
        expect(part).toContain('bob');
        expect(part).toContain('with the role External guest');
        expect(part).toContain('See you on Monday!');
      }
      expect(mail.text).toContain('Acme & Söhne');
      expect(mail.html).toContain('Acme &amp; Söhne');
      expect(mail.html).toContain(`href="${link}"`);
      expect(lines.join('')).not.toContain(link.split('/join/')[1]);
      expect(lines.join('')).not.toContain('ana@example.com');
    },
  );

  it('escapes every user-supplied value in the HTML part, and keeps the subject on one line', async () => {
    const { log } = capturedLogger();
    const mailer = new InvitationMailer({
      smtpUrl: smtp.url(),
      from: 'guestlist@example.org',
      orgName: 'Org <b>bold</b>\r\nBcc: victim@example.com',
      log,
    });
    const inv = anInvitation({
      email: 'x@example.com',
      name: '<script>alert(1)</script>',
      inviter: { id: 'u1', username: 'eve"><img src=x onerror=alert(1)>' },
      message: '<a href="javascript:alert(1)">click</a>',
      expiresAt: null,
    });
    await mailer.sendInvitation(inv, 'https://guestlist.example.org/join/abc', en);
    mailer.close();
    const got = smtp.received.at(-1)!;
    expect(got.to).toEqual(['x@example.com']);
    const mail = readMime(got.raw);
    expect(mail.html).not.toMatch(/<script|<img|<a href="javascript|<b>bold/);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('eve&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain('Org &lt;b&gt;bold&lt;/b&gt;');
    expect(mail.text).toContain('This invitation does not expire.');
    expect(mail.headers.bcc).toBeUndefined();
    expect(decodeHeader(mail.headers.subject!)).not.toMatch(/[\r\n]/);
  });

  it('treats a 5xx refusal as permanent and a 4xx one as worth retrying', async () => {
    const { log } = capturedLogger();
    smtp.refuse('gone@example.com', 550, 'No such user');
    smtp.refuse('busy@example.com', 451, 'Try again later');
    const mailer = new InvitationMailer({ smtpUrl: smtp.url(), from: 'guestlist@example.org', orgName: 'Acme', log });
    await expect(
      mailer.sendInvitation(anInvitation({ email: 'gone@example.com' }), 'https://x.example/join/a', en),
    ).rejects.toBeInstanceOf(PermanentError);
    await expect(
      mailer.sendInvitation(anInvitation({ email: 'busy@example.com' }), 'https://x.example/join/a', en),
    ).rejects.toBeInstanceOf(RetryLaterError);
    mailer.close();
  });

  it('retries when the server cannot be reached or refuses the credentials', async () => {
    const { log } = capturedLogger();
    const down = new InvitationMailer({
      smtpUrl: 'smtp://127.0.0.1:1',
      from: 'guestlist@example.org',
      orgName: 'Acme',
      log,
    });
    await expect(down.sendInvitation(anInvitation(), 'https://x.example/join/a', en)).rejects.toBeInstanceOf(
      RetryLaterError,
    );
    const badAuth = new InvitationMailer({
      smtpUrl: smtp.url({ user: 'bot', pass: 'wrong' }),
      from: 'guestlist@example.org',
      orgName: 'Acme',
      log,
    });
    await expect(badAuth.sendInvitation(anInvitation(), 'https://x.example/join/a', en)).rejects.toBeInstanceOf(
      RetryLaterError,
    );
  });
});
