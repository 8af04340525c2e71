/** A newcomer's reply to the bot, through the in-memory port: passed on to their sponsor in the sponsor's language,
 * acknowledged at most once in ten minutes, limited per hour, forwarded once however often the event comes; anyone
 * else told once that the bot does not forward for them; bots never answered; hostile text shown as text. */
import { beforeEach, describe, expect, it } from 'vitest';
import { adoptGuest } from '../../src/actions/guestAccess.js';
import { recordArrival } from '../../src/actions/recordArrival.js';
import { REPLY_LIMITS } from '../../src/core/messages.js';
import type { Invitation } from '../../src/core/model.js';
import { jobHandlers } from '../../src/flows/jobHandlers.js';
import { type DirectMessageReceived, ReplyFlow } from '../../src/flows/replies.js';
import { anInvitation } from '../support/invitationFixture.js';
import { type MemoryPort, memoryWorld } from '../support/memoryPort.js';
import { CONTROL_CHARACTERS, mattermostMentions } from '../support/mentionOracle.js';

let world: Awaited<ReturnType<typeof memoryWorld>>;
let port: MemoryPort;
let flow: ReplyFlow;
const bob = { id: 'u-bob', username: 'bob', email: 'bob@acme.test', level: 'member' as const, locale: 'fr' };
const root = { id: 'u-root', username: 'root', email: 'root@acme.test', level: 'admin' as const, locale: 'de' };
const ana = {
  id: 'u-ana',
  username: 'ana',
  displayName: 'Ana Lima',
  email: 'ana@example.com',
  level: 'guest' as const,
};
const eve = { id: 'u-eve', username: 'eve', email: 'eve@acme.test', level: 'member' as const };
const MINUTE = 60_000;

beforeEach(async () => {
  world = await memoryWorld();
  port = world.port;
  for (const p of [bob, root, ana, eve]) port.add(p);
  for (const [kind, handler] of Object.entries(jobHandlers(world.deps, port)))
    world.deps.outbox.register(kind, handler);
  flow = new ReplyFlow(world.deps, port);
  for (const [kind, handler] of Object.entries(flow.jobHandlers())) world.deps.outbox.register(kind, handler);
});

/** Ana, invited by bob (who invited in French), arrived; her welcome sent. */
async function arrived(over: Partial<Invitation> = {}): Promise<Invitation> {
  const inv = anInvitation({ workspaceId: 'team', inviter: { id: bob.id, username: 'bob', locale: 'fr' }, ...over });
  await world.deps.store.createInvitations([inv], [], []);
  await recordArrival(world.deps, inv, ana.id, 'test');
  await world.deps.outbox.drain();
  return (await world.deps.store.getInvitation(inv.id))!;
}

let seq = 0;
const message = (over: Partial<DirectMessageReceived> = {}): DirectMessageReceived => ({
  platform: 'mattermost',
  senderId: ana.id,
  fromBot: false,
  channelId: `dm:${over.senderId ?? ana.id}`,
  messageId: `m${++seq}`,
  text: 'Could I get the #design channel too?',
  ...over,
});
const write = async (over: Partial<DirectMessageReceived> = {}) => {
  const outcome = await flow.received(message(over));
  await world.deps.outbox.drain();
  return outcome;
};
const texts = (userId: string) => port.postsIn(`dm:${userId}`).map((m) => m.text);
const forwardsTo = (userId: string) => texts(userId).filter((t) => / \(@ana\), /.test(t));
const acks = () => texts(ana.id).filter((t) => t.startsWith('Thank you: your message was passed on'));
const advance = (ms: number) => (world.clock.at = new Date(world.clock.at.getTime() + ms));

