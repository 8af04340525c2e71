import { Writable } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isE164, normalizePhone } from '../../src/core/phone.js';
import { invitationSmsText, maskPhone, WebhookSmsSender } from '../../src/delivery/sms.js';
import { createLogger } from '../../src/logger.js';
import { PermanentError, RetryLaterError } from '../../src/outbox/errors.js';
import { anInvitation } from '../support/invitationFixture.js';
import { en } from '../support/words.js';

const GATEWAY = 'https://sms.example.net';
const PHONE = '+41791234567';

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => void (lines.push(String(chunk)), cb()) });
  return { log: createLogger('debug', sink), text: () => lines.join('') };
}

describe('phone numbers', () => {
  it('accepts E.164 only', () => {
    expect(isE164(PHONE)).toBe(true);
    expect(isE164('+12025550123')).toBe(true);
    for (const bad of [
      '0791234567',
      '+0791234567',
      '+41 79 123 45 67',
      '+4179123456789012',
      '+123',
      '41791234567',
      '+41791234567\n',
    ]) {
      expect(isE164(bad), bad).toBe(false);
    }
  });

  it('normalizes what people type, and refuses numbers without a country code', () => {
    expect(normalizePhone(' +41 79 123 45 67 ')).toBe(PHONE);
    expect(normalizePhone('0041-79-123.45.67')).toBe(PHONE);
    expect(normalizePhone('+1 (202) 555-0123')).toBe('+12025550123');
    expect(normalizePhone('079 123 45 67')).toBeUndefined();
    expect(normalizePhone('call me')).toBeUndefined();
  });

  it('masks all but the country prefix and the last two digits', () => {
    expect(maskPhone(PHONE)).toBe('+41*******67');
    expect(maskPhone(PHONE)).not.toContain('1234');
    expect(maskPhone('+1')).toBe('***');
  });
});

describe('WebhookSmsSender', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });

  it('posts {to, text} as JSON with the bearer token, and logs only the masked number', async () => {
    const { log, text } = capturedLogger();
    let seen: unknown;
    nock(GATEWAY, { reqheaders: { authorization: 'Bearer gw-secret', 'content-type': 'application/json' } })
      .post('/send', (body) => ((seen = body), true))
      .reply(202, { id: 'm1' });
    await new WebhookSmsSender({ url: `${GATEWAY}/send`, token: 'gw-secret', log }).send(
      PHONE,
      'hello https://x.example/join/t0k3n',
    );
    expect(seen).toEqual({ to: PHONE, text: 'hello https://x.example/join/t0k3n' });
    expect(text()).toContain('+41*******67');
    expect(text()).not.toContain(PHONE);
    expect(text()).not.toContain('t0k3n');
    expect(text()).not.toContain('gw-secret');
  });

  it('sends no Authorization header without a token', async () => {
    const { log } = capturedLogger();
    nock(GATEWAY, { badheaders: ['authorization'] })
      .post('/send')
      .reply(200);
    await new WebhookSmsSender({ url: `${GATEWAY}/send`, log }).send(PHONE, 'hi');
  });

  it('refuses a number that is not E.164 without calling the gateway', async () => {
    const { log } = capturedLogger();
    const err = await new WebhookSmsSender({ url: `${GATEWAY}/send`, log })
      .send('0791234567', 'hi')
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).not.toContain('0791234567');
  });

  it('retries on 429 (honouring Retry-After), 5xx and network errors; gives up on other 4xx', async () => {
    const { log, text } = capturedLogger();
    const sender = new WebhookSmsSender({ url: `${GATEWAY}/send`, log });
    nock(GATEWAY).post('/send').reply(429, 'slow down', { 'Retry-After': '30' });
    const limited = await sender.send(PHONE, 'hi').catch((e: RetryLaterError) => e);
    expect(limited).toBeInstanceOf(RetryLaterError);
    expect((limited as RetryLaterError).retryAfterMs).toBe(30_000);

    nock(GATEWAY).post('/send').reply(503);
    await expect(sender.send(PHONE, 'hi')).rejects.toBeInstanceOf(RetryLaterError);

    nock(GATEWAY).post('/send').replyWithError('socket hang up');
    await expect(sender.send(PHONE, 'hi')).rejects.toBeInstanceOf(RetryLaterError);

    nock(GATEWAY)
      .post('/send')
      .reply(400, { error: `invalid number ${PHONE}` });
    const refused = await sender.send(PHONE, 'hi').catch((e: Error) => e);
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as Error).message).not.toContain(PHONE);
    expect(text()).not.toContain(PHONE);
  });
});

describe('invitation SMS text', () => {
  it('names the inviter, the organization and the address to use, and ends with the link', () => {
    const sms = invitationSmsText(
      en,
      anInvitation({
        email: 'ana@example.com',
        inviter: { id: 'u', username: 'bob' },
        expiresAt: '2030-01-08T10:00:00.000Z',
      }),
      'https://g.example/join/abc',
      'Acme',
    );
    expect(sms).toBe(
      'bob invited you to join Acme. Register with ana@example.com. Valid until 8 January 2030. ' +
        'https://g.example/join/abc',
    );
    expect(sms.length).toBeLessThan(306);
  });
});
