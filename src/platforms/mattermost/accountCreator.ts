/** Creates an invitee's account from the acceptance page, as a system-admin bot (POST /users without an invite
 * token needs `create_user` / manage_system): the account gets the invited email, externals are demoted to guests
 * before they join anything (so a guest never holds a full member's team or default-channel memberships), then
 * the team and the invitation's channels. Team and channel joins that fail are left to the arrival's announce
 * jobs, which make the same idempotent calls with retries. */
import type { UserProfile } from '@mattermost/types/users';
import { accountRefused } from '../../core/messages.js';
import type { Invitation } from '../../core/model.js';
import { type AccountCreator, AccountRefusedError, type NewAccount } from '../../lifecycle/accountCreator.js';
import type { Logger } from '../../logger.js';
import { type MattermostApi, MattermostError } from './api.js';

/** The server's own message, without our "Mattermost 400: " prefix. */
const serverText = (err: MattermostError) => err.message.replace(/^Mattermost \d+:\s*/, '');

/** Refusals the invitee can act on, by AppError id; anything else is a failure to retry later. */
function refusal(err: unknown, inv: Invitation): AccountRefusedError | undefined {
  if (!(err instanceof MattermostError) || err.status !== 400 || !err.errorId) return undefined;
  const id = err.errorId;
  if (id === 'app.user.save.username_exists.app_error')
    return new AccountRefusedError('username', accountRefused.usernameTaken);
  if (id.startsWith('model.user.is_valid.username'))
    return new AccountRefusedError('username', accountRefused.usernameRefused);
  if (id.startsWith('model.user.is_valid.pwd')) return new AccountRefusedError('password', () => serverText(err));
  if (id.startsWith('model.user.is_valid.first_name'))
    return new AccountRefusedError('firstName', () => serverText(err));
  if (id.startsWith('model.user.is_valid.last_name')) return new AccountRefusedError('lastName', () => serverText(err));
  if (id === 'app.user.save.email_exists.app_error') {
    return new AccountRefusedError(undefined, (w) => accountRefused.emailExists(w, inv.email));
  }
  return undefined;
}

export function mattermostAccountCreator(deps: { api: MattermostApi; log: Logger }): AccountCreator {
  const { api, log } = deps;
  return {
    async createAccount(inv: Invitation, account: NewAccount) {
      let user: UserProfile;
      try {
        user = await api.client.createUser(
          {
            email: inv.email,
            username: account.username,
            password: account.password,
            first_name: account.firstName,
            last_name: account.lastName,
          } as UserProfile,
          '',
          '',
        );
      } catch (err) {
        throw refusal(err, inv) ?? err;
      }
      const ctx = { invitation: inv.id, user: user.id };

      if (inv.role === 'external') {
        try {
          await api.client.demoteUserToGuest(user.id);
        } catch (err) {
          // A full member where a guest was invited is worse than no account: switch it off for an admin to sort out.
          await api.client
            .updateUserActive(user.id, false)
            .catch((e) =>
              log.error(
                { ...ctx, err: (e as Error).message },
                'could not deactivate the account that failed to become a guest',
              ),
            );
          log.error(
            { ...ctx, err: (err as Error).message },
            'new account could not be made a guest; it was deactivated',
          );
          throw err;
        }
      }

      try {
        await api.client.addToTeam(inv.workspaceId, user.id);
        for (const channelId of inv.channelIds) await api.client.addToChannel(user.id, channelId);
      } catch (err) {
        log.warn(
          { ...ctx, err: (err as Error).message },
          'team or channel membership incomplete; the arrival jobs add it again',
        );
      }
      return { userId: user.id, loginUrl: mattermostLoginUrl(api) };
    },
  };
}

export function mattermostLoginUrl(api: MattermostApi): string {
  return `${api.url.replace(/\/+$/, '')}/login`;
}

/** Display names of an invitation's channels, for the acceptance page (a channel the bot cannot read is left out). */
export async function mattermostChannelNames(api: MattermostApi, inv: Invitation): Promise<string[]> {
  const names = await Promise.all(inv.channelIds.map((id) => api.channelName(id)));
  return names.filter((n): n is string => !!n);
}
