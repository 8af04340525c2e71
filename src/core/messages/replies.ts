/** What the bot answers in the chat outside a flow: the command's help, and replies to requests it could not take
 * (a failure on its side, a stale button or form), on every platform. */

export const sorry = (what: 'retry-later' | 'retry-now' | 'nothing-saved') =>
  ({
    'retry-later': 'Something went wrong on my side. Please try again in a moment.',
    'retry-now': 'Something went wrong on my side. Please try again.',
    'nothing-saved': 'Something went wrong on my side; nothing was saved. Please submit again.',
  })[what];
/** `fromList`: the button came from the pending list, which can be run again. */
export const buttonInvalid = (fromList: boolean) =>
  `This button is not valid (expired or altered).${fromList ? ' Run the list again.' : ''}`;
export const formInvalid = () => 'This form is not valid (expired, or not yours). Run the command again.';
export const unknownForm = () => 'Unknown form.';
export const badCommandToken = () => 'Invalid command token.';
/** A request the platform sent that does not fit its schema (`where`: the field path, `why`: zod's message). */
export const invalidRequest = (where: string, why: string) => `Invalid request: ${where} ${why}`;

/** The command's help. `unknown`: what the user typed that was not understood; `bulkPage`: `bulk` is offered. */
export function helpText(trigger: string, unknown?: string, bulkPage = false): string {
  const lines = [
    unknown
      ? `I did not understand \`${unknown.replace(/`/g, "'").slice(0, 60)}\`. Here is what I can do:`
      : 'Invite people to this team and follow their invitation until they arrive.',
    '',
    `- \`/${trigger}\` opens the invitation form (this channel is preselected).`,
    `- \`/${trigger} ana@example.org\` opens it with the address filled in (several: separate them with commas).`,
    ...(bulkPage ? [`- \`/${trigger} bulk\` gives you a page where you can paste up to 1,000 addresses at once.`] : []),
    `- \`/${trigger} list\` shows your pending invitations (administrators see everyone's).`,
    `- \`/${trigger} help\` shows this help.`,
    '',
    'Invitations from members wait for an administrator’s approval. When your guest arrives, I announce it in their ' +
      'channels and tell you.',
  ];
  return lines.join('\n');
}

/** Why the chat server refused to create the invitee's account, where they can act on it. */
export const accountRefused = {
  usernameTaken: () => 'This username is already taken; choose another.',
  usernameRefused: () => 'The chat server does not accept this username; choose another.',
  emailExists: (email: string) =>
    `An account with ${email} already exists on the chat: sign in with it. ` +
    'If it is not yours, ask the person who invited you.',
};
