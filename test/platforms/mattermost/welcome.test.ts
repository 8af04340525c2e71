/** The newcomer's welcome on Mattermost, through the fake server: one direct message in their language, naming the
 * inviter, their channels with what each is for, their role, and who to ask; a hostile name stays text. */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { anInvitation } from '../../support/invitationFixture.js';
import { CONTROL_CHARACTERS, mattermostMentions } from '../../support/mentionOracle.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOSTILE =
  '@all @channel @here @ALL -@all \\@all &#64;here <!channel> <!here> [x](http://evil.test) www.evil.test ' +
  '\u202Eevil\u202C \u2066@here\u2069';

/** An invitation waiting in the store, then the invitee's account as the server creates it. */
async function arrives(opts: { locale: string; language?: 'fr' | 'de'; firstName?: string }) {
  h!.general.purpose = 'Everything about *Acme*, @here every day';
  h!.secret.header = 'Plans';
  const inv = anInvitation({
    workspaceId: h!.team.id,
    email: 'ana@example.org',
    channelIds: [h!.general.id, h!.secret.id],
    inviter: { id: h!.member.id, username: h!.member.username },
    language: opts.language,
    delivery: 'platform_email',
  });
  await h!.app.store.createInvitations([inv], [], []);
  await eventually(() => h!.app.mattermost!.ready() && h!.fake.wsConnections > 0);
  const ana = h!.fake.registerUser({
    email: 'ana@example.org',
    username: 'ana',
    first_name: opts.firstName ?? 'Ana',
    teamId: h!.team.id,
    roles: 'system_guest',
  });
  ana.locale = opts.locale;
  await eventually(async () => (await h!.app.store.getInvitation(inv.id))!.state === 'arrived');
  await h!.app.outbox.drain();
  return { inv, ana, dms: () => h!.fake.postsIn(h!.fake.directChannelId(h!.bot.id, ana.id)) };
}

describe('the welcome on Mattermost', () => {
  it('greets the newcomer once, in their chat’s language, with their channels and who to ask', async () => {
    h = await startHarness();
    const { ana, dms } = await arrives({ locale: 'de' });
    expect(dms()).toHaveLength(1);
    const text = dms()[0]!.message;
    expect(text).toContain('Willkommen, Ana! @alice hat Sie mit der Rolle Extern eingeladen.');
    expect(text).toContain('• General: Everything about \\*Acme\\*, @\u200Dhere every day');
    expect(text).toContain('• Secret: Plans');
    expect(text).toMatch(/Fragen Sie Ihre Ansprechperson hier, @alice/);
    expect(mattermostMentions(text).broadcast).toEqual([]);

    // Heard again (the reconciliation): no second welcome.
    await h.app.mattermost!.arrivals.reconcile();
    await h.app.outbox.drain();
    expect(dms()).toHaveLength(1);
    expect(h.fake.postsIn(h.fake.directChannelId(h.bot.id, ana.id))).toHaveLength(1);
  });

  it('falls back on the invitation’s language and keeps a hostile display name as text', async () => {
    h = await startHarness();
    const { dms } = await arrives({ locale: '', language: 'fr', firstName: HOSTILE });
    const text = dms()[0]!.message;
    expect(text).toMatch(/^Bienvenue, /);
    expect(text).toContain('qui vous parraine ici');
    const m = mattermostMentions(text);
    expect(m.broadcast).toEqual([]);
    expect(m.links).toEqual([]);
    expect(m.users.filter((u) => u !== 'alice')).toEqual([]);
    expect(text).not.toMatch(CONTROL_CHARACTERS);
  });

  it('uses the operator’s template, its placeholders filled and escaped', async () => {
    h = await startHarness({ env: { WELCOME_MESSAGE: 'Hello {name} ({role}), from {inviter}.\n{channels}' } });
    const { dms } = await arrives({ locale: 'fr', firstName: HOSTILE });
    const text = dms()[0]!.message;
    expect(text).toMatch(/^Hello .+ \(Externe\), from @alice\.\n• General/);
    const m = mattermostMentions(text);
    expect(m.broadcast).toEqual([]);
    expect(m.links).toEqual([]);
  });
});
