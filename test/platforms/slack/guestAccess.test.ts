/** A guest's end on Slack Enterprise Grid, against the fake Web API with a fake clock: the expiration kept by
 * admin.users.setExpiration at arrival and on extension, the sponsor's signed buttons, and admin.users.remove
 * called once at the end, however often the pass runs. */
import { afterEach, describe, expect, it } from 'vitest';
import { recordArrival } from '../../../src/actions/recordArrival.js';
import { runLifecycle } from '../../../src/jobs/lifecycle.js';
import { eventually } from '../../support/freePort.js';
import { anInvitation } from '../../support/invitationFixture.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

const DAY = 86400_000;
let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
const at = { now: new Date('2030-01-01T10:00:00Z') };
const clock = { now: () => at.now };
const pass = async () => {
  await runLifecycle({ store: h!.app.store, clock });
  await h!.app.outbox.drain();
};

describe('a guest’s end on Slack Enterprise Grid', () => {
  it('keeps Slack’s expiration current, lets the sponsor extend, and removes the guest once', async () => {
    at.now = new Date('2030-01-01T10:00:00Z');
    h = await startSlackHarness({ grid: true, app: { clock } });
    const inv = anInvitation({
      platform: 'slack',
      workspaceId: h.fake.team.id,
      channelIds: ['CGENERAL'],
      inviter: { id: h.member.id, username: h.member.name },
      accessDays: 30,
      expiresAt: null,
    });
    await h.app.store.createInvitations([inv], [], []);
    await recordArrival({ store: h.app.store, clock }, inv, h.guest.id, 'test');
    await h.app.outbox.drain();
    const end = at.now.getTime() + 30 * DAY;
    expect(h.fake.expirations.get(h.guest.id)).toBe(end / 1000);

    at.now = new Date(at.now.getTime() + 24 * DAY);
    await pass();
    const reminder = h.fake.posts.find((p) => JSON.stringify(p.blocks ?? []).includes('gl_list_extend30'))!;
    expect(reminder.text).toMatch(/ends in a week/);
    expect(await h.click(h.guest, reminder, 'gl_list_extend30')).toBe(200);
    expect(h.fake.expirations.get(h.guest.id)).toBe(end / 1000);
    expect(await h.click(h.member, reminder, 'gl_list_extend30')).toBe(200);
    // Bolt answers the click before its listener has finished.
    await eventually(async () => {
      await h!.app.outbox.drain();
      return h!.fake.expirations.get(h!.guest.id) === (end + 30 * DAY) / 1000;
    });

    at.now = new Date(end + 30 * DAY + 1000);
    await pass();
    await pass();
    expect(h.fake.calls.filter((c) => c.method === 'admin.users.remove')).toHaveLength(1);
    expect(h.fake.removedUsers).toEqual([h.guest.id]);
    expect((await h.app.store.getInvitation(inv.id))!.state).toBe('ended');
  });

  it('offers a deactivated sponsor’s guests to the admins, who adopt them with a click', async () => {
    at.now = new Date('2030-01-01T10:00:00Z');
    h = await startSlackHarness({ app: { clock } });
    const inv = anInvitation({
      platform: 'slack',
      workspaceId: h.fake.team.id,
      inviter: { id: h.member.id, username: h.member.name },
      state: 'arrived',
      arrivedUserId: h.guest.id,
      accessEndsAt: new Date(at.now.getTime() + 30 * DAY).toISOString(),
      expiresAt: null,
    });
    await h.app.store.createInvitations([inv], [], []);
    const user = { id: h.member.id, name: h.member.name, team_id: h.fake.team.id, deleted: true };
    expect(await h.event({ type: 'user_change', user })).toBe(200);
    const ask = await eventually(async () => {
      await h!.app.outbox.drain();
      return h!.fake.posts.find((p) => JSON.stringify(p.blocks ?? []).includes('gl_list_adopt'));
    });
    expect(ask.text).toMatch(/has left/);
    expect(await h.click(h.admin, ask, 'gl_list_adopt')).toBe(200);
    await eventually(async () => (await h!.app.store.getInvitation(inv.id))!.sponsor?.id === h!.admin.id);
  });
});
