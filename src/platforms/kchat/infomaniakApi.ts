/** Infomaniak's organization API (api.infomaniak.com): invitations into the account with their kSuite, kChat
 * and kDrive rights, and kDrive's own invitations of external users. Shapes follow Infomaniak's published
 * OpenAPI reference (summarized in shared/docs/mattermost-kchat.md §6); every answer is parsed here. */
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { KDriveRight, Role } from '../../core/model.js';
import { parseRetryAfter } from '../../outbox/errors.js';
import type { CallBudget } from '../../outbox/outbox.js';
import { errorInWords } from './errorWords.js';

export type RoleType = 'owner' | 'admin' | 'normal';
export type AppRole = 'admin' | 'user';

/** The Manager's wording (Legal representative / Administrator / User) onto `role_type`. Likely but not
 * confirmed by Infomaniak. External people are kChat guests, not organization members: no entry. */
export const ROLE_TYPE: Record<Exclude<Role, 'external'>, RoleType> = {
  legal_representative: 'owner',
  admin: 'admin',
  collaborator: 'normal',
};

/** The languages both Infomaniak APIs accept: the invitation's `locale` and kDrive's `lang` (reference enums). */
const LOCALES = { de: 'de_DE', en: 'en_GB', es: 'es_ES', fr: 'fr_FR', it: 'it_IT' } as const;
export type DriveLang = keyof typeof LOCALES;
export type InfomaniakLocale = (typeof LOCALES)[DriveLang];

/** 'fr', 'fr-CH', 'fr_FR' → 'fr'; a language Infomaniak does not offer (kChat ships more, e.g. 'pt-BR') → 'en'. */
export function toDriveLang(locale: string): DriveLang {
  const language = locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return Object.hasOwn(LOCALES, language) ? (language as DriveLang) : 'en';
}

/** 'fr', 'fr-CH', 'fr_FR' → 'fr_FR'; a language Infomaniak does not offer → 'en_GB'. */
export function toInfomaniakLocale(locale: string): InfomaniakLocale {
  return LOCALES[toDriveLang(locale)];
}

/** Infomaniak allows 60 requests a minute per token: the store key and window every budget shares. */
export const INFOMANIAK_BUDGET = { key: 'infomaniak', limit: 60, windowMs: 60_000 } as const;

export interface RateBudget {
  /** Resolves when one request may be sent. */
  take(): Promise<void>;
}

/** The 60/min budget kept in the store, so that every job and every replica draws from the same one. */
export class StoreRateBudget implements RateBudget {
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly store: CallBudget,
    opts: { now?: () => Date; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.sleep = opts.sleep ?? delay;
  }

  async take(): Promise<void> {
    for (;;) {
      const answer = await this.store.takeRateToken(
        INFOMANIAK_BUDGET.key,
        INFOMANIAK_BUDGET.limit,
        INFOMANIAK_BUDGET.windowMs,
        this.now(),
      );
      if (answer.ok) return;
      // Another caller may win the freed token: then the store names the next free moment and we wait again.
      await this.sleep(Math.max(answer.retryAt.getTime() - this.now().getTime(), 1));
    }
  }
}

export class InfomaniakError extends Error {
  override readonly name = 'InfomaniakError';
  /** Undefined when no answer arrived. */
  readonly status: number | undefined;
  /** Infomaniak's error code (e.g. `access_denied`), or `network_error`, `unexpected_response`, `http_<status>`. */
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  /** Read by the outbox (`isPermanent`): what retrying cannot fix. */
  readonly permanent: boolean;

  constructor(
    message: string,
    o: { status?: number; code: string; retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: o.cause });
    this.status = o.status;
    this.code = o.code;
    this.retryable = o.retryable;
    this.retryAfterMs = o.retryAfterMs;
    this.permanent = !o.retryable;
  }
}

