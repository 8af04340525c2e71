/** Why something was not done: refusals of rights, of stale buttons and forms, and reasons shown next to a field. */
import type { Words } from '../i18n.js';
import type { InvitationState, Role } from '../model.js';

export const roleLabel = (w: Words, role: Role): string => w.t(`role.${role}`);

export const guestsCannotInvite = (w: Words) => w.t('refusal.guestsCannotInvite');
export const roleNotOnPlatform = (w: Words, role: Role) =>
  w.t('refusal.roleNotOnPlatform', { role: roleLabel(w, role) });
export const roleAboveYours = (w: Words, role: Role) => w.t('refusal.roleAboveYours', { role: roleLabel(w, role) });
/** Why a role is not offered in the wizard (after the role's label). */
export const roleHidden = (w: Words, why: 'platform' | 'only-legal' | 'above') => w.t(`refusal.roleHidden.${why}`);

/** Who may act on an invitation, by what they tried (policy.Management). */
export const manageRefused = (w: Words, what: 'decide' | 'revoke' | 'resend' | 'retry' | 'show-link') =>
  w.t(`refusal.manage.${what}`);
export const onlyAdminsRetry = (w: Words) => w.t('refusal.onlyAdminsRetry');
export const ownApproval = (w: Words) => w.t('refusal.ownApproval');
export const rateLimited = (w: Words, perHour: number, left: number) => w.t('refusal.rateLimited', { perHour, left });

export const invitationGone = (w: Words) => w.t('refusal.invitationGone');
export const alreadyDecided = (w: Words, state?: string) =>
  w.t('refusal.alreadyDecided', { state: state === 'denied' ? 'denied' : 'other' });
export const alreadyInState = (w: Words, state: InvitationState) =>
  w.t('refusal.alreadyInState', { state: w.t(`state.${state}`) });
export const notOut = (w: Words) => w.t('refusal.notOut');
export const notFailed = (w: Words) => w.t('refusal.notFailed');
export const noLinkNotOut = (w: Words) => w.t('refusal.noLinkNotOut');
export const noLinkOfMine = (w: Words) => w.t('refusal.noLinkOfMine');
export const onlyOutResent = (w: Words) => w.t('refusal.onlyOutResent');
export const cannotResend = (w: Words) => w.t('refusal.cannotResend');
export const chooseOfferedMethod = (w: Words) => w.t('refusal.chooseOfferedMethod');
export const phoneInternational = (w: Words) => w.t('refusal.phoneInternational');
/** A button that opens a form was clicked where the platform gives no trigger (e.g. a mobile client). */
export const noFormHere = (w: Words) => w.t('refusal.noFormHere');
export const formExpired = (w: Words, again: 'command' | 'Deny' | 'Resend') =>
  w.t('refusal.formExpired', { again: again.toLowerCase() });
export const formNotOpened = (w: Words) => w.t('refusal.formNotOpened');

/** Why an address in the wizard was not invited (after the address). */
export const skippedReason = (w: Words, why: 'account' | 'pending') => w.t(`refusal.skipped.${why}`);

/** Why a platform does not offer a role (shown in the wizard after the role's label). */
export type RoleMissing =
  | 'mattermostLegal'
  | 'mattermostGuests'
  | 'slackLegal'
  | 'slackAdmin'
  | 'slackGuests'
  | 'kchatOrganization'
  | 'playgroundLegal';
export const roleMissingOn = (w: Words, why: RoleMissing) => w.t(`refusal.roleMissing.${why}`);
