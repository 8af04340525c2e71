/** Bolt's and the WebClient's log lines, into the bot's pino logger. Their debug lines are dropped: they carry
 * request bodies (acceptance links in DMs, response URLs), which must never reach a log. */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../logger.js';

export function slackLogger(log: Logger): SlackLogger {
  const line = (...msg: unknown[]) =>
    msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  let level = LogLevel.INFO;
  return {
    debug: () => undefined,
    info: (...msg) => log.info(line(...msg)),
    warn: (...msg) => log.warn(line(...msg)),
    error: (...msg) => log.error(line(...msg)),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}
