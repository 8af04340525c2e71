/** The HTTP server's own limits, against clients that hold connections open. */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, type AppOptions, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

let app: App | undefined;
let dir: string | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await app?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  app = dir = undefined;
});

async function start(http: AppOptions['http']): Promise<number> {
  dir = await mkdtemp(path.join(tmpdir(), 'guestlist-http-'));
  app = await buildApp(loadConfig({ PORT: '0', DATA_DIR: dir }), {
    log: createLogger('silent'),
    schedule: false,
    http,
  });
  return ((await app.listen()).address() as { port: number }).port;
}

/** A raw connection that records what the server sent and when it closed. */
function connect(port: number): Promise<{ socket: net.Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    const opened = Date.now();
    const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now() - opened)));
    socket.on('data', (chunk) => (text += chunk));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

describe('HTTP limits', () => {
  it('cuts off a client that sends its headers slowly (slowloris) once the headers timeout is over', async () => {
    const port = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600, checkIntervalMs: 50 });
    const { socket, received, closed } = await connect(port);
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    const elapsed = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(Infinity), 3000))]);
    clearInterval(drip);
    expect(elapsed).toBeLessThan(1500);
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses connections beyond the limit and serves again once one closes', async () => {
    const port = await start({ maxConnections: 2 });
    const held = [await connect(port), await connect(port)];
    const third = await connect(port);
    third.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(
      await Promise.race([third.closed, new Promise<number>((r) => setTimeout(() => r(Infinity), 2000))]),
    ).toBeLessThan(2000);
    expect(third.received()).toBe('');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('keeps timeouts far below Node’s 300 s by default', async () => {
    const port = await start(undefined);
    const server = app!.server!;
    expect(port).toBeGreaterThan(0);
    expect(server.headersTimeout).toBeLessThanOrEqual(10_000);
    expect(server.requestTimeout).toBeLessThanOrEqual(30_000);
    expect(server.keepAliveTimeout).toBeLessThanOrEqual(5_000);
    expect(server.maxConnections).toBeGreaterThan(0);
  });
});
