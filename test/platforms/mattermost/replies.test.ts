/** A newcomer answers the welcome on Mattermost, through the fake server's WebSocket: the sponsor gets the text in
 * their language as text, the newcomer one "passed on", a replayed event changes nothing, the bot's own posts and
 * other people's messages are not forwarded. */
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

/** Ana arrived at alice's invitation (alice reads the chat in German); her welcome is in her direct channel. */
async function newcomer() {
  h = await startHarness();
  h.member.locale = 'de';
  const inv = anInvitation({
    workspaceId: h.team.id,
    email: 'ana@example.org',
    inviter: { id: h.member.id, username: h.member.username, locale: 'de' },
    delivery: 'platform_email',
  });
  await h.app.store.createInvitations([inv], [], []);
  await eventually(() => h!.app.mattermost!.ready() && h!.fake.wsConnections > 0);
  const ana = h.fake.registerUser({ email: 'ana@example.org', username: 'ana', first_name: 'Ana', teamId: h.team.id });
  await eventually(async () => (await h!.app.store.getInvitation(inv.id))!.state === 'arrived');
  await h.app.outbox.drain();
  const dm = h.fake.directChannelId(h.bot.id, ana.id)!;
  const posts = (userId: string) =>
    h!.fake.postsIn(h!.fake.directChannelId(h!.bot.id, userId)).filter((p) => p.user_id === h!.bot.id);
  /** What alice got from ana (she also got the arrival notice). */
  const forwards = () => posts(h!.member.id).filter((p) => p.message.includes(' schreibt:\n'));
  return { ana, dm, posts, forwards };
}

describe('a reply to the welcome on Mattermost', () => {
  it('reaches the sponsor once, in their language, with hostile text as text', async () => {
    const { ana, dm, posts, forwards } = await newcomer();
    expect(posts(ana.id)).toHaveLength(1); // the welcome, whose own `posted` event the bot ignored
    const written = h!.fake.writeAs(ana.id, dm, 'Hi @all, see [this](http://evil.test) \u202Eplease\nThanks');
    await delivered(() => forwards().length === 1);

    const forwarded = forwards()[0]!.message;
    expect(forwarded).toMatch(/^\*\*Ana\*\* \(@ana\), von Ihnen am .+ eingeladen, schreibt:\n> Hi @\u200Dall/);
    expect(forwarded).toContain('\n> Thanks\nSie können direkt antworten.');
    const m = mattermostMentions(forwarded);
    expect(m.broadcast).toEqual([]);
    expect(m.links).toEqual([]);
    expect(m.users).toEqual(['ana']);
    expect(forwarded).not.toMatch(CONTROL_CHARACTERS);
    await delivered(() => posts(ana.id).length === 2);
    expect(posts(ana.id)[1]!.message).toBe(
      'Thank you: your message was passed on to @alice, who will answer you directly.',
    );

    // The server replays the event (a resumed socket): nothing is forwarded twice. A second message in the same
    // burst is forwarded without another acknowledgement.
    written.again();
    h!.fake.writeAs(ana.id, dm, 'And the wiki?');
    await delivered(() => forwards().length === 2);
    expect(forwards()).toHaveLength(2);
    expect(posts(ana.id)).toHaveLength(2);
  });

  it('forwards nothing for a member, who is told so once', async () => {
    const { posts, forwards } = await newcomer();
    const dm = h!.fake.directChannelId(h!.bot.id, h!.admin.id) ?? (await openDirect(h!.admin.id));
    h!.fake.writeAs(h!.admin.id, dm, 'hello bot');
    await eventually(() => posts(h!.admin.id).length === 1);
    h!.fake.writeAs(h!.admin.id, dm, 'hello again');
    h!.fake.writeAs(h!.admin.id, dm, 'and again');
    await h!.app.outbox.drain();
    expect(posts(h!.admin.id).map((p) => p.message)).toEqual([
      expect.stringMatching(/^I only pass on the questions of the people I welcomed/),
    ]);
    expect(forwards()).toEqual([]);
  });
});

/** The outbox run (the harness's runs on demand) until `done`. */
const delivered = (done: () => boolean) =>
  eventually(async () => {
    await h!.app.outbox.drain();
    return done();
  });

/** The bot's direct channel with a user, opened as the bot would. */
async function openDirect(userId: string): Promise<string> {
  const res = await fetch(`${h!.fake.url}/api/v4/channels/direct`, {
    method: 'POST',
    headers: { Authorization: 'Bearer bot-token', 'Content-Type': 'application/json' },
    body: JSON.stringify([h!.bot.id, userId]),
  });
  return ((await res.json()) as { id: string }).id;
}
