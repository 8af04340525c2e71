/** A guest's end on Mattermost, against the fake server with a fake clock: the sponsor's reminder with signed
 * buttons (a forged or someone else's click refused), the end on its date made once (deactivated, or out of the
 * team by GUEST_END_ACTION), and out of the bot's channels. */
import { afterEach, describe, expect, it } from 'vitest';
import { runLifecycle } from '../../../src/jobs/lifecycle.js';
import { eventually } from '../../support/freePort.js';
import { anInvitation } from '../../support/invitationFixture.js';
import { type Harness, startHarness } from './harness.js';

const DAY = 86400_000;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const at = { now: new Date('2030-01-01T10:00:00Z') };
const clock = { now: () => at.now };

async function world(env: Record<string, string> = {}) {
  at.now = new Date('2030-01-01T10:00:00Z');
  h = await startHarness({ env, app: { clock } });
  const guest = h.fake.registerUser({
    email: 'ana@example.org',
    username: 'ana',
    roles: 'system_guest',
    teamId: h.team.id,
    channelIds: [h.general.id],
  });
  const inv = anInvitation({
    workspaceId: h.team.id,
    email: 'ana@example.org',
    channelIds: [h.general.id],
    inviter: { id: h.member.id, username: h.member.username },
    state: 'arrived',
    arrivedUserId: guest.id,
    accessDays: 30,
    accessEndsAt: new Date(at.now.getTime() + 30 * DAY).toISOString(),
    expiresAt: null,
  });
  await h.app.store.createInvitations([inv], [], []);
  return { guest, inv };
}
const pass = async () => {
  await runLifecycle({ store: h!.app.store, clock });
  await h!.app.outbox.drain();
};
const deactivations = () =>
  h!.fake.requests.filter((r) => r.method === 'PUT' && /\/users\/[a-z0-9]+\/active$/.test(r.path));
const reminder = () => {
  const dm = h!.fake.directChannelId(h!.bot.id, h!.member.id);
  return h!.fake.postsIn(dm).find((p) => JSON.stringify(p.props ?? {}).includes('extend30'))!;
};
type Action = { id: string; name: string; integration: { context: { token: string } } };
const actionsOf = (post: { props?: unknown }) =>
  (post.props as { attachments: { actions: Action[] }[] }).attachments[0]!.actions;

async function forge(userId: string, username: string, context: unknown) {
  const res = await fetch(`${h!.url}/mattermost/action`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_id: userId, user_name: username, post_id: '', trigger_id: '', context }),
  });
  return (await res.json()) as { ephemeral_text?: string };
}

describe('a guest’s end on Mattermost', () => {
  it('sends the sponsor signed buttons, refuses forged and foreign clicks, and extends for the sponsor', async () => {
    const { inv } = await world();
    at.now = new Date(at.now.getTime() + 24 * DAY);
    await pass();
    const post = reminder();
    expect(post.message).toMatch(/ends in a week/);
    const actions = actionsOf(post);
    expect(actions.map((a) => a.name)).toEqual(['Extend 30 days', 'Extend 90 days', 'Remove now']);

    const token = actions[0]!.integration.context.token;
    const forged = await forge(h!.member.id, h!.member.username, { token: `${token.slice(0, -4)}AAAA` });
    expect(forged.ephemeral_text).toMatch(/button/i);
    const other = await forge(h!.guest.id, h!.guest.username, { token });
    expect(other.ephemeral_text).toBe('Only the guest’s sponsor or an administrator can do this.');
    expect((await h!.app.store.getInvitation(inv.id))!.accessEndsAt).toBe(inv.accessEndsAt);

    const clicked = await h!.fake.clickButton(post.id, 'extend30', h!.member.id);
    expect((clicked.body as { ephemeral_text: string }).ephemeral_text).toMatch(/now ends on/);
    const extended = (await h!.app.store.getInvitation(inv.id))!;
    expect(Date.parse(extended.accessEndsAt!)).toBe(Date.parse(inv.accessEndsAt!) + 30 * DAY);
  });

  it('ends the access on its date once: out of the bot’s channels and deactivated', async () => {
    const { guest, inv } = await world();
    at.now = new Date(at.now.getTime() + 30 * DAY + 1000);
    await pass();
    await pass();
    expect(deactivations()).toHaveLength(1);
    expect(h!.fake.getUser(guest.id)!.delete_at).toBeGreaterThan(0);
    expect(h!.fake.channelMember(h!.general.id, guest.id)).toBeUndefined();
    expect((await h!.app.store.getInvitation(inv.id))!.state).toBe('ended');
  });

  it('removes the guest from the team instead, with GUEST_END_ACTION=remove-from-team', async () => {
    const { guest } = await world({ GUEST_END_ACTION: 'remove-from-team' });
    at.now = new Date(at.now.getTime() + 31 * DAY);
    await pass();
    expect(deactivations()).toHaveLength(0);
    expect(h!.fake.teamMember(h!.team.id, guest.id)).toBeUndefined();
    expect(h!.fake.getUser(guest.id)!.delete_at).toBe(0);
  });

  it('asks the admins to adopt a leaving sponsor’s guests; Adopt makes the clicker the sponsor', async () => {
    const { inv } = await world();
    await eventually(async () => (await fetch(`${h!.url}/readyz`)).status === 200); // the WebSocket is connected
    h!.fake.emit('leave_team', { team_id: h!.team.id, user_id: h!.member.id }, { team_id: h!.team.id });
    const ask = await eventually(async () => {
      await h!.app.outbox.drain();
      // The direct channel exists once the bot has written there.
      return h!.fake
        .postsIn(h!.fake.directChannelId(h!.bot.id, h!.admin.id))
        .find((p) => JSON.stringify(p.props ?? {}).includes('"adopt"'));
    });
    expect(ask.message).toMatch(/has left/);
    const clicked = await h!.fake.clickButton(ask.id, 'adopt', h!.admin.id);
    expect((clicked.body as { ephemeral_text: string }).ephemeral_text).toMatch(/You are now the sponsor/);
    expect((await h!.app.store.getInvitation(inv.id))!.sponsor?.id).toBe(h!.admin.id);
  });
});
