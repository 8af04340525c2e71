/** A data directory that cannot be written: the submission is refused, /readyz says so, and nothing of it is kept,
 * shown or delivered once the disk is back, nor after a restart. Writes fail the way root cannot ignore: the
 * store's journal is replaced by a directory. */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { blockStoreWrites } from '../../support/storeFaults.js';
import { type Harness, startHarness } from './harness.js';
import { invite } from './invite.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('when the data file cannot be written', () => {
  it('refuses the submission, answers 503 on /readyz until ' +
    'the disk is back, and never sends the invitation', async () => {
    h = await startHarness();
    const ready = async () => (await fetch(`${h!.url}/readyz`)).status;
    await eventually(async () => (await ready()) === 200); // the WebSocket is connected

    await h.command(h.admin);
    const flow = h.fake.dialogFlow(h.fake.dialogsOpened.at(-1)!, {
      userId: h.admin.id,
      channelId: h.general.id,
      teamId: h.team.id,
    });
    await flow.submit({ emails: 'ana@example.org', role: 'collaborator' });
    await h.app.store.deleteDraft('none'); // the first step's draft is on disk before the disk fails
    const unblock = await blockStoreWrites(h.dataDir);
    const refused = await flow.submit({ channels: [h.general.id], expiry: '7', delivery: 'platform_email' });
    expect(refused.body).toMatchObject({ error: expect.stringContaining('nothing was saved') });
    expect(await ready()).toBe(503);

    await unblock();
    expect(await ready()).toBe(200);
    await h.app.outbox.drain();
    expect(await h.app.store.listInvitations({ email: 'ana@example.org' })).toEqual([]);
    await h.restart();
    await h.app.outbox.drain();
    expect(await h.app.store.listInvitations({})).toEqual([]);
    expect(h.fake.invitesSent).toEqual([]);

    // And the bot works again.
    await invite(h, h.admin, { delivery: 'platform_email' }, 'bo@example.org');
    expect(h.fake.invitesSent).toHaveLength(1);
  }, 30_000);
});
