/** The invitation wizard on a bot-hosted web page, for any platform: offered where the chat refuses to open forms
 * (kChat may refuse dialogs) and for bulk requests, whose address field is larger than a dialog's. The link is
 * given only to the user who ran the command (an ephemeral answer); it carries a signed token bound to that user
 * and to the command's draft, expires with the draft, and dies when the form is submitted. The token is the
 * form's only credential: a cross-site page cannot post without it. The submission takes the forms' own path
 * (WizardFlow.submit), so rights are checked the same way. Tokens never reach the log: they travel in the query
 * string, and the app logs paths only. */
import express, { type Request, type Response, type Router } from 'express';
import { type Org, PAGE_CSS_HASH } from '../../views/pages/layout.js';
import { noticePage } from '../../views/pages/noticePage.js';
import { wizardFormPage } from '../../views/pages/wizardFormPage.js';
import type { Words } from '../core/i18n.js';
import { guestsCannotInvite, type PageNotice, pageNotice, webFormOfferText } from '../core/messages.js';
import type { Platform } from '../core/model.js';
import { MAX_RECIPIENTS } from '../core/recipients.js';
import { type FieldErrors, WIZARD_FIELDS } from '../core/wizard.js';
import type { Draft, SubmitReply, WizardFlow } from '../flows/wizard.js';
import { WIZARD_TTL_MS } from '../flows/wizard.js';
import type { Logger } from '../logger.js';
import type { Signer } from '../security/signing.js';
import { pageWords } from './pageLanguage.js';
import { setPageSecurityHeaders } from './pageSecurity.js';

export interface WizardPageDeps {
  signer: Signer;
  clock: { now(): Date };
  log: Logger;
  wizard: WizardFlow;
  /** The organization's name on the page: the workspace's, where the platform tells it. */
  workspaceName(workspaceId: string): Promise<string | undefined>;
  /** Told when the invitations are made (Mattermost: through the command's response URL). */
  onDone?(reply: Extract<SubmitReply, { kind: 'done' }>): void;
}

/** The ephemeral answer that offers the page, with its link for `userId` and the draft: instead of a form the
 * platform refused (the wizard, under `/<platform>/form`), or for a bulk request (the bulk page, under
 * `/<platform>/bulk`, src/web/bulkPage.ts). */
export function wizardPageOffer(
  deps: { signer: Signer; clock: { now(): Date }; publicUrl: string; platform: Platform },
  offer: { draftId: string; userId: string; why: 'no-dialogs' | 'bulk'; words: Words },
): string {
  const exp = deps.clock.now().getTime() + WIZARD_TTL_MS;
  const token = deps.signer.sign({ k: 'form', d: offer.draftId, u: offer.userId, exp });
  const path = offer.why === 'bulk' ? 'bulk' : 'form';
  const url = `${deps.publicUrl}/${deps.platform}/${path}?t=${encodeURIComponent(token)}`;
  return webFormOfferText(offer.words, offer.why, MAX_RECIPIENTS, url);
}

export function wizardPageRouter(deps: WizardPageDeps): Router {
  const { wizard, log } = deps;
  const router = express.Router();
  const send = (req: Request, res: Response, status: number, body: string) => {
    setPageSecurityHeaders(req, res, { styleHashes: [PAGE_CSS_HASH] });
    res.status(status).type('html').send(body);
  };
  const notice = (req: Request, res: Response, org: Org, status: number, n: (w: Words) => PageNotice, w?: Words) => {
    const words = w ?? pageWords(wizard.readers.all, req);
    const said = n(words);
    send(req, res, status, noticePage(org, said.title, said.lines, words.language));
  };
  const fallbackOrg: Org = { name: 'Guestlist' };

  /** The draft the token names, if the token is genuine, unexpired and its draft still open. */
  async function draftOf(req: Request): Promise<Draft | undefined> {
    const fields = deps.signer.verify(req.query.t, deps.clock.now().getTime(), 'form');
    return fields && wizard.openDraftOf(fields.d, fields.u);
  }

  async function orgOf(draft: Draft): Promise<Org> {
    const name = await deps.workspaceName(draft.workspaceId).catch(() => undefined);
    return { name: name || fallbackOrg.name };
  }

  async function render(
    req: Request,
    res: Response,
    draft: Draft,
    status: number,
    extra: { values?: Record<string, unknown>; errors?: FieldErrors; error?: string } = {},
  ) {
    const words = await wizard.readers.words(draft.userId);
    const [steps, org] = await Promise.all([wizard.wholeForm(draft, words), orgOf(draft)]);
    if (!steps)
      return notice(req, res, org, 403, (w) => pageNotice.guestsCannotInvite(w, guestsCannotInvite(w)), words);
    send(req, res, status, wizardFormPage({ words, org, steps, ...extra }));
  }

  const expired = (req: Request, res: Response) => notice(req, res, fallbackOrg, 404, pageNotice.formExpired);

  router.get('/', async (req, res) => {
    try {
      const draft = await draftOf(req);
      if (!draft) return expired(req, res);
      await render(req, res, draft, 200);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'web form failed');
      notice(req, res, fallbackOrg, 500, (w) => pageNotice.formFailed(w, false));
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
      const reply = await wizard.submit(draft.id, { id: draft.userId, username: '' }, 'all', values);
      if (reply.kind === 'errors') return render(req, res, draft, 422, { values, errors: reply.errors });
      if (reply.kind === 'refused') return render(req, res, draft, 422, { values, error: reply.text });
      if (reply.kind === 'done') deps.onDone?.(reply);
      notice(req, res, await orgOf(draft), 200, pageNotice.formDone, await wizard.readers.words(draft.userId));
    } catch (err) {
      log.error({ err: (err as Error).message }, 'web form submission failed');
      notice(req, res, fallbackOrg, 500, (w) => pageNotice.formFailed(w, true));
    }
  });

  return router;
}
