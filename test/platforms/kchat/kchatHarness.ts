/** The Mattermost harness set up as kChat: a server on the 10.6 web client without a WebSocket, the bot built with
 * the Infomaniak settings, a controllable clock, and nock answering the Infomaniak API with its documented shapes. */
import nock from 'nock';
import { afterAll, beforeAll } from 'vitest';
import type { AppOptions } from '../../../src/app.js';
import type { Invitation } from '../../../src/core/model.js';
import type { FakeUser } from '../../fakes/mattermostFake.js';
import { type Harness, startHarness } from '../mattermost/harness.js';

export const IK = 'https://ik.test';
export const ACCOUNT = '42';
export const IK_TOKEN = 'ik-token-do-not-log-0123456789';
export const DRIVE = 9;
export const LINK = 'https://manager.infomaniak.com/v3/invitation/accept/sEcReT-ToKeN';

export const ok = (data: unknown) => ({ result: 'success', data });
export const fail = (code: string, description?: string) => ({
  result: 'error',
  error: { code, ...(description ? { description } : {}) },
});

const NOW_S = Math.floor(Date.now() / 1000);
/** A 1×1 PNG, as the reference's `qr_code` string (its format is not documented; a data URL is assumed). */
export const QR =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==';

/** An AccountInvitation as documented (a subset of its fields). */
export const ikInvitation = (over: Record<string, unknown> = {}) => ({
  id: 777,
  status: 'pending',
  url_accept: LINK,
  qr_code: QR,
  sent_at: NOW_S,
  expired_at: NOW_S + 7 * 86_400,
  has_ksuite: false,
  role_type: 'normal',
  ...over,
});

/** One entry of kDrive's 201 to `POST /2/drive/{drive_id}/users` ("Create DriveUser Response"), as documented. */
export const driveInvitationEntry = (email: string, id = 5501) => ({
  email,
  invitation: {
    id,
    type: 'user',
    is_private: false,
    key: 'kEy',
    file_id: 0,
    lang: 'en',
    user_id: null,
    invited_by: 100,
    url: 'https://kdrive.infomaniak.com/app/invitation/kEy',
    is_valid: true,
    status: 'pending',
    email,
    message: '',
    expired_at: 1_767_830_400,
    created_at: 1_767_225_600,
    access_name: 'Projects',
    role: 'external',
  },
});

/** Infomaniak, answering only with the bot's token. */
export const ik = () => nock(IK).matchHeader('authorization', `Bearer ${IK_TOKEN}`);
export const invitationPath = (id: number | string = 777) => `/1/accounts/${ACCOUNT}/invitations/${id}`;

export const KSUITE = 31;

/** The account (`ksuite_id`) and its drives (`k_suite`) as documented: DRIVE is the kSuite's drive, or a drive of
 * its own beside it. Returns how many times each was asked. */
export function drives(opts: { ksuiteDrive: boolean }): { account: number; drives: number } {
  const asked = { account: 0, drives: 0 };
  const ksuite = { id: KSUITE, name: 'Acme kSuite', pack_id: 8, pack: 'ksuite_pro' };
  ik()
    .persist()
    .get(`/1/accounts/${ACCOUNT}`)
    .reply(() => (asked.account++, [200, ok({ id: Number(ACCOUNT), name: 'Acme', ksuite_id: KSUITE })]));
  ik()
    .persist()
    .get('/2/drive')
    .query({ account_id: ACCOUNT, per_page: '1000' })
    .reply(() => {
      asked.drives++;
      const own = {
        id: DRIVE,
        name: 'Projects',
        account_id: Number(ACCOUNT),
        k_suite: opts.ksuiteDrive ? ksuite : null,
      };
      const suite = { id: DRIVE + 1, name: 'kSuite drive', account_id: Number(ACCOUNT), k_suite: ksuite };
      return [
        200,
        { ...ok(opts.ksuiteDrive ? [own] : [suite, own]), total: 1, page: 1, pages: 1, items_per_page: 1000 },
      ];
    });
  return asked;
}

export interface ListAction {
  id: string;
  name: string;
  integration: { context: unknown };
}
export interface ListAnswer {
  text: string;
  attachments: { text: string; actions: ListAction[] }[];
}

export interface Kchat extends Harness {
  /** Moves the bot's clock forward (the outbox's retries, the 60/min budget). */
  advance(ms: number): void;
  /** The bot's clock, in ms. */
  now(): number;
  /** Runs the outbox until nothing is due, including what handlers kicked in the background. */
  settle(): Promise<void>;
  /** The slash command, then the (single, Mattermost 10.6) dialog submitted with these values. */
  invite(user: FakeUser, values: Record<string, unknown>): Promise<{ status: number; body: unknown }>;
  /** The dialog the last command opened. */
  lastDialog(): { elements: { name: string; options?: { value: string }[] }[] };
  only(): Promise<Invitation>;
  /** `/invite-people list` as this user: its attachments, one per invitation. */
  list(user: FakeUser): Promise<ListAnswer>;
  /** A button of the list, clicked as this user (with a fresh trigger id). */
  click(user: FakeUser, action: ListAction): Promise<Record<string, unknown>>;
  dms(user: FakeUser): string[];
}

/** What the bot sent to Infomaniak since the last `splice`: nock 15 emits no 'request' event for fetch, so the
 * bypass below records it (checked against the reference with referenceSchemas.ts). */
export const sentToInfomaniak: { method: string; path: string; body: unknown }[] = [];

/** nock 15 empties the body of a fetch it lets through (nock/nock#2989: "TypeError: unusable"), which breaks every
 * POST between the bot and the local fake. Local requests therefore bypass nock; the Infomaniak API goes through it.
 * Returns the undo. */
