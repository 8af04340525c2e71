/** A Slack user who reads Slack in French (`users.info` with `include_locale` says `fr-FR`) gets the modal, its
 * errors and the bot's replies in French, while an English-speaking colleague keeps English. */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** French typography's (narrow) no-break spaces before `:`, compared as spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const input = (view: any, id: string) => view.blocks.find((b: any) => b.block_id === id);

describe('a French-speaking Slack user', () => {
  it('gets the modal, its options and its field errors in French', async () => {
    h = await startSlackHarness();
    h.member.locale = 'fr-FR';
    await h.command(h.member);
    await eventually(() => h!.fake.viewsOpened.length);
    const who = h.lastView();
    expect(who.title.text).toBe('Inviter des personnes');
    expect(who.submit.text).toBe('Suivant');
    expect(input(who, 'emails').label.text).toBe('Adresses e-mail');
    expect(input(who, 'role').element.options.map((o: any) => o.text.text)).toEqual(['Collaborateur']);
    // Why the external role is missing, in French too.
    expect(plain(who.blocks[0].text.text)).toMatch(/Externe : seul Enterprise Grid/);

    const bad = await h.submitView(h.member, who, { emails: 'pas une adresse', role: 'collaborator' });
    expect(plain(bad.errors.emails)).toMatch(/^Adresse e-mail non valide : /);

    const { view: access } = await h.submitView(h.member, who, { emails: 'ana@example.org', role: 'collaborator' });
    expect(plain(access.title.text)).toBe('Invitation : accès');
    expect(access.submit.text).toBe('Inviter');
    expect(input(access, 'channels').label.text).toBe('Canaux');
    expect(input(access, 'expiry').element.options.map((o: any) => o.text.text)).toContain('7 jours');
    expect(input(access, 'language').element.initial_option.value).toBe('fr');
    const done = await h.submitView(h.member, access, { channels: ['CGENERAL'] });
    expect(plain(JSON.stringify(done))).toContain(
      'Votre invitation pour ana@example.org attend l’approbation d’un administrateur',
    );
    expect((await h.app.store.listInvitations({ platform: 'slack' }))[0]).toMatchObject({
      language: 'fr',
      inviter: { locale: 'fr-FR' },
    });
  });

  it('is looked up once for the modal: its level and its language come from one users.info answer', async () => {
    h = await startSlackHarness();
    h.member.locale = 'fr-FR';
    const lookups = () => h!.fake.callsOf('users.info').filter((c) => c.args.user === h!.member.id);
    expect(lookups()).toHaveLength(0);
    await h.command(h.member);
    await eventually(() => h!.fake.viewsOpened.length);
    expect(h.lastView().title.text).toBe('Inviter des personnes');
    expect(lookups()).toHaveLength(1);
  });

  it('gets help, the list and refusals in French, and an English colleague English', async () => {
    h = await startSlackHarness();
    h.member.locale = 'fr-FR';
    h.guest.locale = 'fr-CA';
    const help = JSON.parse((await h.command(h.member, 'help')).text);
    expect(help.text).toContain('Invitez des personnes dans cette équipe');
    expect(JSON.parse((await h.command(h.admin, 'help')).text).text).toContain('Invite people');

    await h.command(h.member, 'list');
    const list = await eventually(() => h!.fake.responses.find((r) => r.path === `/commands/${h!.member.id}`));
    expect(list!.body.text).toBe('Aucune invitation en attente.');

    await h.command(h.guest);
    const refused = await eventually(
      () => h!.fake.responses.find((r) => r.path === `/commands/${h!.guest.id}`) ?? undefined,
    );
    expect(refused!.body.text).toMatch(/^Les invités \(utilisateurs externes\) ne peuvent inviter personne/);
  });
});