const ErrorEnvelope = z.object({
  result: z.literal('error'),
  error: z
    .object({
      code: z.string(),
      description: z.string().optional().catch(undefined),
      errors: z
        .array(z.object({ code: z.string().optional(), description: z.string().optional() }).loose())
        .optional()
        .catch(undefined),
    })
    .loose(),
});

const SuccessEnvelope = z.object({
  result: z.literal('success'),
  data: z.unknown(),
  pages: z.number().int().positive().optional().catch(undefined),
});

/** The reference's enum is `accepted|cancelled|pending|rejected`; it is read as an open string, so that a value
 * added later is logged by the poll instead of failing the answer. */
const InvitationStatus = z.string();

const AccountInvitation = z.object({
  id: z.union([z.number().int(), z.string()]).transform(String),
  status: InvitationStatus,
  url_accept: z.string().nullish(),
  qr_code: z.string().nullish(),
  /** Unix seconds, as Infomaniak's other timestamps. */
  expired_at: z.number().nullish(),
});

/** One entry of `POST /2/drive/{drive_id}/users` ("Create DriveUser Response"). */
const DriveUserCreated = z
  .object({
    email: z.string().nullish(),
    error: z.string().nullish(),
    invitation: z.object({ id: z.number().int(), email: z.string().nullish() }).loose().nullish(),
  })
  .loose();

const Drive = z.object({ id: z.number().int(), k_suite: z.object({ id: z.number().int() }).loose().nullish() });

/** One row of the users list: a member (`valid`, with `user_id`) or a pending invitation (`pending`, with
 * `invitation_id`). `state_in_account` is typed as a plain string by the reference, so it is read as one. */
const AccountUser = z
  .object({
    user_id: z.number().int().nullish(),
    invitation_id: z.number().int().nullish(),
    email: z.string().nullish(),
    role_type: z.string().nullish(),
    state_in_account: z.string().nullish(),
  })
  .loose();
/** The reference types `data` as one "user or pending user"; a paginated list is what a list returns, so both are
 * read. */
const AccountUsers = z.union([z.array(AccountUser), AccountUser.transform((u) => [u])]);

export interface AccountRow {
  email: string;
  roleType: string | undefined;
  /** Set on a member's row. */
  userId?: string;
  /** Set on a pending invitation's row. */
  invitationId?: string;
  state: 'valid' | 'pending' | 'other';
}

function toRow(u: z.infer<typeof AccountUser>): AccountRow | undefined {
  if (!u.email) return undefined;
  const state = u.state_in_account === 'valid' || u.state_in_account === 'pending' ? u.state_in_account : 'other';
  return {
    email: u.email.trim().toLowerCase(),
    roleType: u.role_type ?? undefined,
    state,
    ...(u.user_id != null ? { userId: String(u.user_id) } : {}),
    ...(u.invitation_id != null ? { invitationId: String(u.invitation_id) } : {}),
  };
}

export interface IkInvitation {
  id: string;
  status: string;
  /** The link that lets the invitee join (show it, or send it by SMS, when `silent`). */
  urlAccept: string | undefined;
  /** The same invitation as a QR code (format not documented; see qrCode.ts). Never stored or logged. */
  qrCode: string | undefined;
  /** ISO date, or null when Infomaniak gives none. */
  expiredAt: string | null;
}

function toInvitation(data: z.infer<typeof AccountInvitation>): IkInvitation {
  return {
    id: data.id,
    status: data.status,
    urlAccept: data.url_accept ?? undefined,
    qrCode: data.qr_code ?? undefined,
    expiredAt: data.expired_at == null ? null : new Date(data.expired_at * 1000).toISOString(),
  };
}

export interface NewAccountInvitation {
  email: string;
  firstName: string;
  lastName: string;
  /** Any BCP 47-ish tag; see toInfomaniakLocale. */
  locale: string;
  roleType: RoleType;
  billing: boolean;
  billingNotifications: boolean;
  /** True: Infomaniak sends no email; the bot delivers `urlAccept` itself. */
  silent: boolean;
}