export function bypassNockForLocalhost(): () => void {
  nock.restore();
  const real = globalThis.fetch;
  nock.activate();
  const mocked = globalThis.fetch;
  const isLocal = (input: Parameters<typeof fetch>[0]) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url);
  };
  globalThis.fetch = ((input, init) => {
    if (isLocal(input)) return real(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const text = typeof init?.body === 'string' ? init.body : undefined;
    sentToInfomaniak.push({
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      body: text === undefined ? undefined : JSON.parse(text),
    });
    return mocked(input, init);
  }) as typeof fetch;
  return () => {
    globalThis.fetch = mocked;
  };
}

/** For a test file: Infomaniak answered by nock, the local fake reached for real, nothing else reachable. */
export function infomaniakThroughNock(): void {
  let undoBypass: () => void;
  beforeAll(() => {
    undoBypass = bypassNockForLocalhost();
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  });
  afterAll(() => {
    undoBypass();
    nock.enableNetConnect();
  });
}

/** A "User or pending user" row of `GET /2/accounts/{account}/users` as documented (a subset of its fields). */
export const accountRow = (
  email: string,
  role_type: string,
  i: number,
  state: 'valid' | 'pending' = 'valid',
  over: Record<string, unknown> = {},
) => ({
  user_id: state === 'valid' ? 100 + i : null,
  invitation_id: state === 'pending' ? 700 + i : null,
  email,
  role_type,
  state_in_account: state,
  first_name: 'X',
  last_name: 'Y',
  display_name: 'X Y',
  avatar: null,
  is_sso: false,
  ...over,
});

/** Answers the users list: the start-up access check (`per_page=1`) and the inviters' organization roles by email.
 * `pending` adds rows of pending invitations (same address allowed: the list holds both). */
export function organization(
  roles: Record<string, string>,
  status = 200,
  onCall?: () => void,
  pending: Record<string, string> = {},
): nock.Scope {
  return ik()
    .persist()
    .get(`/2/accounts/${ACCOUNT}/users`)
    .query(true)
    .reply((request) => {
      onCall?.();
      if (status !== 200)
        return [
          status,
          fail(status === 401 ? 'not_authorized' : status === 403 ? 'access_denied' : 'object_not_found'),
        ];
      const search = new URL(request.url, IK).searchParams.get('search');
      const users = [
        ...Object.entries(pending).map(([email, role], i) => accountRow(email, role, i, 'pending')),
        ...Object.entries(roles).map(([email, role], i) => accountRow(email, role, i)),
      ];
      const perPage = new URL(request.url, IK).searchParams.get('per_page');
      const found = search ? users.filter((u) => u.email === search) : perPage === '1' ? users.slice(0, 1) : users;
      return [200, { ...ok(found), total: found.length, page: 1, pages: 1, items_per_page: 20 }];
    });
}

export async function startKchat(
  opts: { env?: Record<string, string>; app?: AppOptions; fakeVersion?: string } = {},
): Promise<Kchat> {
  // Real time plus what the test skipped: the store dates new jobs with the real time.
  let skipped = 0;
  const now = () => Date.now() + skipped;
  const h = await startHarness({
    fake: { version: opts.fakeVersion ?? '10.6.0.1.abc.true', websocket: false },
    env: { INFOMANIAK_API_URL: IK, INFOMANIAK_API_TOKEN: IK_TOKEN, INFOMANIAK_ACCOUNT_ID: ACCOUNT, ...opts.env },
    app: { clock: { now: () => new Date(now()) }, outbox: { pollMs: 60_000, baseDelayMs: 1000 }, ...opts.app },
  });
  const k = h as Kchat;
  k.advance = (ms) => (skipped += ms);
  k.now = now;
  k.settle = async () => {
    for (let idle = 0; idle < 3; ) {
      const ran = await h.app.outbox.drain();
      const due = (await h.app.store.jobs({ state: 'pending' })).filter((j) => Date.parse(j.runAt) <= now());
      idle = ran === 0 && due.length === 0 ? idle + 1 : 0;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  k.lastDialog = () => h.fake.dialogsOpened.at(-1)!.dialog as ReturnType<Kchat['lastDialog']>;
  k.invite = async (user, values) => {
    const before = h.fake.dialogsOpened.length;
    const cmd = await h.command(user);
    if (h.fake.dialogsOpened.length === before) return cmd;
    return h.fake.submitDialog(h.fake.dialogsOpened.at(-1)!, user.id, h.general.id, h.team.id, values);
  };
  k.only = async () => {
    const all = await h.app.store.listInvitations({});
    if (all.length !== 1) throw new Error(`expected one invitation, found ${all.length}`);
    return all[0]!;
  };
  k.list = async (user) => (await h.command(user, 'list')).body as ListAnswer;
  k.click = async (user, action) => {
    const res = await fetch(`${h.url}/mattermost/action`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        user_id: user.id,
        user_name: user.username,
        post_id: '',
        trigger_id: h.fake.issueTriggerId(user.id),
        context: action.integration.context,
      }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  k.dms = (user) => h.fake.postsIn(h.fake.directChannelId(h.bot.id, user.id)).map((p) => p.message);
  return k;
}

/** The single dialog's values for an invitation (channels: the first of the slotted selects). */
export function dialogValues(over: Record<string, unknown>): Record<string, unknown> {
  return {
    emails: '',
    name: '',
    role: 'collaborator',
    channels: null,
    kdrive: 'none',
    billing_rights: false,
    remind_email: false,
    remind_sms: false,
    delivery: 'platform_email',
    expiry: '7',
    message: '',
    ...over,
  };
}
