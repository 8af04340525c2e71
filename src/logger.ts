/** Structured logs: JSON lines, or one readable line per entry when stdout is a terminal (a person is watching; a
 * log collector gets the JSON). Secrets, tokens and invitation links are redacted wherever they appear by key,
 * before either form is written. The readable form is a small destination of our own rather than pino-pretty:
 * it needs no worker thread and no dependency for what is a dozen lines of formatting. */
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

const LEVELS: Record<number, { name: string; color: number }> = {
  10: { name: 'TRACE', color: 90 },
  20: { name: 'DEBUG', color: 36 },
  30: { name: 'INFO', color: 32 },
  40: { name: 'WARN', color: 33 },
  50: { name: 'ERROR', color: 31 },
  60: { name: 'FATAL', color: 35 },
};
/** Fields every line has, which the readable form shows otherwise or leaves out. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app']);

const shown = (value: unknown) =>
  typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);

/** One JSON log line as a person reads it: `12:34:56.789 INFO  message key=value …`, an error's stack below. */
export function prettyLine(json: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVELS[entry.level as number] ?? { name: String(entry.level), color: 0 };
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const name = level.name.padEnd(5);
  const tag = color ? `\x1b[${level.color}m${name}\x1b[0m` : name;
  let stack = '';
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => {
      const err = value as { message?: unknown; stack?: unknown } | null;
      if (err && typeof err === 'object' && typeof err.stack === 'string') {
        stack += `\n    ${err.stack.split('\n').join('\n    ')}`;
        return `${key}=${shown(err.message)}`;
      }
      return `${key}=${shown(value)}`;
    });
  return `${[time, tag, entry.msg ?? '', ...fields].filter((p) => p !== '').join(' ')}${stack}\n`;
}

/** Writes each entry as prettyLine does. */
export function prettyDestination(out: { write(text: string): unknown }, color = false): pino.DestinationStream {
  return { write: (line: string) => void out.write(prettyLine(line, color)) };
}

/** Where logs go when nothing else is said: readable at a terminal (coloured unless NO_COLOR, which main.ts
 * hands over: config.ts and main.ts are the only readers of process.env), else JSON. */
export function defaultDestination(
  out: { isTTY?: boolean; write(text: string): unknown } = process.stdout,
  env: { NO_COLOR?: string } = {},
): pino.DestinationStream | undefined {
  return out.isTTY ? prettyDestination(out, !env.NO_COLOR) : undefined;
}

export function createLogger(level: string, destination = defaultDestination()): Logger {
  return pino(
    {
      level,
      base: { app: 'guestlist' },
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[redacted]' },
    },
    destination,
  );
}