export type AccessCheck =
  | { ok: true }
  | { ok: false; problem: 'bad_token' | 'missing_scope' | 'unknown_account' | 'unreachable'; message: string };

const REQUEST_TIMEOUT_MS = 15_000;

export class InfomaniakApi {
  private readonly baseUrl: string;
  private readonly token: string;
  private readonly accountId: string;
  private readonly budget: RateBudget;
  private readonly fetch: typeof fetch;

  constructor(opts: { baseUrl?: string; token: string; accountId: string; budget: RateBudget; fetch?: typeof fetch }) {
    this.baseUrl = (opts.baseUrl ?? 'https://api.infomaniak.com').replace(/\/+$/, '');
    this.token = opts.token;
    this.accountId = opts.accountId;
    this.budget = opts.budget;
    // Looked up at call time, so that an interceptor installed later (nock in tests) is seen.
    this.fetch = opts.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Lists one user of the account: `GET /1/accounts/{account}` is not in the published reference, while this
   * documented route needs both a valid token and access to this very account (401 / 403 / 404 tell which). */
  async checkAccess(): Promise<AccessCheck> {
    try {
      await this.call('GET', `/2/accounts/${this.account}/users?per_page=1`, z.unknown());
      return { ok: true };
    } catch (err) {
      if (!(err instanceof InfomaniakError)) throw err;
      switch (err.status) {
        case 401:
          return {
            ok: false,
            problem: 'bad_token',
            message:
              'Infomaniak refused the API token (401): it is wrong, revoked or expired ' +
              '(unused tokens are disabled after a year). Create a new one in the Manager and configure it.',
          };
        case 403:
          // The scope name is not documented for these routes; a third-party guide names `accounts`.
          return {
            ok: false,
            problem: 'missing_scope',
            message:
              `The API token may not manage the users of account ${this.accountId} (403 ${err.code}): ` +
              'create a token with the account/user management scope (probably "accounts") ' +
              'whose owner is an administrator of that organization.',
          };
        case 404:
          return {
            ok: false,
            problem: 'unknown_account',
            message:
              `Infomaniak does not know account ${this.accountId}, or the token's owner is not in it (404): ` +
              "configure the organization's numeric id, as shown in the Manager.",
          };
        default:
          return { ok: false, problem: 'unreachable', message: `Could not check the Infomaniak API: ${err.message}` };
      }
    }
  }

  /** The rows of the users list (members and pending invitations) whose address is exactly this one. */
  async accountRowsFor(email: string): Promise<AccountRow[]> {
    const wanted = email.trim().toLowerCase();
    const users = await this.call(
      'GET',
      `/2/accounts/${this.account}/users?search=${encodeURIComponent(wanted)}&per_page=20`,
      AccountUsers,
    );
    return users.map(toRow).filter((r): r is AccountRow => r?.email === wanted);
  }

  /** The organization role (`owner`, `admin`, `normal`) of the member with this email, or undefined when none
   * matches. The list also holds pending invitations: only a `valid` row with a `user_id` is a member. */
  async accountUserRole(email: string): Promise<string | undefined> {
    return (await this.accountRowsFor(email)).find((r) => r.state === 'valid' && r.userId)?.roleType;
  }

  /** One page of the users list (members and pending invitations), and how many pages there are. */
  async accountUsersPage(page: number, perPage: number): Promise<{ rows: AccountRow[]; pages: number }> {
    const { data, pages } = await this.call(
      'GET',
      `/2/accounts/${this.account}/users?page=${page}&per_page=${perPage}`,
      AccountUsers,
      undefined,
      true,
    );
    return { rows: data.map(toRow).filter((r): r is AccountRow => !!r), pages: pages ?? 1 };
  }

  async createInvitation(input: NewAccountInvitation): Promise<IkInvitation> {
    const data = await this.call('POST', `/1/accounts/${this.account}/invitations`, AccountInvitation, {
      email: input.email,
      first_name: input.firstName,
      last_name: input.lastName,
      locale: toInfomaniakLocale(input.locale),
      role_type: input.roleType,
      // The invitee must register with this very address, so that an approved invitation cannot be used by someone
      // else.
      strict: true,
      silent: input.silent,
      permissions: { billing: input.billing },
      // Product newsletters are the invitee's own choice, not something an inviter decides.
      notifications: { billing: input.billingNotifications, products: false },
    });
    return toInvitation(data);
  }

  async getInvitation(id: string): Promise<IkInvitation> {
    return toInvitation(await this.call('GET', this.invitationPath(id), AccountInvitation));
  }

  /** A 404 means the invitation is already gone, which is what cancelling wants; a 500 `cannot_delete_object`
   * means it can no longer be cancelled (accepted, or gone): retrying will not change that. */
  async cancelInvitation(id: string): Promise<{ outcome: 'cancelled' | 'already_gone' | 'not_cancellable' }> {
    try {
      await this.call('DELETE', this.invitationPath(id), z.unknown());
      return { outcome: 'cancelled' };
    } catch (err) {
      if (err instanceof InfomaniakError && err.status === 404) return { outcome: 'already_gone' };
      if (err instanceof InfomaniakError && err.status === 500 && err.code === 'cannot_delete_object')
        return { outcome: 'not_cancellable' };
      throw err;
    }
  }

  async setKsuiteAccess(id: string, roles: { kchatRole: AppRole; kdriveRole: AppRole }): Promise<void> {
    await this.call('POST', `${this.invitationPath(id)}/ksuite`, z.unknown(), {
      ksuite_access: { kchat_role: roles.kchatRole, kdrive_role: roles.kdriveRole },
    });
  }

  /** Opens a drive to the invitee. A kSuite's drive opens with kSuite access (403 `product_is_part_of_ksuite`), and
   * access may exist already (409 `object_already_exists`): either way the right can then be set. */
  async addDrive(id: string, driveId: number, role: AppRole): Promise<'added' | 'exists'> {
    try {
      await this.call('POST', `${this.invitationPath(id)}/drive`, z.unknown(), { drive_id: driveId, role });
      return 'added';
    } catch (err) {
      const exists =
        err instanceof InfomaniakError &&
        ((err.status === 403 && err.code === 'product_is_part_of_ksuite') ||
          (err.status === 409 && err.code === 'object_already_exists'));
      if (exists) return 'exists';
      throw err;
    }
  }

  /** The organization's kSuite (`ksuite_id`), or null when it has none. */
  async accountKsuiteId(): Promise<number | null> {
    const account = await this.call(
      'GET',
      `/1/accounts/${this.account}`,
      z.object({ ksuite_id: z.number().int().nullish() }),
    );
    return account.ksuite_id ?? null;
  }

  /** The account's drives with the kSuite each belongs to (`k_suite.id`, null for a drive of its own). */
  async accountDrives(): Promise<{ id: number; ksuiteId: number | null }[]> {
    const drives = await this.call('GET', `/2/drive?account_id=${this.account}&per_page=1000`, z.array(Drive));
    return drives.map((d) => ({ id: d.id, ksuiteId: d.k_suite?.id ?? null }));
  }

  async setDriveRight(id: string, driveId: number, right: KDriveRight): Promise<void> {
    await this.call('PATCH', `${this.invitationPath(id)}/drive/${driveId}`, z.unknown(), { right });
  }

  /** kDrive's own invitation of someone outside the organization; kDrive sends the email. The 201 has one entry
   * per address, each with an optional `error`: an entry with an error is a refusal, not a success. Resolves with
   * the kDrive invitation's id (none when the address was already a user of the drive and was added at once). */
  async inviteDriveExternal(
    driveId: number,
    input: { email: string; right: KDriveRight; locale: string; message?: string },
  ): Promise<string | undefined> {
    const entries = await this.call('POST', `/2/drive/${driveId}/users`, z.array(DriveUserCreated), {
      emails: [input.email],
      role: 'external',
      right: input.right,
      send_email: true,
      lang: toDriveLang(input.locale),
      ...(input.message ? { message: input.message } : {}),
    });
    const wanted = input.email.trim().toLowerCase();
    const entry = entries.find((e) => (e.email ?? e.invitation?.email)?.trim().toLowerCase() === wanted) ?? entries[0];
    if (!entry)
      throw new InfomaniakError(`kDrive answered no entry for the address`, {
        code: 'unexpected_response',
        retryable: false,
      });
    if (entry.error)
      throw new InfomaniakError(this.redact(`kDrive refused the invitation: ${entry.error}`), {
        code: 'drive_invitation_refused',
        retryable: false,
      });
    return entry.invitation ? String(entry.invitation.id) : undefined;
  }

  /** Refreshes a kDrive invitation's validity and sends its email again. */
  async resendDriveInvitation(driveId: number, invitationId: string): Promise<void> {
    await this.call(
      'POST',
      `/2/drive/${driveId}/users/invitation/${encodeURIComponent(invitationId)}/send`,
      z.unknown(),
    );
  }

  async cancelDriveInvitation(driveId: number, invitationId: string): Promise<void> {
    await this.call('DELETE', `/2/drive/${driveId}/users/invitation/${encodeURIComponent(invitationId)}`, z.unknown());
  }

  private get account(): string {
    return encodeURIComponent(this.accountId);
  }

  private invitationPath(id: string): string {
    return `/1/accounts/${this.account}/invitations/${encodeURIComponent(id)}`;
  }

  /** One request, after taking a token from the budget; resolves with the parsed `data` of a success envelope
   * (with `paged`, also the envelope's page count). */
  private async call<T extends z.ZodType>(method: string, path: string, data: T, body?: unknown): Promise<z.output<T>>;
  private async call<T extends z.ZodType>(
    method: string,
    path: string,
    data: T,
    body: unknown,
    paged: true,
  ): Promise<{ data: z.output<T>; pages?: number }>;
  private async call<T extends z.ZodType>(
    method: string,
    path: string,
    data: T,
    body?: unknown,
    paged = false,
  ): Promise<unknown> {
    const what = `Infomaniak ${method} ${path.split('?')[0]}`;
    await this.budget.take();
    let res: Response;
    try {
      const send = this.fetch;
      res = await send(this.baseUrl + path, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
        },
        // The reference's getting-started rule: every request but GET carries a JSON body.
        body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new InfomaniakError(this.redact(`${what}: no answer (${reason})`), {
        code: 'network_error',
        retryable: true,
        cause: err,
      });
    }

    const json: unknown = await res.json().catch(() => undefined);
    const failure = ErrorEnvelope.safeParse(json);
    if (!res.ok || failure.success) {
      const code = failure.data?.error.code ?? `http_${res.status}`;
      const words = errorInWords(code, failure.data?.error.description, failure.data?.error.errors);
      const retryable = res.status === 429 || res.status >= 500;
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      throw new InfomaniakError(this.redact(`${what}: ${res.status} ${code}: ${words}`), {
        status: res.status,
        code,
        retryable,
        retryAfterMs: res.status === 429 ? (retryAfter ?? 60_000) : retryable ? retryAfter : undefined,
      });
    }

    const envelope = SuccessEnvelope.safeParse(json);
    const parsed = data.safeParse(envelope.data?.data);
    if (!envelope.success || !parsed.success) {
      const issue = (envelope.error ?? parsed.error)?.issues[0];
      throw new InfomaniakError(`${what}: unexpected answer (${issue?.path.join('.') || 'body'}: ${issue?.message})`, {
        status: res.status,
        code: 'unexpected_response',
        retryable: false,
      });
    }
    return paged ? { data: parsed.data, pages: envelope.data?.pages } : parsed.data;
  }

  /** An error description could echo what it was sent; the token must never reach logs. */
  private redact(message: string): string {
    return this.token ? message.split(this.token).join('[token]') : message;
  }
}
