// A steady, open-loop load in its own thread: request n is due at start + n / rate, whatever the answers before it,
// over a keep-alive pool. autocannon's overallRate is not that: each connection sends its share of a second back to
// back as fast as the server answers, then waits for the next second, so the server sees a burst at saturation at
// the start of every second. Latency is counted from when a request was due, not when it left, so that a server
// that falls behind is not excused by the requests it delayed (coordinated omission).
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

const { url, path, duration, connections, form, triggers, startIndex = 0, expectBody, overallRate } = workerData.data;
const pool = new Pool(url, { connections, pipelining: 1 });
const latencies = [];
let errors = 0;
let non2xx = 0;
let mismatches = 0;
const statusCodeStats = {};

async function send(n, due) {
  const fields = { ...form, ...(triggers?.length ? { trigger_id: triggers[n % triggers.length] } : {}) };
  try {
    const res = await pool.request({
      method: 'POST',
      path: `${path}?i=${n}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const body = await res.body.text();
    latencies.push(performance.now() - due);
    statusCodeStats[res.statusCode] = { count: (statusCodeStats[res.statusCode]?.count ?? 0) + 1 };
    if (res.statusCode < 200 || res.statusCode >= 300) non2xx++;
    else if (expectBody !== undefined && body !== expectBody) mismatches++;
  } catch {
    errors++;
  }
}

const total = Math.round(overallRate * duration);
const intervalMs = 1000 / overallRate;
const start = performance.now();
const inFlight = [];
let sent = 0;
while (sent < total) {
  const now = performance.now();
  for (; sent < total && start + sent * intervalMs <= now; sent++) {
    inFlight.push(send(startIndex + sent, start + sent * intervalMs));
  }
  const wait = start + sent * intervalMs - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
await Promise.all(inFlight);
const elapsed = (performance.now() - start) / 1000;
await pool.close();

latencies.sort((a, b) => a - b);
const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : 0);
const round = (x) => Math.round(x * 10) / 10;
parentPort.postMessage({
  type: 'done',
  issued: sent,
  result: {
    rps: latencies.length / elapsed,
    total: latencies.length,
    latency: {
      p50: round(at(0.5)),
      p90: round(at(0.9)),
      p99: round(at(0.99)),
      max: round(latencies.at(-1) ?? 0),
      mean: round(latencies.reduce((s, x) => s + x, 0) / Math.max(1, latencies.length)),
    },
    errors,
    timeouts: 0,
    non2xx,
    mismatches,
    duration: elapsed,
    statusCodeStats,
  },
});
