/** The invitee's side: GET /join/:token shows the invitation and a registration form; POST creates the account
 * on the chat platform, records the arrival (the same path as an arrival seen on the platform, so announced once)
 * and redirects to the chat's login page. A dead link (used, expired, revoked) gets a page whose button asks the
 * inviter for a new invitation. Server-rendered, no JavaScript. Tokens, links and passwords are never logged; the
 * router renders its own errors so the app-wide handler (which logs paths) never sees a token-bearing path. */
import { createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { type JoinView, joinPage, type RegistrationField } from '../../views/pages/joinPage.js';
import { type Org, PAGE_CSS_HASH } from '../../views/pages/layout.js';
import { linkDeadPage } from '../../views/pages/linkDeadPage.js';
import { noticePage } from '../../views/pages/noticePage.js';
import { recordArrival } from '../actions/recordArrival.js';
import { recordLinkOpened } from '../actions/recordLinkOpened.js';
import { requestRenewal } from '../actions/requestRenewal.js';
import type { Clock } from '../core/clock.js';
import { type Locales, type Words } from '../core/i18n.js';
import { type PageNotice, pageNotice, roleLabel, roleNote } from '../core/messages.js';
import type { Invitation } from '../core/model.js';
import { type AccountCreator, AccountRefusedError } from '../lifecycle/accountCreator.js';
import { findInvitationByLinkToken, linkStatus } from '../lifecycle/inviteTokens.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { pageWords } from './pageLanguage.js';
import { CsrfGuard, originOf, setPageSecurityHeaders } from './pageSecurity.js';
import { rateLimit, SlidingWindow, tokenKey, type WindowLimit } from './rateLimit.js';
import {
  PASSWORD_MAX,
  type PasswordRules,
  passwordHint,
  registrationSchema,
  USERNAME_MAX,
  USERNAME_MIN,
} from './registrationForm.js';

export interface AcceptancePageOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  locales: Locales;
  /** ORG_NAME, ORG_LOGO_URL. */
  org: Org;
  /** HMAC key for the forms' CSRF tokens (the bot's secret). */
  csrfSecret: string;
  /** The account creator for an invitation's platform. */
  accounts(inv: Invitation): AccountCreator | undefined;
  /** Display names of the invitation's channels. */
  channelNames(inv: Invitation): Promise<string[]>;
  /** The chat's sign-in page for an invitation: the "Sign in" button of a used link, and the origin the
   * registration form may redirect to (CSP form-action). Should match what createAccount returns. */
  loginUrl(inv: Invitation): string | undefined;
  passwordRules?: PasswordRules;
  /** For a platform where only the platform itself creates accounts (Slack): its sign-up link, shown instead of
   * the registration form. The arrival is then noticed on the platform. */
  signUpUrl?(inv: Invitation): string | undefined;
  /** Called after jobs were queued (arrival, renewal request): e.g. the outbox's kick. */
  onJobsQueued?(): void;
}

/** Registration attempts and renewal requests, per client IP and per link: room for a few typos, none for hammering
 * the chat server's account creation or the invitation's audit trail. */
export const JOIN_POST_RATE_LIMIT: WindowLimit = { limit: 10, windowMs: 10 * 60_000 };

/** Who opened the link, as a hash of the link, the client's address and its browser: the same visitor again is
 * recognised, and neither the address nor the browser string is kept. */
function visitorOf(req: Request, inv: Invitation): string {
  const seen = `${inv.linkTokenHash}|${req.ip ?? ''}|${req.get('user-agent') ?? ''}`;
  return createHash('sha256').update(seen).digest('hex').slice(0, 32);
}

