// The load generator in its own thread, so that it does not share the measured server's event loop.
// Each request gets its own index (?i=N in the path) and, when triggers are given, its own trigger_id.
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const { url, path, duration, connections, form, triggers, startIndex = 0, expectBody } = workerData.data;
let i = startIndex;
let mismatches = 0;
const requests = [{
  method: 'POST',
  path,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  setupRequest(req) {
    const n = i++;
    const body = new URLSearchParams({ ...form, ...(triggers?.length ? { trigger_id: triggers[n % triggers.length] } : {}) }).toString();
    return { ...req, path: `${path}?i=${n}`, body };
  },
  // A 200 whose body is not the expected one (the bot answers an ephemeral message when it could not open the dialog).
  onResponse(status, body) {
    if (expectBody !== undefined && status === 200 && body !== expectBody) mismatches++;
  },
}];
// As fast as the server answers (a steady rate is bench/pacedWorker.mjs's).
const opts = { url, connections, duration, requests };
// Outside the main thread autocannon hands back raw histograms (its own workers are aggregated by the parent).
const result = autocannon.aggregateResult([await autocannon(opts)], opts);
parentPort.postMessage({
  type: 'done',
  issued: i - startIndex,
  result: {
    rps: result.requests.total / result.duration,
    total: result.requests.total,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.average },
    errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, mismatches,
    duration: result.duration, statusCodeStats: result.statusCodeStats,
  },
});
