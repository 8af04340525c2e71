import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountRefusedError } from '../../../src/lifecycle/accountCreator.js';
import { createLogger } from '../../../src/logger.js';
import {
  mattermostAccountCreator,
  mattermostChannelNames,
  mattermostLoginUrl,
} from '../../../src/platforms/mattermost/accountCreator.js';
import { MattermostApi } from '../../../src/platforms/mattermost/api.js';
import { type FakeChannel, type FakeTeam, MattermostFake } from '../../fakes/mattermostFake.js';
import { anInvitation } from '../../support/invitationFixture.js';
import { en } from '../../support/words.js';

describe('Mattermost account creation from the acceptance page', () => {
  let fake: MattermostFake;
  let team: FakeTeam;
  let general: FakeChannel;
  let secret: FakeChannel;
  let townSquare: FakeChannel;
  let api: MattermostApi;
  const logs: string[] = [];
  const log = createLogger('debug', new Writable({ write: (c, _e, cb) => void (logs.push(String(c)), cb()) }));
  const account = (username: string) => ({ username, password: 'correct horse', firstName: 'Ana', lastName: 'Lima' });

  // A fresh server for each test: none relies on an account another one made.
  beforeEach(async () => {
    logs.length = 0;
    fake = await MattermostFake.start();
    team = fake.addTeam({ name: 'acme', display_name: 'Acme' });
    const bot = fake.addUser({
      username: 'guestlist',
      email: 'bot@acme.test',
      is_bot: true,
      roles: 'system_user system_admin',
    });
    fake.addToken('bot-token', bot.id);
    fake.addTeamMember(team.id, bot.id);
    townSquare = fake.addChannel({ team_id: team.id, name: 'town-square', display_name: 'Town Square', type: 'O' });
    general = fake.addChannel({ team_id: team.id, name: 'general', display_name: 'General', type: 'O' });
    secret = fake.addChannel({ team_id: team.id, name: 'secret', display_name: 'Secret', type: 'P' });
    for (const c of [townSquare, general, secret]) fake.addChannelMember(c.id, bot.id);
    api = new MattermostApi(fake.url, 'bot-token');
  });
  afterEach(() => fake.stop());

  it('creates an external as a guest with the invited email, in the team and only the chosen channels', async () => {
    const inv = anInvitation({
      email: 'ana@example.com',
      role: 'external',
      workspaceId: team.id,
      channelIds: [general.id, secret.id],
    });
    const { userId, loginUrl } = await mattermostAccountCreator({ api, log }).createAccount(inv, account('ana'));
    expect(loginUrl).toBe(`${fake.url}/login`);
    const user = fake.getUser(userId)!;
    expect(user).toMatchObject({
      email: 'ana@example.com',
      username: 'ana',
      first_name: 'Ana',
      last_name: 'Lima',
      roles: 'system_guest',
    });
    expect(fake.teamMember(team.id, userId)?.scheme_guest).toBe(true);
    expect(fake.channelMember(general.id, userId)?.scheme_guest).toBe(true);
    expect(fake.channelMember(secret.id, userId)?.scheme_guest).toBe(true);
    expect(fake.channelMember(townSquare.id, userId)).toBeUndefined();
    const order = fake.requests
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path.replace(/[a-z0-9]{26}/g, ':id')}`);
    expect(order).toEqual([
      'POST /api/v4/users',
      'POST /api/v4/users/:id/demote',
      'POST /api/v4/teams/:id/members',
      'POST /api/v4/channels/:id/members',
      'POST /api/v4/channels/:id/members',
    ]);
  });

  it('creates a collaborator as a regular member', async () => {
    const inv = anInvitation({
      email: 'carl@example.com',
      role: 'collaborator',
      workspaceId: team.id,
      channelIds: [secret.id],
    });
    const { userId } = await mattermostAccountCreator({ api, log }).createAccount(inv, account('carl'));
    expect(fake.getUser(userId)!.roles).toBe('system_user');
    expect(fake.teamMember(team.id, userId)?.scheme_user).toBe(true);
    expect(fake.channelMember(secret.id, userId)?.scheme_user).toBe(true);
  });

  it('turns refusals the invitee can fix into AccountRefusedError on the right field', async () => {
    fake.addUser({ username: 'ana', email: 'ana@example.com' });
    const creator = mattermostAccountCreator({ api, log });
    const taken = await creator
      .createAccount(anInvitation({ email: 'new1@example.com', workspaceId: team.id }), account('ana'))
      .catch((e) => e);
    expect(taken).toBeInstanceOf(AccountRefusedError);
    expect(taken).toMatchObject({ field: 'username' });
    const exists = await creator
      .createAccount(anInvitation({ email: 'ana@example.com', workspaceId: team.id }), account('ana2'))
      .catch((e) => e);
    expect(exists).toMatchObject({ field: undefined });
    expect(exists.said(en)).toContain('ana@example.com already exists');
    const weak = await creator
      .createAccount(anInvitation({ email: 'new2@example.com', workspaceId: team.id }), {
        ...account('weak'),
        password: 'short',
      })
      .catch((e) => e);
    expect(weak).toMatchObject({ field: 'password' });
    expect(weak.said(en)).toBe('Your password must contain at least 8 characters.');
  });

  it('deactivates an account that could not be made a guest, and fails', async () => {
    fake.failNext('POST', /\/users\/[a-z0-9]+\/demote$/, [
      { status: 500, body: { id: 'x', message: 'boom', status_code: 500 } },
    ]);
    const inv = anInvitation({
      email: 'dora@example.com',
      role: 'external',
      workspaceId: team.id,
      channelIds: [general.id],
    });
    await expect(mattermostAccountCreator({ api, log }).createAccount(inv, account('dora'))).rejects.toThrow(/500/);
    const dora = (await api.userByEmail('dora@example.com'))!;
    expect(fake.getUser(dora.id)!.delete_at).toBeGreaterThan(0);
    expect(fake.teamMember(team.id, dora.id)).toBeUndefined();
  });

  it('leaves a failed channel join to the arrival jobs instead of failing the registration', async () => {
    fake.failNext('POST', new RegExp(`/channels/${general.id}/members$`), [{ status: 503, body: 'unavailable' }]);
    const inv = anInvitation({
      email: 'eve@example.com',
      role: 'collaborator',
      workspaceId: team.id,
      channelIds: [general.id],
    });
    const { userId } = await mattermostAccountCreator({ api, log }).createAccount(inv, account('eve'));
    expect(fake.getUser(userId)).toBeDefined();
    expect(logs.join('')).toContain('the arrival jobs add it again');
    expect(logs.join('')).not.toContain('correct horse');
  });

  it('looks up channel names and the login page for the acceptance page', async () => {
    const inv = anInvitation({ channelIds: [general.id, 'x'.repeat(26), secret.id] });
    expect(await mattermostChannelNames(api, inv)).toEqual(['General', 'Secret']);
    expect(mattermostLoginUrl(api)).toBe(`${fake.url}/login`);
  });
});
