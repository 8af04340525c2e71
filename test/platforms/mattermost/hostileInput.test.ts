/** What a member can send the wizard and the other forms by posting to the bot's dialog endpoint themselves (the
 * signed state is theirs, so they can): keys that are not fields, other steps' fields, the bot's own draft values,
 * values nested deep enough to break a JSON writer, over-long and NUL text, a response URL of their choosing. */
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { CONTROL_CHARACTERS, mattermostMentions } from '../../support/mentionOracle.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness | undefined;
let evil: http.Server | undefined;
/** Requests that reached the attacker's server. */
let stolen: string[] = [];

beforeEach(async () => {
  h = await startHarness();
  stolen = [];
  evil = http.createServer((req, res) => {
    stolen.push(`${req.method} ${req.url}`);
    res.end();
  });
  await new Promise<void>((r) => evil!.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  await h?.close();
  evil?.close();
  h = undefined;
});

const evilUrl = () => `http://127.0.0.1:${(evil!.address() as { port: number }).port}/hooks/commands/abc`;
const lastDialog = () => h!.fake.dialogsOpened.at(-1)!;

/** Posts a dialog submission as raw JSON, the way a member with the dialog's state can. `extra` is spliced in
 * verbatim, so it can hold what JSON.stringify could not even write. */
async function postDialog(
  dialog: { url: string; dialog: Record<string, unknown> },
  userId: string,
  submission: object,
  extra = '',
) {
  const body = JSON.stringify({
    type: 'dialog_submission',
    callback_id: dialog.dialog.callback_id,
    state: dialog.dialog.state,
    user_id: userId,
    channel_id: h!.general.id,
    team_id: h!.team.id,
    submission,
    cancelled: false,
  });
  const raw = extra ? body.replace('"submission":{', `"submission":{${extra},`).replace(',}', '}') : body;
  const res = await fetch(dialog.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: raw });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A value nested 30,000 deep: JSON.parse reads it, JSON.stringify overflows the stack on it. */
const DEEP = '['.repeat(30_000) + ']'.repeat(30_000);

describe('a wizard submission sets only its own step’s fields', () => {
  it('keeps the inviter, the response URL and the first step’s answers out of a submission’s reach', async () => {
    await h!.command(h!.member, '', { responseUrl: evilUrl() });
    const step1 = await postDialog(lastDialog(), h!.member.id, {
      emails: 'ana@example.org',
      role: 'collaborator',
      username: 'ceo',
      responseUrl: 'http://127.0.0.1:1/x',
      bot: { username: 'ceo' },
    });
    expect(step1.body).toMatchObject({ type: 'form' });
    const step2 = await postDialog({ url: lastDialog().url, dialog: step1.body.form }, h!.member.id, {
      channels: [h!.general.id],
      delivery: 'platform_email',
      expiry: '7',
      emails: 'mallory@evil.test',
      role: 'admin',
      username: 'ceo',
      responseUrl: evilUrl(),
    });
    expect(step2.body).toEqual({});

    const invitations = await h!.app.store.listInvitations({});
    expect(invitations).toEqual([expect.objectContaining({ email: 'ana@example.org', role: 'collaborator' })]);
    // The inviter is who the server says submitted, with their chat locale: nothing the submission named.
    expect(invitations[0]!.inviter).toEqual({ id: h!.member.id, username: h!.member.username, locale: 'en' });
    await h!.app.outbox.drain();
    const request = h!.fake.postsIn(h!.approvals.id)[0]!.message;
    expect(request).toContain(`@${h!.member.username} asks to invite`);
    expect(request).not.toContain('ceo');
    // The summary went to the command hook on the configured server, never to the address the command named.
    await eventually(() => h!.responses.length);
    expect(JSON.stringify(h!.responses)).toMatch(/waiting for an administrator/);
    expect(stolen).toEqual([]);
  });

  it('posts nothing when the response URL is not a command hook', async () => {
    await h!.command(h!.admin, '', {
      responseUrl: `http://127.0.0.1:${(evil!.address() as { port: number }).port}/steal`,
    });
    const flow = h!.fake.dialogFlow(lastDialog(), {
      userId: h!.admin.id,
      channelId: h!.general.id,
      teamId: h!.team.id,
    });
    await flow.submit({ emails: 'ben@example.org', role: 'collaborator' });
    expect((await flow.submit({ channels: [h!.general.id], delivery: 'platform_email', expiry: '7' })).body).toEqual(
      {},
    );
    await h!.app.outbox.drain();
    expect(h!.fake.invitesSent).toHaveLength(1);
    expect(stolen).toEqual([]);
    expect(h!.responses).toEqual([]);
  });

  it(
    'answers a deeply nested field with a field error, ' + 'drops a nested unknown key, and every later write works',
    async () => {
      await h!.command(h!.member);
      const nestedName = await postDialog(
        lastDialog(),
        h!.member.id,
        { emails: 'ana@example.org', role: 'collaborator' },
        `"name":${DEEP}`,
      );
      expect(nestedName).toMatchObject({ status: 200, body: { errors: { name: 'This value is not valid.' } } });

      const nestedExtra = await postDialog(
        lastDialog(),
        h!.member.id,
        { emails: 'ana@example.org', role: 'collaborator' },
        `"x":${DEEP}`,
      );
      expect(nestedExtra.body).toMatchObject({ type: 'form' });
      const done = await postDialog(
        { url: lastDialog().url, dialog: nestedExtra.body.form },
        h!.member.id,
        {
          channels: [h!.general.id],
          delivery: 'platform_email',
          expiry: '7',
        },
        `"y":${DEEP}`,
      );
      expect(done.body).toEqual({});
      await h!.restart();
      expect(await h!.app.store.listInvitations({})).toEqual([expect.objectContaining({ email: 'ana@example.org' })]);
    },
  );

  it.each([
    ['a 50,000-character name', { name: 'x'.repeat(50_000) }, 'name', /At most 120 characters/],
    ['a NUL in the name', { name: 'Ana\u0000Lopez' }, 'name', /not allowed \(NUL\)/],
    [
      'an address with a 500-character name',
      { emails: `${'A'.repeat(500)} <ana@example.org>` },
      'emails',
      /at most 120 characters/,
    ],
    [
      'an address longer than mail allows',
      { emails: `${'a'.repeat(300)}@example.org` },
      'emails',
      /Not an email address/,
    ],
  ])('refuses %s with an error on its field and stores nothing', async (_what, values, field, message) => {
    await h!.command(h!.member);
    const res = await postDialog(lastDialog(), h!.member.id, {
      emails: 'ana@example.org',
      role: 'collaborator',
      ...values,
    });
    expect(res.body.errors[field]).toMatch(message);
    expect(await h!.app.store.listInvitations({})).toEqual([]);
  });

  it('refuses an over-long personal message on the second step instead of cutting it', async () => {
    await h!.command(h!.member);
    const flow = h!.fake.dialogFlow(lastDialog(), {
      userId: h!.member.id,
      channelId: h!.general.id,
      teamId: h!.team.id,
    });
    await flow.submit({ emails: 'ana@example.org', role: 'collaborator' });
    const res = await flow.submit({
      channels: [h!.general.id],
      delivery: 'platform_email',
      expiry: '7',
      message: 'm'.repeat(1001),
    });
    expect(res.body).toEqual({ errors: { message: 'At most 1,000 characters.' } });
    expect(await h!.app.store.listInvitations({})).toEqual([]);
  });
});

describe('the deny form', () => {
  it('refuses an over-long or nested reason with a field error, then takes a proper one', async () => {
    await h!.command(h!.member);
    const flow = h!.fake.dialogFlow(lastDialog(), {
      userId: h!.member.id,
      channelId: h!.general.id,
      teamId: h!.team.id,
    });
    await flow.submit({ emails: 'cleo@example.org', role: 'collaborator' });
    await flow.submit({ channels: [h!.general.id], delivery: 'platform_email', expiry: '7' });
    await h!.app.outbox.drain();
    const post = h!.fake.postsIn(h!.approvals.id)[0]!;
    await h!.fake.clickButton(post.id, 'deny', h!.admin.id);
    const reasonDialog = lastDialog();

    expect((await postDialog(reasonDialog, h!.admin.id, { reason: 'r'.repeat(501) })).body).toEqual({
      errors: { reason: 'At most 500 characters.' },
    });
    expect((await postDialog(reasonDialog, h!.admin.id, {}, `"reason":${DEEP}`)).body).toEqual({
      errors: { reason: 'This value is not valid.' },
    });
    expect((await h!.app.store.listInvitations({}))[0]!.state).toBe('pending_approval');

    expect((await postDialog(reasonDialog, h!.admin.id, { reason: 'not this quarter', by: 'ceo' })).body).toEqual({});
    expect((await h!.app.store.listInvitations({}))[0]).toMatchObject({
      state: 'denied',
      decision: { reason: 'not this quarter', by: { id: h!.admin.id } },
    });
  });
});

describe('names the bot posts', () => {
  it('announces an invitee named .@all, with a bidi override, without a channel-wide mention', async () => {
    await h!.command(h!.admin);
    const flow = h!.fake.dialogFlow(lastDialog(), {
      userId: h!.admin.id,
      channelId: h!.general.id,
      teamId: h!.team.id,
    });
    await flow.submit({ emails: 'Ana-@channel.org <ana@example.org>', name: '', role: 'collaborator' });
    await flow.submit({ channels: [h!.general.id], delivery: 'platform_email', expiry: '7' });
    await h!.app.outbox.drain();
    h!.fake.registerUser({
      email: 'ana@example.org',
      username: 'ana',
      teamId: h!.team.id,
      first_name: '.@all',
      last_name: '\u202Eereh@',
    });
    await eventually(async () => (await h!.app.store.listInvitations({}))[0]!.state === 'arrived');
    await h!.app.outbox.drain();
    const posts = [
      ...h!.fake.postsIn(h!.general.id),
      ...h!.fake.postsIn(h!.fake.directChannelId(h!.bot.id, h!.admin.id)),
    ]
      .filter((p) => p.user_id === h!.bot.id)
      .map((p) => p.message);
    expect(posts.some((m) => m.startsWith(':wave:'))).toBe(true);
    for (const message of posts) {
      expect(mattermostMentions(message).broadcast).toEqual([]);
      expect(message).not.toMatch(CONTROL_CHARACTERS);
    }
  });
});

describe('the wizard as a web page', () => {
  it('refuses an over-long name with the page’s field error and ignores fields it does not have', async () => {
    const answer = await h!.command(h!.member, 'bulk');
    const link = /(http:\/\/\S+\/mattermost\/bulk\?t=\S+)/.exec(answer.body.text)![1]!.replace('/bulk?', '/form?');
    const post = (fields: Record<string, string>) =>
      fetch(link, {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    const base = {
      emails: 'ana@example.org',
      role: 'collaborator',
      channels: h!.general.id,
      delivery: 'platform_email',
      expiry: '7',
    };
    const tooLong = await post({ ...base, name: 'x'.repeat(5000) });
    expect(tooLong.status).toBe(422);
    expect(await tooLong.text()).toContain('At most 120 characters.');
    expect(await h!.app.store.listInvitations({})).toEqual([]);

    expect((await post({ ...base, username: 'ceo', inviter: 'ceo' })).status).toBe(200);
    expect((await h!.app.store.listInvitations({}))[0]!.inviter).toEqual({
      id: h!.member.id,
      username: h!.member.username,
      locale: 'en',
    });
  });
});
