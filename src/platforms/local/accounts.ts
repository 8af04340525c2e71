/** The acceptance page's side on the playground: registering makes the invitee a person of the playground's team
 * (a guest for an external), and signing in opens the playground as them. Channels come with the arrival's jobs,
 * as on every platform. */

import { newId } from '../../core/clock.js';
import { accountRefused } from '../../core/messages.js';
import { type AcceptanceSide, AccountRefusedError } from '../../lifecycle/accountCreator.js';
import type { LocalChat } from './state.js';

export function localAcceptance(chat: LocalChat, publicUrl: string): AcceptanceSide {
  const playground = `${publicUrl}/playground/`;
  return {
    accounts: {
      async createAccount(inv, account) {
        const username = account.username.toLowerCase();
        if (chat.people().some((p) => p.username === username)) {
          throw new AccountRefusedError('username', accountRefused.usernameTaken);
        }
        if (chat.people().some((p) => p.email.toLowerCase() === inv.email.toLowerCase())) {
          throw new AccountRefusedError(undefined, (w) => accountRefused.emailExists(w, inv.email));
        }
        const id = newId();
        const displayName = `${account.firstName} ${account.lastName}`.trim();
        await chat.addPerson({
          id,
          username,
          displayName,
          email: inv.email,
          level: inv.role === 'external' ? 'guest' : 'member',
        });
        return { userId: id, loginUrl: `${playground}?as=${id}` };
      },
    },
    channelNames: async (inv) => inv.channelIds.flatMap((id) => chat.channel(id)?.name ?? []),
    loginUrl: () => playground,
  };
}
