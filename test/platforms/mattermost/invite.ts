/** Inviting through the two-step wizard of a Mattermost 11.1 fake, and reading what the bot wrote to a user. */
import type { FakeUser } from '../../fakes/mattermostFake.js';
import type { Harness } from './harness.js';

/** Invites `emails` as `user`; `drain: false` leaves the jobs it queued waiting in the outbox. */
export async function invite(
  h: Harness,
  user: FakeUser,
  step2: Record<string, unknown>,
  emails = 'ana@example.org',
  o = { drain: true },
) {
  await h.command(user);
  const flow = h.fake.dialogFlow(h.fake.dialogsOpened.at(-1)!, {
    userId: user.id,
    channelId: h.general.id,
    teamId: h.team.id,
  });
  await flow.submit({ emails, role: 'collaborator' });
  const res = await flow.submit({ channels: [h.general.id], expiry: '7', ...step2 });
  if (o.drain) await h.app.outbox.drain();
  return Object.assign(res, { flow });
}

/** The bot's direct messages to `userId`, oldest first. */
export function dmTo(h: Harness, userId: string): string[] {
  return h.fake.postsIn(h.fake.directChannelId(h.bot.id, userId)).map((p) => p.message);
}

/** Counts the scheduled passes of `name` (e.g. 'lifecycle') that have finished, to wait for the next ones. */
export function countPasses(
  h: { app: { store: { exclusive: <T>(name: string, work: () => Promise<T>) => Promise<T | undefined> } } },
  name: string,
) {
  const store = h.app.store;
  const exclusive = store.exclusive.bind(store);
  let done = 0;
  store.exclusive = async (n, work) => {
    const result = await exclusive(n, work);
    if (n === name) done++;
    return result;
  };
  return () => done;
}