export function acceptancePageRouter(opts: AcceptancePageOptions): Router {
  const router = express.Router();
  const csrf = new CsrfGuard(opts.csrfSecret);
  const rules: PasswordRules = opts.passwordRules ?? { minLength: 8 };
  const pageRules = (w: Words) => ({
    usernameMin: USERNAME_MIN,
    usernameMax: USERNAME_MAX,
    passwordMin: rules.minLength,
    passwordMax: PASSWORD_MAX,
    passwordHint: passwordHint(w, rules),
  });
  /** The page's language: the switch's choice, else the invitation's, else the browser's. */
  const wordsOf = (req: Request, inv?: Invitation) => pageWords(opts.locales, req, inv?.language);
  const logoOrigin = originOf(opts.org.logoUrl);
  /** Invitations whose account is being created right now in this process: a double submit waits its turn. */
  const inFlight = new Set<string>();

  const headers = (req: Request, res: Response, inv?: Invitation) => {
    const chat = inv && originOf(opts.loginUrl(inv));
    setPageSecurityHeaders(req, res, {
      styleHashes: [PAGE_CSS_HASH],
      imageOrigins: logoOrigin ? [logoOrigin] : [],
      formTargets: chat ? [chat] : [],
    });
  };
  const send = (res: Response, status: number, body: string) => void res.status(status).type('html').send(body);
  const notice = (res: Response, status: number, n: PageNotice, w: Words) =>
    send(res, status, noticePage(opts.org, n.title, n.lines, w.language));
  const unknownLink = (req: Request, res: Response) => {
    const w = wordsOf(req);
    notice(res, 404, pageNotice.unknownLink(w), w);
  };

  const joinView = async (
    req: Request,
    res: Response,
    inv: Invitation,
    extra: Pick<JoinView, 'values' | 'errors'>,
  ): Promise<string> => {
    const w = wordsOf(req, inv);
    return joinPage({
      words: w,
      org: opts.org,
      inviterName: inv.inviter.username,
      inviteeName: inv.name,
      email: inv.email,
      roleLabel: roleLabel(w, inv.role),
      roleNote: roleNote(w, inv.role),
      channels: await opts.channelNames(inv).catch(() => []),
      expiresAt: inv.expiresAt,
      message: inv.message || undefined,
      csrf: csrf.issue(req, res, inv.linkTokenHash!),
      rules: pageRules(w),
      signUpUrl: opts.signUpUrl?.(inv),
      ...extra,
    });
  };

  const deadLink = (
    req: Request,
    res: Response,
    inv: Invitation,
    status: 'used' | 'expired' | 'revoked' | 'unavailable',
  ) =>
    send(
      res,
      410,
      linkDeadPage({
        words: wordsOf(req, inv),
        org: opts.org,
        status,
        inviterName: inv.inviter.username,
        email: inv.email,
        expiresAt: inv.expiresAt,
        csrf: csrf.issue(req, res, inv.linkTokenHash!),
        loginUrl: opts.loginUrl(inv),
      }),
    );

  const defaultValues = (inv: Invitation) => {
    const [first = '', ...rest] = inv.name.trim().split(/\s+/);
    return { firstName: first, lastName: rest.join(' ') };
  };

  router.get('/:token', async (req, res) => {
    const inv = await findInvitationByLinkToken(opts.store, req.params.token);
    headers(req, res, inv);
    if (!inv) return unknownLink(req, res);
    const status = linkStatus(inv, opts.clock.now());
    if (status !== 'usable') return deadLink(req, res, inv, status);
    // The invitation's story counts this view once per visitor; a failed write never costs the invitee the page.
    await recordLinkOpened(opts, inv, visitorOf(req, inv)).catch((err: Error) =>
      opts.log.warn({ invitation: inv.id, err: err.message }, 'could not record the link being opened'),
    );
    send(res, 200, await joinView(req, res, inv, { values: defaultValues(inv), errors: {} }));
  });

  const limited = new SlidingWindow(JOIN_POST_RATE_LIMIT);
  const tooMany = rateLimit(
    limited,
    (req) => [tokenKey(String(req.params.token))],
    (req, res, seconds) => {
      headers(req, res);
      const w = wordsOf(req);
      notice(res, 429, pageNotice.tooManyAttempts(w, seconds), w);
    },
  );

  router.post(
    '/:token',
    tooMany,
    express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }),
    async (req, res) => {
      const inv = await findInvitationByLinkToken(opts.store, req.params.token);
      headers(req, res, inv);
      if (!inv) return unknownLink(req, res);
      const w = wordsOf(req, inv);
      const form = (req.body ?? {}) as Record<string, unknown>;
      if (!csrf.verify(req, inv.linkTokenHash!, form.csrf)) {
        return notice(res, 403, pageNotice.csrfRefused(w), w);
      }
      const status = linkStatus(inv, opts.clock.now());
      if (form.intent === 'renew') {
        if (status === 'usable') return void res.redirect(303, req.originalUrl);
        const renewal = await requestRenewal(opts, inv);
        if (!renewal.ok) {
          const seconds = Math.ceil((renewal.retryAt.getTime() - opts.clock.now().getTime()) / 1000);
          res.set('Retry-After', String(Math.max(1, seconds)));
          return notice(res, 429, pageNotice.renewalAlreadyAsked(w, inv.inviter.username), w);
        }
        opts.onJobsQueued?.();
        opts.log.info({ invitation: inv.id, status }, 'invitee asked for a new invitation');
        return notice(res, 200, pageNotice.renewalAsked(w, inv.inviter.username), w);
      }
      if (status !== 'usable') return deadLink(req, res, inv, status);
      if (opts.signUpUrl?.(inv)) return void res.redirect(303, req.originalUrl);

      const parsed = registrationSchema(rules, w).safeParse({
        firstName: form.firstName ?? '',
        lastName: form.lastName ?? '',
        username: form.username ?? '',
        password: form.password ?? '',
      });
      const values = {
        firstName: String(form.firstName ?? ''),
        lastName: String(form.lastName ?? ''),
        username: String(form.username ?? ''),
      };
      if (!parsed.success) {
        const errors: JoinView['errors'] = {};
        for (const issue of parsed.error.issues) errors[issue.path[0] as RegistrationField] ??= issue.message;
        return send(res, 400, await joinView(req, res, inv, { values, errors }));
      }
      const creator = opts.accounts(inv);
      if (!creator) {
        opts.log.error({ invitation: inv.id, platform: inv.platform }, 'no account creator for this platform');
        return notice(res, 500, pageNotice.registrationUnavailable(w, inv.inviter.username), w);
      }
      if (inFlight.has(inv.id)) return notice(res, 409, pageNotice.accountInProgress(w), w);
      inFlight.add(inv.id);
      try {
        const { userId, loginUrl } = await creator.createAccount(inv, parsed.data);
        const arrived = await recordArrival(opts, inv, userId, 'acceptance-page');
        opts.log.info(
          { invitation: inv.id, user: userId, recorded: !!arrived },
          'invitee registered on the acceptance page',
        );
        opts.onJobsQueued?.();
        res.redirect(303, loginUrl);
      } catch (err) {
        if (err instanceof AccountRefusedError) {
          const said = err.said(w);
          const errors = err.field ? { [err.field]: said } : { form: said };
          return send(res, err.field ? 400 : 409, await joinView(req, res, inv, { values, errors }));
        }
        opts.log.error({ invitation: inv.id, err: (err as Error).message }, 'account creation failed');
        notice(res, 502, pageNotice.accountFailed(w), w);
      } finally {
        inFlight.delete(inv.id);
      }
    },
  );

  // Body-parser refusals and unexpected failures end here, rendered without the token-bearing path in any log.
  router.use((err: { status?: number; message?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) opts.log.error({ err: err.message }, 'acceptance page failed');
    headers(req, res);
    const w = wordsOf(req);
    notice(res, status, pageNotice.requestRefused(w, status === 500), w);
  });

  return router;
}
