/** A guest's sponsor and end date through the flows, on the in-memory port with a fake clock: reminders a week and
 * a day before, Extend / Remove now re-checked on click, the end on its date (once, whatever is retried), and a
 * sponsor who left handing the guests to the admins. */
import { beforeEach, describe, expect, it } from 'vitest';
import { recordArrival } from '../../src/actions/recordArrival.js';
import type { Invitation } from '../../src/core/model.js';
import { ApprovalFlow } from '../../src/flows/approvals.js';
import { sponsorGone } from '../../src/flows/guests.js';
import { jobHandlers } from '../../src/flows/jobHandlers.js';
import { PendingListFlow } from '../../src/flows/pendingList.js';
import { runLifecycle } from '../../src/jobs/lifecycle.js';
import { anInvitation } from '../support/invitationFixture.js';
import { type MemoryPort, memoryWorld } from '../support/memoryPort.js';

const DAY = 86400_000;
let world: Awaited<ReturnType<typeof memoryWorld>>;
let port: MemoryPort;
const sponsor = { id: 'u-bob', username: 'bob', email: 'bob@acme.test', level: 'member' as const };
const other = { id: 'u-eve', username: 'eve', email: 'eve@acme.test', level: 'member' as const };
const admin = { id: 'u-root', username: 'root', email: 'root@acme.test', level: 'admin' as const };
const guestUser = { id: 'u-ana', username: 'ana', email: 'ana@example.com', level: 'guest' as const };

beforeEach(async () => {
  world = await memoryWorld();
  port = world.port;
  for (const p of [sponsor, other, admin, guestUser]) port.add(p);
  for (const [kind, handler] of Object.entries(jobHandlers(world.deps, port)))
    world.deps.outbox.register(kind, handler);
});

const list = () =>
  new PendingListFlow({ ...world.deps, trigger: 'invite-people' }, port, new ApprovalFlow(world.deps, port));
const advance = (ms: number) => (world.clock.at = new Date(world.clock.at.getTime() + ms));
const pass = async () => {
  const result = await runLifecycle(world.deps);
  await world.deps.outbox.drain();
  return result;
};
const reload = async (id: string) => (await world.deps.store.getInvitation(id))!;

/** An external guest of bob's with 30 days, arrived now. */
async function arrivedGuest(over: Partial<Invitation> = {}): Promise<Invitation> {
  const inv = anInvitation({
    workspaceId: 'team',
    channelIds: ['dev'],
    inviter: { id: sponsor.id, username: sponsor.username },
    accessDays: 30,
    expiresAt: null,
    ...over,
  });
  await world.deps.store.createInvitations([inv], [], []);
  await recordArrival(world.deps, inv, guestUser.id, 'test');
  await world.deps.outbox.drain();
  return reload(inv.id);
}
const dmsTo = (userId: string) => port.postsIn(`dm:${userId}`);
const click = (inv: Invitation, action: 'extend30' | 'extend90' | 'endaccess' | 'adopt', user: { id: string }) =>
  list().click({ invitationId: inv.id, action, user: { id: user.id, username: user.id } });

