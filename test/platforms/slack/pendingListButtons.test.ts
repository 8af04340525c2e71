/** The pending list's buttons on Slack, through signed block_actions and view_submission requests: which buttons
 * each state and role gets, rights re-checked at click time, revoke killing the link, resend by a chosen method
 * issuing a new link, and button values that were forged or have expired refused. */
import { afterEach, describe, expect, it } from 'vitest';
import { Signer } from '../../../src/security/signing.js';
import type { FakeSlackUser } from '../../fakes/slackFake.js';
import { HOOKS } from '../../fakes/slackNock.js';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';
import { invite as inviteThroughModal } from './invite.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Button = { action_id: string; value: string };
type Row = { email: string; buttons: Button[] };

const linkIn = (text: string) => /http:\/\/127\.0\.0\.1:\d+\/join\/[\w-]{43}/.exec(text)?.[0];
const dms = (userId: string) => h!.fake.postsIn(h!.fake.dmChannelOf(userId)).map((p) => p.text);
const byEmail = async (email: string) => (await h!.app.store.listInvitations({ platform: 'slack', email }))[0]!;

/** Invites `email` through the modal; an admin's invitation goes out at once, a member's waits for approval. */
async function invite(user: FakeSlackUser, email: string): Promise<void> {
  const opened = h!.fake.viewsOpened.length;
  await h!.command(user);
  await eventually(() => h!.fake.viewsOpened.length > opened);
  const { view } = await h!.submitView(user, h!.lastView(), { emails: email, role: 'collaborator' });
  await h!.submitView(user, view, { channels: ['CGENERAL'], delivery: 'link' });
  await h!.app.outbox.drain();
}

/** Runs `list` as `user` and reads each invitation's buttons from the blocks answered through response_url. */
async function list(user: FakeSlackUser): Promise<Row[]> {
  const before = h!.fake.responses.length;
  await h!.command(user, 'list');
  const answer = await eventually(() => h!.fake.responses.slice(before).find((r) => r.path === `/commands/${user.id}`));
  expect(answer.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  const blocks = answer.body.blocks as any[];
  const rows: Row[] = [];
  for (const block of blocks.slice(1)) {
    if (block.type === 'section') rows.push({ email: /\(([^)]+@[^)]+)\)/.exec(block.text.text)![1]!, buttons: [] });
    else if (block.type === 'actions') rows.at(-1)!.buttons = block.elements;
  }
  return rows;
}

const buttonsOf = (rows: Row[], email: string) => rows.find((r) => r.email === email)?.buttons.map((b) => b.action_id);
const button = (rows: Row[], email: string, actionId: string) =>
  rows.find((r) => r.email === email)!.buttons.find((b) => b.action_id === actionId)!;

/** A click on a list button as Slack sends it; returns what the bot told the clicker through response_url. */
async function click(user: FakeSlackUser, actionId: string, value: string): Promise<string | undefined> {
  const before = h!.fake.responses.length;
  const views = h!.fake.viewsOpened.length;
  const payload = {
    type: 'block_actions',
    team: { id: h!.fake.team.id, domain: 'acme' },
    user: { id: user.id, username: user.name, team_id: h!.fake.team.id },
    api_app_id: 'A0GUEST',
    trigger_id: h!.fake.issueTrigger(),
    response_url: `${HOOKS}/actions/${user.id}`,
    container: { type: 'message_attachment', is_ephemeral: true },
    channel: { id: 'CGENERAL' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'gl_list_0', value, action_ts: '1' }],
  };
  const res = await h!.send(
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    'application/x-www-form-urlencoded',
  );
  expect(res.status).toBe(200);
  const answer = () => h!.fake.responses.slice(before).find((r) => r.path === `/actions/${user.id}`);
  // Slack gets the ack first; then an answer comes back through response_url, or a modal opens.
  await eventually(() => answer() || h!.fake.viewsOpened.length > views);
  return answer()?.body.text;
}

