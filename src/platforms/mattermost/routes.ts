/** The HTTP endpoints Mattermost calls: the slash command (form-encoded), dialog submissions and button clicks
 * (JSON). Every body is parsed with zod; the command is authenticated by its token, dialogs by the HMAC'd state,
 * buttons by the HMAC'd context. */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { mattermostPost } from '../../../views/mattermost/approvalPost.js';
import { dialogAnswer, readSubmission } from '../../../views/mattermost/dialog.js';
import { type ListButtonMaker, pendingListAnswer } from '../../../views/mattermost/pendingList.js';
import type { Words } from '../../core/i18n.js';
import {
  badCommandToken,
  buttonInvalid,
  formInvalid,
  invalidRequest,
  sorry,
  unknownForm,
} from '../../core/messages.js';
import { DenyForm, ResendForm, readForm } from '../../core/userInput.js';
import type { Flows } from '../../flows/flows.js';
import type { ResendReply } from '../../flows/pendingList.js';
import type { StepName } from '../../flows/wizard.js';
import { safeEqual } from '../../security/signing.js';
import { approvalButtons, invitationButton, verifyButton } from './buttons.js';
import type { MattermostContext } from './context.js';
import { commandResponseUrl, confirm, ephemeral } from './ephemeralAnswers.js';

/** The wizard's step a multi-step dialog answers, by its callback id. */
const STEPS: Record<string, StepName> = { 'invite-who': 'who', 'invite-access': 'access' };
const id = z.string().regex(/^[a-z0-9]{1,64}$/i);

const CommandForm = z.object({
  token: z.string().optional(),
  team_id: id,
  channel_id: id,
  user_id: id,
  user_name: z.string().max(128).default(''),
  text: z.string().max(4000).default(''),
  trigger_id: z.string().min(1).max(2000),
  response_url: z.url().optional(),
});

const DialogBody = z.object({
  type: z.string().optional(),
  callback_id: z.string().max(300).default(''),
  state: z.string().max(2000),
  user_id: id,
  channel_id: z.string().max(64).default(''),
  team_id: z.string().max(64).default(''),
  submission: z
    .record(z.string(), z.unknown())
    .nullable()
    .default({})
    .transform((s) => s ?? {}),
  cancelled: z.boolean().default(false),
});

const ActionBody = z.object({
  user_id: id,
  user_name: z.string().max(128).optional(),
  post_id: z.string().max(64).default(''),
  trigger_id: z.string().max(2000).optional(),
  context: z.record(z.string(), z.unknown()).default({}),
});

/** A form's field errors go straight back to the dialog; its typed values go to `handle`. */
async function answerForm<S extends z.ZodObject>(
  schema: S,
  raw: unknown,
  w: Words,
  handle: (values: z.output<S>) => Promise<object>,
) {
  const form = readForm(schema, raw, w);
  return form.ok ? handle(form.values) : { errors: form.errors };
}

/** The resend dialog's answer: {} closes it; a reason goes on its field, or above the dialog. */
function resent(reply: ResendReply): object {
  if (reply.ok) return {};
  return reply.field ? { errors: { [reply.field]: reply.reason } } : { error: reply.reason };
}

/** `{}` (the dialog opened, nothing to say), written with its headers in one packet: res.json's ETag and buffer
 * copy cost a tenth of a command. */
function answerEmpty(res: Response): void {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '2' }).end('{}');
}

function tokenOf(req: Request): string {
  const header = req.get('authorization') ?? '';
  const match = /^token\s+(.+)$/i.exec(header);
  return match ? match[1]!.trim() : typeof req.body?.token === 'string' ? req.body.token : '';
}

