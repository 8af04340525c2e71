/** A Guestlist bot with the Slack adapter in HTTP mode, driven through its real /slack/events endpoint with
 * requests signed like Slack's (HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the signing secret), and
 * Slack's Web API answered by the nock fake. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type App, type AppOptions, buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { type FakePost, type FakeSlackUser, SlackFake } from '../../fakes/slackFake.js';
import { viewProblems } from '../../fakes/slackLimits.js';
import { HOOKS, interceptSlack, SLACK_API } from '../../fakes/slackNock.js';
import { eventually, freePort } from '../../support/freePort.js';
import { JOIN_URL, post, SIGNING_SECRET, signature } from './signedRequest.js';

export interface SlackHarness {
  app: App;
  fake: SlackFake;
  url: string;
  admin: FakeSlackUser;
  admin2: FakeSlackUser;
  member: FakeSlackUser;
  guest: FakeSlackUser;
  /** Posts a raw body to /slack/events, signed unless `headers` says otherwise. */
  send(body: string, contentType: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  command(user: FakeSlackUser, text?: string, channel?: string): Promise<{ status: number; text: string }>;
  /** The last modal opened for anyone. */
  lastView(): any;
  /** Submits `view` as `user` with these values (the others keep their initial values, as in Slack). */
  submitView(user: FakeSlackUser, view: any, values?: Record<string, unknown>): Promise<any>;
  click(user: FakeSlackUser, post: FakePost, actionId: string): Promise<number>;
  event(event: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

/** State values for a view's inputs as Slack builds them: what the user chose, else the initial value. */
function stateValues(view: any, values: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const state: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks as any[]) {
    if (block.type !== 'input') continue;
    const el = block.element;
    const v = block.block_id in values ? values[block.block_id] : undefined;
    let value: Record<string, unknown>;
    switch (el.type) {
      case 'static_select': {
        const chosen =
          v !== undefined ? (el.options.find((o: any) => o.value === v) ?? { value: v }) : el.initial_option;
        value = { selected_option: chosen ?? null };
        break;
      }
      case 'multi_conversations_select':
        value = { selected_conversations: (v as string[] | undefined) ?? el.initial_conversations ?? [] };
        break;
      case 'checkboxes':
        value = { selected_options: v === undefined ? (el.initial_options ?? []) : v ? el.options : [] };
        break;
      default:
        value = { value: v !== undefined ? String(v) : (el.initial_value ?? null) };
    }
    state[block.block_id] = { [el.action_id]: { type: el.type, ...value } };
  }
  return state;
}

export async function startSlackHarness(
  opts: {
    env?: Record<string, string>;
    grid?: boolean;
    socketUrl?: string /** e.g. a clock, schedules */;
    app?: AppOptions;
  } = {},
): Promise<SlackHarness> {
  const fake = new SlackFake();
  const unintercept = interceptSlack(fake);
  if (opts.grid) fake.enterpriseId = 'E0ORG';
  fake.socketUrl = opts.socketUrl;
  const admin = fake.addUser({ id: 'UADMIN', name: 'root', email: 'root@acme.test', is_admin: true });
  const admin2 = fake.addUser({ id: 'UCARLA', name: 'carla', email: 'carla@acme.test', is_owner: true });
  const member = fake.addUser({ id: 'UALICE', name: 'alice', real_name: 'Alice Liddell', email: 'alice@acme.test' });
  const guest = fake.addUser({ id: 'UGUS', name: 'gus', email: 'gus@elsewhere.test', is_restricted: true });
  fake.addUser({ id: fake.botUserId, name: 'guestlist', email: '', is_bot: true });
  const everyone = [admin.id, admin2.id, member.id, guest.id, fake.botUserId];
  fake.addChannel('CGENERAL', 'general', everyone);
  fake.addChannel('CSECRET', 'secret', [admin.id, fake.botUserId], true);
  fake.addChannel('CAPPROVE', 'approvals', [admin.id, admin2.id, fake.botUserId], true);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-slack-'));
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    GUESTLIST_SECRET: 'test-secret-0123456789-0123456789-abcdef',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${SLACK_API}/api/`,
    SLACK_JOIN_URL: JOIN_URL,
    SLACK_APPROVAL_CHANNEL: 'CAPPROVE',
    ...(opts.grid ? { SLACK_ADMIN_TOKEN: 'xoxp-org-admin' } : {}),
    ...opts.env,
  };
  const app = await buildApp(loadConfig(env), {
    schedule: false,
    log: pino({ level: 'silent' }),
    outbox: { pollMs: 60_000, baseDelayMs: 1 },
    ...opts.app,
  });
  await app.listen();
  await app.outbox.stop(); // tests drain the outbox by hand
  const url = env.PUBLIC_URL!;
  let trigger = 0;

  const h: SlackHarness = {
    app,
    fake,
    url,
    admin,
    admin2,
    member,
    guest,
    async send(body, contentType, headers) {
      const ts = Math.floor(Date.now() / 1000);
      return post(`${url}/slack/events`, body, {
        'Content-Type': contentType,
        'X-Slack-Request-Timestamp': String(ts),
        'X-Slack-Signature': signature(body, ts),
        ...headers,
      });
    },
    command(user, text = '', channel = 'CGENERAL') {
      const form = new URLSearchParams({
        token: 'legacy-unused',
        team_id: fake.team.id,
        team_domain: 'acme',
        channel_id: channel,
        channel_name: 'general',
        user_id: user.id,
        user_name: user.name,
        command: '/invite-people',
        text,
        api_app_id: 'A0GUEST',
        response_url: `${HOOKS}/commands/${user.id}`,
        trigger_id: fake.issueTrigger(),
      });
      return h.send(form.toString(), 'application/x-www-form-urlencoded');
    },
    lastView: () => fake.viewsOpened.at(-1)!.view,
    async submitView(user, view, values = {}) {
      const payload = {
        type: 'view_submission',
        team: { id: fake.team.id, domain: 'acme' },
        user: { id: user.id, username: user.name, team_id: fake.team.id },
        api_app_id: 'A0GUEST',
        trigger_id: fake.issueTrigger(),
        view: {
          id: 'V1',
          team_id: fake.team.id,
          type: 'modal',
          callback_id: view.callback_id,
          private_metadata: view.private_metadata,
          blocks: view.blocks,
          hash: 'h',
          state: { values: stateValues(view, values) },
        },
      };
      const res = await h.send(
        new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        'application/x-www-form-urlencoded',
      );
      const answer = res.text ? JSON.parse(res.text) : {};
      // A view answered in the ack must fit Slack's limits like one opened with views.open.
      const problems = answer.view ? viewProblems(answer.view) : [];
      if (problems.length)
        throw new Error(`Slack would refuse this ${answer.response_action} view: ${problems.join('; ')}`);
      return answer;
    },
    async click(user, post, actionId) {
      const button = post.blocks!.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === actionId);
      const payload = {
        type: 'block_actions',
        team: { id: fake.team.id, domain: 'acme' },
        user: { id: user.id, username: user.name, team_id: fake.team.id },
        api_app_id: 'A0GUEST',
        trigger_id: fake.issueTrigger(),
        response_url: `${HOOKS}/actions/${user.id}`,
        container: { type: 'message', message_ts: post.ts, channel_id: post.channel },
        channel: { id: post.channel },
        message: { ts: post.ts },
        actions: [{ type: 'button', action_id: actionId, block_id: 'approval', value: button.value, action_ts: '1' }],
      };
      return (
        await h.send(
          new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
          'application/x-www-form-urlencoded',
        )
      ).status;
    },
    async event(event) {
      const envelope = {
        token: 'legacy-unused',
        team_id: fake.team.id,
        api_app_id: 'A0GUEST',
        type: 'event_callback',
        event_id: `Ev${++trigger}`,
        event_time: 1,
        event,
      };
      return (await h.send(JSON.stringify(envelope), 'application/json')).status;
    },
    async close() {
      await app.stop();
      unintercept();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await eventually(() => app.slack!.ready());
  return h;
}
