/** Bursts of simultaneous wizard submissions, through the real endpoints, on each store: an address is invited
 * once, and an inviter gets no more than the hourly limit. */
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_URL, dropSchema, freshSchema, skipWithoutPostgres } from '../../support/postgres.js';
import { type Harness, startHarness } from './harness.js';

const noPostgres = await skipWithoutPostgres('the PostgreSQL bursts');

let h: Harness | undefined;
let schema: string | undefined;
afterEach(async () => {
  await h?.close();
  if (schema) await dropSchema(schema);
  h = schema = undefined;
});

/** Opens `emails.length` wizards as the administrator, then submits all their last steps at once. */
async function burst(emails: string[]) {
  const flows = [];
  for (const email of emails) {
    await h!.command(h!.admin);
    const flow = h!.fake.dialogFlow(h!.fake.dialogsOpened.at(-1)!, {
      userId: h!.admin.id,
      channelId: h!.general.id,
      teamId: h!.team.id,
    });
    await flow.submit({ emails: email, role: 'collaborator' });
    flows.push(flow);
  }
  const answers = await Promise.all(
    flows.map((f) => f.submit({ channels: [h!.general.id], delivery: 'platform_email', expiry: '7' })),
  );
  await h!.app.outbox.drain();
  return answers.map((a) => a.body as Record<string, unknown>);
}

const stores = [
  { name: 'lowdb', skip: false, env: (): Record<string, string> => ({}) },
  {
    name: 'PostgreSQL',
    skip: noPostgres,
    env: () => ({ DATABASE_URL, DATABASE_SCHEMA: (schema = freshSchema('gl_burst')) }),
  },
];

for (const store of stores) {
  describe.skipIf(store.skip)(`simultaneous submissions on ${store.name}`, () => {
    it('invite an address once, with one delivery, when ten arrive for it at once', async () => {
      h = await startHarness({ env: store.env() });
      const answers = await burst(Array(10).fill('ana@example.org'));
      expect(answers.every((a) => !('errors' in a))).toBe(true);
      expect(await h.app.store.listInvitations({ email: 'ana@example.org' })).toHaveLength(1);
      expect(h.fake.invitesSent.filter((i) => i.emails.includes('ana@example.org'))).toHaveLength(1);
    });

    it('hold an inviter limited to five an hour to five when eight arrive at once', async () => {
      // The inviter is an administrator: theirs is the administrators' limit.
      h = await startHarness({ env: { ...store.env(), ADMIN_INVITES_PER_HOUR: '5' } });
      const answers = await burst(Array.from({ length: 8 }, (_, n) => `guest${n}@example.org`));
      expect(answers.filter((a) => /5 invitations an hour and have 0 left/.test(String(a.error)))).toHaveLength(3);
      expect(await h.app.store.listInvitations({ inviterId: h.admin.id })).toHaveLength(5);
      expect(h.fake.invitesSent.flatMap((i) => i.emails)).toHaveLength(5);
    });
  });
}
