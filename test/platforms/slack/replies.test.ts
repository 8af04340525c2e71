/** A newcomer answers the welcome on Slack, through signed message.im events and the fake Web API: the sponsor gets
 * the text in their language, with Slack's control sequences shown as text; a retried event and the bot's own
 * posts forward nothing. */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { anInvitation } from '../../support/invitationFixture.js';
import { CONTROL_CHARACTERS, slackMentions } from '../../support/mentionOracle.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const HOSTILE = '<!channel> <!here> <@UADMIN> @everyone <http://evil.test|bank> &lt;!here&gt; \u202Eevil\n*Thanks*';

async function newcomer() {
  h = await startSlackHarness();
  const fake = h.fake;
  const inv = anInvitation({
    platform: 'slack',
    workspaceId: fake.team.id,
    email: 'ana@example.org',
    inviter: { id: 'UALICE', username: 'alice', locale: 'it-IT' },
  });
  await h.app.store.createInvitations([inv], [], []);
  fake.addUser({ id: 'UANA', name: 'ana', real_name: 'Ana Lima', email: 'ana@example.org' });
  await h.event({
    type: 'team_join',
    user: { id: 'UANA', team_id: fake.team.id, name: 'ana', profile: { email: 'ana@example.org' } },
  });
  await eventually(async () => (await h!.app.store.getInvitation(inv.id))!.state === 'arrived');
  await h.app.outbox.drain();
  const texts = (user: string) => fake.postsIn(fake.dmChannelOf(user)).map((p) => p.text);
  return { texts, forwards: () => texts('UALICE').filter((t) => t.includes(' scrive:\n')) };
}

const im = (over: Record<string, unknown>) => ({
  type: 'message',
  channel_type: 'im',
  channel: 'DUANA',
  user: 'UANA',
  ts: '1893492000.000100',
  text: 'Could I join #design?',
  team: h!.fake.team.id,
  ...over,
});

describe('a reply to the welcome on Slack', () => {
  it('reaches the sponsor once, in their language, with hostile text as text', async () => {
    const { texts, forwards } = await newcomer();
    expect(await h!.event(im({ text: HOSTILE }))).toBe(200);
    await eventually(async () => {
      await h!.app.outbox.drain();
      return forwards().length === 1;
    });
    const [text] = forwards();
    expect(text).toMatch(/^\*Ana Lima\* \(<@UANA>\), invitato da lei il .+, scrive:\n> &lt;!channel&gt; /);
    expect(text).toContain('\n> *Thanks*\n');
    const m = slackMentions(text!);
    expect(m.broadcast).toEqual([]);
    expect(m.links).toEqual([]);
    expect(new Set(m.users)).toEqual(new Set(['UANA']));
    expect(text).not.toMatch(CONTROL_CHARACTERS);
    expect(texts('UANA').at(-1)).toBe(
      'Thank you: your message was passed on to <@UALICE>, who will answer you directly.',
    );

    // Slack retries the event; the bot's own message in the conversation comes back as an event too.
    await h!.event(im({ text: HOSTILE }));
    await h!.event(im({ user: h!.fake.botUserId, bot_id: 'BBOT', ts: '1893492001.000200', text: 'Thank you' }));
    // A new message after them: once it is forwarded, the two before it were handled.
    await h!.event(im({ ts: '1893492002.000300', text: 'And the wiki?' }));
    await eventually(async () => {
      await h!.app.outbox.drain();
      return forwards().length >= 2;
    });
    expect(forwards()).toHaveLength(2);
    expect(forwards()[1]).toContain('\n> And the wiki?\n');
    expect(texts('UANA')).toHaveLength(2); // the welcome and one acknowledgement for the burst
  });

  it('ignores an edit and forwards nothing for a member', async () => {
    const { texts, forwards } = await newcomer();
    await h!.event(im({ subtype: 'message_changed', message: { text: 'edited' } }));
    await h!.event(im({ channel: 'DUADMIN', user: 'UADMIN', text: 'hello bot' }));
    await eventually(() => texts('UADMIN').length > 0);
    await h!.app.outbox.drain();
    expect(forwards()).toEqual([]);
    expect(texts('UADMIN')).toEqual([expect.stringMatching(/^I only pass on the questions/)]);
  });
});
