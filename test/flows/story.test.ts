/** The invitation's story and the last 30 days' figures, from a scripted sequence of invitations on a fake clock:
 * sent, opened (once per visitor), arrived, left half-way; and the same through the admin API, without addresses. */
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/invitePeople.js';
import { recordArrival } from '../../src/actions/recordArrival.js';
import { recordDelivered } from '../../src/actions/recordDelivery.js';
import { recordLinkOpened } from '../../src/actions/recordLinkOpened.js';
import type { Invitation } from '../../src/core/model.js';
import { loadStats, loadStory, StoryFlow } from '../../src/flows/story.js';
import { createLogger } from '../../src/logger.js';
import { adminRouter } from '../../src/web/adminApi.js';
import { createWebApp } from '../../src/web/server.js';
import { anInvitation } from '../support/invitationFixture.js';
import { memoryWorld } from '../support/memoryPort.js';

const HOUR = 3_600_000;
let world: Awaited<ReturnType<typeof memoryWorld>>;
const at = (hours: number) => (world.clock.at = new Date(Date.parse('2030-01-01T10:00:00Z') + hours * HOUR));

async function create(over: Partial<Invitation>): Promise<Invitation> {
  const inv = anInvitation({ state: 'sending', createdAt: world.clock.at.toISOString(), ...over });
  const audit = { at: inv.createdAt, invitationId: inv.id, actor: inv.inviter.id, action: 'created' as const };
  await world.deps.store.createInvitations([inv], [audit], []);
  return inv;
}
const get = async (id: string) => (await world.deps.store.getInvitation(id))!;

/** Ana arrives after a day, Ben after four hours, Cleo opens her link (twice) and stops, Dan waits for approval;
 * Eve's invitation is older than the window. */
async function script() {
  const { deps } = world;
  at(-40 * 24);
  const eve = await create({ email: 'eve@example.com' });
  await recordDelivered(deps, eve);
  at(0);
  const ana = await create({ email: 'ana@example.com' });
  const ben = await create({ email: 'ben@example.com' });
  const cleo = await create({ email: 'cleo@example.com' });
  const dan = await create({ email: 'dan@example.com', state: 'pending_approval' });
  at(1);
  for (const inv of [ana, ben, cleo]) await recordDelivered(deps, inv);
  at(2);
  expect(await recordLinkOpened(deps, await get(ana.id), 'v-ana')).toBe(true);
  expect(await recordLinkOpened(deps, await get(cleo.id), 'v-cleo')).toBe(true);
  at(3);
  expect(await recordLinkOpened(deps, await get(cleo.id), 'v-cleo')).toBe(false);
  at(5);
  await recordArrival(deps, await get(ben.id), 'u-ben', 'websocket:new_user');
  at(26);
  await recordArrival(deps, await get(ana.id), 'u-ana', 'acceptance-page');
  at(30);
  return { ana, ben, cleo, dan, eve };
}

beforeEach(async () => {
  world = await memoryWorld();
});

