/** What a view submission can carry beyond the wizard's own fields on Slack: blocks that are not fields, another
 * step's fields, over-long and NUL text. Each is refused on its block or dropped; nothing of it is stored. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
beforeEach(async () => {
  h = await startSlackHarness();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The view with an extra text input per name, as a client that adds blocks would submit it. */
const withExtraInputs = (view: any, names: string[]) => ({
  ...view,
  blocks: [
    ...view.blocks,
    ...names.map((n) => ({ type: 'input', block_id: n, element: { type: 'plain_text_input', action_id: n } })),
  ],
});

async function whoView() {
  await h!.command(h!.member);
  await eventually(() => h!.fake.viewsOpened.length);
  return h!.lastView();
}

describe('a Slack view submission', () => {
  it('sets only its own step’s fields', async () => {
    const who = withExtraInputs(await whoView(), ['username', 'bot', 'delivery']);
    const step2 = await h!.submitView(h!.member, who, {
      emails: 'ana@example.org',
      role: 'collaborator',
      username: 'ceo',
      bot: 'x',
      delivery: 'sms',
    });
    expect(step2.response_action).toBe('update');
    const access = withExtraInputs(step2.view, ['emails', 'role']);
    const done = await h!.submitView(h!.member, access, {
      channels: ['CGENERAL'],
      expiry: '7',
      emails: 'mallory@evil.test',
      role: 'admin',
    });
    expect(done.response_action).toBe('update');
    const invitations = await h!.app.store.listInvitations({});
    expect(invitations).toEqual([
      expect.objectContaining({ email: 'ana@example.org', role: 'collaborator', delivery: 'link' }),
    ]);
    expect(invitations[0]!.inviter).toEqual({ id: 'UALICE', username: 'alice' });
  });

  it.each([
    ['a 50,000-character name', { name: 'x'.repeat(50_000) }, 'name', /At most 120 characters/],
    ['a NUL in the name', { name: 'Ana\u0000' }, 'name', /not allowed \(NUL\)/],
  ])('refuses %s on its block', async (_what, values, field, message) => {
    const answer = await h!.submitView(h!.member, await whoView(), {
      emails: 'ana@example.org',
      role: 'collaborator',
      ...values,
    });
    expect(answer).toEqual({ response_action: 'errors', errors: { [field]: expect.stringMatching(message) } });
    expect(await h!.app.store.listInvitations({})).toEqual([]);
  });

  it('refuses an over-long deny reason on its block, then takes a proper one', async () => {
    const { view } = await h!.submitView(h!.member, await whoView(), {
      emails: 'cleo@example.org',
      role: 'collaborator',
    });
    await h!.submitView(h!.member, view, { channels: ['CGENERAL'] });
    await h!.app.outbox.drain();
    expect(await h!.click(h!.admin2, h!.fake.postsIn('CAPPROVE')[0]!, 'approval.deny')).toBe(200);
    await eventually(() => h!.fake.viewsOpened.length === 2);
    const reasonView = h!.lastView();
    expect(await h!.submitView(h!.admin2, reasonView, { reason: 'r'.repeat(501) })).toEqual({
      response_action: 'errors',
      errors: { reason: 'At most 500 characters.' },
    });
    expect((await h!.app.store.listInvitations({}))[0]!.state).toBe('pending_approval');
    expect(await h!.submitView(h!.admin2, reasonView, { reason: 'not now' })).toEqual({});
    expect((await h!.app.store.listInvitations({}))[0]).toMatchObject({
      state: 'denied',
      decision: { reason: 'not now' },
    });
  });
});
