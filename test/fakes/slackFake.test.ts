/** The Slack fake refuses what Slack refuses: wrong or missing tokens, posting where the bot is not, trigger ids
 * used twice or after 3 seconds, and views or messages over Block Kit's limits. */
import { describe, expect, it } from 'vitest';
import { SlackFake } from './slackFake.js';

function workspace() {
  let now = 1_700_000_000_000;
  const fake = new SlackFake();
  fake.now = () => now;
  fake.addUser({ id: 'UALICE', name: 'alice', email: 'alice@acme.test' });
  fake.addChannel('CGENERAL', 'general', ['UALICE', fake.botUserId]);
  fake.addChannel('CSECRET', 'secret', ['UALICE'], true);
  const call = async (method: string, args: Record<string, unknown>, token = 'Bearer xoxb-test') => {
    const form = new URLSearchParams(
      Object.entries(args).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
    return (await fake.handle(method, token, form.toString()))[1] as {
      ok: boolean;
      error?: string;
      [k: string]: unknown;
    };
  };
  return { fake, call, tick: (ms: number) => void (now += ms) };
}

const modal = (over: Record<string, unknown> = {}) => ({
  type: 'modal',
  title: { type: 'plain_text', text: 'Invite people' },
  blocks: [],
  ...over,
});

describe('Slack fake', () => {
  it('checks tokens: none, unknown, or the wrong kind for the method', async () => {
    const { call } = workspace();
    expect(await call('auth.test', {}, '')).toMatchObject({ ok: false, error: 'not_authed' });
    expect(await call('auth.test', {}, 'Bearer xoxb-forged')).toMatchObject({ ok: false, error: 'invalid_auth' });
    expect(await call('admin.users.invite', { email: 'a@example.org' })).toMatchObject({
      ok: false,
      error: 'not_allowed_token_type',
    });
    expect(await call('chat.postMessage', { channel: 'CGENERAL', text: 'hi' }, 'Bearer xoxp-org-admin')).toMatchObject({
      ok: false,
      error: 'not_allowed_token_type',
    });
    expect(await call('auth.test', {})).toMatchObject({ ok: true });
  });

  it('answers not_in_channel where the bot is not a member', async () => {
    const { call } = workspace();
    expect(await call('chat.postMessage', { channel: 'CSECRET', text: 'hi' })).toMatchObject({
      ok: false,
      error: 'not_in_channel',
    });
    expect(await call('conversations.invite', { channel: 'CSECRET', users: 'UALICE' })).toMatchObject({
      ok: false,
      error: 'not_in_channel',
    });
    expect(await call('chat.postMessage', { channel: 'CGENERAL', text: 'hi' })).toMatchObject({ ok: true });
  });

  it('takes a trigger id once, within 3 seconds', async () => {
    const { fake, call, tick } = workspace();
    const used = fake.issueTrigger();
    expect(await call('views.open', { trigger_id: used, view: modal() })).toMatchObject({ ok: true });
    expect(await call('views.open', { trigger_id: used, view: modal() })).toMatchObject({
      ok: false,
      error: 'exchanged_trigger_id',
    });
    const late = fake.issueTrigger();
    tick(3001);
    expect(await call('views.open', { trigger_id: late, view: modal() })).toMatchObject({
      ok: false,
      error: 'expired_trigger_id',
    });
    expect(await call('views.open', { trigger_id: 'made-up', view: modal() })).toMatchObject({
      ok: false,
      error: 'invalid_trigger_id',
    });
  });

  it('refuses views and messages over Block Kit’s limits', async () => {
    const { fake, call } = workspace();
    const section = { type: 'section', text: { type: 'mrkdwn', text: 'x' } };
    const long = await call('views.open', {
      trigger_id: fake.issueTrigger(),
      view: modal({ title: { type: 'plain_text', text: 'An invitation title too long' } }),
    });
    expect(long).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['title longer than 24'] },
    });
    const many = await call('views.open', {
      trigger_id: fake.issueTrigger(),
      view: modal({ blocks: Array(101).fill(section) }),
    });
    expect(many).toMatchObject({ ok: false, error: 'invalid_arguments' });
    const metadata = await call('views.open', {
      trigger_id: fake.issueTrigger(),
      view: modal({ private_metadata: 'x'.repeat(3001) }),
    });
    expect(metadata).toMatchObject({ ok: false, error: 'invalid_arguments' });
    const option = {
      type: 'input',
      label: { type: 'plain_text', text: 'Role' },
      element: {
        type: 'static_select',
        action_id: 'r',
        options: [{ text: { type: 'plain_text', text: 'x'.repeat(76) }, value: 'v' }],
      },
    };
    expect(
      await call('views.open', { trigger_id: fake.issueTrigger(), view: modal({ blocks: [option] }) }),
    ).toMatchObject({ ok: false });
    expect(
      await call('chat.postMessage', { channel: 'CGENERAL', text: 'hi', blocks: Array(51).fill(section) }),
    ).toMatchObject({ ok: false, error: 'invalid_blocks' });
  });
});
