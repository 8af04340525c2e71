/** The shared table of core scenarios (test/scenarios/cases.ts), run through the Slack adapter on Enterprise Grid
 * (where external guests exist). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseName, SCENARIO_CASES, type ScenarioCase, type ScenarioResult } from '../../scenarios/cases.js';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({ grid: true });
});
afterAll(() => h.close());

async function run(c: ScenarioCase, email: string): Promise<ScenarioResult> {
  const user = { guest: h.guest, member: h.member, admin: h.admin }[c.inviter];
  const [views, responses] = [h.fake.viewsOpened.length, h.fake.responses.length];
  await h.command(user);
  await eventually(() => h.fake.viewsOpened.length > views || h.fake.responses.length > responses);
  if (h.fake.responses.length > responses) return { outcome: 'refused', reason: h.fake.responses.at(-1)!.body.text };
  const who = await h.submitView(user, h.lastView(), { emails: email, role: c.role });
  if (who.response_action === 'errors') return { outcome: 'refused', reason: Object.values(who.errors).join(' ') };
  const access = await h.submitView(user, who.view, {
    channels: ['CGENERAL'],
    delivery: 'platform_email',
    expiry: '7',
  });
  if (access.response_action === 'errors')
    return { outcome: 'refused', reason: Object.values(access.errors).join(' ') };
  const [inv] = await h.app.store.listInvitations({ email });
  if (!inv) return { outcome: 'refused', reason: JSON.stringify(access.view.blocks) };
  return { outcome: inv.state === 'pending_approval' ? 'approval' : 'immediate' };
}

describe('core scenarios on Slack', () => {
  SCENARIO_CASES.forEach((c, i) => {
    it(caseName(c), async () => {
      const result = await run(c, `slack-case-${i}@example.org`);
      expect(result.outcome).toBe(c.outcome);
      if (c.reason) expect(result.reason).toMatch(c.reason);
    });
  });
});
