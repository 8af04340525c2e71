/** Requests as Slack sends them: signed with HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the app's
 * signing secret. No nock here, so tests that cannot load it use these too. */
import { createHmac } from 'node:crypto';
import http from 'node:http';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const JOIN_URL = 'https://join.slack.test/acme';

export function signature(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Over node:http rather than fetch: with nock loaded, a fetch it lets through to a real server loses its body. */
export function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'Content-Length': String(Buffer.byteLength(body)), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
