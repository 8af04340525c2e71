/** The invitation's life after it was sent, on Mattermost: the bot's own links (shown, mailed, texted), the
 * pending list and its buttons, resend by a chosen method, revoke, retry, and the admin JSON endpoint. */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../support/smtpSink.js';
import { eventually } from '../../support/freePort.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
let smtp: SmtpSink | undefined;
let smsGateway: http.Server | undefined;
const texts: { to: string; text: string }[] = [];
afterEach(async () => {
  await h?.close();
  await smtp?.stop();
  smsGateway?.close();
  h = smtp = smsGateway = undefined;
  texts.length = 0;
});

async function withChannels(): Promise<Record<string, string>> {
  smtp = await startSmtpSink();
  smsGateway = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      texts.push(JSON.parse(body));
      res.end('{}');
    });
  });
  await new Promise<void>((r) => smsGateway!.listen(0, '127.0.0.1', r));
  return {
    SMTP_URL: smtp.url(), MAIL_FROM: 'guestlist@acme.test', ORG_NAME: 'Acme',
    SMS_WEBHOOK_URL: `http://127.0.0.1:${(smsGateway.address() as { port: number }).port}/sms`,
    ADMIN_API_TOKEN: 'admin-api-token-0123456789abcdef',
  };
}

const lastDialog = () => h!.fake.dialogsOpened.at(-1)!;
const dmTo = (userId: string) => h!.fake.postsIn(h!.fake.directChannelId(h!.bot.id, userId)).map((p) => p.message);
const linkIn = (text: string) => /http:\/\/127\.0\.0\.1:\d+\/join\/[A-Za-z0-9_-]+/.exec(text)?.[0];

async function invite(user: { id: string }, step2: Record<string, unknown>, emails = 'ana@example.org') {
  await h!.command(user as never);
  const flow = h!.fake.dialogFlow(lastDialog(), { userId: user.id, channelId: h!.general.id, teamId: h!.team.id });
  await flow.submit({ emails, role: 'collaborator' });
  const res = await flow.submit({ channels: [h!.general.id], expiry: '7', ...step2 });
  await h!.app.outbox.drain();
  return Object.assign(res, { flow });
}

async function click(user: { id: string; username: string }, action: { integration: { context: unknown } }) {
  const res = await fetch(`${h!.url}/mattermost/action`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_id: user.id, user_name: user.username, post_id: '', trigger_id: h!.fake.issueTriggerId(user.id), context: action.integration.context }),
  });
  return (await res.json()) as Record<string, unknown>;
}

type ListAnswer = { attachments: { text: string; actions: { id: string; name: string; integration: { context: unknown } }[] }[] };
const button = (list: ListAnswer, id: string) => list.attachments[0]!.actions.find((a) => a.id === id)!;

