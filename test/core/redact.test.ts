import { describe, expect, it } from 'vitest';
import { redactContacts } from '../../src/core/redact.js';

describe('redactContacts', () => {
  it.each([
    ['550 <Ana.Lima+x@Example.org>: Recipient rejected', '550 <[email]>: Recipient rejected'],
    ['refused +41 79 123 45 67, +41791234567 and 079 123 45 67', 'refused [phone], [phone] and [phone]'],
    ['to +41*******67 (already masked)', 'to +41*******67 (already masked)'],
    [
      'connect ECONNREFUSED 127.0.0.1:2525 and 192.168.100.200',
      'connect ECONNREFUSED 127.0.0.1:2525 and 192.168.100.200',
    ],
    [
      'Mattermost 429 at 2030-01-01T10:00:00.000Z, post 1712345678.123456',
      'Mattermost 429 at 2030-01-01T10:00:00.000Z, post 1712345678.123456',
    ],
  ])('%s', (text, expected) => {
    expect(redactContacts(text)).toBe(expected);
  });
});
