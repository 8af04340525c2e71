/** Inviting through the Slack modal's two views, and reading the bot's direct messages. */
import type { FakeSlackUser } from '../../fakes/slackFake.js';
import { eventually } from '../../support/freePort.js';
import type { SlackHarness } from './harness.js';

/** Invites `email` as `user`; `drain: false` leaves the jobs it queued waiting in the outbox. */
export async function invite(
  h: SlackHarness,
  user: FakeSlackUser,
  email: string,
  access: Record<string, unknown>,
  o = { drain: true },
): Promise<any> {
  const opened = h.fake.viewsOpened.length;
  await h.command(user);
  await eventually(() => h.fake.viewsOpened.length > opened);
  const { view } = await h.submitView(user, h.lastView(), { emails: email, role: 'collaborator' });
  const done = await h.submitView(user, view, { channels: ['CGENERAL'], expiry: '7', ...access });
  if (o.drain) await h.app.outbox.drain();
  return done;
}

export const dms = (h: SlackHarness, userId: string) => h.fake.postsIn(h.fake.dmChannelOf(userId)).map((p) => p.text);
