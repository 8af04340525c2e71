/** A guest's access and sponsor: the sponsor's reminders and their buttons, the end, the admins' adoption request,
 * the list's "guests ending soon" and what a click on one of those buttons answers. */
import type { Words } from '../i18n.js';
import { type AccessReminder, type Invitation, type Person, sponsorOf } from '../model.js';
import type { Writer } from '../writer.js';
import type { ActionButton, ChatMessage } from './invitation.js';
import { type ButtonAction, buttonLabel } from './list.js';

const guest = (f: Writer, inv: Invitation) => ({ guest: f.bold(f.escape(inv.name)), email: f.escape(inv.email) });
const endDate = (f: Writer, inv: Invitation) => (inv.accessEndsAt ? f.date(inv.accessEndsAt) : '');

/** Extend 30 days, Extend 90 days, Remove now. */
export function guestButtons(w: Words): ActionButton[] {
  return [button(w, 'extend30', 'primary'), button(w, 'extend90'), button(w, 'endaccess', 'danger')];
}

const button = (w: Words, action: ButtonAction, style?: ActionButton['style']): ActionButton => ({
  action,
  label: buttonLabel(w, action),
  ...(style && { style }),
});

/** The sponsor's direct message a week and a day before the end. */
export function sponsorReminder(f: Writer, inv: Invitation, which: AccessReminder): ChatMessage {
  const soon = which === '1' ? 'tomorrow' : 'week';
  return {
    text: f.t('guests.reminder', { ...guest(f, inv), soon, date: endDate(f, inv) }),
    actionButtons: { invitationId: inv.id, buttons: guestButtons(f) },
  };
}

export const accessEndedNotice = (f: Writer, inv: Invitation) => f.t('guests.ended', guest(f, inv));
/** Where the bot cannot withdraw the access itself (kChat without such an API): the Manager's steps. */
export const endAccessByHand = (f: Writer, inv: Invitation) =>
  f.t('guests.endByHand', { ...guest(f, inv), date: endDate(f, inv) });

/** To each admin when a sponsor left: adopt the guest. */
export function adoptionRequest(f: Writer, inv: Invitation, sponsor: Person): ChatMessage {
  return {
    text: f.t('guests.adoptRequest', { ...guest(f, inv), sponsor: f.mention(sponsor), date: endDate(f, inv) }),
    actionButtons: { invitationId: inv.id, buttons: [button(f, 'adopt')] },
  };
}

export const accessExtended = (f: Writer, inv: Invitation) =>
  f.t('guests.extended', { guest: f.bold(f.escape(inv.name)), date: endDate(f, inv) });
export const accessEnding = (f: Writer, inv: Invitation) =>
  f.t('guests.removing', { guest: f.bold(f.escape(inv.name)) });
export const guestAdopted = (f: Writer, inv: Invitation) =>
  f.t('guests.adopted', { guest: f.bold(f.escape(inv.name)) });
export const notTheSponsor = (w: Words) => w.t('guests.notYours');
export const onlyAdminsAdopt = (w: Words) => w.t('guests.onlyAdminsAdopt');
export const accessNotRunning = (w: Words) => w.t('guests.notActive');

export const endingSoonHeading = (f: Writer) => f.t('guests.endingSoon');
export const endingSoonEntry = (f: Writer, inv: Invitation) =>
  f.t('guests.entry', { ...guest(f, inv), date: endDate(f, inv), sponsor: f.mention(sponsorOf(inv)) });
