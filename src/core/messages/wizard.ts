/** The wizard's words: step titles and intros, field labels, help and placeholders, choices, field errors, and
 * what the inviter is told around the form (dialog, modal or web page). */
import { LANGUAGE_NAMES, type Language, type Words } from '../i18n.js';
import type { Delivery, KDriveRight, Role } from '../model.js';
import { roleLabel } from './refusals.js';

export const wizardTitle = (w: Words, step: 'who' | 'access') => w.t(`wizard.title.${step}`);
/** `missing`: each role not offered here, with why. */
export const whoIntro = (w: Words, missing: { role: Role; reason: string }[]) => {
  const roles = missing.map((h) => w.t('wizard.roleMissing', { role: roleLabel(w, h.role), reason: h.reason }));
  return roles.length ? w.t('wizard.rolesNotOffered', { roles: roles.join('; ') }) : w.t('wizard.whoIntro');
};
export const accessIntro = (w: Words, role?: Role) =>
  role ? w.t('wizard.accessFor', { role: roleLabel(w, role) }) : w.t('wizard.accessIntro');
export const submitLabel = (w: Words, which: 'next' | 'invite') => w.t(`wizard.submit.${which}`);

const FIELD_NAMES = [
  'emails',
  'name',
  'role',
  'channels',
  'access_days',
  'kdrive',
  'billing_rights',
  'remind_email',
  'remind_sms',
  'delivery',
  'phone',
  'expiry',
  'message',
  'language',
  'method',
  'reason',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];
const FIELDS_WITH_HELP = new Set<FieldName>([
  'emails',
  'name',
  'channels',
  'access_days',
  'billing_rights',
  'language',
  'reason',
]);

export const fieldLabel = (w: Words, name: FieldName): string => w.t(`field.${name}.label`);
export const fieldHelp = (w: Words, name: FieldName): string | undefined =>
  FIELDS_WITH_HELP.has(name) ? w.t(`field.${name}.help` as `field.emails.help`) : undefined;
/** The resend form's hint under its number field. */
export const phoneHint = (w: Words) => w.t('field.phone.hint');
/** Example values, not sentences: the same in every language. */
export const EMAILS_PLACEHOLDER = 'ana@example.org, Ben Ito <ben@example.org>';
export const PHONE_PLACEHOLDER = '+41 79 123 45 67';

export const deliveryLabel = (w: Words, d: Delivery) => w.t(`delivery.${d}`);
export const kdriveLabel = (w: Words, r: KDriveRight) => w.t(`kdrive.${r}`);
export const expiryLabel = (w: Words, days: string) =>
  days === 'never' ? w.t('expiry.never') : w.t('expiry.days', { days: Number(days) });
/** A guest's access duration as the choice shows it: a year as such, else in days. */
export const accessDaysLabel = (w: Words, days: number) =>
  days === 365 ? w.t('accessDays.year') : w.t('expiry.days', { days });
/** A language as the choice shows it: its own name, so that anyone finds theirs. */
export const languageLabel = (language: Language) => LANGUAGE_NAMES[language];

/** Field errors. */
export const fieldError = {
  notValid: (w: Words) => w.t('fieldError.notValid'),
  tooLong: (w: Words, max: number) => w.t('fieldError.tooLong', { max }),
  nul: (w: Words) => w.t('fieldError.nul'),
  tooMany: (w: Words, max: number) => w.t('fieldError.tooMany', { max }),
  notEmails: (w: Words, shown: string[], more: boolean) =>
    w.t('fieldError.notEmails', { addresses: `${shown.join(', ')}${more ? '…' : ''}` }),
  longName: (w: Words, max: number, name: string) => w.t('fieldError.longName', { max, name }),
  noEmail: (w: Words) => w.t('fieldError.noEmail'),
  tooManyAddresses: (w: Words, max: number) => w.t('fieldError.tooManyAddresses', { max }),
  chooseRole: (w: Words, any: boolean) => w.t(any ? 'fieldError.chooseRole' : 'fieldError.noRole'),
  foreignChannel: (w: Words) => w.t('fieldError.foreignChannel'),
  externalNeedsChannel: (w: Words) => w.t('fieldError.externalNeedsChannel'),
  chooseKdrive: (w: Words) => w.t('fieldError.chooseKdrive'),
  chooseDelivery: (w: Words) => w.t('fieldError.chooseDelivery'),
  chooseLanguage: (w: Words) => w.t('fieldError.chooseLanguage'),
  roleDeliveries: (w: Words, role: Role, allowed: readonly Delivery[]) =>
    w.t('fieldError.roleDeliveries', {
      role: roleLabel(w, role),
      choices: w.list(
        allowed.map((d) => deliveryLabel(w, d)),
        'or',
      ),
    }),
  chooseExpiry: (w: Words) => w.t('fieldError.chooseExpiry'),
  chooseAccessDays: (w: Words, max?: number) =>
    w.t('fieldError.chooseAccessDays', { hasMax: max ? 'yes' : 'no', max: max ?? 0 }),
  smsOnePerson: (w: Words) => w.t('fieldError.smsOnePerson'),
  /** Channels as several selects (older servers): how many they hold. */
  slots: (w: Words, error: string, slots: number) => w.t('fieldError.slots', { error, slots }),
};

/** Around the form. */
export const formNotOpenedHere = (w: Words) => w.t('wizard.formNotOpenedHere');
export const invitedTitle = (w: Words, anyone: boolean) => w.t(anyone ? 'wizard.invited' : 'wizard.nobodyInvited');
/** The web form's link, offered instead of a dialog (`why`), for this user only. */
export const webFormOfferText = (w: Words, why: 'no-dialogs' | 'bulk', maxRecipients: number, url: string) =>
  [
    why === 'bulk' ? w.t('webForm.bulk', { max: maxRecipients }) : w.t('webForm.noDialogs'),
    w.t('webForm.fillIn', { url }),
  ].join('\n');

/** The Deny and Resend forms and the buttons every form has. `email` is shown as plain text by every renderer. */
export const denyTitle = (w: Words) => w.t('form.denyTitle');
export const resendTitle = (w: Words) => w.t('form.resendTitle');
export const resendIntro = (w: Words, email: string) => w.t('form.resendIntro', { email });
export const formButton = (w: Words, which: 'send' | 'cancel' | 'done' | 'deny') => w.t(`form.button.${which}`);
/** The one channel offered when the inviter's channels could not be read in time. */
export const thisChannel = (w: Words) => w.t('wizard.thisChannel');
