/** What the bot answers in the chat outside a flow: the command's help, and replies to requests it could not take
 * (a failure on its side, a stale button or form), on every platform. */
import type { Words } from '../i18n.js';

export const sorry = (w: Words, what: 'retry-later' | 'retry-now' | 'nothing-saved') => w.t(`sorry.${what}`);
/** `fromList`: the button came from the pending list, which can be run again. */
export const buttonInvalid = (w: Words, fromList: boolean) =>
  w.t('reply.buttonInvalid', { fromList: fromList ? 'yes' : 'no' });
export const formInvalid = (w: Words) => w.t('reply.formInvalid');
export const unknownForm = (w: Words) => w.t('reply.unknownForm');
export const badCommandToken = (w: Words) => w.t('reply.badCommandToken');
/** A request the platform sent that does not fit its schema (`where`: the field path, `why`: zod's message). */
export const invalidRequest = (w: Words, where: string, why: string) => w.t('reply.invalidRequest', { where, why });

/** The command's help. `unknown`: what the user typed that was not understood; `bulkPage`: `bulk` is offered. */
export function helpText(w: Words, trigger: string, unknown?: string, bulkPage = false): string {
  const command = (rest = '') => `\`/${trigger}${rest}\``;
  const lines = [
    unknown
      ? w.t('help.notUnderstood', { typed: `\`${unknown.replace(/`/g, "'").slice(0, 60)}\`` })
      : w.t('help.intro'),
    '',
    `- ${w.t('help.open', { command: command() })}`,
    `- ${w.t('help.prefill', { command: command(' ana@example.org') })}`,
    ...(bulkPage ? [`- ${w.t('help.bulk', { command: command(' bulk'), max: w.number(1000) })}`] : []),
    `- ${w.t('help.list', { command: command(' list') })}`,
    `- ${w.t('help.history', { command: command(' history ana@example.org') })}`,
    `- ${w.t('help.stats', { command: command(' stats') })}`,
    `- ${w.t('help.help', { command: command(' help') })}`,
    '',
    w.t('help.outro'),
  ];
  return lines.join('\n');
}

/** Why the chat server refused to create the invitee's account, where they can act on it. */
export const accountRefused = {
  usernameTaken: (w: Words) => w.t('account.usernameTaken'),
  usernameRefused: (w: Words) => w.t('account.usernameRefused'),
  emailExists: (w: Words, email: string) => w.t('account.emailExists', { email }),
};