describe('the pending list on Slack', () => {
  it('shows each invitation with the buttons its state and the reader’s role allow', async () => {
    h = await startSlackHarness();
    await invite(h.member, 'ana@example.org'); // waits for approval
    await invite(h.admin, 'dan@example.org'); // out, by link
    await invite(h.admin, 'eve@example.org');
    const eve = await byEmail('eve@example.org');
    // Failed, as a dead delivery job leaves it.
    await h.app.store.transition(eve.id, {
      from: ['sent'],
      to: 'failed',
      patch: { lastError: 'SMTP said no' },
      audit: { at: new Date().toISOString(), invitationId: eve.id, actor: 'test', action: 'delivery_failed' },
    });

    const adminRows = await list(h.admin);
    expect(buttonsOf(adminRows, 'ana@example.org')).toEqual(['gl_list_approve', 'gl_list_deny', 'gl_list_revoke']);
    expect(buttonsOf(adminRows, 'dan@example.org')).toEqual(['gl_list_resend', 'gl_list_showlink', 'gl_list_revoke']);
    expect(buttonsOf(adminRows, 'eve@example.org')).toEqual(['gl_list_retry', 'gl_list_revoke']);
    // Values are signed tokens, not bare ids.
    expect(button(adminRows, 'dan@example.org', 'gl_list_revoke').value).toMatch(/^[\w-]+\.[\w-]+$/);

    // A member sees their own invitations only, and no approval buttons.
    const memberRows = await list(h.member);
    expect(memberRows.map((r) => r.email)).toEqual(['ana@example.org']);
    expect(buttonsOf(memberRows, 'ana@example.org')).toEqual(['gl_list_revoke']);

    // Approve from the list goes through the approval flow; Retry sends the failed one again.
    expect(
      await click(h.admin, 'gl_list_approve', button(adminRows, 'ana@example.org', 'gl_list_approve').value),
    ).toMatch(/Approved/);
    expect((await byEmail('ana@example.org')).state).toBe('sending');
    expect(await click(h.member, 'gl_list_retry', button(adminRows, 'eve@example.org', 'gl_list_retry').value)).toMatch(
      /Only the inviter or an administrator/,
    );
    expect(await click(h.admin, 'gl_list_retry', button(adminRows, 'eve@example.org', 'gl_list_retry').value)).toMatch(
      /Retrying/,
    );
    await h.app.outbox.drain();
    expect((await byEmail('eve@example.org')).state).toBe('sent');
    // Clicked again, the same Retry finds nothing to do.
    expect(await click(h.admin, 'gl_list_retry', button(adminRows, 'eve@example.org', 'gl_list_retry').value)).toMatch(
      /no longer failed/,
    );
  });

  it('refuses a member’s Revoke on someone else’s invitation; an admin’s Revoke kills the link', async () => {
    h = await startSlackHarness();
    await invite(h.admin, 'dan@example.org');
    const link = linkIn(dms(h.admin.id).join('\n'))!;
    expect((await fetch(link)).status).toBe(200);
    const revoke = button(await list(h.admin), 'dan@example.org', 'gl_list_revoke');

    // The value is genuine, but the member clicking it is neither the inviter nor an approver (read from Slack now).
    expect(await click(h.member, 'gl_list_revoke', revoke.value)).toMatch(/Only the inviter or an administrator/);
    expect((await byEmail('dan@example.org')).state).toBe('sent');

    expect(await click(h.admin, 'gl_list_revoke', revoke.value)).toMatch(
      /Revoked: the invitation for dan@example\.org/,
    );
    expect((await byEmail('dan@example.org')).state).toBe('revoked');
    expect((await fetch(link)).status).toBe(410);
    expect(await click(h.admin, 'gl_list_revoke', revoke.value)).toMatch(/already revoked/);
  });

  it(
    'revokes a queued delivery and a request: nothing ' + 'goes out, the request shows it, the inviter is told',
    async () => {
      h = await startSlackHarness();
      await invite(h.member, 'ana@example.org'); // waits for approval
      await inviteThroughModal(h, h.admin, 'dan@example.org', { delivery: 'link' }, { drain: false });
      const rows = await list(h.admin);
      for (const email of ['ana@example.org', 'dan@example.org']) {
        expect(await click(h.admin, 'gl_list_revoke', button(rows, email, 'gl_list_revoke').value)).toMatch(/^Revoked/);
      }
      await h.app.outbox.drain();

      expect(await h.app.store.jobs({ state: 'pending' })).toEqual([]);
      expect(dms(h.admin.id)).toEqual([]); // the link was never issued
      const request = h.fake.postsIn('CAPPROVE')[0]!;
      expect(request.text).toMatch(/This invitation is now revoked/);
      expect(JSON.stringify(request.blocks)).not.toContain('"actions"');
      expect(dms(h.member.id).at(-1)).toMatch(/Your invitation for ana \(ana@example\.org\) was revoked by <@UADMIN>/);
    },
  );

  it('resends by link through the method modal: a new link works, the old one stops working', async () => {
    h = await startSlackHarness();
    await invite(h.member, 'ana@example.org');
    const ana = await byEmail('ana@example.org');
    await click(h.admin, 'gl_list_approve', button(await list(h.admin), 'ana@example.org', 'gl_list_approve').value);
    await h.app.outbox.drain();
    const oldLink = linkIn(dms(h.member.id).join('\n'))!;
    expect((await fetch(oldLink)).status).toBe(200);

    // The inviter (a member) may resend their own invitation.
    const views = h.fake.viewsOpened.length;
    expect(
      await click(h.member, 'gl_list_resend', button(await list(h.member), 'ana@example.org', 'gl_list_resend').value),
    ).toBeUndefined();
    await eventually(() => h!.fake.viewsOpened.length > views);
    const modal = h.lastView();
    expect(modal.callback_id).toBe('gl_resend');
    expect(modal.blocks.find((b: any) => b.block_id === 'method').element.options.map((o: any) => o.value)).toEqual([
      'link',
    ]);
    expect(modal.blocks.some((b: any) => b.block_id === 'phone')).toBe(false); // no SMS gateway configured
    // The metadata names the invitation and the user, signed: nobody else can submit it, nor alter it.
    expect(await h.submitView(h.admin, modal)).toEqual({
      response_action: 'errors',
      errors: { method: expect.stringMatching(/expired/) },
    });
    expect(await h.submitView(h.member, { ...modal, private_metadata: `${modal.private_metadata}x` })).toMatchObject({
      response_action: 'errors',
    });
    expect(await h.submitView(h.member, modal, { method: 'sms' })).toEqual({
      response_action: 'errors',
      errors: { method: 'Choose one of the methods offered.' },
    });

    const done = await h.submitView(h.member, modal, { method: 'link' });
    expect(done).toMatchObject({ response_action: 'update', view: { title: { text: 'Resend the invitation' } } });
    await h.app.outbox.drain();
    const newLink = linkIn(dms(h.member.id).at(-1)!)!;
    expect(newLink).not.toBe(oldLink);
    expect((await fetch(newLink)).status).toBe(200);
    expect((await fetch(oldLink)).status).not.toBe(200);
    expect((await h.app.store.auditTrail(ana.id)).map((a) => a.action)).toContain('resend_requested');
    // No link, token or number in the audit details.
    expect(JSON.stringify(await h.app.store.auditTrail(ana.id))).not.toContain(newLink.split('/join/')[1]);
  });

  it('shows the link again to the inviter (a fresh one), and Deny from the list asks for the reason', async () => {
    h = await startSlackHarness();
    await invite(h.admin, 'dan@example.org');
    await invite(h.member, 'ana@example.org');
    const oldLink = linkIn(dms(h.admin.id).join('\n'))!;
    const rows = await list(h.admin);

    expect(await click(h.admin, 'gl_list_showlink', button(rows, 'dan@example.org', 'gl_list_showlink').value)).toMatch(
      /sending the inviter the link/,
    );
    await h.app.outbox.drain();
    const newLink = linkIn(dms(h.admin.id).at(-1)!)!;
    expect(newLink).not.toBe(oldLink);
    expect((await fetch(newLink)).status).toBe(200);
    expect((await fetch(oldLink)).status).not.toBe(200);

    const views = h.fake.viewsOpened.length;
    expect(
      await click(h.admin2, 'gl_list_deny', button(rows, 'ana@example.org', 'gl_list_deny').value),
    ).toBeUndefined();
    await eventually(() => h!.fake.viewsOpened.length > views);
    expect(h.lastView().callback_id).toBe('deny-reason');
    expect(await h.submitView(h.admin2, h.lastView(), { reason: 'Not now' })).toEqual({});
    expect((await byEmail('ana@example.org')).state).toBe('denied');
  });

  it('on Enterprise Grid, resends a guest only through Slack’s own invitation, and shows no link for it', async () => {
    h = await startSlackHarness({ grid: true });
    await h.command(h.admin);
    await eventually(() => h!.fake.viewsOpened.length);
    const { view } = await h.submitView(h.admin, h.lastView(), { emails: 'gil@partner.example', role: 'external' });
    await h.submitView(h.admin, view, { channels: ['CGENERAL'], delivery: 'platform_email' });
    await h.app.outbox.drain();
    const rows = await list(h.admin);
    expect(buttonsOf(rows, 'gil@partner.example')).toEqual(['gl_list_resend', 'gl_list_revoke']);

    await click(h.admin, 'gl_list_resend', button(rows, 'gil@partner.example', 'gl_list_resend').value);
    await eventually(() => h!.lastView().callback_id === 'gl_resend');
    const modal = h.lastView();
    expect(modal.blocks.find((b: any) => b.block_id === 'method').element.options.map((o: any) => o.value)).toEqual([
      'platform_email',
    ]);
    expect(await h.submitView(h.admin, modal, { method: 'link' })).toMatchObject({
      response_action: 'errors',
      errors: { method: expect.any(String) },
    });
    expect(await h.submitView(h.admin, modal, { method: 'platform_email' })).toMatchObject({
      response_action: 'update',
    });
    await h.app.outbox.drain();
    expect(h.fake.callsOf('admin.users.invite')).toHaveLength(2);
    expect(h.fake.callsOf('admin.users.invite')[1]!.args).toMatchObject({
      email: 'gil@partner.example',
      resend: 'true',
      is_restricted: 'true',
    });
  });

  it('asks for the number when SMS is configured, and puts a wrong one on the phone field', async () => {
    h = await startSlackHarness({ env: { SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms' } });
    await invite(h.admin, 'dan@example.org');
    await click(h.admin, 'gl_list_resend', button(await list(h.admin), 'dan@example.org', 'gl_list_resend').value);
    await eventually(() => h!.lastView().callback_id === 'gl_resend');
    const modal = h.lastView();
    expect(modal.blocks.find((b: any) => b.block_id === 'method').element.options.map((o: any) => o.value)).toEqual([
      'sms',
      'link',
    ]);
    expect(await h.submitView(h.admin, modal, { method: 'sms', phone: '079 123' })).toEqual({
      response_action: 'errors',
      errors: { phone: expect.stringMatching(/international form/) },
    });
  });

  it('refuses button values that were forged, altered, meant for another button or have expired', async () => {
    h = await startSlackHarness();
    await invite(h.admin, 'dan@example.org');
    const dan = await byEmail('dan@example.org');
    const rows = await list(h.admin);
    const showLink = button(rows, 'dan@example.org', 'gl_list_showlink').value;
    const [body, mac] = showLink.split('.');
    const altered = Buffer.from(
      Buffer.from(body!, 'base64url').toString().replace('gl_list_showlink', 'gl_list_revoke'),
    ).toString('base64url');

    expect(await click(h.admin, 'gl_list_revoke', `${altered}.${mac}`)).toMatch(/not valid/);
    expect(await click(h.admin, 'gl_list_revoke', dan.id)).toMatch(/not valid/);
    expect(await click(h.admin, 'gl_list_revoke', showLink)).toMatch(/not valid/);
    const signer = new Signer('test-secret-0123456789-0123456789-abcdef');
    const expired = signer.sign({ k: 'button', i: dan.id, a: 'gl_list_revoke', exp: Date.now() - 1000 });
    expect(await click(h.admin, 'gl_list_revoke', expired)).toMatch(/not valid/);
    // The same secret, a live expiry: accepted (so the refusals above are about the value, nothing else).
    expect(
      await click(
        h.admin,
        'gl_list_revoke',
        signer.sign({ k: 'button', i: dan.id, a: 'gl_list_revoke', exp: Date.now() + 60_000 }),
      ),
    ).toMatch(/Revoked/);
  });
});
