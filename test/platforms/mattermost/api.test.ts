/** The Mattermost client's own guarantees: failures keep their status and Retry-After, and no call hangs. */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isPermanent, retryAfterOf } from '../../../src/outbox/errors.js';
import { MattermostApi, MattermostError } from '../../../src/platforms/mattermost/api.js';
import { eventually } from '../../support/freePort.js';

let server: http.Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('MattermostApi', () => {
  it('keeps the status and Retry-After of a plain-text 429 (which Client4 alone loses)', async () => {
    const url = await serve(
      (_req, res) =>
        void res.writeHead(429, { 'Content-Type': 'text/plain', 'Retry-After': '7' }).end('limit exceeded'),
    );
    const err = await new MattermostApi(url, 't').client.getMe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MattermostError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 7000 });
    const forOutbox = (err as MattermostError).forOutbox();
    expect([isPermanent(forOutbox), retryAfterOf(forOutbox)]).toEqual([false, 7000]);
  });

  it('gives up on a server that never answers, as a retryable failure', async () => {
    let abandoned = false; // the client hung up on its own: the server never answered
    const url = await serve((req) => void req.socket.once('close', () => (abandoned = true)));
    const err = await new MattermostApi(url, 't', { timeoutMs: 200 }).client.getMe().catch((e: unknown) => e);
    await eventually(() => abandoned);
    expect(err).toMatchObject({ status: 0 });
    expect(isPermanent((err as MattermostError).forOutbox())).toBe(false);
  });

  it("opens a dialog within its own budget, shorter than the other calls' timeout", async () => {
    let abandoned = false;
    const url = await serve((req) => void req.socket.once('close', () => (abandoned = true)));
    const api = new MattermostApi(url, 't', { timeoutMs: 60_000 });
    const err = await api
      .openDialog({ trigger_id: 'x', url: 'http://bot/dialog', dialog: {} }, 200)
      .catch((e: unknown) => e);
    await eventually(() => abandoned);
    expect(err).toMatchObject({ status: 0 });
  });

  it('keeps the status and id of a refused dialog', async () => {
    const url = await serve(
      (_req, res) =>
        void res
          .writeHead(404, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ id: 'api.no_dialogs', message: 'not here' })),
    );
    const err = await new MattermostApi(url, 't')
      .openDialog({ trigger_id: 'x', url: 'http://bot/dialog', dialog: {} })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, errorId: 'api.no_dialogs', message: 'Mattermost 404: not here' });
  });

  it('treats a 403 as final', async () => {
    const url = await serve(
      (_req, res) =>
        void res
          .writeHead(403, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ id: 'api.context.permissions.app_error', message: 'no' })),
    );
    const err = (await new MattermostApi(url, 't').client.getMe().catch((e: unknown) => e)) as MattermostError;
    expect([err.status, err.errorId, isPermanent(err.forOutbox())]).toEqual([
      403,
      'api.context.permissions.app_error',
      true,
    ]);
  });
});
