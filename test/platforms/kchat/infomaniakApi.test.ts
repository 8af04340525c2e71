import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InfomaniakApi,
  InfomaniakError,
  type RateBudget,
  ROLE_TYPE,
  StoreRateBudget,
  toDriveLang,
  toInfomaniakLocale,
} from '../../../src/platforms/kchat/infomaniakApi.js';
import { LowdbStore } from '../../../src/store/lowdbStore.js';

const BASE = 'https://ik.example';
const TOKEN = 'sekret-token-123';

function countingBudget(): RateBudget & { taken: number } {
  return {
    taken: 0,
    async take() {
      this.taken++;
    },
  };
}

function api(budget: RateBudget = countingBudget()): InfomaniakApi {
  return new InfomaniakApi({ baseUrl: BASE, token: TOKEN, accountId: '42', budget });
}

const ik = () => nock(BASE).matchHeader('authorization', `Bearer ${TOKEN}`);

/** An AccountInvitation as documented (subset of its fields plus a few extra ones we ignore). */
const invitation = (over: Record<string, unknown> = {}) => ({
  id: 777,
  status: 'pending',
  url_accept: 'https://manager.infomaniak.com/v3/invitation/accept/abc',
  qr_code: 'data:image/png;base64,xx',
  sent_at: 1_767_225_600,
  expired_at: 1_767_830_400,
  has_ksuite: false,
  role_type: 'normal',
  ...over,
});

async function failure(promise: Promise<unknown>): Promise<InfomaniakError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InfomaniakError);
  return err as InfomaniakError;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

describe('mappings', () => {
  it('follows the Manager wording for role_type', () => {
    expect(ROLE_TYPE).toEqual({ legal_representative: 'owner', admin: 'admin', collaborator: 'normal' });
  });

  it('maps every language kChat ships onto the reference’s enums for locale and kDrive lang, English otherwise', () => {
    const spec = (file: string) =>
      JSON.parse(readFileSync(new URL(`../../../../shared/specs/infomaniak/${file}`, import.meta.url), 'utf8'));
    const invite =
      spec('accounts-invitations.json').paths['/1/accounts/{account}/invitations'].post.requestBody.content[
        'application/json'
      ].schema;
    const drive =
      spec('kdrive-users.json').paths['/2/drive/{drive_id}/users'].post.requestBody.content['application/json'].schema;
    const locales: string[] = invite.properties.locale.enum;
    const langs: string[] = drive.properties.lang.enum;
    // Mattermost 10.6's languages, which kChat's web client offers.
    const kchat = [
      'bg',
      'de',
      'en',
      'en-AU',
      'es',
      'fa',
      'fr',
      'hu',
      'it',
      'ja',
      'ko',
      'nl',
      'pl',
      'pt-BR',
      'ro',
      'ru',
      'sv',
      'tr',
      'uk',
      'vi',
      'zh-CN',
      'zh-TW',
    ];
    for (const l of kchat) {
      expect(locales).toContain(toInfomaniakLocale(l));
      expect(langs).toContain(toDriveLang(l));
    }
    expect(kchat.map(toDriveLang).filter((l) => l !== 'en')).toEqual(['de', 'es', 'fr', 'it']);
    expect(toDriveLang('pt-BR')).toBe('en');
    expect(toDriveLang('fr_CH')).toBe('fr');
  });

  it('maps locales onto the five Infomaniak accepts, defaulting to en_GB', () => {
    expect(toInfomaniakLocale('fr')).toBe('fr_FR');
    expect(toInfomaniakLocale('fr-CH')).toBe('fr_FR');
    expect(toInfomaniakLocale('de_ch')).toBe('de_DE');
    expect(toInfomaniakLocale('IT')).toBe('it_IT');
    expect(toInfomaniakLocale('es-419')).toBe('es_ES');
    expect(toInfomaniakLocale('en-US')).toBe('en_GB');
    expect(toInfomaniakLocale('pt-BR')).toBe('en_GB');
    expect(toInfomaniakLocale('constructor')).toBe('en_GB');
    expect(toInfomaniakLocale('')).toBe('en_GB');
  });
});

describe('accountUserRole', () => {
  const row = (email: string, role_type: string, state: 'valid' | 'pending', id: number) => ({
    user_id: state === 'valid' ? id : null,
    invitation_id: state === 'pending' ? id : null,
    email,
    role_type,
    state_in_account: state,
  });

  it('reads only valid rows with a user_id: a pending invitation to the same address is not a member', async () => {
    ik()
      .get('/2/accounts/42/users')
      .query({ search: 'ana@x.org', per_page: '20' })
      .reply(200, {
        result: 'success',
        data: [
          row('ana@x.org', 'owner', 'pending', 5),
          row('ana@x.org', 'normal', 'valid', 6),
          row('anabel@x.org', 'admin', 'valid', 7),
        ],
      });
    ik()
      .get('/2/accounts/42/users')
      .query({ search: 'ben@x.org', per_page: '20' })
      .reply(200, { result: 'success', data: [row('ben@x.org', 'admin', 'pending', 8)] });
    expect(await api().accountUserRole('Ana@x.org')).toBe('normal');
    expect(await api().accountUserRole('ben@x.org')).toBeUndefined();
  });
});

