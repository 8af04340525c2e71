/** The whole Slack flow through the bot's real /slack/events endpoint with signed requests, Slack's Web API
 * answered by nock: command, modal steps, approval, link delivery, acceptance page, team_join, announcement. */
import { afterEach, describe, expect, it } from 'vitest';
import { METHOD_SCOPES } from '../../../src/platforms/slack/scopes.js';
import { eventually } from '../../support/freePort.js';
import { movableClock } from '../../support/linkChannels.js';
import { type SlackHarness, startSlackHarness } from './harness.js';
import { JOIN_URL } from './signedRequest.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const dms = (userId: string) => h!.fake.postsIn(h!.fake.dmChannelOf(userId)).map((p) => p.text);
const invitations = () => h!.app.store.listInvitations({ platform: 'slack' });

describe('a member invites someone on a Slack workspace (no Enterprise Grid)', () => {
  it('goes from the command to the announcement of the arrival, once', async () => {
    h = await startSlackHarness();
    const cmd = await h.command(h.member);
    expect(cmd).toEqual({ status: 200, text: '' });
    await eventually(() => h!.fake.viewsOpened.length);
    const who = h.lastView();
    expect(who.callback_id).toBe('invite-who');
    expect(who.blocks.filter((b: any) => b.type === 'input').map((b: any) => b.block_id)).toEqual([
      'emails',
      'name',
      'role',
    ]);
    // Only what a member may grant and Slack can apply; the rest is explained.
    expect(who.blocks.find((b: any) => b.block_id === 'role').element.options.map((o: any) => o.value)).toEqual([
      'collaborator',
    ]);
    expect(who.blocks[0].text.text).toMatch(/External guest: only Enterprise Grid/);
    // The view carries a signed draft id, nothing else.
    expect(who.private_metadata).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(Buffer.from(who.private_metadata.split('.')[0], 'base64url').toString()).not.toMatch(/alice|@/);

    const bad = await h.submitView(h.member, who, { emails: 'not an address', role: 'collaborator' });
    expect(bad).toEqual({
      response_action: 'errors',
      errors: { emails: expect.stringMatching(/Not an email address/) },
    });

    const step2 = await h.submitView(h.member, who, {
      emails: ' Ana@Example.ORG ',
      name: '<!channel> *Ana* http://evil.example',
      role: 'collaborator',
    });
    expect(step2.response_action).toBe('update');
    const access = step2.view;
    expect(access.callback_id).toBe('invite-access');
    const channels = access.blocks.find((b: any) => b.block_id === 'channels').element;
    expect(channels).toMatchObject({ type: 'multi_conversations_select', initial_conversations: ['CGENERAL'] });
    expect(access.blocks.find((b: any) => b.block_id === 'delivery').element.options.map((o: any) => o.value)).toEqual([
      'link',
    ]);

    // A channel the member is not in is refused on its block, checked with Slack at submit time.
    const foreign = await h.submitView(h.member, access, { channels: ['CSECRET'] });
    expect(foreign).toEqual({
      response_action: 'errors',
      errors: { channels: expect.stringMatching(/channels you are a member of/) },
    });

    const done = await h.submitView(h.member, access, { channels: ['CGENERAL'], delivery: 'link', expiry: '7' });
    expect(done.response_action).toBe('update');
    expect(done.view.blocks[0].text.text).toMatch(/waiting for an administrator/);
    const [inv] = await invitations();
    expect(inv).toMatchObject({
      email: 'ana@example.org',
      state: 'pending_approval',
      role: 'collaborator',
      channelIds: ['CGENERAL'],
      inviter: { id: 'UALICE' },
    });

    // The approval request: escaped, with buttons carrying the invitation id only.
    await h.app.outbox.drain();
    const [request] = h.fake.postsIn('CAPPROVE');
    expect(request!.text).toContain('&lt;!channel&gt;');
    expect(request!.text).not.toMatch(/<!channel>|http:\/\//);
    expect(JSON.stringify(request!.blocks)).toContain(`"value":"${inv!.id}"`);

    // A member's click is refused (told through the response URL); an admin's decides.
    expect(await h.click(h.member, request!, 'approval.approve')).toBe(200);
    await eventually(() => h!.fake.responses.find((r) => /admins and owners/.test(r.body.text)));
    expect((await h.app.store.getInvitation(inv!.id))!.state).toBe('pending_approval');
    expect(await h.click(h.admin, request!, 'approval.approve')).toBe(200);
    await eventually(async () => (await h!.app.store.getInvitation(inv!.id))!.state === 'sending');

    await h.app.outbox.drain();
    const updated = h.fake.postsIn('CAPPROVE')[0]!;
    expect(updated.text).toMatch(/Approved by <@UADMIN>/);
    expect(JSON.stringify(updated.blocks)).not.toContain('"actions"');
    expect((await h.app.store.getInvitation(inv!.id))!.state).toBe('sent');
    const toInviter = dms('UALICE').join('\n');
    expect(toInviter).toMatch(/approved by <@UADMIN>/);
    const link = /http:\/\/127\.0\.0\.1:\d+\/join\/[\w-]{43}/.exec(toInviter)![0];

    // The acceptance page shows the invitation and sends the invitee to the workspace's join link.
    const page = await (await fetch(link)).text();
    expect(page).toContain('ana@example.org');
    expect(page).toContain(`href="${JOIN_URL}"`);
    expect(page).not.toContain('name="password"');

    // The invitee joins the workspace: team_join (with the email) is the arrival.
    h.fake.addUser({ id: 'UANA', name: 'ana', real_name: 'Ana <!here>', email: 'ana@example.org' });
    expect(
      await h.event({
        type: 'team_join',
        user: { id: 'UANA', team_id: h.fake.team.id, name: 'ana', profile: { email: 'ana@example.org' } },
      }),
    ).toBe(200);
    await eventually(async () => (await h!.app.store.getInvitation(inv!.id))!.state === 'arrived');
    await h.app.outbox.drain();
    expect(h.fake.channels.get('CGENERAL')!.members.has('UANA')).toBe(true);
    const announcements = h.fake.postsIn('CGENERAL');
    expect(announcements).toHaveLength(1);
    expect(announcements[0]!.text).toMatch(/Please welcome Ana &lt;!here&gt; <@UANA>.*<@UALICE>/);
    expect(dms('UALICE').at(-1)).toMatch(/accepted your invitation and is now here as <@UANA>/);

    // The same arrival seen again (member_joined_channel, reconciliation) changes nothing.
    expect(
      await h.event({
        type: 'member_joined_channel',
        user: 'UANA',
        channel: 'CGENERAL',
        channel_type: 'C',
        team: h.fake.team.id,
      }),
    ).toBe(200);
    expect(await h.app.slack!.arrivals.reconcile()).toBe(0);
    await h.app.outbox.drain();
    expect(h.fake.postsIn('CGENERAL')).toHaveLength(1);
    expect((await h.app.store.auditTrail(inv!.id)).map((a) => a.action)).toEqual([
      'created',
      'approve',
      'link_issued',
      'delivered',
      // The invitee opened the acceptance page once.
      'link_opened',
      'arrived',
    ]);

    // Every Web API method the bot called is one whose scopes the manifest test checks.
    expect(h.fake.calls.map((c) => c.method).filter((m) => !(m in METHOD_SCOPES))).toEqual([]);
  });

  it('asks for a reason on Deny, shows it on the request and tells the inviter', async () => {
    h = await startSlackHarness();
    await h.command(h.member, 'cleo@example.org');
    await eventually(() => h!.fake.viewsOpened.length);
    expect(h.lastView().blocks.find((b: any) => b.block_id === 'emails').element.initial_value).toBe(
      'cleo@example.org',
    );
    const { view } = await h.submitView(h.member, h.lastView(), { role: 'collaborator' });
    await h.submitView(h.member, view, { channels: ['CGENERAL'] });
    await h.app.outbox.drain();
    const request = h.fake.postsIn('CAPPROVE')[0]!;

    expect(await h.click(h.admin2, request, 'approval.deny')).toBe(200);
    await eventually(() => h!.fake.viewsOpened.length === 2);
    const reasonView = h.lastView();
    expect(reasonView.callback_id).toBe('deny-reason');
    expect(await h.submitView(h.admin2, reasonView, { reason: 'Not now <@UADMIN>' })).toEqual({});
    const [inv] = await invitations();
    expect(inv!.state).toBe('denied');
    // A replayed Deny changes nothing, and the form is its clicker's only.
    expect(await h.submitView(h.admin2, reasonView, { reason: 'again' })).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringMatching(/already decided/) },
    });
    expect(await h.submitView(h.admin, reasonView, { reason: 'again' })).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringMatching(/expired/) },
    });

    await h.app.outbox.drain();
    expect(h.fake.postsIn('CAPPROVE')[0]!.text).toMatch(/Denied by <@UCARLA> .*: Not now &lt;@\u200DUADMIN&gt;/);
    expect(dms('UALICE').join('\n')).toMatch(/was denied by <@UCARLA>: Not now/);
  });

  it('lets an admin invite at once, and answers help and list without the modal', async () => {
    h = await startSlackHarness();
    const help = await h.command(h.admin, 'help');
    expect(JSON.parse(help.text)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/invite-people list/),
    });
    await h.command(h.admin);
    await eventually(() => h!.fake.viewsOpened.length);
    const { view } = await h.submitView(h.admin, h.lastView(), { emails: 'dan@example.org', role: 'collaborator' });
    const done = await h.submitView(h.admin, view, { channels: ['CGENERAL', 'CSECRET'] });
    expect(done.view.blocks[0].text.text).toMatch(/on its way/);
    expect((await invitations())[0]).toMatchObject({ state: 'sending', channelIds: ['CGENERAL', 'CSECRET'] });
    await h.command(h.admin, 'list');
    await eventually(() => h!.fake.responses.find((r) => /dan@example\.org/.test(r.body.text)));
  });

  it('asks each admin and owner by DM when no approval channel is set, and updates every DM', async () => {
    h = await startSlackHarness({ env: { SLACK_APPROVAL_CHANNEL: '' } });
    await h.command(h.member);
    await eventually(() => h!.fake.viewsOpened.length);
    const { view } = await h.submitView(h.member, h.lastView(), { emails: 'fay@example.org', role: 'collaborator' });
    await h.submitView(h.member, view, { channels: ['CGENERAL'] });
    await h.app.outbox.drain();
    const [toAdmin, toOwner] = [h.fake.postsIn('DUADMIN'), h.fake.postsIn('DUCARLA')];
    expect([toAdmin.length, toOwner.length, h.fake.postsIn('DUALICE').length]).toEqual([1, 1, 0]);
    await h.click(h.admin2, toOwner[0]!, 'approval.approve');
    await eventually(async () => (await invitations())[0]!.state === 'sending');
    await h.app.outbox.drain();
    for (const post of [...h.fake.postsIn('DUADMIN'), ...h.fake.postsIn('DUCARLA')])
      expect(post.text).toMatch(/Approved by <@UCARLA>/);
  });

  it('leaves rate-limited calls to the outbox, which honours Retry-After', async () => {
    const clock = movableClock();
    h = await startSlackHarness({ app: { clock } });
    await h.command(h.member);
    await eventually(() => h!.fake.viewsOpened.length);
    const { view } = await h.submitView(h.member, h.lastView(), { emails: 'eve@example.org', role: 'collaborator' });
    await h.submitView(h.member, view, { channels: ['CGENERAL'] });
    h.fake.rateLimitNext.set('chat.postMessage', 7);
    await h.app.outbox.drain();
    expect(h.fake.postsIn('CAPPROVE')).toHaveLength(0);
    const [job] = await h.app.store.jobs({ state: 'pending' });
    expect(job).toMatchObject({ kind: 'slack.request-approval', attempts: 1, lastError: 'Slack rate limit' });
    // Not due before the 7 seconds Slack asked for, due after them.
    clock.advance(6000);
    await h.app.outbox.drain();
    expect(h.fake.postsIn('CAPPROVE')).toHaveLength(0);
    clock.advance(1500);
    await h.app.outbox.drain();
    expect(h.fake.postsIn('CAPPROVE')).toHaveLength(1);
  });
});

