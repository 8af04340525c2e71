/** What people type reaches the invitee's email and pages in every language as text, never as markup: the
 * catalogues' own `<b>…</b>` is the only markup a translation may add around a user's value. */
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/core/i18n.js';
import { invitationEmail } from '../../views/email/invitationEmail.js';
import { joinPage } from '../../views/pages/joinPage.js';
import { linkDeadPage } from '../../views/pages/linkDeadPage.js';
import { locales } from '../support/words.js';

const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>"\'&<b>bold</b>';
/** Markup a user could slip in: any tag or attribute the HTML would run or show as formatting. */
const INJECTED = /<(img|script)|<b>bold/i;
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;';
const EXPIRES = '2030-01-08T16:00:00.000Z';

describe.each(LANGUAGES)('in %s', (language) => {
  const words = locales.for(language);

  it('the email’s HTML part shows every name, message and the organization as text', () => {
    const mail = invitationEmail(words, {
      email: 'ana@example.org',
      inviteeName: `Ana${HOSTILE}`,
      inviterName: `Ben${HOSTILE}`,
      orgName: `Acme${HOSTILE}`,
      roleLabel: 'Collaborator',
      expiresAt: EXPIRES,
      link: 'https://guestlist.test/join/t',
      message: `Hi${HOSTILE}`,
    });
    expect(mail.html).not.toMatch(INJECTED);
    // Each of the four values is there, escaped (the organization twice: title and heading).
    expect(mail.html.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(4);
    expect(mail.html).toContain(`<html lang="${language}"`);
  });

  it('the acceptance page and the dead-link page show every name as text', () => {
    const page = joinPage({
      words,
      org: { name: `Acme${HOSTILE}` },
      inviterName: `Ben${HOSTILE}`,
      inviteeName: `Ana${HOSTILE}`,
      email: 'ana@example.org',
      roleLabel: 'Collaborator',
      roleNote: 'Note',
      channels: [`general${HOSTILE}`],
      expiresAt: EXPIRES,
      message: `Hi${HOSTILE}`,
      csrf: 'c',
      values: { firstName: `"><script>x</script>` },
      errors: {},
      rules: { usernameMin: 3, usernameMax: 22, passwordMin: 8, passwordMax: 64, passwordHint: 'hint' },
    });
    expect(page).toMatch(new RegExp(`<html lang="${language}"`));
    expect(page).not.toMatch(INJECTED);
    expect(page).not.toContain('"><script>x');
    expect(page.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(4);

    for (const status of ['used', 'expired', 'revoked', 'unavailable'] as const) {
      const dead = linkDeadPage({
        words,
        org: { name: `Acme${HOSTILE}` },
        status,
        inviterName: `Ben${HOSTILE}`,
        email: `x${HOSTILE}@example.org`,
        expiresAt: EXPIRES,
        csrf: 'c',
        loginUrl: 'https://chat.acme.test/login',
      });
      expect(dead).not.toMatch(INJECTED);
      expect(dead).toContain(ESCAPED);
    }
  });
});
