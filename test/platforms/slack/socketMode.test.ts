/** Socket Mode (SLACK_APP_TOKEN): the bot opens the WebSocket that apps.connections.open hands out, acknowledges
 * each envelope by its id, and serves no HTTP endpoint for Slack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';
import { post } from './signedRequest.js';

let h: SlackHarness;
let wss: WebSocketServer;
let socket: WebSocket | undefined;
const acks: { envelope_id: string }[] = [];

beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (m) => acks.push(JSON.parse(String(m))));
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0GUEST' } }));
  });
  const { port } = wss.address() as { port: number };
  h = await startSlackHarness({
    env: { SLACK_APP_TOKEN: 'xapp-test', SLACK_SIGNING_SECRET: '' },
    socketUrl: `ws://127.0.0.1:${port}/link`,
  });
});
afterAll(async () => {
  await h.close();
  wss.close();
});

describe('Slack in Socket Mode', () => {
  it('takes a slash command over the socket, acknowledges it and opens the modal', async () => {
    await eventually(() => socket);
    const triggerId = h.fake.issueTrigger();
    socket!.send(
      JSON.stringify({
        envelope_id: 'env-1',
        type: 'slash_commands',
        accepts_response_payload: true,
        payload: {
          team_id: h.fake.team.id,
          channel_id: 'CGENERAL',
          user_id: h.member.id,
          user_name: 'alice',
          command: '/invite-people',
          text: '',
          trigger_id: triggerId,
          response_url: 'https://hooks.slack.test/sock',
          api_app_id: 'A0GUEST',
        },
      }),
    );
    await eventually(() => acks.find((a) => a.envelope_id === 'env-1'));
    await eventually(() => h.fake.viewsOpened.find((v) => v.trigger_id === triggerId));
    expect(h.lastView().callback_id).toBe('invite-who');
  });

  it('answers /readyz 503 while its socket is down and 200 once the client has reconnected by itself', async () => {
    const readyz = async () => (await fetch(`${h.url}/readyz`)).status;
    await eventually(async () => (await readyz()) === 200);
    const dropped = socket!;
    dropped.terminate();
    await eventually(async () => (await readyz()) === 503);
    // The client waits its ping timeout (5 s) before asking apps.connections.open for a new URL.
    await eventually(async () => socket !== dropped && (await readyz()) === 200, 15_000);
  }, 20_000);

  it('has no HTTP endpoint for Slack', async () => {
    expect((await post(`${h.url}/slack/events`, '{}', { 'Content-Type': 'application/json' })).status).toBe(404);
  });
});
