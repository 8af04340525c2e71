/** A real SMTP server (smtp-server) on a loopback port that keeps what it receives, and a small MIME reader for
 * nodemailer's output (multipart/alternative; 7bit, quoted-printable or base64; UTF-8). */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

export interface SmtpSink {
  url(auth?: { user: string; pass: string }): string;
  received: Received[];
  /** Answers RCPT TO for this address with the given SMTP reply. */
  refuse(address: string, code: number, message: string): void;
  stop(): Promise<void>;
}

export async function startSmtpSink(credentials = { user: 'bot', pass: 'smtp-secret' }): Promise<SmtpSink> {
  const received: Received[] = [];
  const refusals = new Map<string, { code: number; message: string }>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    onAuth(auth, _session, cb) {
      if (auth.username === credentials.user && auth.password === credentials.pass) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      const refusal = refusals.get(address.address);
      if (!refusal) return cb();
      cb(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: (auth) =>
      `smtp://${auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : ''}127.0.0.1:${port}`,
    received,
    refuse: (address, code, message) => void refusals.set(address, { code, message }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface MimePart {
  headers: Record<string, string>;
  body: string;
}

function splitHeaders(raw: string): MimePart {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: raw.slice(at + 4) };
}

function decodeBody(part: MimePart): string {
  const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = part.body
      .replace(/=\r\n/g, '')
      .replace(/(=[0-9A-F]{2})+/g, (m) => Buffer.from(m.replace(/=/g, ''), 'hex').toString('latin1'));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return part.body;
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=). */
export function decodeHeader(value: string): string {
  const q = (text: string) => {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '_') bytes.push(32);
      else if (text[i] === '=') {
        bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(text.charCodeAt(i));
    }
    return Buffer.from(bytes).toString('utf8');
  };
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, kind: string, text: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : q(text),
    );
}

/** Headers of the message and its decoded text/plain and text/html parts. */
export function readMime(raw: string): { headers: Record<string, string>; text?: string; html?: string } {
  const message = splitHeaders(raw);
  const type = message.headers['content-type'] ?? 'text/plain';
  const parts: MimePart[] = [];
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary) {
    for (const chunk of message.body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      parts.push(splitHeaders(chunk.replace(/^\r\n/, '').replace(/\r\n$/, '')));
    }
  } else {
    parts.push(message);
  }
  const find = (t: string) => parts.find((p) => (p.headers['content-type'] ?? 'text/plain').startsWith(t));
  const text = find('text/plain');
  const html = find('text/html');
  return { headers: message.headers, text: text && decodeBody(text), html: html && decodeBody(html) };
}
