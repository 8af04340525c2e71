/** Each reader in their own language, end to end on the Mattermost fake: a French user's dialog and replies, a
 * German admin's approval DM, the approval channel in the organization's language, and an Italian invitation's
 * email, SMS and page, with dates in the organization's time zone. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeUser } from '../../fakes/mattermostFake.js';
import { eventually } from '../../support/freePort.js';
import { type LinkSinks, linksIn, startLinkSinks } from '../../support/linkChannels.js';
import { decodeHeader, readMime } from '../../support/smtpSink.js';
import { type Harness, startHarness } from './harness.js';
import { dmTo, invite } from './invite.js';

let h: Harness | undefined;
let sinks: LinkSinks | undefined;
afterEach(async () => {
  await h?.close();
  await sinks?.stop();
  h = sinks = undefined;
});

/** French and Swiss typography puts (narrow) no-break spaces before `:` and inside « »: compared as spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
/** The user reads Mattermost in `locale` (as `GET /users/{id}` returns it). */
const speaks = (user: FakeUser, locale: string) => void (user.locale = locale);

type Element = { name: string; display_name: string; help_text?: string; options?: { text: string; value: string }[] };
type Dialog = { title: string; submit_label: string; introduction_text?: string; elements: Element[] };
const element = (d: Dialog, name: string) => d.elements.find((e) => e.name === name)!;
const optionTexts = (d: Dialog, name: string) => element(d, name).options!.map((o) => o.text);

describe('a French user on Mattermost', () => {
  it('gets the dialog, its options and its field errors in French', async () => {
    h = await startHarness();
    speaks(h.member, 'fr');
    await h.command(h.member);
    const opened = h.fake.dialogsOpened.at(-1)!;
    const who = opened.dialog as unknown as Dialog;
    expect(who.title).toBe('Inviter des personnes');
    expect(who.submit_label).toBe('Suivant');
    expect(element(who, 'emails').display_name).toBe('Adresses e-mail');
    expect(element(who, 'role').display_name).toBe('Rôle');
    expect(optionTexts(who, 'role')).toEqual(['Externe', 'Collaborateur']);

    const flow = h.fake.dialogFlow(opened, { userId: h.member.id, channelId: h.general.id, teamId: h.team.id });
    const wrong = await flow.submit({ emails: 'not-an-address', role: 'collaborator' });
    expect(plain(JSON.stringify(wrong.body))).toContain('Adresse e-mail non valide : not-an-address');

    await flow.submit({ emails: 'ana@example.org', role: 'collaborator' });
    const access = flow.current.dialog as unknown as Dialog;
    expect(plain(access.title)).toBe('Invitation : accès');
    expect(access.submit_label).toBe('Inviter');
    expect(element(access, 'channels').display_name).toBe('Canaux');
    expect(element(access, 'expiry').display_name).toBe('Expire après');
    expect(optionTexts(access, 'expiry')).toEqual(['1 jour', '3 jours', '7 jours', '30 jours', 'Jamais']);
    expect(element(access, 'language').display_name).toBe('Langue de l’invitation');
    expect(element(access, 'language').options!.find((o) => o.value === 'fr')!.text).toBe('Français');
    const sms = await flow.submit({ channels: [h.general.id], expiry: '7', delivery: 'sms', phone: '079 123' });
    expect(plain(JSON.stringify(sms.body))).toMatch(/Saisissez le numéro au format international/);

    const done = await flow.submit({ channels: [h.general.id], expiry: '7', delivery: 'platform_email' });
    expect(done.body).toEqual({});
    await eventually(() => h!.responses.length);
    expect(plain(JSON.stringify(h.responses))).toContain(
      'Votre invitation pour ana@example.org attend l’approbation d’un administrateur',
    );
    // The invitation's language defaults to the inviter's.
    expect((await h.app.store.listInvitations({}))[0]).toMatchObject({ language: 'fr' });
  });

  it('gets help, the pending list and refusals in French', async () => {
    h = await startHarness();
    speaks(h.member, 'fr');
    speaks(h.guest, 'fr-CH');
    const help = (await h.command(h.member, 'help')).body.text as string;
    expect(help).toContain('Invitez des personnes dans cette équipe');
    expect(help).toContain('affiche vos invitations en attente');
    expect(plain((await h.command(h.member, 'frobnicate')).body.text)).toMatch(
      /Je n’ai pas compris `frobnicate`\. Voici ce que je peux faire :/,
    );
    expect((await h.command(h.member, 'list')).body.text).toBe('Aucune invitation en attente.');
    await invite(h, h.member, { delivery: 'platform_email' }, 'ben@example.org');
    const list = JSON.stringify((await h.command(h.member, 'list')).body);
    expect(list).toContain('Invitations en attente');
    expect(list).toMatch(/ben@example\.org.*en attente d’approbation/);
    expect(list).toContain('Collaborateur · 1 canal');
    expect(list).toContain('"Révoquer"');
    expect((await h.command(h.guest)).body.text).toBe(
      'Les invités (utilisateurs externes) ne peuvent inviter personne. Adressez-vous à un membre de l’équipe.',
    );
  });
});

