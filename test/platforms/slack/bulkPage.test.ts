/** Slack's modal fields hold 3,000 characters: `/invite-people bulk` offers the bot's bulk page instead, the same
 * page as on Mattermost (a CSV, a dry run that writes nothing, then the invitations and their progress). */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../support/freePort.js';
import { type SlackHarness, startSlackHarness } from './harness.js';

let h: SlackHarness | undefined;

/** A form POST over node:http (the Slack edge's nock interceptor cannot replay a fetch body). */
function postForm(url: string, fields: Record<string, string>) {
  const body = String(new URLSearchParams(fields));
  return new Promise<{ status: number; text: string; location?: string }>((resolve, reject) => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) };
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the bulk page on Slack', () => {
  it('is offered to an admin by `bulk`, checks a CSV without writing, then sends it', async () => {
    h = await startSlackHarness();
    const views = h.fake.viewsOpened.length;
    await h.command(h.admin, 'bulk');
    const answer = await eventually(() => h!.fake.responses.find((r) => r.path === `/commands/${h!.admin.id}`));
    const page = /(http:\/\/\S+\/slack\/bulk\?t=\S+)/.exec(String(answer.body.text))![1]!;
    expect(h.fake.viewsOpened).toHaveLength(views); // no modal: the page takes the list
    expect(await (await fetch(page)).text()).toMatch(/<textarea id="f-csv" name="csv"/);

    const csv = Array.from({ length: 40 }, (_, i) => `bulk${i}@example.org,Bulk ${i},collaborator`).join('\n');
    const post = (intent: string) => postForm(page, { csv, delivery: 'link', intent });
    const preview = (await post('preview')).text;
    expect(preview.match(/data-outcome="send"/g)).toHaveLength(40);
    expect(await h.app.store.listInvitations({})).toEqual([]);

    const sent = await post('send');
    expect(sent.status).toBe(303);
    expect(sent.location).toMatch(/^\?p=1&t=/); // the same page, its progress
    expect(await (await fetch(new URL(sent.location!, page))).text()).toMatch(/<progress max="40" value="\d+">/);
    expect(await h.app.store.listInvitations({ platform: 'slack' })).toHaveLength(40);
    expect((await fetch(page)).status).toBe(404); // the link dies with its submission
  });
});
