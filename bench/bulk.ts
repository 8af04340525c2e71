/** Bulk: one wizard submission inviting 1,000 emails (by a team admin: no approval), delivered through the
 * server's invite-email endpoint under its rate limit. The limit is raised (fake and bot alike) so the bound is
 * about 10 s instead of 50 hours; the figure is the wall time from the submission to the last invitation email
 * accepted by the server, against that bound. Progress notices to the inviter are counted as they land. */
import {
  ask,
  BOT_STORE,
  COMMAND_TOKEN,
  fmt,
  hookServer,
  now,
  round,
  say,
  sleep,
  startBot,
  traceBot,
  tsWorker,
  waitFor,
} from './lib.js';

export interface BulkFigures {
  bulk_wall_s: number;
  bulk_bound_s: number;
  bulk_ratio: number;
  bulk_emails: number;
  bulk_sent: number;
  bulk_failed: number;
  bulk_submit_ms: number;
  bulk_progress_messages: number;
  bulk_progress_while_running: number;
  bulk_first_progress_s: number;
  bulk_finished_notice_s: number;
}

const EMAILS = 1000;
/**
 * Server (fake) and bot alike: one invite email every 10 ms after a burst of 21, so the bound is
 * (1000 − 21) × 10 ms.
 */
const PER_HOUR = 360_000;
const BURST = 20;

interface Status {
  wsConnections: number;
  invitesSent: number;
  lastInviteAt: number;
  adminDms: { at: number; message: string }[];
}

export async function benchBulk(): Promise<BulkFigures> {
  const boundS = ((EMAILS - (BURST + 1)) * 3600) / PER_HOUR;
  say(
    `## bulk: one submission inviting ${EMAILS} emails; invite-email limit ${PER_HOUR}/h ` +
      `with a burst of ${BURST + 1} (bound ${fmt(boundS, 2)} s; store: ${BOT_STORE})`,
  );
  const fake = tsWorker(new URL('./fakeWorker.ts', import.meta.url), {});
  const { url, world } = await ask<{ url: string; world: Record<string, string> }>(fake, {
    type: 'start',
    options: { emailInvitesPerHour: PER_HOUR, emailInvitesMaxBurst: BURST },
  });
  const hooks = await hookServer();
  const bot = await startBot({
    mattermostUrl: url,
    approvalChannelId: world.approvalsId,
    env: { MATTERMOST_INVITE_EMAILS_PER_HOUR: String(PER_HOUR), INVITES_PER_HOUR: String(EMAILS) },
    app: { outbox: { pollMs: 50 } },
  });
  const status = () => ask<Status>(fake, { type: 'status' });
  await waitFor(async () => bot.app.mattermost!.ready() && (await status()).wsConnections > 0, 10_000, 20);
  const trace = process.env.BENCH_TRACE === '1' ? traceBot(bot.app) : undefined;

  const { submittedAt, answeredAt } = await ask<{ submittedAt: number; answeredAt: number }>(fake, {
    type: 'bulk',
    botUrl: bot.url,
    count: EMAILS,
    commandToken: COMMAND_TOKEN,
    responseUrl: hooks.url,
  });
  const deadline = submittedAt + Math.max(60_000, boundS * 4000);
  let last: Status = await status();
  for (;;) {
    last = await status();
    if (last.invitesSent >= EMAILS || now() > deadline) break;
    const open = await bot.app.store.listInvitations({ states: ['sending'] });
    if (!open.length && now() - answeredAt > 1000) break; // nothing left to send (some failed)
    await sleep(100);
  }
  // Progress notices are outbox jobs too: wait (a while) for the one that says the batch is finished.
  const finished = (st: Status) => st.adminDms.some((d) => /^Bulk invitation finished/.test(d.message));
  await waitFor(async () => finished((last = await status())), 20_000, 100);
  trace?.report();
  const invitations = await bot.app.store.listInvitations({});
  const byState = invitations.reduce<Record<string, number>>(
    (acc, i) => ((acc[i.state] = (acc[i.state] ?? 0) + 1), acc),
    {},
  );
  const dead = (await bot.app.store.jobs({ state: 'dead' })).length;
  await bot.close();
  await hooks.close();
  await ask(fake, { type: 'stop' });
  await fake.terminate();

  const wallS = ((last.invitesSent >= EMAILS ? last.lastInviteAt : now()) - submittedAt) / 1000;
  const progress = last.adminDms.filter((d) => /^Bulk invitation/.test(d.message));
  const firstProgressS = progress.length ? (progress[0]!.at - submittedAt) / 1000 : NaN;
  const finishedNotice = progress.find((d) => /^Bulk invitation finished/.test(d.message));
  const finishedS = finishedNotice ? (finishedNotice.at - submittedAt) / 1000 : NaN;
  const whileRunning = progress.filter((d) => d.at <= (last.lastInviteAt || Infinity)).length;
  const confirmed = hooks.received.some((r) => /invitation/i.test(JSON.stringify(r.body)));
  say(
    `  submission answered in ${fmt(answeredAt - submittedAt, 0)} ms; ` +
      `inviter's confirmation through response_url: ${confirmed ? 'yes' : 'no'}`,
  );
  say(
    `  ${last.invitesSent} of ${EMAILS} invitation emails accepted by the server; ` +
      `invitations by state: ${JSON.stringify(byState)}; dead jobs: ${dead}`,
  );
  say(
    `  wall time ${fmt(wallS, 2)} s against the bound ${fmt(boundS, 2)} s: ` +
      `ratio ${fmt(wallS / boundS, 2)}   (target ≤ 1.2)`,
  );
  say(
    `  progress notices to the inviter: ${progress.length}, of which ${whileRunning} before the last email went out; ` +
      `first after ${fmt(firstProgressS, 2)} s, "finished" after ${fmt(finishedS, 2)} s`,
  );
  if (progress.length) say(`    first: "${progress[0]!.message.slice(0, 110)}"`);
  say();
  return {
    bulk_wall_s: round(wallS),
    bulk_bound_s: round(boundS),
    bulk_ratio: round(wallS / boundS),
    bulk_emails: EMAILS,
    bulk_sent: last.invitesSent,
    bulk_failed: (byState.failed ?? 0) + dead,
    bulk_submit_ms: round(answeredAt - submittedAt, 0),
    bulk_progress_messages: progress.length,
    bulk_progress_while_running: whileRunning,
    bulk_first_progress_s: round(firstProgressS),
    bulk_finished_notice_s: round(finishedS),
  };
}
