/** The invitation wizard on a bot-hosted web page, offered where the server refuses to open dialogs. The link is
 * given only to the user who ran the command (an ephemeral answer); it carries a signed token bound to that user
 * and to the command's draft, expires with the draft, and dies when the form is submitted. The token is the
 * form's only credential: a cross-site page cannot post without it. The submission takes the dialog's own path
 * (WizardFlow.submit), so rights are checked the same way. Tokens never reach the log: they travel in the query
 * string, and the app logs paths only. */
import express, { type Request, type Response, type Router } from 'express';
import { type Org, PAGE_CSS_HASH } from '../../../views/pages/layout.js';
import { noticePage } from '../../../views/pages/noticePage.js';
import { wizardFormPage } from '../../../views/pages/wizardFormPage.js';
import { guestsCannotInvite, type PageNotice, pageNotice } from '../../core/messages.js';
import { LIMITS } from '../../core/userInput.js';
import { type FieldErrors, WIZARD_FIELDS, wizardSteps } from '../../core/wizard.js';
import type { Draft } from '../../flows/wizard.js';
import { setPageSecurityHeaders } from '../../web/pageSecurity.js';
import type { MattermostContext } from './context.js';
import type { MattermostWizard } from './wizardFlow.js';

export function webFormRouter(ctx: MattermostContext, wizard: MattermostWizard): Router {
  const router = express.Router();
  const send = (req: Request, res: Response, status: number, body: string) => {
    setPageSecurityHeaders(req, res, { styleHashes: [PAGE_CSS_HASH] });
    res.status(status).type('html').send(body);
  };
  const notice = (req: Request, res: Response, org: Org, status: number, n: PageNotice) =>
    send(req, res, status, noticePage(org, n.title, n.lines));
  const fallbackOrg: Org = { name: 'Guestlist' };

  /** The draft the token names, if the token is genuine, unexpired and its draft still open. */
  async function draftOf(req: Request): Promise<Draft | undefined> {
    const fields = ctx.signer.verify(req.query.t, ctx.clock.now().getTime(), 'form');
    if (!fields) return undefined;
    return wizard.draft(fields.d, fields.u);
  }

  async function orgOf(draft: Draft): Promise<Org> {
    const team = await ctx.api.client.getTeam(draft.workspaceId).catch(() => undefined);
    return { name: team?.display_name || fallbackOrg.name };
  }

  async function render(
    req: Request,
    res: Response,
    draft: Draft,
    status: number,
    extra: { values?: Record<string, unknown>; errors?: FieldErrors; error?: string } = {},
  ) {
    const [level, channels, org] = await Promise.all([
      ctx.api.level(draft.workspaceId, draft.userId),
      wizard.channelOptions(draft.workspaceId, draft.userId, draft.channelId),
      orgOf(draft),
    ]);
    if (level === 'guest') return notice(req, res, org, 403, pageNotice.guestsCannotInvite(guestsCannotInvite()));
    const steps = wizardSteps({ level, caps: ctx.capabilities(), channels, currentChannelId: draft.channelId }).map(
      (step) => ({
        ...step,
        fields: step.fields.map((f) =>
          f.name === 'emails' && f.kind === 'textarea' ? { ...f, maxLength: LIMITS.emails } : f,
        ),
      }),
    );
    send(req, res, status, wizardFormPage({ org, steps, ...extra }));
  }

  const expired = (req: Request, res: Response) => notice(req, res, fallbackOrg, 404, pageNotice.formExpired());

  router.get('/', async (req, res) => {
    try {
      const draft = await draftOf(req);
      if (!draft) return expired(req, res);
      await render(req, res, draft, 200);
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'web form failed');
      notice(req, res, fallbackOrg, 500, pageNotice.formFailed(false));
    }
  });

  router.post('/', express.urlencoded({ extended: false, limit: '256kb' }), async (req, res) => {
    try {
      const draft = await draftOf(req);
      if (!draft) return expired(req, res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const values = Object.fromEntries(
        WIZARD_FIELDS.map((name) => [name, body[name] ?? (name === 'channels' ? [] : undefined)]),
      );
      const answer = await wizard.submit(
        {
          callback_id: 'invite-web',
          user_id: draft.userId,
          channel_id: draft.channelId,
          team_id: draft.workspaceId,
          submission: values,
          cancelled: false,
        },
        draft.id,
      );
      if (answer.errors || answer.error) {
        return render(req, res, draft, 422, {
          values,
          errors: answer.errors as FieldErrors | undefined,
          error: answer.error as string | undefined,
        });
      }
      notice(req, res, await orgOf(draft), 200, pageNotice.formDone());
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'web form submission failed');
      notice(req, res, fallbackOrg, 500, pageNotice.formFailed(true));
    }
  });

  return router;
}
