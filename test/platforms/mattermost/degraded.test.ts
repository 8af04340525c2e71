/** What the README promises when the Mattermost server or the bot's account gives less than everything: approval
 * by DM when no approval channel is set, a plain-member bot, guest accounts off or unlicensed, email invitations
 * off, and a slash command that already exists. */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';
import { dmTo, invite } from './invite.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Element = { name: string; options?: { value: string }[] };
const lastDialog = () => h!.fake.dialogsOpened.at(-1)!.dialog as { introduction_text?: string; elements: Element[] };
const optionsOf = (dialog: { elements: Element[] }, name: string) =>
  dialog.elements.find((e) => e.name === name)!.options!.map((o) => o.value);

describe('approval without an approval channel', () => {
  it('asks each team admin by direct message, and updates every one after the decision', async () => {
    h = await startHarness({ env: { MATTERMOST_APPROVAL_CHANNEL_ID: '' } });
    await invite(h, h.member, { delivery: 'platform_email' });
    const asked = [h.admin, h.admin2].map((a) => h!.fake.postsIn(h!.fake.directChannelId(h!.bot.id, a.id)));
    expect(asked.map((posts) => posts.length)).toEqual([1, 1]);
    expect(asked[0]![0]!.message).toMatch(/@alice asks to invite ana \(ana@example\.org\)/);
    expect(h.fake.postsIn(h.approvals.id)).toEqual([]);
    expect(dmTo(h, h.member.id).join()).not.toMatch(/asks to invite/);

    await h.fake.clickButton(asked[1]![0]!.id, 'approve', h.admin2.id);
    await h.app.outbox.drain();
    for (const a of [h.admin, h.admin2])
      expect(h.fake.postsIn(h.fake.directChannelId(h.bot.id, a.id))[0]!.message).toMatch(/Approved by @carla/);
    expect(h.fake.invitesSent).toHaveLength(1);
  });
});

describe('a bot that is a plain member', () => {
  it('offers only the current channel, and a guest invitation fails with a clear message', async () => {
    h = await startHarness();
    h.bot.roles = 'system_user';
    await h.command(h.admin);
    const flow = h.fake.dialogFlow(h.fake.dialogsOpened.at(-1)!, {
      userId: h.admin.id,
      channelId: h.general.id,
      teamId: h.team.id,
    });
    const access = await flow.submit({ emails: 'gil@partner.example', role: 'external' });
    expect(optionsOf((access.body as { form: { elements: Element[] } }).form, 'channels')).toEqual([h.general.id]);
    await flow.submit({ channels: [h.general.id], delivery: 'platform_email', expiry: '7' });
    await h.app.outbox.drain();
    const [inv] = await h.app.store.listInvitations({});
    expect(inv).toMatchObject({
      state: 'failed',
      lastError: expect.stringMatching(/may not invite guests: give its account the System Admin role/),
    });
    expect(dmTo(h, h.admin.id).at(-1)).toMatch(/could not be delivered \(the bot may not invite guests/);
  });
});

describe('guest accounts and email invitations the server does not offer', () => {
  it('hides the external guest role with the reason when the licence has no guest accounts', async () => {
    h = await startHarness({ fake: { license: { IsLicensed: 'false' } } });
    await h.command(h.admin);
    expect(optionsOf(lastDialog(), 'role')).toEqual(['collaborator', 'admin']);
    expect(lastDialog().introduction_text).toMatch(
      /External guest: guest accounts are not enabled or licensed on this server/,
    );
  });

  it('hides it too when guest accounts are licensed but switched off (GuestAccountsSettings.Enable)', async () => {
    h = await startHarness({ fake: { guestAccountsEnabled: false } });
    await h.command(h.admin);
    expect(optionsOf(lastDialog(), 'role')).toEqual(['collaborator', 'admin']);
    expect(lastDialog().introduction_text).toMatch(/External guest: guest accounts are not enabled/);
  });

  it('offers no chat invitation email when the server has email invitations off', async () => {
    h = await startHarness({ fake: { enableEmailInvitations: false } });
    await h.command(h.admin);
    const flow = h.fake.dialogFlow(h.fake.dialogsOpened.at(-1)!, {
      userId: h.admin.id,
      channelId: h.general.id,
      teamId: h.team.id,
    });
    const access = await flow.submit({ emails: 'ana@example.org', role: 'collaborator' });
    expect(optionsOf((access.body as { form: { elements: Element[] } }).form, 'delivery')).toEqual(['link']);
  });
});

describe('the slash command at start-up', () => {
  it('updates the command it registered before instead of adding a second one', async () => {
    h = await startHarness({ env: { MATTERMOST_COMMAND_TOKEN: '' } });
    const [first] = h.fake.registeredCommands;
    h.env.PUBLIC_URL = 'https://guestlist.example.org';
    await h.restart();
    expect(h.fake.registeredCommands).toEqual([
      expect.objectContaining({ id: first!.id, url: 'https://guestlist.example.org/mattermost/command' }),
    ]);
  });
});
