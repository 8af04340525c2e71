/** The bot's web pages: the acceptance page's notes and notices, the web form's notices, and the registration
 * form's field errors. Pages escape what they show (views/html.ts): these return plain text. */
import type { Words } from '../i18n.js';
import type { Role } from '../model.js';

/** What the invitee will get, under the role on the acceptance page. */
export const roleNote = (w: Words, role: Role) => w.t(`page.roleNote.${role}`);

export interface PageNotice {
  title: string;
  lines: string[];
}

const notice = (w: Words, name: string, lines: string[], values?: Record<string, string | number>): PageNotice => ({
  title: w.t(`notice.${name}.title` as 'notice.unknownLink.title', values),
  lines: lines.map((line) => w.t(`notice.${name}.${line}` as 'notice.unknownLink.check', values)),
});

/** A page that only tells something: its title and lines, by what happened. */
export const pageNotice = {
  unknownLink: (w: Words) => notice(w, 'unknownLink', ['check', 'newer']),
  /** `seconds`: until the next attempt is let through. */
  tooManyAttempts: (w: Words, seconds: number) =>
    notice(w, 'tooManyAttempts', ['wait'], { minutes: Math.max(1, Math.ceil(seconds / 60)) }),
  csrfRefused: (w: Words) => notice(w, 'csrfRefused', ['why', 'again']),
  renewalAlreadyAsked: (w: Words, inviter: string) => notice(w, 'renewalAlreadyAsked', ['asked', 'again'], { inviter }),
  renewalAsked: (w: Words, inviter: string) => notice(w, 'renewalAsked', ['asked', 'again'], { inviter }),
  registrationUnavailable: (w: Words, inviter: string) => notice(w, 'registrationUnavailable', ['why'], { inviter }),
  accountInProgress: (w: Words) => notice(w, 'accountInProgress', ['wait']),
  accountFailed: (w: Words) => notice(w, 'accountFailed', ['why']),
  /** `failed`: our side failed (500); otherwise the request was refused (4xx). */
  requestRefused: (w: Words, failed: boolean) => notice(w, failed ? 'requestFailed' : 'requestRefused', ['again']),
  // The web form (Mattermost and kChat where dialogs are refused, and bulk requests).
  guestsCannotInvite: (w: Words, line: string): PageNotice => ({
    title: w.t('notice.cannotInvite.title'),
    lines: [line],
  }),
  formExpired: (w: Words) => notice(w, 'formExpired', ['again']),
  formFailed: (w: Words, submitted: boolean) => notice(w, submitted ? 'formFailedSubmitted' : 'formFailed', ['again']),
  formDone: (w: Words) => notice(w, 'formDone', ['saved']),
};

export type PasswordClass = 'lower' | 'upper' | 'digit' | 'symbol';

/** The registration form's hint and field errors (the acceptance page). */
export const registration = {
  passwordHint: (w: Words, minLength: number, classes: PasswordClass[]) => {
    if (!classes.length) return w.t('registration.passwordHint', { min: minLength });
    const need = w.list(classes.map((c) => w.t(`registration.class.${c}`)));
    return w.t('registration.passwordHintWith', { min: minLength, need });
  },
  controls: (w: Words) => w.t('registration.controls'),
  atLeast: (w: Words, n: number) => w.t('registration.atLeast', { n }),
  atMost: (w: Words, n: number) => w.t('registration.atMost', { n }),
  add: (w: Words, c: PasswordClass) => w.t(`registration.add.${c}`),
  firstName: (w: Words) => w.t('registration.firstName'),
  startWithLetter: (w: Words) => w.t('registration.startWithLetter'),
  usernameChars: (w: Words) => w.t('registration.usernameChars'),
  reserved: (w: Words) => w.t('registration.reserved'),
};
