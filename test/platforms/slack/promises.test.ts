/** The same rules as on Mattermost, on Slack: four eyes, the hourly limit, addresses already invited or with an
 * account; an arrival first seen through member_joined_channel; the pending list's ten a page. */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';
import { dms, invite } from './invite.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const viewText = (answer: any) => JSON.stringify(answer);

describe('the rules on Slack', () => {
  it(
    'keeps four eyes: an inviter made admin cannot approve ' + 'their own request while another approver exists',
    async () => {
      h = await startSlackHarness();
      await invite(h, h.member, 'eve@example.org', { delivery: 'link' });
      const [request] = h.fake.postsIn('CAPPROVE');
      h.fake.users.get(h.member.id)!.is_admin = true;
      await h.click(h.member, request!, 'approval.approve');
      await eventually(() => h!.fake.responses.find((r) => /cannot approve your own invitation/.test(r.body.text)));
      expect((await h.app.store.listInvitations({}))[0]!.state).toBe('pending_approval');
      await h.click(h.admin, request!, 'approval.approve');
      await eventually(async () => (await h!.app.store.listInvitations({}))[0]!.state === 'sending');
    },
  );

  it('stops an inviter at the hourly limit with a clear message', async () => {
    h = await startSlackHarness({ env: { INVITES_PER_HOUR: '2' } });
    const answer = await invite(h, h.member, 'a@example.org, b@example.org, c@example.org', { delivery: 'link' });
    expect(viewText(answer)).toMatch(/2 invitations an hour and have 2 left/);
    expect(await h.app.store.listInvitations({})).toEqual([]);
  });

  it('reports an address that has an account or a pending invitation instead of inviting it twice', async () => {
    h = await startSlackHarness();
    await invite(h, h.member, 'ana@example.org', { delivery: 'link' });
    const answer = await invite(h, h.member, 'ANA@example.org, alice@acme.test, zoe@example.org', { delivery: 'link' });
    expect((await h.app.store.listInvitations({})).map((i) => i.email).sort()).toEqual([
      'ana@example.org',
      'zoe@example.org',
    ]);
    expect(viewText(answer)).toMatch(/ana@example.org already has a pending invitation/);
    expect(viewText(answer)).toMatch(/alice@acme.test already has an account/);
  });
});

describe('arrival on Slack', () => {
  it('is first seen through member_joined_channel: added, announced and told once', async () => {
    h = await startSlackHarness();
    await invite(h, h.admin, 'ana@example.org', { delivery: 'link' });
    h.fake.addUser({ id: 'UANA', name: 'ana', email: 'ana@example.org' });
    h.fake.channels.get('CGENERAL')!.members.add('UANA');
    expect(
      await h.event({
        type: 'member_joined_channel',
        user: 'UANA',
        channel: 'CGENERAL',
        channel_type: 'C',
        team: h.fake.team.id,
      }),
    ).toBe(200);
    await eventually(async () => (await h!.app.store.listInvitations({}))[0]!.state === 'arrived');
    await h.app.outbox.drain();
    expect(h.fake.postsIn('CGENERAL').filter((p) => /<@UANA>/.test(p.text))).toHaveLength(1);
    expect(dms(h, h.admin.id).filter((m) => /accepted your invitation/.test(m))).toHaveLength(1);
  });
});

describe('/invite-people list on Slack', () => {
  it('shows ten invitations a page and points to the next page', async () => {
    h = await startSlackHarness({ env: { INVITES_PER_HOUR: '100' } });
    const emails = Array.from({ length: 12 }, (_, i) => `guest${String(i).padStart(2, '0')}@example.org`);
    await invite(h, h.admin, emails.join('\n'), { delivery: 'link' });
    const page = async (text: string) => {
      const before = h!.fake.responses.length;
      await h!.command(h!.admin, text);
      const answer = await eventually(() =>
        h!.fake.responses.slice(before).find((r) => r.path === `/commands/${h!.admin.id}`),
      );
      return answer.body as { text: string; blocks: { type: string }[] };
    };
    const first = await page('list');
    expect(first.blocks.filter((b) => b.type === 'section')).toHaveLength(10 + 1);
    expect(JSON.stringify(first)).toMatch(/More: `\/invite-people list 2`/);
    const second = await page('list 2');
    expect(second.blocks.filter((b) => b.type === 'section')).toHaveLength(2 + 1);
  });
});
