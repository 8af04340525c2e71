/** On kChat, Infomaniak's invitation and kDrive's follow the invitation's language, not the inviter's. */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  DRIVE,
  dialogValues,
  driveInvitationEntry,
  ik,
  ikInvitation,
  infomaniakThroughNock,
  invitationPath,
  type Kchat,
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
  expect(sentToInfomaniak.splice(0).flatMap(requestErrors)).toEqual([]);
});

function capture(method: 'post' | 'patch', path: string, status: number, body: unknown): unknown[] {
  const seen: unknown[] = [];
  ik()
    [method](path, (b) => (seen.push(b), true))
    .reply(status, body as nock.Body);
  return seen;
}

describe('a German invitation by a French-speaking inviter on kChat', () => {
  it('asks Infomaniak for de_DE', async () => {
    organization({ 'root@acme.test': 'owner' });
    k = await startKchat();
    k.fake.getUser(k.admin.id)!.locale = 'fr';
    const created = capture('post', `/1/accounts/${ACCOUNT}/invitations`, 201, ok(ikInvitation({ id: 900 })));
    capture('post', `${invitationPath(900)}/ksuite`, 201, ok(ikInvitation({ id: 900, has_ksuite: true })));
    const answer = await k.invite(
      k.admin,
      dialogValues({ emails: 'dieter@example.org', role: 'collaborator', channels: k.general.id, language: 'de' }),
    );
    expect(answer).toEqual({ status: 200, body: {} });
    await k.settle();
    expect(created).toEqual([expect.objectContaining({ email: 'dieter@example.org', locale: 'de_DE' })]);
  });

  it('asks kDrive for lang de', async () => {
    organization({ 'alice@acme.test': 'normal', 'root@acme.test': 'admin' });
    k = await startKchat({ env: { KDRIVE_ID: String(DRIVE) } });
    k.fake.getUser(k.admin.id)!.locale = 'fr';
    const drive = capture('post', `/2/drive/${DRIVE}/users`, 201, ok([driveInvitationEntry('gil@partner.test')]));
    await k.invite(
      k.admin,
      dialogValues({
        emails: 'gil@partner.test',
        role: 'external',
        channels: k.general.id,
        kdrive: 'read',
        language: 'de',
      }),
    );
    await k.settle();
    expect(drive).toEqual([expect.objectContaining({ emails: ['gil@partner.test'], lang: 'de' })]);
  });
});
