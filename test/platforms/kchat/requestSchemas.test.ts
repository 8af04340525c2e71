/** Every request the bot sends to Infomaniak, checked against the reference's own request schema for its route
 * (see referenceSchemas.ts): each API method is called with every value the bot can put in it. */
import { describe, expect, it } from 'vitest';
import { KDRIVE_RIGHTS } from '../../../src/core/model.js';
import { InfomaniakApi, ROLE_TYPE } from '../../../src/platforms/kchat/infomaniakApi.js';
import { requestErrors, type SentRequest } from './referenceSchemas.js';

const invitation = {
  id: 777,
  status: 'pending',
  url_accept: 'https://x.test/a',
  qr_code: 'data:image/png;base64,xx',
  expired_at: null,
};
const driveEntry = [{ email: 'eve@example.org', invitation: { id: 55, email: 'eve@example.org' } }];

/** Answers each route as the reference does, and records what was sent. */
function recordingApi(sent: SentRequest[]): InfomaniakApi {
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const text = typeof init?.body === 'string' ? init.body : undefined;
    sent.push({
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      body: text === undefined ? undefined : JSON.parse(text),
    });
    const path = url.pathname;
    const data =
      path.endsWith('/users') && init?.method === 'POST'
        ? driveEntry
        : path === '/1/accounts/42'
          ? { id: 42, ksuite_id: 3 }
          : path === '/2/drive'
            ? [{ id: 9, k_suite: { id: 3 } }]
            : path.endsWith('/users')
              ? []
              : /invitations(\/\d+)?(\/(ksuite|drive(\/\d+)?))?$/.test(path)
                ? invitation
                : true;
    return new Response(JSON.stringify({ result: 'success', data }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return new InfomaniakApi({
    baseUrl: 'https://ik.test',
    token: 't',
    accountId: '42',
    budget: { take: async () => {} },
    fetch: fetch as typeof globalThis.fetch,
  });
}

describe('what the bot sends to Infomaniak follows the reference', () => {
  it('every route and every value the bot uses', async () => {
    const sent: SentRequest[] = [];
    const api = recordingApi(sent);
    for (const roleType of Object.values(ROLE_TYPE)) {
      for (const locale of ['fr-CH', 'pt-BR', 'de', 'zh-TW', '']) {
        for (const silent of [true, false]) {
          await api.createInvitation({
            email: 'ada@example.com',
            firstName: 'Ada',
            lastName: 'L',
            locale,
            roleType,
            billing: silent,
            billingNotifications: !silent,
            silent,
          });
        }
      }
    }
    for (const role of ['admin', 'user'] as const) {
      await api.setKsuiteAccess('777', { kchatRole: role, kdriveRole: role });
      await api.addDrive('777', 9, role);
    }
    for (const right of KDRIVE_RIGHTS) {
      await api.setDriveRight('777', 9, right);
      for (const locale of ['it', 'ja', 'es-419'])
        await api.inviteDriveExternal(9, {
          email: 'eve@example.org',
          right,
          locale,
          message: right === 'read' ? 'Hi' : undefined,
        });
    }
    await api.resendDriveInvitation(9, '55');
    await api.cancelDriveInvitation(9, '55');
    await api.cancelInvitation('777');
    await api.getInvitation('777');
    await api.accountUserRole('ada@example.com');
    await api.accountUsersPage(1, 100);
    await api.accountKsuiteId();
    await api.accountDrives();
    await api.checkAccess();

    expect(sent.length).toBeGreaterThan(50);
    expect(sent.flatMap(requestErrors)).toEqual([]);
  });

  it('catches a body the reference refuses (the check itself works)', () => {
    const errors = requestErrors({
      method: 'POST',
      path: '/1/accounts/42/invitations',
      body: { email: 'ada@example.com', first_name: 'A', last_name: 'L', locale: 'pt', role_type: 'normal' },
    });
    expect(errors.join('\n')).toMatch(/locale must be equal to one of the allowed values/);
    expect(
      requestErrors({
        method: 'POST',
        path: '/2/drive/9/users',
        body: { emails: ['x@y.z'], role: 'external', lang: 'pt' },
      }).join('\n'),
    ).toMatch(/lang/);
    expect(
      requestErrors({ method: 'DELETE', path: '/1/accounts/42/invitations/7', body: undefined }).join('\n'),
    ).toMatch(/JSON body/);
    expect(() => requestErrors({ method: 'PATCH', path: '/1/accounts/42/invitations/7/kchatty', body: {} })).toThrow(
      /not a route/,
    );
  });
});
