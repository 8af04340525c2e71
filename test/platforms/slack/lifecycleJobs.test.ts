/** The lifecycle's jobs on Slack: expiry tells the inviter and updates the request, waiting requests are
 * digested for the approvers, and every job kind the core schedules for Slack has a handler. */
import { afterEach, describe, expect, it } from 'vitest';
import { JOB, jobKind } from '../../../src/actions/jobs.js';
import { runLifecycle } from '../../../src/jobs/lifecycle.js';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('lifecycle jobs on Slack', () => {
  it(
    'digests a request waiting over a day, then expires ' + 'it: the request shows it and the inviter is told',
    async () => {
      h = await startSlackHarness();
      await h.command(h.member);
      await eventually(() => h!.fake.viewsOpened.length);
      const { view } = await h.submitView(h.member, h.lastView(), { emails: 'gus@example.org', role: 'collaborator' });
      await h.submitView(h.member, view, { channels: ['CGENERAL'], expiry: '3' });
      await h.app.outbox.drain();

      const inTwoDays = new Date(Date.now() + 2 * 86400_000);
      await runLifecycle({ store: h.app.store, clock: { now: () => inTwoDays } });
      await h.app.outbox.drain();
      expect(h.fake.postsIn('CAPPROVE').at(-1)!.text).toMatch(
        /1 invitation request has waited more than a day[\s\S]*gus@example\.org/,
      );

      const inFourDays = new Date(Date.now() + 4 * 86400_000);
      await runLifecycle({ store: h.app.store, clock: { now: () => inFourDays } });
      await h.app.outbox.drain();
      expect((await h.app.store.listInvitations({}))[0]!.state).toBe('expired');
      expect(h.fake.postsIn('CAPPROVE')[0]!.text).toMatch(/now expired/);
      expect(h.fake.postsIn('DUALICE').at(-1)!.text).toMatch(/expired before it was accepted/);
      expect(await h.app.store.jobs({ state: 'pending' })).toEqual([]);
    },
  );

  it('has a handler for every job kind the core and the lifecycle schedule', async () => {
    h = await startSlackHarness();
    // Rights are kChat's.
    const kinds = Object.values(JOB)
      .filter((what) => what !== JOB.grantRight)
      .map((what) => jobKind('slack', what));
    const registered = (h.app.outbox as unknown as { handlers: Map<string, unknown> }).handlers;
    expect(kinds.filter((k) => !registered.has(k))).toEqual([]);
  });
});
