/** kChat through the bot's real endpoints: the chat side is the Mattermost fake (10.6 web client, no WebSocket),
 * the Infomaniak organization is nock with its documented shapes. */

import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { revokeInvitation } from '../../../src/actions/revokeInvitation.js';
import { showLinkAgain } from '../../../src/actions/showLinkAgain.js';
import { KDRIVE_RIGHTS } from '../../../src/core/model.js';
import { en } from '../../support/words.js';
import {
  ACCOUNT,
  accountRow,
  DRIVE,
  dialogValues,
  driveInvitationEntry,
  drives,
  fail,
  ik,
  ikInvitation,
  infomaniakThroughNock,
  invitationPath,
  type Kchat,
  LINK,
  ok,
  organization,
  sentToInfomaniak,
  startKchat,
} from './kchatHarness.js';
import { requestErrors } from './referenceSchemas.js';

let k: Kchat | undefined;
infomaniakThroughNock();
afterEach(async () => {
  await k?.close();
  k = undefined;
  nock.cleanAll();
  // Every request Infomaniak received in the test follows the reference's schema for its route.
  const sent = sentToInfomaniak.splice(0);
  expect(sent.flatMap(requestErrors)).toEqual([]);
});

/** Records what Infomaniak received on a route. */
function capture(method: 'post' | 'patch', path: string, status: number, body: unknown): unknown[] {
  const seen: unknown[] = [];
  ik()
    [method](path, (b) => (seen.push(b), true))
    .reply(status, body as nock.Body);
  return seen;
}

const accepted = () => nock.pendingMocks().length === 0;

