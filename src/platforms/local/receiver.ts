/** The playground's HTTP side, under /playground: the page, what a person types (a message, or the slash command),
 * form submissions and button clicks, each turned into the same flow calls the chat platforms' receivers make,
 * and server-sent events that tell the page to fetch its live part again. Nobody signs in: the playground is for
 * trying the bot on one's own machine, and the person switch says who acts. Posts carry a CSRF token, so another
 * site open in the same browser cannot act in it. */

import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import {
  PLAYGROUND_CSS_HASH,
  PLAYGROUND_SCRIPT_HASH,
  playgroundLive,
  playgroundPage,
} from '../../../views/local/playgroundPage.js';
import type { Locales } from '../../core/i18n.js';
import { DenyForm, ResendForm, readForm } from '../../core/userInput.js';
import type { ApprovalFlow } from '../../flows/approvals.js';
import type { ChatPort } from '../../flows/chatPort.js';
import type { CommandFlow } from '../../flows/commands.js';
import type { FlowDeps } from '../../flows/jobHandlers.js';
import { LIST_ACTIONS, type ListAction, type PendingListFlow } from '../../flows/pendingList.js';
import type { StepName, WizardFlow } from '../../flows/wizard.js';
import type { Logger } from '../../logger.js';
import type { Signer } from '../../security/signing.js';
import { CsrfGuard, setPageSecurityHeaders } from '../../web/pageSecurity.js';
import { trigger } from './port.js';
import { screen } from './screen.js';
import { BOT, type LocalChat, type LocalPerson, type OpenForm, WORKSPACE } from './state.js';

export interface ReceiverDeps {
  chat: LocalChat;
  store: FlowDeps['store'];
  log: Logger;
  signer: Signer;
  clock: { now(): Date };
  locales: Locales;
  secret: string;
  trigger: string;
  setupUrl?: string;
  port: ChatPort;
  wizard: WizardFlow;
  approvals: ApprovalFlow;
  list: PendingListFlow;
  commands: CommandFlow;
}

const Id = z.string().min(1).max(64);
const Where = z.object({ as: Id, c: Id });
const Say = Where.extend({ text: z.string().max(4000) });
const Click = Where.extend({ message: Id, button: z.coerce.number().int().min(0).max(20) });
const Submit = Where.extend({ state: z.string().max(2000), cancel: z.string().max(1).optional() });
const CSRF_SUBJECT = 'playground';