describe('createInvitation', () => {
  for (const [role, roleType] of Object.entries(ROLE_TYPE)) {
    it(`sends role_type ${roleType} for ${role}, strict, and parses the 201`, async () => {
      ik()
        .post('/1/accounts/42/invitations', {
          email: 'ada@example.com',
          first_name: 'Ada',
          last_name: 'Lovelace',
          locale: 'fr_FR',
          role_type: roleType,
          strict: true,
          silent: true,
          permissions: { billing: true },
          notifications: { billing: false, products: false },
        })
        .reply(201, { result: 'success', data: invitation({ role_type: roleType }) });

      const created = await api().createInvitation({
        email: 'ada@example.com',
        firstName: 'Ada',
        lastName: 'Lovelace',
        locale: 'fr-CH',
        roleType,
        billing: true,
        billingNotifications: false,
        silent: true,
      });
      expect(created).toEqual({
        id: '777',
        status: 'pending',
        urlAccept: 'https://manager.infomaniak.com/v3/invitation/accept/abc',
        qrCode: 'data:image/png;base64,xx',
        expiredAt: '2026-01-08T00:00:00.000Z',
      });
    });
  }

  it('lets Infomaniak send the email when not silent', async () => {
    let sent: Record<string, unknown> = {};
    ik()
      .post('/1/accounts/42/invitations', (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(201, { result: 'success', data: invitation() });
    await api().createInvitation({
      email: 'bob@example.com',
      firstName: 'Bob',
      lastName: 'B',
      locale: 'en',
      roleType: 'normal',
      billing: false,
      billingNotifications: true,
      silent: false,
    });
    expect(sent).toMatchObject({ silent: false, strict: true, locale: 'en_GB', notifications: { billing: true } });
  });

  it('refuses a 201 that lacks the documented fields', async () => {
    ik()
      .post('/1/accounts/42/invitations')
      .reply(201, { result: 'success', data: { status: 'pending' } });
    const err = await failure(
      api().createInvitation({
        email: 'x@example.com',
        firstName: 'X',
        lastName: 'Y',
        locale: 'de',
        roleType: 'admin',
        billing: false,
        billingNotifications: false,
        silent: true,
      }),
    );
    expect(err).toMatchObject({ code: 'unexpected_response', retryable: false, permanent: true });
  });
});

describe('invitation follow-ups', () => {
  it('reads an invitation', async () => {
    ik()
      .get('/1/accounts/42/invitations/777')
      .reply(200, {
        result: 'success',
        data: invitation({ status: 'accepted', url_accept: null, expired_at: null }),
      });
    expect(await api().getInvitation('777')).toEqual({
      id: '777',
      status: 'accepted',
      urlAccept: undefined,
      qrCode: 'data:image/png;base64,xx',
      expiredAt: null,
    });
  });

  it('cancels with a JSON body, treats a 404 as already gone and a 500 cannot_delete_object as settled', async () => {
    ik()
      .delete('/1/accounts/42/invitations/777', {})
      .matchHeader('content-type', 'application/json')
      .reply(200, { result: 'success', data: true });
    ik()
      .delete('/1/accounts/42/invitations/779')
      .reply(500, { result: 'error', error: { code: 'cannot_delete_object' } });
    expect(await api().cancelInvitation('779')).toEqual({ outcome: 'not_cancellable' });
    ik()
      .delete('/1/accounts/42/invitations/778')
      .reply(404, {
        result: 'error',
        error: { code: 'object_not_found', description: 'Invitation not found' },
      });
    expect(await api().cancelInvitation('777')).toEqual({ outcome: 'cancelled' });
    expect(await api().cancelInvitation('778')).toEqual({ outcome: 'already_gone' });
  });

  it('sets kSuite access and kDrive access with the documented bodies and answers', async () => {
    const ok = { result: 'success', data: invitation() };
    ik()
      .post('/1/accounts/42/invitations/777/ksuite', { ksuite_access: { kchat_role: 'user', kdrive_role: 'admin' } })
      .reply(201, ok);
    ik().post('/1/accounts/42/invitations/777/drive', { drive_id: 9, role: 'user' }).reply(201, ok);
    ik().patch('/1/accounts/42/invitations/777/drive/9', { right: 'write' }).reply(200, ok);

    const budget = countingBudget();
    const client = api(budget);
    await client.setKsuiteAccess('777', { kchatRole: 'user', kdriveRole: 'admin' });
    expect(await client.addDrive('777', 9, 'user')).toBe('added');
    await client.setDriveRight('777', 9, 'write');
    expect(budget.taken).toBe(3);
  });

  it('invites an external kDrive user, keeps the invitation id, and refuses an entry with an error', async () => {
    ik()
      .post('/2/drive/9/users', {
        emails: ['eve@example.org'],
        role: 'external',
        right: 'read',
        send_email: true,
        lang: 'fr',
        message: 'Bienvenue',
      })
      .reply(201, {
        result: 'success',
        data: [{ email: 'eve@example.org', invitation: { id: 55, email: 'eve@example.org', status: 'pending' } }],
      });
    ik()
      .post('/2/drive/9/users')
      .reply(201, { result: 'success', data: [{ email: 'eve@example.org', error: 'Already a user' }] });
    ik().post('/2/drive/9/users/invitation/55/send', {}).reply(200, { result: 'success', data: true });
    ik().delete('/2/drive/9/users/invitation/55', {}).reply(200, { result: 'success', data: true });

    expect(
      await api().inviteDriveExternal(9, {
        email: 'eve@example.org',
        right: 'read',
        locale: 'fr-CH',
        message: 'Bienvenue',
      }),
    ).toBe('55');
    const refused = await failure(
      api().inviteDriveExternal(9, { email: 'eve@example.org', right: 'read', locale: 'fr' }),
    );
    expect(refused).toMatchObject({ code: 'drive_invitation_refused', permanent: true });
    expect(refused.message).toMatch(/Already a user/);
    await api().resendDriveInvitation(9, '55');
    await api().cancelDriveInvitation(9, '55');
  });
});

describe('errors', () => {
  it('a 400 is permanent, keeps the code, and never shows the token', async () => {
    ik()
      .get('/1/accounts/42/invitations/1')
      .reply(400, {
        result: 'error',
        error: { code: 'validation_failed', description: `bad header Bearer ${TOKEN}` },
      });
    const err = await failure(api().getInvitation('1'));
    expect(err).toMatchObject({
      status: 400,
      code: 'validation_failed',
      retryable: false,
      permanent: true,
      retryAfterMs: undefined,
    });
    expect(err.message).not.toContain(TOKEN);
  });

  it('a 403 is permanent, and says in words what a bare code means, with each of errors[]', async () => {
    ik()
      .post('/1/accounts/42/invitations/1/ksuite')
      .reply(403, { result: 'error', error: { code: 'ksuite_quota_reached' } });
    const err = await failure(api().setKsuiteAccess('1', { kchatRole: 'user', kdriveRole: 'user' }));
    expect(err).toMatchObject({ status: 403, code: 'ksuite_quota_reached', retryable: false });
    expect(err.message).toMatch(/403 ksuite_quota_reached: the kSuite has no user left in its quota$/);

    ik()
      .post('/1/accounts/42/invitations')
      .reply(422, {
        result: 'error',
        error: {
          code: 'validation_failed',
          description: 'Invalid data',
          errors: [{ code: 'x', description: 'email: not an address' }, { code: 'access_denied' }],
        },
      });
    const invalid = await failure(
      api().createInvitation({
        email: 'x',
        firstName: 'X',
        lastName: 'Y',
        locale: 'de',
        roleType: 'admin',
        billing: false,
        billingNotifications: false,
        silent: true,
      }),
    );
    expect(invalid.message).toMatch(
      /422 validation_failed: Invalid data \(email: not an address; the API token has no access to this\)/,
    );
  });

  it('a 429 is retryable after Retry-After seconds, 60 s when absent, or until an HTTP date', async () => {
    const limited = { result: 'error', error: { code: 'too_many_requests' } };
    ik().get('/1/accounts/42/invitations/1').reply(429, limited, { 'Retry-After': '17' });
    ik().get('/1/accounts/42/invitations/1').reply(429, limited);
    ik()
      .get('/1/accounts/42/invitations/1')
      .reply(429, limited, { 'Retry-After': new Date(Date.now() + 120_000).toUTCString() });

    expect(await failure(api().getInvitation('1'))).toMatchObject({
      status: 429,
      retryable: true,
      permanent: false,
      retryAfterMs: 17_000,
    });
    expect(await failure(api().getInvitation('1'))).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    const dated = await failure(api().getInvitation('1'));
    expect(dated.retryAfterMs).toBeGreaterThan(110_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('5xx (even without a JSON body) and network failures are retryable', async () => {
    ik().get('/1/accounts/42/invitations/1').reply(502, '<html>Bad gateway</html>');
    ik().get('/1/accounts/42/invitations/2').replyWithError('socket hang up');
    expect(await failure(api().getInvitation('1'))).toMatchObject({ status: 502, code: 'http_502', retryable: true });
    expect(await failure(api().getInvitation('2'))).toMatchObject({
      status: undefined,
      code: 'network_error',
      retryable: true,
    });
  });

  it('an error envelope inside a 200 is still an error', async () => {
    ik()
      .get('/1/accounts/42/invitations/1')
      .reply(200, { result: 'error', error: { code: 'object_not_found' } });
    expect(await failure(api().getInvitation('1'))).toMatchObject({
      status: 200,
      code: 'object_not_found',
      retryable: false,
    });
  });
});

describe('checkAccess', () => {
  const users = () => ik().get('/2/accounts/42/users').query({ per_page: '1' });

  it('is ok when the account users can be listed', async () => {
    users().reply(200, { result: 'success', data: [{ id: 1 }], total: 1, page: 1, pages: 1 });
    expect(await api().checkAccess()).toEqual({ ok: true });
  });

  it.each([
    [401, 'not_authorized', 'bad_token', /token/],
    [403, 'access_denied', 'missing_scope', /scope.*accounts/],
    [404, 'object_not_found', 'unknown_account', /account 42/],
    [503, 'service_unavailable', 'unreachable', /503/],
  ] as const)('explains a %i', async (status, code, problem, message) => {
    users().reply(status, { result: 'error', error: { code, description: 'nope' } });
    const check = await api().checkAccess();
    expect(check).toMatchObject({ ok: false, problem });
    expect(check.ok === false && check.message).toMatch(message);
  });

  it('says unreachable when nothing answers', async () => {
    users().replyWithError('getaddrinfo ENOTFOUND ik.example');
    expect(await api().checkAccess()).toMatchObject({ ok: false, problem: 'unreachable' });
  });
});

describe('StoreRateBudget (on the real LowdbStore, fake clock)', () => {
  let dir: string;
  let store: LowdbStore;
  let clock: number;
  let sleeps: number;
  const now = () => new Date(clock);
  const sleep = async (ms: number) => {
    sleeps++;
    const wake = clock + ms;
    await Promise.resolve();
    clock = Math.max(clock, wake);
  };

  /** The largest number of times falling in any window [t, t + windowMs). */
  function busiestWindow(times: number[], windowMs: number): number {
    const sorted = [...times].sort((a, b) => a - b);
    return Math.max(...sorted.map((t, i) => sorted.slice(i).filter((u) => u < t + windowMs).length));
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'guestlist-ik-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  afterEach(async () => store.close());

  it('200 API calls never exceed 60 in any 60-second window', async () => {
    store = await LowdbStore.open(dir, 'sequential.json');
    clock = Date.UTC(2026, 0, 1);
    sleeps = 0;
    const start = clock;
    const sentAt: number[] = [];
    ik()
      .get('/1/accounts/42/invitations/1')
      .times(200)
      .reply(() => {
        sentAt.push(clock);
        return [200, { result: 'success', data: invitation({ id: 1 }) }];
      });

    const client = api(new StoreRateBudget(store, { now, sleep }));
    for (let i = 0; i < 200; i++) await client.getInvitation('1');

    expect(sentAt).toHaveLength(200);
    expect(busiestWindow(sentAt, 60_000)).toBe(60);
    // 60 at once, then 60 a minute later, and so on: the last 20 go out after three minutes.
    expect(sentAt.at(-1)! - start).toBe(180_000);
    expect(sleeps).toBe(3);
  });

  it('replicas sharing the store share the budget', async () => {
    store = await LowdbStore.open(dir, 'shared.json');
    clock = Date.UTC(2026, 0, 1);
    sleeps = 0;
    const granted: number[] = [];
    const recording = {
      async takeRateToken(...args: Parameters<LowdbStore['takeRateToken']>) {
        const answer = await store.takeRateToken(...args);
        if (answer.ok) granted.push(args[3].getTime());
        return answer;
      },
    };
    const replicas = [1, 2, 3].map(() => new StoreRateBudget(recording, { now, sleep }));

    await Promise.all(Array.from({ length: 200 }, (_, i) => replicas[i % 3]!.take()));

    expect(granted).toHaveLength(200);
    expect(busiestWindow(granted, 60_000)).toBeLessThanOrEqual(60);
    expect(Math.max(...granted) - Math.min(...granted)).toBeGreaterThanOrEqual(180_000);
  });
});
