/** Logs: JSON for collectors, one readable line each at a terminal; redacted in both. */
import { describe, expect, it } from 'vitest';
import { createLogger, defaultDestination, prettyLine } from '../src/logger.js';

function capture(isTTY: boolean, env: Record<string, string> = {}) {
  const out = { isTTY, text: '', write: (t: string) => void (out.text += t) };
  return { out, destination: defaultDestination(out, env) };
}

describe('logs', () => {
  it('are JSON when stdout is not a terminal (pino writes to stdout itself)', () => {
    expect(capture(false).destination).toBeUndefined();
  });

  it('are one readable line each at a terminal, with the fields, and still without the token', () => {
    const { out, destination } = capture(true, { NO_COLOR: '1' });
    const log = createLogger('info', destination);
    log.info({ port: 3000, publicUrl: 'http://localhost:3000', botToken: 'xoxb-secret' }, 'Guestlist listening');
    log.child({ part: 'outbox' }).warn({ job: 'j1', note: 'two words' }, 'job failed');
    log.debug('not shown at info');
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  Guestlist listening port=3000 /);
    expect(lines[0]).toMatch(/ publicUrl=http:\/\/localhost:3000 botToken=\[redacted\]$/);
    expect(lines[1]).toMatch(/ WARN  job failed part=outbox job=j1 note="two words"$/);
    expect(out.text).not.toContain('xoxb-secret');
    expect(out.text).not.toContain('\x1b[');
  });

  it('colour the level unless NO_COLOR, and put an error stack under its line', () => {
    const { out, destination } = capture(true);
    createLogger('info', destination).error({ err: new Error('boom') }, 'request failed');
    expect(out.text).toContain('\x1b[31mERROR\x1b[0m request failed err=boom');
    expect(out.text).toMatch(/\n {4}Error: boom\n +at /);
  });

  it('pass a line that is not JSON through as it is', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
  });
});