export function mattermostRouter(ctx: MattermostContext, flows: Flows, commandTokens: () => string[]): Router {
  const { approvals, list, wizard } = flows;
  const router = express.Router();
  const org = ctx.locales.org;
  /** The user's words without a lookup: a reply that cannot wait (the organization's if not looked up lately). */
  const wordsOf = (userId: string) => flows.commands.readers.known(userId);
  const invalid = (res: Response, error: z.ZodError) =>
    res.status(400).json({
      error: invalidRequest(org, error.issues[0]?.path.join('.') ?? '', error.issues[0]?.message ?? ''),
    });

  router.post('/command', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const token = tokenOf(req);
    if (!token || !commandTokens().some((t) => safeEqual(t, token))) {
      ctx.log.warn({ ip: req.ip }, 'slash command with a wrong token refused');
      res.status(401).json({ error: badCommandToken(org) });
      return;
    }
    const form = CommandForm.safeParse(req.body ?? {});
    if (!form.success) return void invalid(res, form.error);
    try {
      const { team_id, channel_id, user_id: id, user_name: username, trigger_id: trigger, text } = form.data;
      const responseUrl = commandResponseUrl(ctx.settings.serverUrl, form.data.response_url);
      const cmd = { workspaceId: team_id, channelId: channel_id, user: { id, username }, trigger, text, responseUrl };
      const reply = await flows.commands.run(cmd);
      if (reply.kind === 'text') return void res.json(ephemeral(reply.text));
      if (reply.kind === 'opened') return void answerEmpty(res);
      const button: ListButtonMaker = (i, a, name, style) =>
        invitationButton(ctx, i, a, name, { style, fromList: true });
      res.json(pendingListAnswer(reply.list, button));
    } catch (err) {
      ctx.log.error({ err }, 'slash command failed');
      res.json(ephemeral(sorry(wordsOf(form.data.user_id), 'retry-later')));
    }
  });

  router.post('/dialog', express.json({ limit: '64kb' }), async (req, res) => {
    const body = DialogBody.safeParse(req.body ?? {});
    if (!body.success) return void invalid(res, body.error);
    const sub = body.data;
    const state = ctx.signer.verify(sub.state, ctx.clock.now().getTime());
    if (!state || !('u' in state) || state.u !== sub.user_id) {
      res.status(403).json({ error: formInvalid(wordsOf(sub.user_id)) });
      return;
    }
    if (sub.cancelled) return void res.json({});
    try {
      const by = { id: sub.user_id, username: ('n' in state && state.n) || '' };
      const w = await flows.commands.readers.words(sub.user_id);
      if (state.k === 'wizard') {
        const features = ctx.dialogFeatures();
        const step = features.multistep ? (STEPS[sub.callback_id] ?? 'all') : 'all';
        const reply = await wizard.submit(state.d, { id: by.id, username: '' }, step, readSubmission(sub.submission));
        if (reply.kind === 'done') void confirm(ctx.log, reply);
        res.json(dialogAnswer(reply, features, w));
      } else if (state.k === 'resend') {
        const submit = async (v: ResendForm) => resent(await list.submitResend(sub.state, by, v));
        res.json(await answerForm(ResendForm, sub.submission, w, submit));
      } else if (state.k === 'deny') {
        const deny = async (v: DenyForm) => {
          const reply = await approvals.deny(sub.state, by, v.reason);
          return !reply.ok && !reply.update ? { error: reply.notice } : {};
        };
        res.json(await answerForm(DenyForm, sub.submission, w, deny));
      } else res.status(400).json({ error: unknownForm(w) });
    } catch (err) {
      ctx.log.error({ err }, 'dialog submission failed');
      res.json({ error: sorry(wordsOf(sub.user_id), 'nothing-saved') });
    }
  });

  router.post('/action', express.json({ limit: '64kb' }), async (req, res) => {
    const body = ActionBody.safeParse(req.body ?? {});
    if (!body.success) return void invalid(res, body.error);
    const click = verifyButton(ctx, body.data.context.token);
    if (!click) return void res.json({ ephemeral_text: buttonInvalid(wordsOf(body.data.user_id), false) });
    try {
      const { user_id: id, user_name: username = '', trigger_id: trigger } = body.data;
      const event = { invitationId: click.i, user: { id, username }, trigger };
      // Approve / Deny on an approval post rewrite that post; every button of the list goes to the list's flow.
      if (!click.fromList && (click.a === 'approve' || click.a === 'deny')) {
        const reply = await approvals.click({ ...event, action: click.a });
        const update = reply.update && mattermostPost(reply.update, approvalButtons(ctx, reply.update));
        return void res.json({
          ...(reply.notice ? { ephemeral_text: reply.notice } : {}),
          ...(update ? { update } : {}),
        });
      }
      const notice = await list.click({ ...event, action: click.a });
      res.json(notice ? { ephemeral_text: notice } : {});
    } catch (err) {
      ctx.log.error({ err }, 'button click failed');
      res.json({ ephemeral_text: sorry(wordsOf(body.data.user_id), 'retry-now') });
    }
  });

  return router;
}
