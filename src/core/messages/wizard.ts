/** The wizard's words: step titles and intros, field labels, help and placeholders, choices, field errors, and
 * what the inviter is told around the form (dialog, modal or web page). */
import type { Delivery, KDriveRight, Role } from '../model.js';
import { roleLabel } from './refusals.js';

export const wizardTitle = (step: 'who' | 'access') => (step === 'who' ? 'Invite people' : 'Invite people: access');
/** `missing`: each role not offered here, with why. */
export const whoIntro = (missing: { role: Role; reason: string }[]) => {
  const text = missing.map((h) => `${roleLabel(h.role)}: ${h.reason}`).join('; ');
  return text ? `Roles not offered here. ${text}.` : 'Who do you want to invite?';
};
export const accessIntro = (role?: Role) =>
  role ? `Access for the new ${roleLabel(role).toLowerCase()}.` : 'What they get, and how to reach them.';
export const submitLabel = (which: 'next' | 'invite') => (which === 'next' ? 'Next' : 'Invite');

const FIELDS = {
  emails: {
    label: 'Email addresses',
    help: 'One or several, separated by commas or new lines. Each gets their own invitation.',
  },
  name: { label: 'Name', help: 'Used when you invite one person.' },
  role: { label: 'Role' },
  channels: { label: 'Channels', help: 'Channels you are in. The guest joins them on arrival.' },
  kdrive: { label: 'kDrive permission' },
  billing_rights: { label: 'Billing rights', help: 'Collaborators only: may see and pay invoices.' },
  remind_email: { label: 'Billing reminders: email' },
  remind_sms: { label: 'Billing reminders: SMS' },
  delivery: { label: 'Send it by' },
  phone: { label: 'Mobile number (SMS)' },
  expiry: { label: 'Expires after' },
  message: { label: 'Personal message' },
  method: { label: 'Method' },
  reason: { label: 'Reason', help: 'The inviter sees this reason.' },
} as const satisfies Record<string, { label: string; help?: string }>;
export type FieldName = keyof typeof FIELDS;

export const fieldLabel = (name: FieldName): string => FIELDS[name].label;
/** The resend form's hint under its number field. */
export const phoneHint = () => 'In international form, only for SMS.';
export const fieldHelp = (name: FieldName): string | undefined => (FIELDS[name] as { help?: string }).help;
/** Example values, not sentences: the same in every language. */
export const EMAILS_PLACEHOLDER = 'ana@example.org, Ben Ito <ben@example.org>';
export const PHONE_PLACEHOLDER = '+41 79 123 45 67';

export const DELIVERY_LABELS: Record<Delivery, string> = {
  platform_email: 'Invitation email from the chat',
  link: 'Show me a link to pass on',
  bot_email: 'Email with my invitation link',
  sms: 'SMS with the invitation link',
};
export const deliveryLabel = (d: Delivery) => DELIVERY_LABELS[d];
const KDRIVE_LABELS: Record<KDriveRight, string> = {
  none: 'No access',
  read: 'Read',
  write: 'Write',
  manage: 'Manage',
};
export const kdriveLabel = (r: KDriveRight) => KDRIVE_LABELS[r];
export const expiryLabel = (days: string) => (days === 'never' ? 'Never' : `${days} day${days === '1' ? '' : 's'}`);

/** Field errors. */
export const fieldError = {
  notValid: () => 'This value is not valid.',
  tooLong: (max: number) => `At most ${max.toLocaleString('en')} characters.`,
  nul: () => 'This text holds a character that is not allowed (NUL).',
  tooMany: (max: number) => `At most ${max} at once.`,
  notEmails: (shown: string[], more: boolean) => `Not an email address: ${shown.join(', ')}${more ? '…' : ''}`,
  longName: (max: number, name: string) => `A name may have at most ${max} characters: ${name}`,
  noEmail: () => 'Enter at least one email address.',
  tooManyAddresses: (max: number) => `At most ${max} addresses at once.`,
  chooseRole: (any: boolean) => (any ? 'Choose one of the roles offered.' : 'You cannot grant any role here.'),
  foreignChannel: () => 'You can only add guests to channels you are a member of.',
  externalNeedsChannel: () => 'An external guest needs at least one channel.',
  chooseKdrive: () => 'Choose a kDrive permission.',
  chooseDelivery: () => 'Choose how to send the invitation.',
  roleDeliveries: (role: Role, allowed: readonly Delivery[]) =>
    `For the role ${roleLabel(role)}, choose: ${allowed.map(deliveryLabel).join(' or ')}.`,
  chooseExpiry: () => 'Choose an expiry.',
  smsOnePerson: () => 'SMS delivery works for one invitee at a time.',
  /** Channels as several selects (older servers): how many they hold. */
  slots: (error: string, slots: number) => `${error} (up to ${slots})`,
};

/** Around the form. */
export const formNotOpenedHere = () => 'I could not open the invitation form.';
export const invitedTitle = (anyone: boolean) => (anyone ? 'Invitation sent' : 'Nobody invited');
/** The web form's link, offered instead of a dialog (`why`), for this user only. */
export const webFormOfferText = (why: 'no-dialogs' | 'bulk', maxRecipients: number, url: string) =>
  [
    why === 'bulk'
      ? `Paste up to ${maxRecipients.toLocaleString('en')} addresses in the invitation form on this page.`
      : 'This server does not let bots open forms (dialogs) here, so I cannot show the invitation form in the chat.',
    `Fill in the form on this page (it is for you only and works for one hour): ${url}`,
  ].join('\n');

/** The Deny and Resend forms and the buttons every form has. `email` is shown as plain text by every renderer. */
export const denyTitle = () => 'Deny the invitation';
export const resendTitle = () => 'Resend the invitation';
export const resendIntro = (email: string) => `How should ${email} get the invitation again?`;
export const formButton = (which: 'send' | 'cancel' | 'done' | 'deny') =>
  ({ send: 'Send', cancel: 'Cancel', done: 'Done', deny: 'Deny' })[which];
/** The approval post's question above its buttons. */
export const approvalQuestion = () => 'Approve this invitation?';
/** The one channel offered when the inviter's channels could not be read in time. */
export const thisChannel = () => 'This channel';