describe('delivery by the bot’s own link', () => {
  it('shows the link to the inviter, and the link opens the acceptance page', async () => {
    h = await startHarness();
    await invite(h.admin, { delivery: 'link' });
    const link = linkIn(dmTo(h.admin.id).join('\n'))!;
    expect(link).toBeTruthy();
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('ana@example.org');
    expect(h.fake.invitesSent).toHaveLength(0);
    const [inv] = await h.app.store.listInvitations({});
    expect(inv!.state).toBe('sent');
    expect(JSON.stringify(inv)).not.toContain(link.split('/join/')[1]);
  });

  it('mails the link through the operator’s SMTP server, or texts it to a validated number', async () => {
    h = await startHarness({ env: await withChannels() });
    await invite(h.admin, { delivery: 'bot_email' });
    await eventually(() => smtp!.received.length === 1);
    expect(smtp!.received[0]!.to).toEqual(['ana@example.org']);
    expect(linkIn(smtp!.received[0]!.raw.replace(/=\r?\n/g, ''))).toBeTruthy();

    const refused = await invite(h.admin, { delivery: 'sms', phone: '079 123 45 67' }, 'ben@example.org');
    expect(refused.body).toEqual({ errors: { phone: expect.stringMatching(/international form/) } });
    expect((await refused.flow.submit({ channels: [h.general.id], expiry: '7', delivery: 'sms', phone: '+41 79 123 45 67' })).body).toEqual({});
    await h.app.outbox.drain();
    expect(texts).toEqual([{ to: '+41791234567', text: expect.stringMatching(/\/join\//) }]);
  });
});

describe('the pending list', () => {
  it('shows each inviter their own invitations with buttons, and administrators everyone’s', async () => {
    h = await startHarness();
    await invite(h.admin, { delivery: 'platform_email' }, 'admins-guest@example.org');
    await invite(h.member, { delivery: 'platform_email' }, 'members-guest@example.org');
    const mine = (await h.command(h.member, 'list')).body as ListAnswer;
    expect(mine.attachments.map((a) => a.text).join()).not.toContain('admins-guest');
    expect(mine.attachments[0]!.text).toMatch(/members-guest@example.org.*waiting for approval/);
    expect(mine.attachments[0]!.actions.map((a) => a.id)).toEqual(['revoke']);
    const all = (await h.command(h.admin, 'list')).body as ListAnswer;
    expect(all.attachments).toHaveLength(2);
    expect(all.attachments[0]!.actions.map((a) => a.id)).toEqual(['approve', 'deny', 'revoke']);
    expect(all.attachments[1]!.actions.map((a) => a.id)).toEqual(['resend', 'showlink', 'revoke']);
  });

  it('approves from the list, leaving the list post alone', async () => {
    h = await startHarness();
    await invite(h.member, { delivery: 'platform_email' });
    const answer = await click(h.admin, button((await h.command(h.admin, 'list')).body, 'approve'));
    expect(answer).toEqual({ ephemeral_text: 'Approved.' });
    await h.app.outbox.drain();
    expect(h.fake.invitesSent).toHaveLength(1);
  });

  it('revokes: the link dies at once, the queued delivery is dropped, the approval post shows it', async () => {
    h = await startHarness();
    await invite(h.admin, { delivery: 'link' });
    const link = linkIn(dmTo(h.admin.id).join('\n'))!;
    const list = (await h.command(h.admin, 'list')).body as ListAnswer;
    expect(await click(h.member, button(list, 'revoke'))).toEqual({ ephemeral_text: expect.stringMatching(/Only the inviter or an administrator/) });
    expect(await click(h.admin, button(list, 'revoke'))).toEqual({ ephemeral_text: expect.stringMatching(/^Revoked/) });
    expect((await fetch(link)).status).toBe(410);
    expect(await click(h.admin, button(list, 'revoke'))).toEqual({ ephemeral_text: expect.stringMatching(/already revoked/) });
  });

  it('resends by the method chosen in a dialog, replacing the old link', async () => {
    h = await startHarness();
    await invite(h.admin, { delivery: 'link' });
    const oldLink = linkIn(dmTo(h.admin.id).join('\n'))!;
    const answer = await click(h.admin, button((await h.command(h.admin, 'list')).body, 'resend'));
    expect(answer).toEqual({});
    const dialog = lastDialog();
    expect(dialog.dialog).toMatchObject({ callback_id: 'resend' });
    const forged = await h.fake.submitDialog(dialog, h.member.id, h.general.id, h.team.id, { method: 'link' });
    expect(forged.status).toBe(403);
    expect((await h.fake.submitDialog(dialog, h.admin.id, h.general.id, h.team.id, { method: 'carrier-pigeon' })).body).toEqual({ errors: { method: expect.any(String) } });
    expect((await h.fake.submitDialog(dialog, h.admin.id, h.general.id, h.team.id, { method: 'link' })).body).toEqual({});
    await h.app.outbox.drain();
    const newLink = linkIn(dmTo(h.admin.id).at(-1)!)!;
    expect(newLink).not.toBe(oldLink);
    expect((await fetch(newLink)).status).toBe(200);
    expect((await fetch(oldLink)).status).toBe(404);

    expect((await h.fake.submitDialog(dialog, h.admin.id, h.general.id, h.team.id, { method: 'platform_email' })).body).toEqual({});
    await h.app.outbox.drain();
    expect(h.fake.invitesSent).toEqual([expect.objectContaining({ emails: ['ana@example.org'] })]);
  });

  it('lets an administrator retry a failed delivery', async () => {
    h = await startHarness();
    h.fake.failNext('POST', /invite\/email/, [{ status: 400, body: { id: 'api.team.invite_members.invalid_email.app_error', message: 'refused' } }]);
    await invite(h.admin, { delivery: 'platform_email' });
    const [failed] = await h.app.store.listInvitations({});
    expect(failed).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/refused/) });
    expect(dmTo(h.admin.id).join()).toMatch(/could not be delivered/);
    const list = (await h.command(h.admin, 'list')).body as ListAnswer;
    expect(await click(h.admin, button(list, 'retry'))).toEqual({ ephemeral_text: expect.stringMatching(/^Retrying/) });
    await h.app.outbox.drain();
    expect((await h.app.store.getInvitation(failed!.id))!.state).toBe('sent');
  });
});

describe('the admin JSON endpoint', () => {
  it('needs its bearer token and never shows link hashes or phone numbers', async () => {
    h = await startHarness({ env: await withChannels() });
    await invite(h.admin, { delivery: 'link' });
    expect((await fetch(`${h.url}/admin/invitations`)).status).toBe(401);
    expect((await fetch(`${h.url}/admin/invitations`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(`${h.url}/admin/invitations?state=sent`, { headers: { Authorization: 'Bearer admin-api-token-0123456789abcdef' } });
    const body = (await res.json()) as { invitations: Record<string, unknown>[] };
    expect(body.invitations).toEqual([expect.objectContaining({ email: 'ana@example.org', state: 'sent' })]);
    expect(body.invitations[0]).not.toHaveProperty('linkTokenHash');
    expect((await fetch(`${h.url}/admin/invitations?state=bogus`, { headers: { Authorization: 'Bearer admin-api-token-0123456789abcdef' } })).status).toBe(400);
  });
});

describe('bulk invitations', () => {
  it('offers a page whose address field takes hundreds of addresses, and invites each', async () => {
    h = await startHarness({ env: { INVITES_PER_HOUR: '1000' } });
    const answer = (await h.command(h.admin, 'bulk')).body as { text: string };
    expect(h.fake.dialogsOpened).toHaveLength(0);
    const page = /(http:\/\/\S+\/mattermost\/form\?t=\S+)/.exec(answer.text)![1]!;
    const form = await (await fetch(page)).text();
    expect(form).toMatch(/<textarea id="[^"]*" name="emails" rows="4" maxlength="80000"/);
    const emails = Array.from({ length: 300 }, (_, i) => `bulk${i}@example.org`).join('\n');
    const body = new URLSearchParams({ emails, role: 'collaborator', channels: h.general.id, delivery: 'platform_email', expiry: '7' });
    const res = await fetch(page, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(await h.app.store.listInvitations({})).toHaveLength(300);
    expect((await fetch(page)).status).toBe(404); // the link dies with its submission
    expect((await h.command(h.guest, 'bulk')).body.text).toMatch(/Guests \(external users\) cannot invite/);
  });
});
