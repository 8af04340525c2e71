/** Structured JSON logs. Secrets, tokens and invitation links are redacted wherever they appear by key. */
import { type Logger, pino } from 'pino';

export type { Logger };

export const REDACTED_KEYS = [
  'token',
  'botToken',
  'commandTokens',
  'secret',
  'password',
  'authorization',
  'Authorization',
  'url_accept',
  'urlAccept',
  'link',
  'trigger_id',
  'appToken',
  'adminToken',
  'signingSecret',
  'response_url',
  'responseUrl',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'guestlist' },
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[redacted]' },
    },
    destination,
  );
}
