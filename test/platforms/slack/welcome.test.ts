/** The newcomer's welcome on Slack, through the fake Web API: one direct message in their language, with their
 * channels' purposes, their role and who to ask; a hostile real name can neither mention, link nor reorder. */
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

const HOSTILE =
  '<!channel> <!here> <!everyone> <@UADMIN> @here @channel @all @everyone <http://evil.test|bank> ' +
  'http://evil.test www.evil.test \u202Eevil\u202C \u2066x\u2069';

async function arrives(user: { locale?: string; realName: string }, language?: 'fr' | 'it') {
  const fake = h!.fake;
  fake.channels.get('CGENERAL')!.purpose = 'All of <!here> Acme';
  fake.channels.get('CSECRET')!.topic = 'Plans & more';
  const inv = anInvitation({
    platform: 'slack',
    workspaceId: fake.team.id,
    email: 'ana@example.org',
    channelIds: ['CGENERAL', 'CSECRET'],
    inviter: { id: 'UALICE', username: 'alice' },
    language,
  });
  await h!.app.store.createInvitations([inv], [], []);
  fake.addUser({ id: 'UANA', name: 'ana', real_name: user.realName, email: 'ana@example.org', locale: user.locale });
  await h!.event({
    type: 'team_join',
    user: { id: 'UANA', team_id: fake.team.id, name: 'ana', profile: { email: 'ana@example.org' } },
  });
  await eventually(async () => (await h!.app.store.getInvitation(inv.id))!.state === 'arrived');
  await h!.app.outbox.drain();
  return fake.postsIn(fake.dmChannelOf('UANA')).map((p) => p.text);
}

describe('the welcome on Slack', () => {
  it('greets once in the chat’s language, with each channel’s purpose or topic', async () => {
    h = await startSlackHarness();
    const dms = await arrives({ locale: 'es-ES', realName: 'Ana Lima' });
    expect(dms).toHaveLength(1);
    expect(dms[0]).toContain('¡Bienvenido, Ana Lima! <@UALICE> le ha invitado aquí con el rol Externo.');
    expect(dms[0]).toContain('• #general: All of &lt;!here&gt; Acme');
    expect(dms[0]).toContain('• #secret: Plans &amp; more');
    expect(dms[0]).toContain('Pregunte a su patrocinador aquí, <@UALICE>');
    expect(await h.app.slack!.arrivals.reconcile()).toBe(0);
    await h.app.outbox.drain();
    expect(h.fake.postsIn(h.fake.dmChannelOf('UANA'))).toHaveLength(1);
  });

  it('falls back on the invitation’s language and keeps a hostile name as text', async () => {
    h = await startSlackHarness();
    const [text] = await arrives({ realName: HOSTILE }, 'it');
    expect(text).toMatch(/^Benvenuto, /);
    const m = slackMentions(text!);
    expect(m.broadcast).toEqual([]);
    expect(m.links).toEqual([]);
    expect(new Set(m.users)).toEqual(new Set(['UALICE']));
    expect(text).not.toMatch(CONTROL_CHARACTERS);
  });
});
