/** How the acceptance page creates the invitee's account on the chat platform. Each platform implements it. */
import type { Phrase } from '../core/i18n.js';
import type { Invitation } from '../core/model.js';

export interface NewAccount {
  username: string;
  password: string;
  firstName: string;
  lastName: string;
}

export interface AccountCreator {
  /** Creates the account with the invitation's email and gives it the invitation's role, team and channels.
   * Throws AccountRefusedError for what the invitee can fix (username taken…), anything else for a failure. */
  createAccount(inv: Invitation, account: NewAccount): Promise<{ userId: string; loginUrl: string }>;
}

/** What the acceptance page needs from one platform for its invitations. */
export interface AcceptanceSide {
  /** Creates accounts on the page; absent where invitees sign up on the platform itself. */
  accounts?: AccountCreator;
  channelNames(inv: Invitation): Promise<string[]>;
  /** The chat's sign-in page. */
  loginUrl?(): string;
  /** Where invitees sign up instead of on this page (Slack's join link). */
  signUpUrl?(): string | undefined;
}

/** The platform refused the registration for a reason the invitee can act on; `field` points at the form field. */
export class AccountRefusedError extends Error {
  /** `said`: what the invitee reads, in their words (the server's own text where it has nothing better). */
  constructor(
    readonly field: 'username' | 'password' | 'firstName' | 'lastName' | undefined,
    readonly said: Phrase,
  ) {
    super('the chat server refused the account');
  }
}
