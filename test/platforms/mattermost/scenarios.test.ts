/** The shared table of core scenarios (test/scenarios/cases.ts), run through the Mattermost adapter (a server
 * with guest accounts, multi-step dialogs). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseName, SCENARIO_CASES, type ScenarioCase, type ScenarioResult } from '../../scenarios/cases.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const errorsOf = (body: any): string | undefined => (body?.errors ? Object.values(body.errors).join(' ') : body?.error);

async function run(c: ScenarioCase, email: string): Promise<ScenarioResult> {
  const user = { guest: h.guest, member: h.member, admin: h.admin }[c.inviter];
  const opened = h.fake.dialogsOpened.length;
  const cmd = await h.command(user);
  if (h.fake.dialogsOpened.length === opened) return { outcome: 'refused', reason: cmd.body.text };
  const flow = h.fake.dialogFlow(h.fake.dialogsOpened.at(-1)!, {
    userId: user.id,
    channelId: h.general.id,
    teamId: h.team.id,
  });
  const who = await flow.submit({ emails: email, role: c.role });
  if (errorsOf(who.body)) return { outcome: 'refused', reason: errorsOf(who.body) };
  const access = await flow.submit({ channels: [h.general.id], delivery: 'platform_email', expiry: '7' });
  if (errorsOf(access.body)) return { outcome: 'refused', reason: errorsOf(access.body) };
  const [inv] = await h.app.store.listInvitations({ email });
  return { outcome: inv!.state === 'pending_approval' ? 'approval' : 'immediate' };
}

describe('core scenarios on Mattermost', () => {
  SCENARIO_CASES.forEach((c, i) => {
    it(caseName(c), async () => {
      const result = await run(c, `mm-case-${i}@example.org`);
      expect(result.outcome).toBe(c.outcome);
      if (c.reason) expect(result.reason).toMatch(c.reason);
    });
  });
});
