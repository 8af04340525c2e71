/** A process for test/scale/compactionCrash.test.ts: opens the embedded store in DATA_DIR with a small compaction
 * threshold, seeds SEED invitations, prints "ready", then creates one invitation at a time for ever, printing
 * "ack <id>" once each is acknowledged. The test kills it in the middle of a compaction. */
import { LowdbStore } from '../../src/store/lowdbStore.js';
import { anInvitation } from './invitationFixture.js';

const invitation = (id: string, at: string) =>
  anInvitation({ id, email: `${id}@example.org`, createdAt: at, updatedAt: at });

const store = await LowdbStore.open(process.env.DATA_DIR!, 'guestlist.json', 30, { compactBytes: 256 * 1024 });
const seed = Number(process.env.SEED ?? 0);
const at = new Date().toISOString();
for (let i = 0; i < seed; i += 2000) {
  const batch = Array.from({ length: Math.min(2000, seed - i) }, (_, j) => invitation(`seed${i + j}`, at));
  await store.createInvitations(batch, [], []);
}
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  const id = `live${n}`;
  await store.createInvitations([invitation(id, at)], [{ at, invitationId: id, actor: 'u', action: 'created' }], []);
  process.stdout.write(`ack ${id}\n`);
}
