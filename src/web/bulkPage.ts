/** The bulk page, for every platform that serves pages (Mattermost, kChat, Slack): a CSV pasted with the common
 * settings, a dry run (POST intent=preview: nothing written), then the send (intent=send: the CSV read and judged
 * again by BulkFlow, never the preview's word) and a progress page that refreshes itself. The link is the draft's
 * signed, user-bound form token (src/web/wizardPage.ts); the progress page gets its own signed token naming the
 * send. Tokens travel in the query string only: never in the HTML, and the app logs paths only. */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { bulkFormPage, bulkProgressPage } from '../../views/pages/bulkPage.js';
import { type Org, PAGE_CSS_HASH } from '../../views/pages/layout.js';
import { noticePage } from '../../views/pages/noticePage.js';
import { BULK_CSV_MAX, BULK_MAX_ROWS } from '../core/bulkCsv.js';
import type { Words } from '../core/i18n.js';
import { bulkText, guestsCannotInvite, type PageNotice, pageNotice } from '../core/messages.js';
import { freeText, readForm } from '../core/userInput.js';
import type { Field } from '../core/wizard.js';
import { type BulkFlow, BulkSettings } from '../flows/bulk.js';
import type { Draft } from '../flows/wizard.js';
import { WIZARD_TTL_MS } from '../flows/wizard.js';
import type { Logger } from '../logger.js';
import type { Signer } from '../security/signing.js';
import { pageWords } from './pageLanguage.js';
import { setPageSecurityHeaders } from './pageSecurity.js';

export interface BulkPageDeps {
  signer: Signer;
  clock: { now(): Date };
  log: Logger;
  bulk: BulkFlow;
  openDraftOf(draftId: string, userId: string): Promise<Draft | undefined>;
  workspaceName(workspaceId: string): Promise<string | undefined>;
}

/** The body's limit: the CSV's and the settings', with room for URL-encoding (a third of the characters). */
const BODY_LIMIT = Math.ceil((BULK_CSV_MAX * 3) / 1024) + 16;
/** Fields the page does not show: one address, one name, a phone per SMS, billing extras. */
const NOT_ON_PAGE = new Set(['emails', 'name', 'phone', 'billing_rights', 'remind_email', 'remind_sms']);
const Posted = BulkSettings.extend({ csv: freeText(BULK_CSV_MAX), intent: freeText(16) });

export function bulkPageRouter(deps: BulkPageDeps): Router {
  const { bulk, log } = deps;
  const router = express.Router();
  const fallbackOrg: Org = { name: 'Guestlist' };
  const send = (req: Request, res: Response, status: number, body: string) => {
    setPageSecurityHeaders(req, res, { styleHashes: [PAGE_CSS_HASH] });
    res.status(status).type('html').send(body);
  };
  const notice = (req: Request, res: Response, status: number, n: (w: Words) => PageNotice, w?: Words) => {
    const words = w ?? pageWords(bulk.readers.all, req);
    const said = n(words);
    send(req, res, status, noticePage(fallbackOrg, said.title, said.lines, words.language));
  };
  const expired = (req: Request, res: Response) => notice(req, res, 404, pageNotice.formExpired);

  async function draftOf(req: Request): Promise<Draft | undefined> {
    const fields = deps.signer.verify(req.query.t, deps.clock.now().getTime(), 'form');
    return fields && deps.openDraftOf(fields.d, fields.u);
  }
  async function orgOf(workspaceId: string): Promise<Org> {
    const name = await deps.workspaceName(workspaceId).catch(() => undefined);
    return { name: name || fallbackOrg.name };
  }

  async function form(
    req: Request,
    res: Response,
    draft: Draft,
    status: number,
    extra: Pick<Parameters<typeof bulkFormPage>[0], 'values' | 'error' | 'preview'> & { csv?: string } = {},
  ) {
    const words = await bulk.readers.words(draft.userId);
    const [ctx, org] = await Promise.all([bulk.context(draft, words), orgOf(draft.workspaceId)]);
    if (ctx.level === 'guest')
      return notice(req, res, 403, (w) => pageNotice.guestsCannotInvite(w, guestsCannotInvite(w)), words);
    const fields: Field[] = bulk
      .fields(ctx)
      .filter((f) => !NOT_ON_PAGE.has(f.name))
      .map((f) =>
        f.kind === 'select' && f.name === 'delivery'
          ? { ...f, options: f.options.filter((o) => o.value !== 'sms') }
          : f,
      );
    const page = bulkFormPage({ words, org, fields, csv: extra.csv ?? '', maxLength: BULK_CSV_MAX, ...extra });
    send(req, res, status, page);
  }

  router.get('/', async (req, res) => {
    try {
      if (req.query.p !== undefined) return await progress(req, res);
      const draft = await draftOf(req);
      if (!draft) return expired(req, res);
      await form(req, res, draft, 200);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'bulk page failed');
      notice(req, res, 500, (w) => pageNotice.formFailed(w, false));
    }
  });

  router.post(
    '/',
    express.urlencoded({ extended: false, limit: `${BODY_LIMIT}kb`, parameterLimit: 200 }),
    async (req, res) => {
      try {
        const draft = await draftOf(req);
        if (!draft) return expired(req, res);
        const words = await bulk.readers.words(draft.userId);
        const read = readForm(Posted, req.body ?? {}, words);
        if (!read.ok) return await form(req, res, draft, 422, { error: Object.values(read.errors)[0] });
        const { csv, intent, ...settings } = read.values;
        const values = { ...settings } as Record<string, unknown>;
        if (intent !== 'send') {
          const preview = await bulk.preview(draft, csv, settings);
          if (!preview.ok) return await form(req, res, draft, 422, { csv, values, error: preview.text });
          return await form(req, res, draft, 200, { csv, values, preview });
        }
        const sent = await bulk.send(draft, csv, settings);
        if (!sent.ok) return await form(req, res, draft, 422, { csv, values, error: sent.text });
        const exp = deps.clock.now().getTime() + WIZARD_TTL_MS;
        const token = deps.signer.sign({
          k: 'bulk',
          u: draft.userId,
          w: draft.workspaceId,
          f: sent.from,
          to: sent.to,
          exp,
        });
        res.redirect(303, `?p=1&t=${encodeURIComponent(token)}`);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'bulk page submission failed');
        notice(req, res, 500, (w) => pageNotice.formFailed(w, true));
      }
    },
  );

  async function progress(req: Request, res: Response) {
    const fields = deps.signer.verify(req.query.t, deps.clock.now().getTime(), 'bulk');
    if (!fields) return expired(req, res);
    const { u, w, f: from, to } = fields;
    const words = await bulk.readers.words(u);
    const { done, total } = await bulk.progress({ userId: u, workspaceId: w }, from, to);
    send(req, res, 200, bulkProgressPage({ words, org: await orgOf(w), done, total }));
  }

  // A body over the limit: the page says to split the list (413), nothing of it is read.
  router.use((err: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
    if (err?.type === 'entity.too.large') return notice(req, res, 413, (w) => bulkText.tooLarge(w, BULK_MAX_ROWS));
    next(err);
  });
  return router;
}