describe('approvals in each admin’s language and the organization’s', () => {
  it('sends a German admin the approval DM in German, and keeps it German once decided', async () => {
    h = await startHarness({ env: { MATTERMOST_APPROVAL_CHANNEL_ID: '' } });
    speaks(h.admin, 'de');
    speaks(h.admin2, 'de-CH');
    await invite(h, h.member, { delivery: 'platform_email' }, 'dora@example.org');
    const [request] = h.fake.postsIn(h.fake.directChannelId(h.bot.id, h.admin2.id));
    expect(request!.message).toMatch(
      /@alice möchte dora \(dora@example\.org\) mit der Rolle \*\*Mitarbeiter\*\* einladen/,
    );
    const actions = (request!.props.attachments as { actions: { id: string; name: string }[] }[])[0]!.actions;
    expect(actions.map((a) => a.name)).toEqual(['Genehmigen', 'Ablehnen']);

    expect((await h.fake.clickButton(request!.id, 'approve', h.admin2.id)).status).toBe(200);
    await h.app.outbox.drain();
    for (const admin of [h.admin, h.admin2]) {
      const [after] = h.fake.postsIn(h.fake.directChannelId(h.bot.id, admin.id));
      expect(after!.message).toMatch(/Genehmigt von @carla am /);
      expect(after!.message).not.toMatch(/Approved/);
    }
    // The English-speaking inviter hears of it in English.
    expect(dmTo(h, h.member.id).join('\n')).toMatch(/approved by @carla/);
  });

  it('posts in the approval channel in DEFAULT_LOCALE, whatever the clicking admin reads', async () => {
    h = await startHarness({ env: { DEFAULT_LOCALE: 'it' } });
    speaks(h.admin, 'de');
    speaks(h.member, 'en');
    await invite(h, h.member, { delivery: 'platform_email' }, 'ugo@example.org');
    const [request] = h.fake.postsIn(h.approvals.id);
    expect(request!.message).toContain('con il ruolo');
    expect(request!.message).not.toMatch(/asks to invite|möchte/);
    await h.fake.clickButton(request!.id, 'approve', h.admin.id);
    const [after] = h.fake.postsIn(h.approvals.id);
    expect(after!.message).toMatch(/Approvato da @root il /);
    expect(after!.message).not.toMatch(/Genehmigt|Approved/);
  });
});

describe('an Italian invitation', () => {
  it('is mailed, texted and shown in Italian, with times in the organization’s zone', async () => {
    sinks = await startLinkSinks();
    // The bot's clock reads 23:30 UTC: a week later is already the next day, half past midnight, in Zurich.
    const day = 86400_000;
    const offset = (23.5 * 3600_000 - (Date.now() % day) + day) % day;
    const clock = { now: () => new Date(Date.now() + offset) };
    h = await startHarness({ env: { ...sinks.env, TIME_ZONE: 'Europe/Zurich' }, app: { clock } });
    speaks(h.admin, 'fr');
    await invite(h, h.admin, { delivery: 'bot_email', language: 'it', expiry: '7' }, 'ida@example.org');
    await invite(h, h.admin, { delivery: 'sms', language: 'it', phone: '+41 79 123 45 67' }, 'leo@example.org');
    const [ida, leo] = (await h.app.store.listInvitations({})).sort((a, b) => a.email.localeCompare(b.email));
    expect(ida).toMatchObject({ language: 'it', inviter: { locale: 'fr' } });
    const expiry = new Date(ida!.expiresAt!);
    expect(expiry.toISOString()).toMatch(/T23:3\d/);
    const zurichTime = /alle ore 0[01]:3\d CES?T/;
    const zurichDay = new Intl.DateTimeFormat('it-IT', { dateStyle: 'long', timeZone: 'Europe/Zurich' });
    const utcDay = new Intl.DateTimeFormat('it-IT', { dateStyle: 'long', timeZone: 'UTC' });
    expect(zurichDay.format(expiry)).not.toBe(utcDay.format(expiry));

    await eventually(() => sinks!.smtp.received.length === 1);
    const mail = readMime(sinks.smtp.received[0]!.raw);
    expect(decodeHeader(mail.headers.subject!)).toBe('root la invita a unirsi a Acme');
    for (const part of [mail.text!, mail.html!.replace(/<[^>]+>/g, '')]) {
      expect(part).toMatch(/la invita a unirsi a Acme con il ruolo Collaboratore/);
      expect(part).toContain(`Questo invito scade il ${zurichDay.format(expiry)}`);
      expect(part).toMatch(zurichTime);
      expect(part).not.toMatch(/23:3\d|invited you|vous invite/);
    }

    expect(sinks.texts).toHaveLength(1);
    const sms = sinks.texts[0]!.text;
    expect(sms).toMatch(/^root la invita a unirsi a Acme\. Si registri con leo@example\.org\. Valido fino al /);
    expect(sms).toContain(zurichDay.format(new Date(leo!.expiresAt!)));

    const page = await (await fetch(linksIn(sms)[0]!)).text();
    expect(page).toMatch(/<html lang="it"/);
    expect(page).toContain('<title>Il suo invito');
    const shown = page.replace(/<[^>]+>/g, '');
    expect(shown).toContain('root ha invitato leo a unirsi a Acme.');
    expect(shown).toContain('Crei il suo account');
    expect(page).toContain(zurichDay.format(new Date(leo!.expiresAt!)));
    expect(page).toMatch(zurichTime);
    // The inviter's own replies stay in the inviter's language.
    expect(plain(JSON.stringify(h.responses))).toContain('Votre invitation pour ida@example.org est en cours d’envoi');
  });
});
