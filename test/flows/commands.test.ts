/** What each word after the slash command does, through the in-memory port: the same for every platform, only
 * where `bulk` goes differs (the bot's web page, one form in the chat, or the usual wizard). */
import { beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/core/userInput.js';
import type { CommandOptions } from '../../src/flows/commands.js';
import { createFlows } from '../../src/flows/flows.js';
import { type MemoryPort, memoryWorld } from '../support/memoryPort.js';

let world: Awaited<ReturnType<typeof memoryWorld>>;
let port: MemoryPort;
const member = { id: 'u-member', username: 'mia', email: 'mia@acme.test', level: 'member' as const };
const guest = { id: 'u-guest', username: 'gus', email: 'gus@acme.test', level: 'guest' as const };

beforeEach(async () => {
  world = await memoryWorld();
  port = world.port;
  port.add({ ...member, channels: ['dev'] });
  port.add(guest);
});

const offers: { draftId: string; userId: string; why: string }[] = [];
function commands(opts: Partial<CommandOptions> = {}) {
  const pageOffer = (o: (typeof offers)[number]) => (offers.push(o), `page for ${o.why}`);
  return createFlows(world.deps, port, {
    trigger: 'invite-people',
    invitesPerHour: { member: 20, admin: 1000 },
    pageOffer,
    ...opts,
  }).commands;
}
const run = (text: string, user: { id: string; username: string } = member, opts?: Partial<CommandOptions>) =>
  commands(opts).run({ workspaceId: 'team', channelId: 'dev', user, trigger: 't1', text });

describe('the command flow', () => {
  it('answers help at once, naming bulk only where the platform has somewhere to put it', async () => {
    expect(await commands().help('help', member.id)).not.toMatch(/bulk/);
    expect(await commands({ bulk: 'page' }).help('help', member.id)).toMatch(/invite-people bulk/);
    expect(await commands().help('list', member.id)).toBeUndefined();
    expect(await run('what now')).toEqual({ kind: 'text', text: expect.stringMatching(/did not understand/) });
    expect(port.forms).toEqual([]);
  });

  it('opens the wizard, prefilled with the addresses typed after the command', async () => {
    expect(await run('ana@example.org')).toEqual({ kind: 'opened' });
    const form = port.forms[0]!.form;
    expect(form.kind === 'wizard' && form.steps[0]!.fields.find((f) => f.name === 'emails')).toMatchObject({
      default: 'ana@example.org',
    });
  });

  it('lists the caller’s invitations', async () => {
    expect(await run('list 2')).toEqual({ kind: 'list', list: expect.objectContaining({ entries: [] }) });
  });

  it('offers the web page for bulk, with a draft that the page can read, and none for a guest', async () => {
    expect(await run('bulk', member, { bulk: 'page' })).toEqual({ kind: 'text', text: 'page for bulk' });
    const { draftId } = offers.at(-1)!;
    expect((await world.deps.store.getDraft(draftId))?.userId).toBe(member.id);
    expect(port.forms).toEqual([]);

    const before = offers.length;
    expect(await run('bulk', guest, { bulk: 'page' })).toEqual({
      kind: 'text',
      text: expect.stringMatching(/Guests .*cannot invite/),
    });
    expect(offers.length).toBe(before);
  });

  it('opens the whole wizard as one form for bulk where there is no page, its address field sized for it', async () => {
    expect(await run('bulk', member, { bulk: 'form' })).toEqual({ kind: 'opened' });
    const form = port.forms[0]!.form;
    if (form.kind !== 'wizard') throw new Error('no wizard opened');
    expect(form.steps.map((s) => s.id)).toEqual(['who', 'access']);
    expect(form.steps[0]!.fields.find((f) => f.name === 'emails')).toMatchObject({ maxLength: LIMITS.emails });
  });

  it('opens the usual wizard for bulk where the platform’s forms take as many addresses', async () => {
    expect(await run('bulk')).toEqual({ kind: 'opened' });
    const form = port.forms[0]!.form;
    expect(form.kind === 'wizard' && form.steps.map((s) => s.id)).toEqual(['who']);
  });
});