/** Refused requests: a 4xx with a sentence, never a crash. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function localReceiver(deps: ReceiverDeps): Router & { closeStreams(): void } {
  const { chat, log } = deps;
  const router = express.Router();
  const csrf = new CsrfGuard(deps.secret);
  const streams = new Set<Response>();
  const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 });

  const headers = (req: Request, res: Response) =>
    setPageSecurityHeaders(req, res, { styleHashes: [PLAYGROUND_CSS_HASH], scriptHashes: [PLAYGROUND_SCRIPT_HASH] });

  /** Who acts and where, from a query or a form: a seeded or registered person, a channel or their own DMs. */
  function where(raw: unknown): { me: LocalPerson; channelId: string } {
    const parsed = Where.partial().safeParse(raw);
    const given = parsed.success ? parsed.data : {};
    const me = chat.person(given.as ?? chat.people()[0]!.id);
    if (!me) throw new Refused(404, 'There is no such person in the playground.');
    const channelId = given.c ?? chat.channels().find((c) => c.members.includes(me.id))?.id ?? `dm-${me.id}`;
    if (channelId !== `dm-${me.id}` && !chat.channel(channelId)) throw new Refused(404, 'There is no such channel.');
    return { me, channelId };
  }

  const back = (req: Request, res: Response, me: LocalPerson, channelId: string) =>
    res.redirect(303, `${req.baseUrl}/?as=${encodeURIComponent(me.id)}&c=${encodeURIComponent(channelId)}`);
  const tell = (to: string, channelId: string, text: string) => chat.post({ channelId, from: BOT, text, to });
  const person = (p: LocalPerson) => ({ id: p.id, username: p.username });

  /** A POST's body, its CSRF token checked. */
  function posted<S extends z.ZodObject>(req: Request, schema: S): z.output<S> {
    const body = schema.safeParse(req.body ?? {});
    if (!body.success) throw new Refused(400, `Invalid request: ${body.error.issues[0]?.path.join('.')}`);
    if (!csrf.verify(req, CSRF_SUBJECT, (req.body as Record<string, unknown>).csrf)) {
      throw new Refused(403, 'This form was not accepted (its security cookie is missing). Reload the page.');
    }
    return body.data;
  }

  /** Runs a route; a refusal or failure becomes a short page instead of a crash. */
  const handle = (work: (req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
    try {
      headers(req, res);
      await work(req, res);
    } catch (err) {
      const status = err instanceof Refused ? err.status : 500;
      if (status === 500) log.error({ err: (err as Error).message }, 'playground request failed');
      res
        .status(status)
        .type('text')
        .send(status === 500 ? 'Something went wrong; nothing was saved.' : (err as Error).message);
    }
  };

  /** The page (`/`) or its live part (`/live`), as the person in the query sees it. */
  const shown = (render: typeof playgroundPage) =>
    handle(async (req, res) => {
      const { me, channelId } = where(req.query);
      const view = await screen(
        { ...deps, base: req.baseUrl, words: deps.locales.org },
        me,
        channelId,
        csrf.issue(req, res, CSRF_SUBJECT),
      );
      res.type('html').send(render(view));
    });
  router.get('/', shown(playgroundPage));
  router.get('/live', shown(playgroundLive));

  router.get('/events', (req, res) => {
    // Connection: close, so that ending the stream at shutdown frees its connection at once.
    res.set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'close',
    });
    res.flushHeaders();
    res.write(': connected\n\n');
    streams.add(res);
    const off = chat.onChange(() => res.write('event: change\ndata: {}\n\n'));
    req.on('close', () => {
      off();
      streams.delete(res);
    });
  });

  router.post(
    '/say',
    form,
    handle(async (req, res) => {
      const body = posted(req, Say);
      const { me, channelId } = where(body);
      const text = body.text.trim();
      const member = channelId === `dm-${me.id}` || chat.channel(channelId)?.members.includes(me.id);
      if (!member) await tell(me.id, channelId, 'You are not a member of this channel.');
      else if (text.startsWith('/')) await command(me, channelId, text);
      else if (text) await chat.post({ channelId, from: me.id, text: deps.port.format.escape(text) });
      back(req, res, me, channelId);
    }),
  );

  async function command(me: LocalPerson, channelId: string, line: string): Promise<void> {
    const [word, ...rest] = line.slice(1).split(/\s+/);
    if (word !== deps.trigger)
      return void (await tell(me.id, channelId, `Unknown command \`/${word}\`. Try \`/${deps.trigger} help\`.`));
    const cmd = { workspaceId: WORKSPACE, channelId, user: person(me), trigger: trigger(me.id, channelId) };
    const reply = await deps.commands.run({ ...cmd, text: rest.join(' ') });
    if (reply.kind === 'text') await tell(me.id, channelId, reply.text);
    if (reply.kind !== 'list') return;
    await tell(me.id, channelId, reply.list.text);
    for (const entry of reply.list.entries) {
      const buttons = entry.buttons.map((b) => ({ ...b, invitationId: entry.invitationId, fromList: true }));
      await chat.post({ channelId, from: BOT, text: entry.text, to: me.id, buttons });
    }
    if (reply.list.more) await tell(me.id, channelId, reply.list.more);
  }

  router.post(
    '/form',
    form,
    handle(async (req, res) => {
      const body = posted(req, Submit);
      const { me, channelId } = where(body);
      const open = chat.forms.get(me.id);
      // Only the form on screen can be submitted: its state is the one the flows signed for it.
      if (!open || open.form.state !== body.state)
        throw new Refused(409, 'This form is no longer open. Reload the page.');
      if (body.cancel) chat.setForm(me.id, undefined);
      else await submit(me, open, req.body as Record<string, unknown>);
      back(req, res, me, channelId);
    }),
  );

  async function submit(me: LocalPerson, open: OpenForm, raw: Record<string, unknown>): Promise<void> {
    const user = person(me);
    const { form: f, channelId } = open;
    const close = async (text?: string) => {
      chat.setForm(me.id, undefined);
      if (text) await tell(me.id, channelId, text);
    };
    const again = (patch: Pick<OpenForm, 'values' | 'errors' | 'error'>) => chat.setForm(me.id, { ...open, ...patch });
    if (f.kind === 'deny') {
      const values = readForm(DenyForm, raw, f.words);
      if (!values.ok) return again({ errors: values.errors, values: raw });
      const reply = await deps.approvals.deny(f.state, user, values.values.reason);
      return reply.ok || reply.update ? close(reply.notice) : again({ error: reply.notice, values: raw });
    }
    if (f.kind === 'resend') {
      const values = readForm(ResendForm, raw, f.words);
      if (!values.ok) return again({ errors: values.errors, values: raw });
      const reply = await deps.list.submitResend(f.state, user, values.values);
      if (reply.ok) return close(reply.notice);
      return again(
        reply.field ? { errors: { [reply.field]: reply.reason }, values: raw } : { error: reply.reason, values: raw },
      );
    }
    const names = f.steps.flatMap((s) => s.fields.map((x) => x.name));
    const values = Object.fromEntries(names.map((n) => [n, raw[n] ?? (n === 'channels' ? [] : undefined)]));
    const step: StepName = f.steps.length === 1 ? f.steps[0]!.id : 'all';
    const reply = await deps.wizard.submitForm(f.state, user, step, values);
    switch (reply.kind) {
      case 'errors':
        return again({ errors: reply.errors, values });
      case 'refused':
        return close(reply.text);
      case 'next':
        return chat.setForm(me.id, { channelId, form: { kind: 'wizard', words: f.words, ...reply.form } });
      case 'done':
        return close(reply.summary);
    }
  }

  router.post(
    '/click',
    form,
    handle(async (req, res) => {
      const body = posted(req, Click);
      const { me, channelId } = where(body);
      const message = chat.message(body.message);
      const channel = message && chat.channel(message.channelId);
      const sees =
        channel && (channel.members.includes(me.id) || channel.dmOf === me.id) && (!message.to || message.to === me.id);
      const button = sees ? message.buttons[body.button] : undefined;
      if (!message || !button) throw new Refused(404, 'This button is not here any more. Reload the page.');
      const click = { invitationId: button.invitationId, user: person(me), trigger: trigger(me.id, channelId) };
      if (!button.fromList && (button.action === 'approve' || button.action === 'deny')) {
        const reply = await deps.approvals.click({ ...click, action: button.action });
        if (reply.update) await deps.port.update({ channelId: message.channelId, postId: message.id }, reply.update);
        if (reply.notice) await tell(me.id, channelId, reply.notice);
      } else if ((LIST_ACTIONS as readonly string[]).includes(button.action)) {
        const notice = await deps.list.click({ ...click, action: button.action as ListAction });
        if (notice) await tell(me.id, channelId, notice);
      }
      back(req, res, me, channelId);
    }),
  );

  return Object.assign(router, {
    /** Ends the event streams, so that the server can close. */
    closeStreams() {
      for (const res of streams) res.end();
      streams.clear();
    },
  });
}