describe('on Enterprise Grid with an org admin token', () => {
  it('invites an external guest with Slack’s own invitation: channels, guest flag and expiry', async () => {
    h = await startSlackHarness({ grid: true });
    await h.command(h.admin);
    await eventually(() => h!.fake.viewsOpened.length);
    expect(
      h
        .lastView()
        .blocks.find((b: any) => b.block_id === 'role')
        .element.options.map((o: any) => o.value),
    ).toEqual(['external', 'collaborator']);
    const { view } = await h.submitView(h.admin, h.lastView(), { emails: 'gil@partner.example', role: 'external' });
    // A join link would make a full member: guests only get Slack's own invitation.
    expect((await h.submitView(h.admin, view, { channels: ['CGENERAL'], delivery: 'link' })).errors.delivery).toMatch(
      /Invitation email from the chat/,
    );
    await h.submitView(h.admin, view, { channels: ['CGENERAL'], delivery: 'platform_email', expiry: '30' });
    await h.app.outbox.drain();
    const [invite] = h.fake.callsOf('admin.users.invite');
    expect(invite!.token).toBe('Bearer xoxp-org-admin');
    const [inv] = await invitations();
    expect(invite!.args).toMatchObject({
      email: 'gil@partner.example',
      team_id: h.fake.team.id,
      channel_ids: ['CGENERAL'],
      is_restricted: 'true',
      guest_expiration_ts: String(Math.floor(Date.parse(inv!.expiresAt!) / 1000)),
    });
    expect(inv!.state).toBe('sent');
  });
});