describe('the invitation’s story', () => {
  it('says when it was sent, first opened, and arrived, and who did what', async () => {
    const { ana, cleo } = await script();
    const story = await loadStory(world.deps.store, await get(ana.id));
    expect(story).toMatchObject({
      createdAt: '2030-01-01T10:00:00.000Z',
      sentAt: '2030-01-01T11:00:00.000Z',
      openedAt: '2030-01-01T12:00:00.000Z',
      visitors: 1,
      arrivedAt: '2030-01-02T12:00:00.000Z',
    });
    expect(story.events.map((e) => [e.action, e.actor])).toEqual([
      ['created', 'inviter1'],
      ['delivered', 'bot'],
      ['link_opened', 'invitee'],
      ['arrived', 'u-ana'],
    ]);
    // The same visitor twice: one view.
    expect((await loadStory(world.deps.store, await get(cleo.id))).visitors).toBe(1);
  });

  it('gives the last 30 days: by state, share arrived, median time, links opened but not finished', async () => {
    const { cleo } = await script();
    const stats = await loadStats(world.deps.store, {}, world.clock.at);
    expect(stats).toMatchObject({
      total: 4,
      arrived: 2,
      arrivedShare: 2 / 3,
      medianSentToArrivedMs: 14.5 * HOUR,
      openedNotFinished: [{ invitationId: cleo.id, openedAt: '2030-01-01T12:00:00.000Z' }],
    });
    expect(stats.byState).toMatchObject({ arrived: 2, sent: 1, pending_approval: 1, denied: 0 });
  });

  it('serves the same as JSON to the admin token only, with no address in the stats', async () => {
    const { ana } = await script();
    const token = 'admin-api-token-0123456789abcdef';
    const router = adminRouter({ store: world.deps.store, token, clock: { now: () => world.clock.at } });
    const app = createWebApp({
      log: createLogger('silent'),
      routers: [{ path: '/admin', router }],
      ready: async () => true,
    });
    expect((await request(app).get('/admin/stats')).status).toBe(401);
    const stats = await request(app).get('/admin/stats?days=30').set('Authorization', `Bearer ${token}`);
    expect(stats.status).toBe(200);
    expect(stats.body.stats).toMatchObject({ total: 4, arrived: 2 });
    expect(JSON.stringify(stats.body)).not.toMatch(/@example\.com/);
    const wider = await request(app).get('/admin/stats?days=60').set('Authorization', `Bearer ${token}`);
    expect(wider.body.stats.total).toBe(5);
    expect((await request(app).get('/admin/stats?days=0').set('Authorization', `Bearer ${token}`)).status).toBe(400);
    const history = await request(app)
      .get(`/admin/invitations/${ana.id}/history`)
      .set('Authorization', `Bearer ${token}`);
    expect(history.body.history).toMatchObject({ openedAt: '2030-01-01T12:00:00.000Z', visitors: 1 });
  });
});

describe('history and stats in the chat', () => {
  const people = () => {
    const { port } = world;
    return {
      inviter: port.add({ id: 'inviter1', username: 'bob', email: 'bob@acme.test', level: 'member' }),
      other: port.add({ id: 'm2', username: 'mallory', email: 'mallory@acme.test', level: 'member' }),
      admin: port.add({ id: 'a1', username: 'root', email: 'root@acme.test', level: 'admin' }),
    };
  };
  const flow = () => new StoryFlow({ ...world.deps, trigger: 'invite-people' }, world.port);

  it('reads the words after the command', () => {
    expect(parseCommand('history Ana@Example.com')).toEqual({ kind: 'history', email: 'ana@example.com' });
    expect(parseCommand('stats')).toEqual({ kind: 'stats' });
    expect(parseCommand('history')).toMatchObject({ kind: 'help' });
  });

  it('shows the story to the inviter and an admin, and the same "none" to another member', async () => {
    await script();
    const { inviter, other, admin } = people();
    const mine = await flow().history('team1', inviter, 'ana@example.com');
    expect(mine).toContain('**Invitation for Ana Lima (ana@example.com)**, arrived, by @bob:');
    expect(mine).toMatch(/1 January 2030 at 11:00 .*: sent/);
    expect(mine).toMatch(/: link opened\n/);
    expect(mine).toMatch(/2 January 2030 at 12:00 .*: arrived$/);
    expect(mine).toMatch(/invited by @bob/);
    expect(await flow().history('team1', admin, 'ana@example.com')).toBe(mine);
    const refused = await flow().history('team1', other, 'ana@example.com');
    expect(refused).toBe('No invitation for ana@example.com that you may see.');
    expect(await flow().history('team1', other, 'nobody@example.com')).toBe(
      'No invitation for nobody@example.com that you may see.',
    );
  });

  it('gives the figures to admins only, with the links opened but not finished', async () => {
    await script();
    const { inviter, admin } = people();
    expect(await flow().stats('team1', inviter)).toMatch(/^Only administrators can see/);
    const text = await flow().stats('team1', admin);
    expect(text).toContain('**Invitations of the last 30 days**: 4');
    expect(text).toContain('arrived: 2');
    expect(text).toContain('Arrived: 67% of those sent');
    expect(text).toContain('Median time from sent to arrived: 14.5 h');
    expect(text).toMatch(/Opened but never finished \(1\), to send again from \/invite-people list:\n• .*cleo@/);
  });
});
