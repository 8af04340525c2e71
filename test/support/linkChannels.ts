/** The operator's side of the bot's own links: an SMTP sink and an SMS gateway that records what it is given,
 * with the environment that points the bot at both. */
import http from 'node:http';
import { type SmtpSink, startSmtpSink } from './smtpSink.js';

export interface LinkSinks {
  env: Record<string, string>;
  smtp: SmtpSink;
  texts: { to: string; text: string }[];
  stop(): Promise<void>;
}

export async function startLinkSinks(): Promise<LinkSinks> {
  const smtp = await startSmtpSink();
  const texts: LinkSinks['texts'] = [];
  const gateway = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      texts.push(JSON.parse(body));
      res.end('{}');
    });
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  return {
    smtp,
    texts,
    env: {
      SMTP_URL: smtp.url(),
      MAIL_FROM: 'guestlist@acme.test',
      ORG_NAME: 'Acme',
      SMS_WEBHOOK_URL: `http://127.0.0.1:${(gateway.address() as { port: number }).port}/sms`,
    },
    async stop() {
      await smtp.stop();
      gateway.close();
    },
  };
}

/** The acceptance links in a text (an email's raw source, an SMS, a direct message). */
export function linksIn(text: string): string[] {
  return [...text.replace(/=\r?\n/g, '').matchAll(/http:\/\/127\.0\.0\.1:\d+\/join\/[A-Za-z0-9_-]+/g)].map((m) => m[0]);
}

/** A clock that runs with real time, moved ahead by `advance`. */
export function movableClock(): { now(): Date; advance(ms: number): void } {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
}