describe('a guest’s end date', () => {
  it('is dated at arrival, reminds the sponsor a week and a day before, once each, and ends on the date', async () => {
    const inv = await arrivedGuest();
    expect(inv.accessEndsAt).toBe(new Date(world.clock.at.getTime() + 30 * DAY).toISOString());

    advance(22 * DAY);
    expect((await pass()).sponsorsReminded).toBe(0);
    advance(1 * DAY + 60_000);
    expect((await pass()).sponsorsReminded).toBe(1);
    expect(await pass()).toMatchObject({ sponsorsReminded: 0, accessEnded: 0 });
    const weekBefore = dmsTo(sponsor.id).filter((m) => m.actionButtons);
    expect(weekBefore).toHaveLength(1);
    expect(weekBefore[0]!.text).toMatch(/Ana Lima.*ends in a week/);
    expect(weekBefore[0]!.actionButtons!.buttons.map((b) => b.label)).toEqual([
      'Extend 30 days',
      'Extend 90 days',
      'Remove now',
    ]);

    advance(6 * DAY);
    await pass();
    await pass();
    const reminders = dmsTo(sponsor.id).filter((m) => m.actionButtons);
    expect(reminders).toHaveLength(2);
    expect(reminders[1]!.text).toMatch(/ends tomorrow/);

    advance(1 * DAY);
    expect((await pass()).accessEnded).toBe(1);
    expect((await pass()).accessEnded).toBe(0);
    expect(port.ended).toEqual([guestUser.id]);
    expect((await reload(inv.id)).state).toBe('ended');
    expect(dmsTo(sponsor.id).at(-1)!.text).toMatch(/access of \*\*Ana Lima\*\*.*has ended/);
    const trail = (await world.deps.store.auditTrail(inv.id)).map((a) => a.action);
    expect(trail.filter((a) => a === 'access_reminder_scheduled')).toHaveLength(2);
    expect(trail.filter((a) => a === 'access_ended')).toHaveLength(1);
  });

  it('does not end when the sponsor extends, and reminds again before the new end', async () => {
    const inv = await arrivedGuest();
    advance(24 * DAY);
    await pass();
    expect(await click(inv, 'extend30', sponsor)).toMatch(/now ends on/);
    const extended = await reload(inv.id);
    expect(Date.parse(extended.accessEndsAt!)).toBe(Date.parse(inv.accessEndsAt!) + 30 * DAY);

    advance(7 * DAY);
    await pass();
    expect(port.ended).toEqual([]);
    expect((await reload(inv.id)).state).toBe('arrived');
    advance(23 * DAY);
    await pass();
    expect(dmsTo(sponsor.id).filter((m) => m.actionButtons)).toHaveLength(2);
    advance(8 * DAY);
    await pass();
    expect(port.ended).toEqual([guestUser.id]);
    const trail = (await world.deps.store.auditTrail(inv.id)).map((a) => a.action);
    expect(trail.filter((a) => a === 'access_extended')).toHaveLength(1);
  });

  it('never extends beyond GUEST_MAX_DAYS from now', async () => {
    world.deps.guests = { maxDays: 40, endAction: 'deactivate' };
    const inv = await arrivedGuest();
    await click(inv, 'extend90', sponsor);
    expect((await reload(inv.id)).accessEndsAt).toBe(new Date(world.clock.at.getTime() + 40 * DAY).toISOString());
  });

  it('refuses Extend and Remove now from anyone but the sponsor or an admin, and lets an admin remove', async () => {
    const inv = await arrivedGuest();
    expect(await click(inv, 'extend90', other)).toBe('Only the guest’s sponsor or an administrator can do this.');
    expect(await click(inv, 'endaccess', other)).toBe('Only the guest’s sponsor or an administrator can do this.');
    expect(await click(inv, 'adopt', other)).toBe('Only administrators can adopt guests.');
    expect((await reload(inv.id)).accessEndsAt).toBe(inv.accessEndsAt);
    expect(await click(inv, 'endaccess', admin)).toMatch(/ends now/);
    expect(await click(inv, 'endaccess', admin)).toMatch(/not running any more/);
    await world.deps.outbox.drain();
    expect(port.ended).toEqual([guestUser.id]);
  });

  it('tells the admins the Manager’s steps where the platform cannot withdraw the access (kChat)', async () => {
    port.endResult = 'manual';
    const inv = await arrivedGuest();
    advance(31 * DAY);
    await pass();
    expect(dmsTo(admin.id).at(-1)!.text).toMatch(/Infomaniak Manager/);
    expect((await reload(inv.id)).state).toBe('ended');
  });

  it('shows the admins the guests ending within 14 days with their buttons', async () => {
    const soon = await arrivedGuest({ accessDays: 10 });
    await arrivedGuest({ accessDays: 90, email: 'later@example.com' });
    const shown = await list().list('team', admin.id, 1);
    const entry = shown.entries.find((e) => e.invitationId === soon.id);
    expect(entry?.text).toMatch(/Guests ending soon/);
    expect(entry?.buttons.map((b) => b.action)).toEqual(['extend30', 'extend90', 'endaccess']);
    expect(shown.entries).toHaveLength(1);
    expect((await list().list('team', other.id, 1)).entries).toHaveLength(0);
  });
});

describe('a sponsor who leaves', () => {
  it('has the admins asked to adopt their guests; the one who adopts is asked from then on', async () => {
    const inv = await arrivedGuest();
    expect(await sponsorGone(world.deps, port, 'team', { id: sponsor.id, username: sponsor.username })).toBe(1);
    await world.deps.outbox.drain();
    const ask = dmsTo(admin.id).find((m) => m.actionButtons?.buttons[0]?.action === 'adopt');
    expect(ask?.text).toMatch(/@bob.*has left/);
    expect(await click(inv, 'adopt', admin)).toMatch(/You are now the sponsor/);
    expect((await reload(inv.id)).sponsor?.id).toBe(admin.id);
    advance(24 * DAY);
    await pass();
    expect(dmsTo(admin.id).filter((m) => m.actionButtons?.buttons[0]?.action === 'extend30')).toHaveLength(1);
    expect(dmsTo(sponsor.id).filter((m) => m.actionButtons)).toHaveLength(0);
  });
});
