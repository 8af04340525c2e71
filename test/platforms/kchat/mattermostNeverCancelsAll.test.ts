/** On upstream Mattermost, `DELETE /api/v4/teams/invites/email` invalidates every pending email invitation of the
 * server. Only the kChat backend may send it (with an id): the plain Mattermost adapter never does, whatever
 * happens to an external guest's invitation. */
import { afterEach, expect, it } from 'vitest';
import { requestResend } from '../../../src/actions/requestResend.js';
import { revokeInvitation } from '../../../src/actions/revokeInvitation.js';
import { type Harness, startHarness } from '../mattermost/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it(
  'revoking and resending an external guest on Mattermost ' + 'never calls DELETE /api/v4/teams/invites/email',
  async () => {
    h = await startHarness({ fake: { version: '10.6.0.1.abc.true' } });
    await h.command(h.admin);
    const dialog = h.fake.dialogsOpened.at(-1)!;
    const values = {
      emails: 'ana@example.org',
      role: 'external',
      channels: h.general.id,
      channels_2: null,
      channels_3: null,
      delivery: 'platform_email',
      expiry: '3',
    };
    expect((await h.fake.submitDialog(dialog, h.admin.id, h.general.id, h.team.id, values)).body).toEqual({});
    await h.app.outbox.drain();
    const [inv] = await h.app.store.listInvitations({});
    expect(inv!.state).toBe('sent');

    const deps = { store: h.app.store, clock: { now: () => new Date() } };
    const by = { id: h.admin.id, username: 'root' };
    expect(
      await requestResend(deps, {
        invitationId: inv!.id,
        by,
        byLevel: 'admin',
        method: 'platform_email',
        offered: ['platform_email'],
      }),
    ).toEqual({ ok: true });
    await h.app.outbox.drain();
    expect(h.fake.invitesSent).toHaveLength(2);
    expect(
      await revokeInvitation(deps, {
        invitationId: inv!.id,
        by: { id: h.admin.id, username: 'root' },
        byLevel: 'admin',
      }),
    ).toMatchObject({ ok: true });
    await h.app.outbox.drain();
    expect((await h.app.store.getInvitation(inv!.id))!.state).toBe('revoked');
    expect(await h.app.store.jobs({ state: 'pending' })).toEqual([]);
    expect(h.fake.requests.filter((r) => r.path.startsWith('/api/v4/teams/invites'))).toEqual([]);
    expect(h.fake.requests.some((r) => r.path.endsWith('/members/pending_guest'))).toBe(false);
  },
);
