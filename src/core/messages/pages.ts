/** The bot's web pages: the acceptance page's notes and notices, the web form's notices, and the registration
 * form's field errors. Pages escape what they show (views/html.ts): these return plain text. */
import type { Role } from '../model.js';

/** What the invitee will get, under the role on the acceptance page. */
export const roleNote = (role: Role) =>
  ({
    external: 'You will see only the channels listed here, as a guest.',
    collaborator: 'You will be a member of the team.',
    admin: 'You will be a member of the team and can manage it.',
    legal_representative: 'You will have every right, and legal responsibility for the organization.',
  })[role];

export interface PageNotice {
  title: string;
  lines: string[];
}

const again = 'If they do, you will receive it like the first one.';
/** A page that only tells something: its title and lines, by what happened. */
export const pageNotice = {
  unknownLink: (): PageNotice => ({
    title: 'This link is not valid',
    lines: [
      'Check that you opened the whole link from your invitation.',
      'If you received a newer invitation, use the link in that one: it replaces the earlier ones.',
    ],
  }),
  /** `seconds`: until the next attempt is let through. */
  tooManyAttempts: (seconds: number): PageNotice => {
    const wait = seconds <= 60 ? 'a minute' : `${Math.ceil(seconds / 60)} minutes`;
    return { title: 'Too many attempts', lines: [`Please wait ${wait}, then open your invitation link again.`] };
  },
  csrfRefused: (): PageNotice => ({
    title: 'Please try again',
    lines: [
      'This form was not accepted: it is too old, or your browser did not send its security cookie.',
      'Open your invitation link again (with cookies allowed for this site) and submit the form once more.',
    ],
  }),
  renewalAlreadyAsked: (inviter: string): PageNotice => ({
    title: 'Request already sent',
    lines: [`We already asked ${inviter} to send you a new invitation.`, again],
  }),
  renewalAsked: (inviter: string): PageNotice => ({
    title: 'Request sent',
    lines: [`We asked ${inviter} to send you a new invitation.`, again],
  }),
  registrationUnavailable: (inviter: string): PageNotice => ({
    title: 'Registration is not available',
    lines: [`Accounts cannot be created from this page for this invitation. Please ask ${inviter} for help.`],
  }),
  accountInProgress: (): PageNotice => ({
    title: 'Your account is being created',
    lines: ['Please wait a few seconds, then open your invitation link again.'],
  }),
  accountFailed: (): PageNotice => ({
    title: 'Your account could not be created',
    lines: ['The chat server did not complete the registration. Nothing is lost: please try again in a few minutes.'],
  }),
  /** `failed`: our side failed (500); otherwise the request was refused (4xx). */
  requestRefused: (failed: boolean): PageNotice => ({
    title: failed ? 'Something went wrong' : 'This request was not accepted',
    lines: ['Please open your invitation link again.'],
  }),
  // The web form (Mattermost and kChat where dialogs are refused, and bulk requests).
  guestsCannotInvite: (line: string): PageNotice => ({ title: 'You cannot invite anyone', lines: [line] }),
  formExpired: (): PageNotice => ({
    title: 'This form has expired',
    lines: ['Run the command in the chat again to get a new one.'],
  }),
  formFailed: (submitted: boolean): PageNotice => ({
    title: 'Something went wrong',
    lines: [submitted ? 'Nothing was saved. Please submit the form again.' : 'Please try again in a moment.'],
  }),
  formDone: (): PageNotice => ({
    title: 'Done',
    lines: ['Your invitation request is saved. I will tell you in the chat how it goes; you can close this page.'],
  }),
};

/** The registration form's hint and field errors (the acceptance page). */
export const registration = {
  passwordHint: (minLength: number, classes: ('lower' | 'upper' | 'digit' | 'symbol')[]) => {
    const words = { lower: 'a lower-case letter', upper: 'an upper-case letter', digit: 'a digit', symbol: 'a symbol' };
    const need = classes.map((c) => words[c]).join(', ');
    return `At least ${minLength} characters${need ? `, with ${need}` : ''}.`;
  },
  controls: () => 'Remove the invisible control characters from your name.',
  atLeast: (n: number) => `Use at least ${n} characters.`,
  atMost: (n: number) => `Use at most ${n} characters.`,
  addLower: () => 'Add a lower-case letter.',
  addUpper: () => 'Add an upper-case letter.',
  addDigit: () => 'Add a digit.',
  addSymbol: () => 'Add a symbol.',
  firstName: () => 'Enter your first name.',
  startWithLetter: () => 'Start with a letter.',
  usernameChars: () => 'Use only lower-case letters, digits, “.”, “-” and “_”.',
  reserved: () => 'This name is reserved; choose another.',
};
