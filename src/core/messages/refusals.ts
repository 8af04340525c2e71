/** Why something was not done: refusals of rights, of stale buttons and forms, and reasons shown next to a field.
 * Functions, not constants, so that a reader's locale can be passed to each later. */
import type { Role } from '../model.js';

export const ROLE_LABELS: Record<Role, string> = {
  legal_representative: 'Legal representative',
  admin: 'Administrator',
  collaborator: 'Collaborator',
  external: 'External guest',
};

export const roleLabel = (role: Role): string => ROLE_LABELS[role];

export const guestsCannotInvite = () => 'Guests (external users) cannot invite anyone. Ask a member of the team.';
export const roleNotOnPlatform = (role: Role) => `This platform cannot grant the role ${roleLabel(role)}.`;
export const roleAboveYours = (role: Role) => `You cannot grant the role ${roleLabel(role)}: it is above your own.`;
/** Why a role is not offered in the wizard (after the role's label). */
export const roleHidden = (why: 'platform' | 'only-legal' | 'above') =>
  ({
    platform: 'this platform cannot apply it',
    'only-legal': 'only a legal representative can create another',
    above: 'it is above your own role',
  })[why];

/** Who may act on an invitation, by what they tried (policy.Management). */
export const manageRefused = (what: 'decide' | 'revoke' | 'resend' | 'retry' | 'show-link') =>
  ({
    decide: 'Only administrators (admins and owners) can approve or deny invitations.',
    revoke: 'Only the inviter or an administrator can revoke this invitation.',
    resend: 'Only the inviter or an administrator can resend it.',
    retry: 'Only the inviter or an administrator can retry it.',
    'show-link': 'Only the inviter or an administrator can see this link.',
  })[what];
export const onlyAdminsRetry = () => 'Only an administrator can retry a failed invitation.';
export const ownApproval = () => 'You cannot approve your own invitation while another approver exists.';
export const rateLimited = (perHour: number, left: number) =>
  `You can send ${perHour} invitations an hour and have ${left} left. Try again later, or ask an administrator.`;

export const invitationGone = () => 'This invitation no longer exists.';
export const alreadyDecided = (state?: string) =>
  `This invitation was already ${state === 'denied' ? 'denied' : 'decided'}.`;
export const alreadyInState = (state: string) => `This invitation is already ${state}.`;
export const notOut = () => 'This invitation is no longer out.';
export const notFailed = () => 'This invitation is no longer failed.';
export const noLinkNotOut = () => 'There is no link to show: this invitation is not out (any more).';
export const noLinkOfMine = () => 'There is no link of mine to show for this invitation.';
export const onlyOutResent = () => 'Only an invitation that is out can be sent again.';
export const cannotResend = () => 'This invitation cannot be sent again.';
export const chooseOfferedMethod = () => 'Choose one of the methods offered.';
export const phoneInternational = () => 'Enter the number in international form, e.g. +41 79 123 45 67.';
/** A button that opens a form was clicked where the platform gives no trigger (e.g. a mobile client). */
export const noFormHere = () => 'Please try again from the web or desktop app.';
export const formExpired = (again: 'command' | 'Deny' | 'Resend') =>
  `This form has expired. ${again === 'command' ? 'Run the command again.' : `Click ${again} again.`}`;
export const formNotOpened = () => 'I could not open the invitation form in time. Please run the command again.';

/** Why an address in the wizard was not invited (after the address). */
export const skippedReason = (why: 'account' | 'pending') =>
  why === 'account' ? 'already has an account' : 'already has a pending invitation';

/** Why a platform does not offer a role (shown in the wizard after the role's label). */
export const roleMissingOn = {
  mattermostLegal: () => 'Mattermost has no legal representative role',
  mattermostGuests: () => 'guest accounts are not enabled or licensed on this server',
  slackLegal: () => 'Slack has no legal representative role',
  slackAdmin: () => 'Slack does not let apps make someone a workspace admin',
  slackGuests: () => 'only Enterprise Grid lets apps invite guests',
  kchatOrganization: () =>
    'the bot cannot reach the Infomaniak organization right now (an administrator can see why in its log)',
};