describe('kChat with the Infomaniak organization', () => {
  it(
    'invites each organization role with its role_type, names, locale and billing choices, ' +
      'then sets kSuite access with the kChat and kDrive roles (no second kChat call)',
    async () => {
      organization({ 'root@acme.test': 'owner' });
      k = await startKchat();
      expect((await fetch(`${k.url}/readyz`)).status).toBe(200);
      k.fake.getUser(k.admin.id)!.locale = 'fr';

      // A legal representative may grant every role, the legal representative's included.
      await k.command(k.admin);
      const role = k.lastDialog().elements.find((e) => e.name === 'role')!;
      expect(role.options!.map((o) => o.value)).toEqual(['external', 'collaborator', 'admin', 'legal_representative']);

      const cases = [
        {
          role: 'legal_representative',
          roleType: 'owner',
          app: 'admin',
          email: 'lea@example.org',
          name: 'Léa Martin Dupont',
          first: 'Léa Martin',
          last: 'Dupont',
        },
        {
          role: 'admin',
          roleType: 'admin',
          app: 'admin',
          email: 'adam@example.org',
          name: '',
          first: 'Adam',
          last: 'Adam',
        },
        {
          role: 'collaborator',
          roleType: 'normal',
          app: 'user',
          email: 'carl.berg@example.org',
          name: '',
          first: 'Carl',
          last: 'Berg',
        },
      ] as const;
      for (const [i, c] of cases.entries()) {
        const id = 800 + i;
        const created = capture(
          'post',
          `/1/accounts/${ACCOUNT}/invitations`,
          201,
          ok(ikInvitation({ id, role_type: c.roleType })),
        );
        const ksuite = capture('post', `${invitationPath(id)}/ksuite`, 201, ok(ikInvitation({ id, has_ksuite: true })));
        const answer = await k.invite(
          k.admin,
          dialogValues({
            emails: c.email,
            name: c.name,
            role: c.role,
            channels: k.general.id,
            billing_rights: true,
            remind_email: c.role === 'collaborator',
            remind_sms: false,
          }),
        );
        expect(answer).toEqual({ status: 200, body: {} });
        await k.settle();

        expect(created).toEqual([
          {
            email: c.email,
            first_name: c.first,
            last_name: c.last,
            locale: 'fr_FR',
            role_type: c.roleType,
            strict: true,
            silent: false,
            // Billing rights are a collaborator's option only; reminders were asked for the collaborator.
            permissions: { billing: c.role === 'collaborator' },
            notifications: { billing: c.role === 'collaborator', products: false },
          },
        ]);
        expect(ksuite).toEqual([{ ksuite_access: { kchat_role: c.app, kdrive_role: c.app } }]);
        const inv = (await k.app.store.listInvitations({ email: c.email }))[0]!;
        expect(inv).toMatchObject({
          state: 'sent',
          external: { infomaniakInvitationId: String(id), infomaniakStatus: 'pending' },
        });
        expect(inv.lastError).toBeUndefined();
      }
      expect(accepted()).toBe(true);
      // Infomaniak sends its own email: no kChat invitation email, no link for the inviter.
      expect(k.fake.invitesSent).toEqual([]);
      expect(k.dms(k.admin).join('\n')).not.toContain(LINK);
    },
  );

  describe.each([true, false])('on a drive that is the kSuite’s: %s', (ksuiteDrive) => {
    it.each(KDRIVE_RIGHTS)('gives the chosen kDrive right (%s)', async (right) => {
      organization({ 'root@acme.test': 'admin' });
      const asked = drives({ ksuiteDrive });
      k = await startKchat({ env: { KDRIVE_ID: String(DRIVE) } });
      capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
      const ksuite = capture('post', `${invitationPath()}/ksuite`, 201, ok(ikInvitation({ has_ksuite: true })));
      // A kSuite's drive opens with kSuite access: the reference answers 403 product_is_part_of_ksuite if asked.
      const drive = ksuiteDrive ? [] : capture('post', `${invitationPath()}/drive`, 201, ok(ikInvitation()));
      const driveRight = capture('patch', `${invitationPath()}/drive/${DRIVE}`, 200, ok(ikInvitation()));

      await k.command(k.admin);
      expect(k.lastDialog().elements.map((e) => e.name)).toContain('kdrive');
      await k.invite(
        k.admin,
        dialogValues({ emails: 'dora@example.org', role: 'collaborator', channels: k.general.id, kdrive: right }),
      );
      await k.settle();

      expect(ksuite).toEqual([{ ksuite_access: { kchat_role: 'user', kdrive_role: 'user' } }]);
      expect(drive).toEqual(ksuiteDrive ? [] : [{ drive_id: DRIVE, role: 'user' }]);
      expect(driveRight).toEqual([{ right }]);
      expect(accepted()).toBe(true);
      const inv = await k.only();
      expect(inv).toMatchObject({ kdriveRight: right, state: 'sent' });
      expect(inv.lastError).toBeUndefined();
      const trail = (await k.app.store.auditTrail(inv.id)).filter((a) => a.action === 'right_set');
      expect(trail.find((a) => a.detail?.step === 'drive')?.detail).toMatchObject({
        access: ksuiteDrive ? 'ksuite' : 'added',
      });
      expect(trail.map((a) => a.detail?.step).sort()).toContain('drive-right');
      expect(asked.account).toBe(1);
    });
  });

  it.each([
    [403, 'product_is_part_of_ksuite'],
    [409, 'object_already_exists'],
  ] as const)('takes a %i %s on drive access as access that exists, and still sets the right', async (status, code) => {
    organization({ 'root@acme.test': 'admin' });
    drives({ ksuiteDrive: false });
    k = await startKchat({ env: { KDRIVE_ID: String(DRIVE) } });
    capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
    capture('post', `${invitationPath()}/ksuite`, 201, ok(ikInvitation()));
    ik().post(`${invitationPath()}/drive`).reply(status, fail(code, 'Triggered when product is part of ksuite.'));
    const driveRight = capture('patch', `${invitationPath()}/drive/${DRIVE}`, 200, ok(ikInvitation()));

    await k.invite(
      k.admin,
      dialogValues({ emails: 'dora@example.org', role: 'admin', channels: k.general.id, kdrive: 'write' }),
    );
    await k.settle();

    expect(driveRight).toEqual([{ right: 'write' }]);
    expect(accepted()).toBe(true);
    const inv = await k.only();
    expect(inv.lastError).toBeUndefined();
    const trail = await k.app.store.auditTrail(inv.id);
    expect(trail.find((a) => a.detail?.step === 'drive')).toMatchObject({
      action: 'right_set',
      detail: { access: 'exists' },
    });
    expect(k.dms(k.admin).join('\n')).not.toMatch(/gave up|could not be set/);
  });

  it(
    'invites an external guest through kChat and kDrive, ' + 'keeps kDrive’s invitation, resends and revokes both',
    async () => {
      organization({ 'alice@acme.test': 'normal', 'root@acme.test': 'admin' });
      k = await startKchat({ env: { KDRIVE_ID: String(DRIVE) } });
      const driveInvite = capture(
        'post',
        `/2/drive/${DRIVE}/users`,
        201,
        ok([driveInvitationEntry('gil@partner.test')]),
      );

      // A guest only gets kChat's own email: the link delivery is refused for this role.
      const refused = await k.invite(
        k.admin,
        dialogValues({ emails: 'gil@partner.test', role: 'external', channels: k.general.id, delivery: 'link' }),
      );
      expect(refused.body).toMatchObject({ errors: { delivery: expect.stringMatching(/External guest/) } });

      // kChat ships languages Infomaniak does not take: Brazilian Portuguese becomes English, not 'pt'.
      k.fake.getUser(k.admin.id)!.locale = 'pt-BR';
      await k.invite(
        k.admin,
        dialogValues({
          emails: 'gil@partner.test',
          role: 'external',
          channels: k.general.id,
          kdrive: 'read',
          message: 'Welcome!',
        }),
      );
      await k.settle();
      expect(k.fake.invitesSent).toEqual([
        expect.objectContaining({ emails: ['gil@partner.test'], guest: true, channels: [k.general.id] }),
      ]);
      expect(driveInvite).toEqual([
        {
          emails: ['gil@partner.test'],
          role: 'external',
          right: 'read',
          send_email: true,
          lang: 'en',
          message: 'Welcome!',
        },
      ]);
      expect((await k.only()).external).toEqual({ kdriveInvitationId: '5501' });
      expect(accepted()).toBe(true);

      // Resend: kChat's guest invitation again, and kDrive's (POST …/send carries a JSON body, as every non-GET).
      ik().post(`/2/drive/${DRIVE}/users/invitation/5501/send`, {}).reply(200, ok(true));
      const [row] = (await k.list(k.admin)).attachments;
      expect(row!.actions.map((a) => a.id)).toEqual(['resend', 'revoke']);
      expect(row!.text).toMatch(/No link to show: kChat sends guests its own invitation email/);
      expect(await k.click(k.admin, row!.actions.find((a) => a.id === 'resend')!)).toEqual({});
      const dialog = k.fake.dialogsOpened.at(-1)!;
      expect(JSON.stringify(dialog.dialog)).toContain('platform_email');
      expect(JSON.stringify(dialog.dialog)).not.toContain('"link"');
      expect(
        (await k.fake.submitDialog(dialog, k.admin.id, k.general.id, k.team.id, { method: 'platform_email' })).body,
      ).toEqual({});
      await k.settle();
      expect(k.fake.invitesSent).toHaveLength(2);
      expect(accepted()).toBe(true);
      expect(k.dms(k.admin).join('\n')).not.toMatch(/link/i);

      // Revoke: kDrive's invitation is cancelled with it (kChat's own, none pending here, is looked for).
      k.fake.failNext('GET', /\/members\/pending_guest$/, [{ status: 200, body: {} }]);
      ik().delete(`/2/drive/${DRIVE}/users/invitation/5501`, {}).reply(200, ok(true));
      expect(await k.click(k.admin, row!.actions.find((a) => a.id === 'revoke')!)).toMatchObject({
        ephemeral_text: expect.stringMatching(/Revoked/),
      });
      await k.settle();
      expect(accepted()).toBe(true);
      expect((await k.app.store.auditTrail((await k.only()).id)).at(-1)).toMatchObject({
        action: 'kdrive_invitation_cancelled',
      });
    },
  );

  it('resends an external guest’s kChat invitation, and revoking cancels exactly that one by its id', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    await k.invite(k.admin, dialogValues({ emails: 'ivy@partner.test', role: 'external', channels: k.general.id }));
    await k.settle();
    expect(k.fake.invitesSent).toHaveLength(1);

    const [row] = (await k.list(k.admin)).attachments;
    expect(row!.actions.map((a) => a.id)).toEqual(['resend', 'revoke']);
    expect(row!.text).toMatch(/No link to show/);
    await k.click(k.admin, row!.actions[0]!);
    expect(
      (
        await k.fake.submitDialog(k.fake.dialogsOpened.at(-1)!, k.admin.id, k.general.id, k.team.id, {
          method: 'platform_email',
        })
      ).body,
    ).toEqual({});
    await k.settle();
    expect(k.fake.invitesSent).toHaveLength(2);
    expect(k.fake.invitesSent[1]).toMatchObject({
      emails: ['ivy@partner.test'],
      guest: true,
      channels: [k.general.id],
    });
    expect(k.dms(k.admin).join('\n')).not.toMatch(/link/i);

    // kChat's web client: the channel's pending guests (a record keyed by id), one cancelled with the body {id}.
    const pendingGuest = (id: number, email: string) => ({
      id,
      key: 'k',
      type: 'email',
      status: 'pending',
      invited_by_id: 1,
      account_id: Number(ACCOUNT),
      email,
      expires_at: 0,
      created_at: 0,
      updated_at: 0,
      data: { team_id: k!.team.id, channel_ids: [k!.general.id], product_id: 1 },
    });
    k.fake.failNext('GET', new RegExp(`/api/v4/channels/${k.general.id}/members/pending_guest$`), [
      {
        status: 200,
        body: { 4241: pendingGuest(4241, 'other@partner.test'), 4242: pendingGuest(4242, 'IVY@partner.test') },
      },
    ]);
    k.fake.failNext('DELETE', /\/api\/v4\/teams\/invites\/email$/, [{ status: 200, body: { status: 'OK' } }]);
    expect(await k.click(k.admin, row!.actions[1]!)).toMatchObject({
      ephemeral_text: expect.stringMatching(/Revoked/),
    });
    await k.settle();
    const deletes = k.fake.requests.filter((r) => r.method === 'DELETE' && r.path === '/api/v4/teams/invites/email');
    expect(deletes.map((r) => r.body)).toEqual([{ id: 4242 }]);
    expect((await k.app.store.auditTrail((await k.only()).id)).at(-1)).toMatchObject({
      action: 'kchat_guest_invitation_cancelled',
      detail: { outcome: 'cancelled' },
    });
  });

  it('shows a kDrive invitation that kDrive answered with an error as a failed step, not a success', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat({ env: { KDRIVE_ID: String(DRIVE) } });
    ik()
      .post(`/2/drive/${DRIVE}/users`)
      .reply(201, ok([{ email: 'hal@partner.test', error: 'User already invited' }]));
    await k.invite(
      k.admin,
      dialogValues({ emails: 'hal@partner.test', role: 'external', channels: k.general.id, kdrive: 'write' }),
    );
    await k.settle();
    expect(accepted()).toBe(true);
    const inv = await k.only();
    expect(inv.lastError).toMatch(/^kDrive invitation: .*User already invited/);
    expect(inv.external).toBeUndefined();
    expect(k.dms(k.admin).at(-1)).toMatch(/gave up setting the kDrive invitation .*User already invited/);
  });

  it(
    'creates a silent invitation for link delivery and ' + 'gives the link to the inviter by DM, never to the log',
    async () => {
      organization({ 'root@acme.test': 'admin' });
      const lines: string[] = [];
      const { pino } = await import('pino');
      const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
      k = await startKchat({ app: { log } });
      const created = capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
      capture('post', `${invitationPath()}/ksuite`, 201, ok(ikInvitation({ has_ksuite: true })));
      ik().get(invitationPath()).reply(200, ok(ikInvitation()));

      const uploads = () => k!.fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v4/files');
      k.fake.failNext(
        'POST',
        /^\/api\/v4\/files$/,
        [1, 2].map((n) => ({
          status: 201,
          body: { file_infos: [{ id: `qrfile${n}`, name: 'invitation-qr.png' }], client_ids: [] },
        })),
      );
      await k.invite(
        k.admin,
        dialogValues({ emails: 'lina@example.org', role: 'collaborator', channels: k.general.id, delivery: 'link' }),
      );
      await k.settle();

      expect(created[0]).toMatchObject({ silent: true, strict: true });
      // The QR code (a PNG data URL in the answer) reaches the inviter as an image in the direct channel,
      // before the link.
      const dmChannel = k.fake.directChannelId(k.bot.id, k.admin.id)!;
      expect(uploads()).toHaveLength(1);
      expect(String(uploads()[0]!.body)).toContain('invitation-qr.png');
      expect(String(uploads()[0]!.body)).toContain(dmChannel);
      const qrPost = k.fake.postsIn(dmChannel).find((p) => p.file_ids?.includes('qrfile1'));
      expect(qrPost?.message).toMatch(/lina \(lina@example\.org\) as a QR code, to hand over in person/);
      const dm = k.dms(k.admin).find((m) => m.includes(LINK));
      expect(dm).toMatch(/invitation link for lina \(lina@example\.org\)/);
      expect(dm).toMatch(/registers with lina@example\.org/);
      expect(accepted()).toBe(true);

      // "Show the link again" reads it from Infomaniak afresh (it is never stored) and sends it once more.
      ik().get(invitationPath()).reply(200, ok(ikInvitation()));
      const inv = await k.only();
      expect(
        await showLinkAgain(
          { store: k.app.store, clock: { now: () => new Date() } },
          { invitationId: inv.id, by: { id: k.member.id, username: 'alice' }, byLevel: 'member' },
        ),
      ).toMatchObject({ ok: false });
      expect(
        await showLinkAgain(
          { store: k.app.store, clock: { now: () => new Date() } },
          { invitationId: inv.id, by: { id: k.admin.id, username: 'root' }, byLevel: 'admin' },
        ),
      ).toEqual({ ok: true });
      await k.settle();
      expect(k.dms(k.admin).filter((m) => m.includes(LINK))).toHaveLength(2);
      expect(uploads()).toHaveLength(2);
      expect(JSON.stringify(await k.app.store.jobs({}))).not.toContain('sEcReT');
      expect(JSON.stringify(await k.app.store.listInvitations({}))).not.toContain('sEcReT');
      expect(accepted()).toBe(true);
      const logged = lines.join('\n');
      expect(logged).toContain('invitation');
      expect(logged).not.toContain('sEcReT-ToKeN');
      expect(logged).not.toContain('ik-token-do-not-log');
    },
  );

  it('retries a right that failed without creating the invitation again, and shows it until it succeeds', async () => {
    organization({ 'alice@acme.test': 'normal', 'root@acme.test': 'admin' });
    k = await startKchat();
    capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
    ik().post(`${invitationPath()}/ksuite`).reply(500, fail('unexpected_error', 'kSuite is having a moment'));

    // A member's request goes through an approver first.
    await k.invite(k.member, dialogValues({ emails: 'pia@example.org', role: 'collaborator', channels: k.general.id }));
    await k.settle();
    const request = k.fake.postsIn(k.approvals.id)[0]!;
    expect((await k.fake.clickButton(request.id, 'approve', k.admin.id)).status).toBe(200);
    await k.settle();

    let inv = await k.only();
    expect(inv.state).toBe('sent');
    expect(inv.lastError).toMatch(/^kSuite access: .*500 unexpected_error: kSuite is having a moment/);
    expect(k.dms(k.member).join('\n')).toMatch(/exists, but its kSuite access could not be set yet/);
    expect(k.fake.postsIn(k.approvals.id)[0]!.message).toMatch(/:warning: kSuite access/);
    const [job] = (await k.app.store.jobs({ state: 'pending' })).filter((j) => j.kind === 'mattermost.grant-right');
    expect(job).toMatchObject({ attempts: 1, payload: { step: 'ksuite' } });

    // Later the retry succeeds; the invitation was created once (nock would refuse a second create).
    const ksuite = capture('post', `${invitationPath()}/ksuite`, 201, ok(ikInvitation({ has_ksuite: true })));
    k.advance(60_000);
    await k.settle();
    expect(ksuite).toHaveLength(1);
    inv = await k.only();
    expect(inv.lastError).toBeUndefined();
    expect(k.dms(k.member).at(-1)).toMatch(/kSuite access of the invitation for .* is now set/);
    expect(k.fake.postsIn(k.approvals.id)[0]!.message).not.toMatch(/:warning:/);
    const trail = (await k.app.store.auditTrail(inv.id)).map((a) => a.action);
    expect(trail).toEqual([
      'created',
      'approve',
      'infomaniak_invitation_created',
      'delivered',
      'right_failed',
      'right_set',
    ]);
    expect(accepted()).toBe(true);
  });

  it(
    'keeps addresses and numbers an error echoes out of ' + 'the stored error, the audit and the inviter’s notice',
    async () => {
      organization({ 'root@acme.test': 'admin' });
      k = await startKchat();
      capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
      ik()
        .post(`${invitationPath()}/ksuite`)
        .reply(500, fail('unexpected_error', 'no seat for pia@example.org (+41 79 123 45 67)'));

      await k.invite(
        k.admin,
        dialogValues({ emails: 'pia@example.org', role: 'collaborator', channels: k.general.id }),
      );
      await k.settle();

      const inv = await k.only();
      expect(inv.lastError).toMatch(/^kSuite access: .*no seat for \[email\] \(\[phone\]\)/);
      const failed = (await k.app.store.auditTrail(inv.id)).find((a) => a.action === 'right_failed');
      const notices = (await k.app.store.jobs({ invitationId: inv.id })).filter((j) => j.payload.about === 'rights');
      for (const stored of [inv.lastError, JSON.stringify(failed), JSON.stringify(notices)]) {
        expect(stored).toMatch(/no seat for \[email\] \(\[phone\]\)/);
        expect(stored).not.toMatch(/pia@example\.org|123 45 67/);
      }
      // The notice names the invitee on purpose, not in Infomaniak's words.
      const dm = k.dms(k.admin).find((m) => /could not be set yet/.test(m));
      expect(dm).toMatch(/no seat for \\\[email\\\]/);
      expect(dm).not.toMatch(/no seat for pia|123 45 67/);
    },
  );

  it('waits out a 429 on creation and reports a refusal with Infomaniak’s reason', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    ik().post(`/1/accounts/${ACCOUNT}/invitations`).reply(429, fail('too_many_requests'), { 'Retry-After': '30' });
    await k.invite(k.admin, dialogValues({ emails: 'quin@example.org', role: 'collaborator', channels: k.general.id }));
    await k.settle();
    const [job] = await k.app.store.jobs({ state: 'pending' });
    expect(job).toMatchObject({ kind: 'mattermost.deliver', attempts: 1 });
    expect(Date.parse(job!.runAt) - Date.parse((await k.only()).createdAt)).toBeGreaterThanOrEqual(30_000);

    // The reference's 403 for this route: access_denied (the token's owner may not invite here).
    ik()
      .post(`/1/accounts/${ACCOUNT}/invitations`)
      .reply(403, fail('access_denied', 'You are not allowed to invite users to this account'));
    k.advance(31_000);
    await k.settle();
    const inv = await k.only();
    expect(inv.state).toBe('failed');
    expect(inv.lastError).toMatch(/403 access_denied: You are not allowed to invite users/);
    expect(k.dms(k.admin).at(-1)).toMatch(/could not be delivered \(.*not allowed to invite users/);
    expect(accepted()).toBe(true);
  });

  it('polls the invitation to accepted and announces the arrival in its channels', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    expect(k.fake.requests.some((r) => r.path === '/api/v4/websocket')).toBe(false);
    capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
    capture('post', `${invitationPath()}/ksuite`, 201, ok(ikInvitation({ has_ksuite: true })));
    await k.invite(
      k.admin,
      dialogValues({ emails: 'rui@example.org', name: 'Rui Costa', role: 'collaborator', channels: k.general.id }),
    );
    await k.settle();

    // Still pending: nothing happens.
    ik().get(invitationPath()).reply(200, ok(ikInvitation()));
    await k.app.mattermost!.pollArrivals();
    expect((await k.only()).state).toBe('sent');

    // Accepted: Infomaniak made them a member of the organization's kChat team.
    const rui = k.fake.addUser({ username: 'rui', email: 'rui@example.org', first_name: 'Rui', last_name: 'Costa' });
    k.fake.addTeamMember(k.team.id, rui.id);
    ik()
      .get(invitationPath())
      .reply(200, ok(ikInvitation({ status: 'accepted' })));
    await k.app.mattermost!.pollArrivals();
    await k.settle();

    const inv = await k.only();
    expect(inv).toMatchObject({ state: 'arrived', arrivedUserId: rui.id, external: { infomaniakStatus: 'accepted' } });
    const announcements = k.fake.postsIn(k.general.id).filter((p) => p.user_id === k!.bot.id);
    expect(announcements).toHaveLength(1);
    expect(announcements[0]!.message).toMatch(/Please welcome Rui Costa @rui, who joined with the role Collaborator/);
    expect(k.fake.channelMember(k.general.id, rui.id)).toBeDefined();
    expect(k.dms(k.admin).at(-1)).toMatch(/accepted your invitation/);

    // Once accepted, Infomaniak is not asked again (nock would refuse).
    await k.app.mattermost!.pollArrivals();
    expect(accepted()).toBe(true);
    expect((await k.app.store.auditTrail(inv.id)).map((a) => a.action)).toEqual([
      'created',
      'infomaniak_invitation_created',
      'delivered',
      'right_set',
      'accepted',
      'arrived',
    ]);
  });

  it('after a lost answer, finds the invitation Infomaniak made instead of creating a second one', async () => {
    // Infomaniak created the invitation (the users list shows it pending, id 700), but its answer never arrived.
    organization({ 'root@acme.test': 'admin' }, 200, undefined, { 'wes@example.org': 'normal' });
    k = await startKchat();
    ik().post(`/1/accounts/${ACCOUNT}/invitations`).replyWithError('socket hang up');
    const ksuite = capture('post', `${invitationPath(700)}/ksuite`, 201, ok(ikInvitation({ id: 700 })));
    await k.invite(k.admin, dialogValues({ emails: 'wes@example.org', role: 'collaborator', channels: k.general.id }));
    await k.settle();
    expect((await k.only()).state).toBe('sending');

    k.advance(60_000);
    await k.settle();
    // No second POST (nock would refuse it): the pending invitation was found by its address and kept.
    expect(accepted()).toBe(true);
    const inv = await k.only();
    expect(inv).toMatchObject({
      state: 'sent',
      external: { infomaniakInvitationId: '700', infomaniakStatus: 'pending' },
    });
    expect(inv.external?.infomaniakCreating).toBeUndefined();
    expect(ksuite).toHaveLength(1);
    expect(
      (await k.app.store.auditTrail(inv.id)).find((a) => a.action === 'infomaniak_invitation_created')?.detail,
    ).toMatchObject({ found: true });
  });

  it(
    'polls from one page of the users list where that ' + 'costs fewer calls, and expires what Infomaniak expired',
    async () => {
      organization({ 'root@acme.test': 'admin' });
      k = await startKchat();
      const people = [
        [911, 'xia@example.org'],
        [912, 'yan@example.org'],
        [913, 'zoe@example.org'],
      ] as const;
      for (const [id, email] of people) {
        const expired_at = id === 912 ? Math.floor(k.now() / 1000) + 3600 : Math.floor(k.now() / 1000) + 7 * 86_400;
        capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation({ id, email, expired_at })));
        capture('post', `${invitationPath(id)}/ksuite`, 201, ok(ikInvitation({ id })));
        await k.invite(k.admin, dialogValues({ emails: email, role: 'collaborator', channels: k.general.id }));
        await k.settle();
      }
      // Two hours later: xia and yan are still pending (yan's invitation expired an hour ago), zoe is a member now.
      k.advance(2 * 3600_000);
      const zoe = k.fake.addUser({ username: 'zoe', email: 'zoe@example.org', first_name: 'Zoe' });
      k.fake.addTeamMember(k.team.id, zoe.id);
      let listCalls = 0;
      nock.cleanAll();
      ik()
        .get(`/2/accounts/${ACCOUNT}/users`)
        .query({ page: '1', per_page: '100' })
        .reply(
          () => (
            listCalls++,
            [
              200,
              {
                ...ok([
                  accountRow('root@acme.test', 'admin', 0),
                  accountRow('xia@example.org', 'normal', 1, 'pending', { invitation_id: 911 }),
                  accountRow('yan@example.org', 'normal', 2, 'pending', { invitation_id: 912 }),
                  accountRow('zoe@example.org', 'normal', 3),
                ]),
                total: 4,
                page: 1,
                pages: 1,
                items_per_page: 100,
              },
            ]
          ),
        );
      await k.app.mattermost!.pollArrivals();
      await k.settle();

      // One call for three invitations, none of GET …/invitations/{id} (nock would refuse them).
      expect(listCalls).toBe(1);
      expect(accepted()).toBe(true);
      const state = async (email: string) => (await k!.app.store.listInvitations({ email }))[0]!;
      expect((await state('xia@example.org')).state).toBe('sent');
      expect(await state('yan@example.org')).toMatchObject({
        state: 'expired',
        external: { infomaniakStatus: 'expired' },
      });
      expect(await state('zoe@example.org')).toMatchObject({ state: 'arrived', arrivedUserId: zoe.id });
      expect(k.dms(k.admin).join('\n')).toMatch(/yan@example\.org.*expired|expired.*yan@example\.org/);
    },
  );

  it('logs a status it does not know and leaves the invitation as it is', async () => {
    const lines: string[] = [];
    const { pino } = await import('pino');
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat({ app: { log: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }) } });
    capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
    capture('post', `${invitationPath()}/ksuite`, 201, ok(ikInvitation()));
    await k.invite(k.admin, dialogValues({ emails: 'ada@example.org', role: 'collaborator', channels: k.general.id }));
    await k.settle();
    ik()
      .get(invitationPath())
      .reply(200, ok(ikInvitation({ status: 'on_hold' })));
    await k.app.mattermost!.pollArrivals();
    expect(accepted()).toBe(true);
    expect((await k.only()).state).toBe('sent');
    expect(lines.join('\n')).toMatch(/"status":"on_hold".*status this bot does not know/);
  });

  it('follows a rejection and a cancellation made on Infomaniak’s side', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    for (const [id, email] of [
      [901, 'sam@example.org'],
      [902, 'tia@example.org'],
    ] as const) {
      capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation({ id })));
      capture('post', `${invitationPath(id)}/ksuite`, 201, ok(ikInvitation({ id, has_ksuite: true })));
      await k.invite(k.admin, dialogValues({ emails: email, role: 'collaborator', channels: k.general.id }));
      await k.settle();
    }
    ik()
      .get(invitationPath(901))
      .reply(200, ok(ikInvitation({ id: 901, status: 'rejected' })));
    ik()
      .get(invitationPath(902))
      .reply(200, ok(ikInvitation({ id: 902, status: 'cancelled' })));
    await k.app.mattermost!.pollArrivals();
    await k.settle();

    const [sam] = await k.app.store.listInvitations({ email: 'sam@example.org' });
    const [tia] = await k.app.store.listInvitations({ email: 'tia@example.org' });
    expect(sam).toMatchObject({ state: 'failed', lastError: 'The invitee declined the invitation.' });
    expect(tia).toMatchObject({ state: 'revoked' });
    expect((await k.app.store.auditTrail(sam!.id)).at(-1)).toMatchObject({ actor: 'infomaniak', action: 'declined' });
    expect((await k.app.store.auditTrail(tia!.id)).at(-1)).toMatchObject({ actor: 'infomaniak', action: 'revoked' });
    const dms = k.dms(k.admin).join('\n');
    expect(dms).toMatch(/sam \(sam@example\.org\) declined your invitation/);
    expect(dms).toMatch(/for tia \(tia@example\.org\) was cancelled outside the chat/);
    expect(accepted()).toBe(true);
  });

  it('cancels the Infomaniak invitation when the invitation is revoked', async () => {
    organization({ 'root@acme.test': 'admin', 'alice@acme.test': 'normal' });
    k = await startKchat();
    capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
    capture('post', `${invitationPath()}/ksuite`, 201, ok(ikInvitation({ has_ksuite: true })));
    await k.invite(k.admin, dialogValues({ emails: 'uma@example.org', role: 'collaborator', channels: k.general.id }));
    await k.settle();
    const inv = await k.only();

    const deps = { store: k.app.store, clock: { now: () => new Date() } };
    const byMember = await revokeInvitation(deps, {
      invitationId: inv.id,
      by: { id: k.member.id, username: 'alice' },
      byLevel: 'member',
    });
    expect(byMember.ok).toBe(false);
    expect(!byMember.ok && byMember.reason(en)).toMatch(/Only the inviter or an administrator/);

    // Every request but GET carries a JSON body (the reference's getting-started rule), a DELETE too.
    ik().delete(invitationPath(), {}).reply(200, ok(true));
    const revoked = await revokeInvitation(deps, {
      invitationId: inv.id,
      by: { id: k.admin.id, username: 'root' },
      byLevel: 'admin',
      reason: 'sent by mistake',
    });
    expect(revoked).toMatchObject({ ok: true, invitation: { state: 'revoked' } });
    await k.settle();
    expect(accepted()).toBe(true);
    expect((await k.app.store.auditTrail(inv.id)).slice(-2)).toEqual([
      expect.objectContaining({ action: 'revoked', actor: k.admin.id }),
      expect.objectContaining({ action: 'infomaniak_invitation_cancelled', detail: { outcome: 'cancelled' } }),
    ]);
    // The poll leaves a revoked invitation alone.
    await k.app.mattermost!.pollArrivals();
  });

  it(
    'takes the inviter’s level from their member row, ' + 'never from a pending invitation to the same address',
    async () => {
      // alice is a plain member of the organization, and someone invited her address again as an administrator.
      organization({ 'root@acme.test': 'admin', 'alice@acme.test': 'normal' }, 200, undefined, {
        'alice@acme.test': 'admin',
        'bob@acme.test': 'owner',
      });
      k = await startKchat();
      await k.invite(
        k.member,
        dialogValues({ emails: 'pia@example.org', role: 'collaborator', channels: k.general.id }),
      );
      await k.settle();
      // A member's request waits for an approver: the pending 'admin' row did not make her one.
      expect((await k.only()).state).toBe('pending_approval');
      expect(k.fake.postsIn(k.approvals.id)).toHaveLength(1);
      expect(accepted()).toBe(true);
    },
  );

  it('settles a revoke that Infomaniak answers 500 cannot_delete_object, and tells the inviter in words', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
    capture('post', `${invitationPath()}/ksuite`, 201, ok(ikInvitation()));
    await k.invite(k.admin, dialogValues({ emails: 'uma@example.org', role: 'collaborator', channels: k.general.id }));
    await k.settle();

    ik()
      .delete(invitationPath(), {})
      .reply(500, fail('cannot_delete_object', 'Triggered when the entity cannot be deleted.'));
    const deps = { store: k.app.store, clock: { now: () => new Date(k!.now()) } };
    const inv = await k.only();
    expect(
      await revokeInvitation(deps, {
        invitationId: inv.id,
        by: { id: k.admin.id, username: 'root' },
        byLevel: 'admin',
      }),
    ).toMatchObject({ ok: true });
    await k.settle();
    k.advance(3600_000);
    await k.settle();

    expect(accepted()).toBe(true);
    expect((await k.app.store.jobs({ state: 'pending' })).filter((j) => j.kind === 'mattermost.withdraw')).toEqual([]);
    expect((await k.app.store.auditTrail(inv.id)).at(-1)).toMatchObject({
      action: 'infomaniak_invitation_cancelled',
      detail: { outcome: 'not_cancellable' },
    });
    expect(k.dms(k.admin).at(-1)).toMatch(/could not cancel the invitation for uma.*accepted already.*Manager/);
  });

  it('gives up a refused right with what the refusal means, when Infomaniak sends only a code', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation()));
    ik().post(`${invitationPath()}/ksuite`).reply(403, fail('ksuite_quota_reached'));
    await k.invite(k.admin, dialogValues({ emails: 'vera@example.org', role: 'collaborator', channels: k.general.id }));
    await k.settle();
    expect(accepted()).toBe(true);
    expect((await k.only()).lastError).toMatch(/403 ksuite_quota_reached: the kSuite has no user left in its quota/);
    expect(k.dms(k.admin).at(-1)).toMatch(
      /gave up setting the kSuite access .*the kSuite has no user left in its quota/,
    );
  });

  it('reports a wrong token at start-up: not ready, and only guests can be invited', async () => {
    organization({}, 401);
    const lines: string[] = [];
    const { pino } = await import('pino');
    k = await startKchat({ app: { log: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) } });
    const ready = await fetch(`${k.url}/readyz`);
    expect(ready.status).toBe(503);
    const error = lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 50 && /Infomaniak/.test(l.msg));
    expect(error!.msg).toMatch(/refused the API token \(401\).*Set INFOMANIAK_API_TOKEN/);
    expect(lines.join('\n')).not.toContain('ik-token-do-not-log');

    await k.command(k.admin);
    const dialog = k.fake.dialogsOpened.at(-1)!.dialog as {
      introduction_text: string;
      elements: { name: string; options?: { value: string }[] }[];
    };
    expect(dialog.elements.find((e) => e.name === 'role')!.options!.map((o) => o.value)).toEqual(['external']);
    expect(dialog.introduction_text).toMatch(/cannot reach the Infomaniak organization/);
  });

  it('answers with a clear message when the server refuses to open dialogs', async () => {
    organization({ 'root@acme.test': 'admin' });
    k = await startKchat();
    k.fake.failNext('POST', /\/actions\/dialogs\/open$/, [
      {
        status: 404,
        body: { id: 'api.context.404.app_error', message: 'Sorry, we could not find the page.', status_code: 404 },
      },
    ]);
    const answer = await k.command(k.admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/does not let bots open forms/),
    });

    // The same wizard as a web page, through the link given to this user only.
    const link = /(http:\/\/\S+\/mattermost\/form\?t=\S+)/.exec((answer.body as { text: string }).text)![1]!;
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).not.toContain(new URL(link).searchParams.get('t')!);
    for (const name of ['emails', 'role', 'channels', 'delivery', 'expiry']) expect(html).toContain(`name="${name}"`);
    expect(html).toContain(`value="${k.general.id}"`);

    const post = (body: Record<string, string>) =>
      fetch(link, {
        method: 'POST',
        body: new URLSearchParams(body),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    const invalid = await post({
      emails: 'not an address',
      role: 'collaborator',
      channels: k.general.id,
      delivery: 'platform_email',
      expiry: '7',
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toMatch(/Not an email address: not an address/);

    const done = await post({
      emails: 'vic@example.org',
      role: 'collaborator',
      channels: k.general.id,
      delivery: 'platform_email',
      expiry: '7',
      remind_email: 'true',
    });
    expect(done.status).toBe(200);
    expect(await k.only()).toMatchObject({
      email: 'vic@example.org',
      role: 'collaborator',
      channelIds: [k.general.id],
      billingReminders: { email: true, sms: false },
      state: 'sending',
    });
    // The link dies with its form; a forged token is refused the same way.
    expect(
      (await post({ emails: 'wes@example.org', role: 'collaborator', delivery: 'platform_email', expiry: '7' })).status,
    ).toBe(404);
    expect((await fetch(link.replace(/t=[^&]+/, 't=eyJrIjoiZm9ybSJ9.forged'))).status).toBe(404);
    expect((await k.app.store.listInvitations({})).length).toBe(1);
  });
});