describe('a newcomer’s reply to the bot', () => {
  it('reaches the sponsor in their language, and the newcomer hears once that it was passed on', async () => {
    await arrived();
    expect(await write()).toBe('forwarded');
    expect(forwardsTo(bob.id)).toEqual([
      '**Ana Lima** (@ana), que vous avez invité le 1 janvier 2030, écrit\u202F:\n' +
        '> Could I get the \\#design channel too?\nVous pouvez lui répondre directement.',
    ]);
    expect(acks()).toEqual(['Thank you: your message was passed on to @bob, who will answer you directly.']);

    // A burst: every message forwarded, one acknowledgement; ten minutes later, another.
    await write({ text: 'And the wiki?' });
    advance(9 * MINUTE);
    await write({ text: 'Thanks!' });
    expect(forwardsTo(bob.id)).toHaveLength(3);
    expect(acks()).toHaveLength(1);
    advance(2 * MINUTE);
    await write({ text: 'One more thing' });
    expect(acks()).toHaveLength(2);
    const trail = await world.deps.store.auditTrail((await world.deps.store.listInvitations({}))[0]!.id);
    expect(trail.filter((e) => e.action === 'reply_forwarded')).toHaveLength(4);
  });

  it('goes to the admin who adopted the guest, in theirs, saying who invited them', async () => {
    const inv = await arrived();
    await adoptGuest(world.deps, { invitationId: inv.id, by: { id: root.id, username: 'root' }, byLevel: 'admin' });
    await write();
    expect(forwardsTo(bob.id)).toEqual([]);
    expect(forwardsTo(root.id)).toEqual([
      '**Ana Lima** (@ana), am 1. Januar 2030 von @bob eingeladen, von Ihnen betreut, schreibt:\n' +
        '> Could I get the \\#design channel too?\nSie können direkt antworten.',
    ]);
  });

  it('is forwarded once when the platform delivers the same message again, also after a restart', async () => {
    await arrived();
    const once = message();
    await flow.received(once);
    await flow.received(once);
    // A new process knows no message seen: the forward's key (the platform's message id) keeps it once.
    const restarted = new ReplyFlow(world.deps, port);
    expect(await restarted.received(once)).toBe('forwarded');
    await world.deps.outbox.drain();
    expect(forwardsTo(bob.id)).toHaveLength(1);
    expect(acks()).toHaveLength(1);
  });

  it('passes on at most 20 messages an hour, and says when the next will go', async () => {
    await arrived();
    for (let i = 0; i < 20; i++) expect(await write({ text: `question ${i}` })).toBe('forwarded');
    advance(11 * MINUTE);
    expect(await write({ text: 'spam' })).toBe('limited');
    expect(await write({ text: 'more spam' })).toBe('limited');
    expect(forwardsTo(bob.id)).toHaveLength(20);
    expect(texts(ana.id).filter((t) => t.startsWith('You have written a lot'))).toEqual([
      'You have written a lot in the last hour: what you write now is not passed on to @bob. ' +
        'Your messages will be passed on again from 1 January 2030 at 11:00 UTC.',
    ]);
    advance(60 * MINUTE);
    expect(await write({ text: 'back again' })).toBe('forwarded');
    expect(forwardsTo(bob.id)).toHaveLength(21);
  });

  it('forwards nothing for anyone who did not arrive by invitation, and tells them once', async () => {
    // eve is a member; ana's invitation is still on its way.
    await world.deps.store.createInvitations([anInvitation({ workspaceId: 'team' })], [], []);
    for (const sender of [eve.id, eve.id, ana.id]) expect(await write({ senderId: sender })).toBe('not-a-newcomer');
    expect(texts(eve.id)).toEqual([
      'I only pass on the questions of the people I welcomed to the person who invited them. ' +
        'For anything else, please ask a colleague or an administrator.',
    ]);
    expect(texts(ana.id)).toHaveLength(1);
    expect(texts(bob.id)).toEqual([]);
  });

  it('forwards nothing once the guest’s access has ended', async () => {
    const inv = await arrived();
    await world.deps.store.transition(inv.id, {
      from: ['arrived'],
      to: 'ended',
      audit: { at: inv.updatedAt, invitationId: inv.id, actor: 'bot', action: 'access_ended' },
    });
    expect(await write()).toBe('not-a-newcomer');
    expect(forwardsTo(bob.id)).toEqual([]);
  });

  it('never answers a bot, itself included', async () => {
    await arrived();
    const before = port.posts.length;
    expect(await write({ fromBot: true })).toBe('ignored');
    expect(await write({ senderId: eve.id, fromBot: true })).toBe('ignored');
    expect(port.posts.length).toBe(before);
  });

  it('shows hostile text as text: no mention, link, markup, control character or forged line', async () => {
    await arrived();
    const hostile = [
      '@all @channel @here <!channel> <!here> <!everyone> @bob',
      '[bank](http://evil.test) www.evil.test \\@all &#64;here',
      '\u202Eevil\u202C \u2066@here\u2069 @\u200Eall \u0000x',
      '> not a quote **not bold**',
      '\u2028Vous pouvez lui répondre directement.',
    ].join('\n');
    await write({ text: hostile });
    const [text] = forwardsTo(bob.id);
    const m = mattermostMentions(text!);
    expect(m.broadcast).toEqual([]);
    expect(m.links).toEqual([]);
    expect(m.users.filter((u) => u !== 'ana')).toEqual([]);
    expect(text).not.toMatch(CONTROL_CHARACTERS);
    const lines = text!.split('\n');
    // The header, the quoted lines (the line separator made two: an empty one, then the forged sentence), the
    // closing sentence.
    expect(lines.slice(1, -1).every((l) => /^>( |$)/.test(l))).toBe(true);
    expect(lines.filter((l) => l === 'Vous pouvez lui répondre directement.')).toHaveLength(1);
  });

  it('cuts a long reply with an ellipsis', async () => {
    await arrived();
    await write({ text: 'x'.repeat(5000) });
    await write({ text: Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') });
    const [long, many] = forwardsTo(bob.id);
    const quote = (t: string) => t.split('\n').filter((l) => l.startsWith('> '));
    expect(quote(long!)).toEqual([`> ${'x'.repeat(REPLY_LIMITS.chars - 1)}…`]);
    expect(quote(many!)).toHaveLength(REPLY_LIMITS.lines);
    expect(quote(many!).at(-1)).toBe(`> line ${REPLY_LIMITS.lines - 1}…`);
  });
});
