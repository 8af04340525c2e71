/** The bot's configuration: read from the environment once, validated with zod. Nothing else reads process.env. */

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LANGUAGES, type Language, languageOf } from './core/i18n.js';
import { GUEST_END_ACTIONS, type GuestSettings, MAX_ACCESS_DAYS } from './core/model.js';
import type { InviteLimits } from './core/policy.js';
import { parseWelcomeTemplate, type WelcomeTemplates, type WelcomeTexts } from './core/welcome.js';

const WELCOME_MAX = 4000;
const optional = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());

const Env = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** Unset: http://localhost:{PORT}, so that a bot moved to another port still logs and links a working URL. */
    PUBLIC_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
    DATA_DIR: z.string().min(1).default('./data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    GUESTLIST_SECRET: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    COMMAND_TRIGGER: z
      .string()
      .regex(/^[a-z0-9_-]{1,128}$/, 'lower-case letters, digits, - or _, no leading /')
      .default('invite-people'),
    INVITES_PER_HOUR: z.coerce.number().int().min(1).default(20),
    /** Administrators' own limit: high enough for the bulk page's thousand addresses. */
    ADMIN_INVITES_PER_HOUR: z.coerce.number().int().min(1).default(1000),
    MATTERMOST_URL: optionalUrl,
    MATTERMOST_BOT_TOKEN: optional,
    MATTERMOST_COMMAND_TOKEN: optional,
    MATTERMOST_APPROVAL_CHANNEL_ID: optional,
    /** Mattermost sends at most 20 invitation emails an hour per sending account. */
    MATTERMOST_INVITE_EMAILS_PER_HOUR: z.coerce.number().int().min(1).default(20),
    RECONCILE_CRON: z.string().default('*/5 * * * *'),
    /** The invitee's side: the organization shown on the acceptance page and in the bot's emails. */
    ORG_NAME: z.string().min(1).default('Guestlist'),
    ORG_LOGO_URL: optionalUrl,
    /** The organization's language: channel posts, and anyone whose language is unknown or not one of ours. */
    DEFAULT_LOCALE: z
      .string()
      .refine((v) => !!languageOf(v), `must be one of ${LANGUAGES.join(', ')} (a region is fine: fr-CH)`)
      .default('en'),
    /** The organization's time zone for dates and times in messages (IANA name); default: the process's TZ. */
    TIME_ZONE: z
      .string()
      .refine((tz) => validTimeZone(tz), 'must be an IANA time zone such as Europe/Zurich')
      .optional(),
    /** The bot's own invitation emails (smtp:// or smtps://…), and their sender. */
    SMTP_URL: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
        .optional(),
    ),
    MAIL_FROM: optional,
    /** SMS delivery: the operator's gateway receives JSON {to, text}, with this bearer token if set. */
    SMS_WEBHOOK_URL: optionalUrl,
    SMS_WEBHOOK_TOKEN: optional,
    PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(72).default(8),
    /** Bearer token for GET /admin/invitations (JSON of every invitation); unset = the endpoint is off. */
    ADMIN_API_TOKEN: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.string().min(24, 'must be at least 24 characters').optional(),
    ),
    /** lowdb: finished invitations older than this move from the hot file to the archive file. */
    ARCHIVE_AFTER_DAYS: z.coerce.number().int().min(1).default(30),
    /** The longest access an external guest may be given at invitation or extension, in days; unset: no cap. */
    GUEST_MAX_DAYS: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.coerce.number().int().min(1).max(MAX_ACCESS_DAYS).optional(),
    ),
    /** What ending a guest's access does on Mattermost and kChat once they are out of the bot's channels. */
    GUEST_END_ACTION: z.preprocess((v) => (v === '' ? undefined : v), z.enum(GUEST_END_ACTIONS).default('deactivate')),
    /** PostgreSQL for several replicas; unset = the embedded lowdb file in DATA_DIR. */
    DATABASE_URL: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
        .optional(),
    ),
    DATABASE_SCHEMA: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _')
        .optional(),
    ),
    /** kChat: the Infomaniak organization behind the kChat server (MATTERMOST_URL). */
    INFOMANIAK_API_URL: z.url().default('https://api.infomaniak.com'),
    INFOMANIAK_API_TOKEN: optional,
    INFOMANIAK_ACCOUNT_ID: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.string().regex(/^\d+$/, 'the numeric id of the organization, as shown in the Manager').optional(),
    ),
    KDRIVE_ID: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
    /** Seconds between two checks of the Infomaniak invitations' status. */
    ARRIVAL_POLL_INTERVAL: z.coerce.number().int().min(5).default(60),
    /** Slack: the bot token (xoxb-) turns the Slack adapter on. */
    SLACK_BOT_TOKEN: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^xoxb-/, 'must be a bot token (xoxb-…)')
        .optional(),
    ),
    SLACK_SIGNING_SECRET: optional,
    /** Socket Mode instead of HTTP when set (an app-level token with connections:write). */
    SLACK_APP_TOKEN: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
        .optional(),
    ),
    SLACK_APPROVAL_CHANNEL: optional,
    /** The workspace's own invite link or sign-up page: where the acceptance page sends invitees. */
    SLACK_JOIN_URL: optionalUrl,
    /** Enterprise Grid only: an org-installed user token with admin.users:write, for admin.users.invite. */
    SLACK_ADMIN_TOKEN: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z
        .string()
        .regex(/^xoxp-/, 'must be a user token (xoxp-…)')
        .optional(),
    ),
    SLACK_API_URL: z.url().default('https://slack.com/api/'),
    /** The newcomer's welcome, in the operator's words: a template ({name}, {inviter}, {channels}, {role},
     * {until}), or a file with one (`.json`: per workspace id or "*", a text or one per language). */
    WELCOME_MESSAGE: z.preprocess((v) => (v === '' ? undefined : v), z.string().max(WELCOME_MAX).optional()),
    WELCOME_MESSAGE_FILE: optional,
    /** The local playground (src/platforms/local): on by default only while no platform is configured. */
    PLAYGROUND: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['on', 'off']).optional()),
  })
  .superRefine((env, ctx) => {
    if (env.SMTP_URL && !env.MAIL_FROM)
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_FROM'],
        message: 'is required when SMTP_URL is set (the sender of invitation emails)',
      });
    if (env.MATTERMOST_URL && !env.MATTERMOST_BOT_TOKEN)
      ctx.addIssue({
        code: 'custom',
        path: ['MATTERMOST_BOT_TOKEN'],
        message: 'is required when MATTERMOST_URL is set',
      });
    if (env.INFOMANIAK_API_TOKEN && !env.INFOMANIAK_ACCOUNT_ID)
      ctx.addIssue({
        code: 'custom',
        path: ['INFOMANIAK_ACCOUNT_ID'],
        message: 'is required when INFOMANIAK_API_TOKEN is set (the numeric id of the organization)',
      });
    if (env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'is required in HTTP mode (without SLACK_APP_TOKEN): every request from Slack is checked with it',
      });
    if (env.SLACK_BOT_TOKEN && !env.SLACK_JOIN_URL && !env.SLACK_ADMIN_TOKEN)
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_JOIN_URL'],
        message:
          'is required unless SLACK_ADMIN_TOKEN is set (Enterprise Grid): apps cannot send Slack invitations on ' +
          'other plans, so invitees are sent to this link',
      });
    if (env.INFOMANIAK_API_TOKEN && !env.MATTERMOST_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['MATTERMOST_URL'],
        message:
          'is required when INFOMANIAK_API_TOKEN is set ' +
          '(the kChat server, e.g. https://your-team.kchat.infomaniak.com)',
      });
  });

export interface Config {
  port: number;
  publicUrl: string;
  dataDir: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  secret?: string;
  trigger: string;
  invitesPerHour: InviteLimits;
  reconcileCron: string;
  database?: { url: string; schema?: string };
  archiveAfterDays: number;
  guests: GuestSettings;
  org: { name: string; logoUrl?: string };
  /** DEFAULT_LOCALE as given (its region sets the organization's formats) and its language; the time zone. */
  locale: { tag: string; language: Language; timeZone: string };
  smtp?: { url: string; from: string };
  sms?: { url: string; token?: string };
  passwordMinLength: number;
  adminApiToken?: string;
  mattermost?: {
    url: string;
    botToken: string;
    commandTokens: string[];
    approvalChannelId?: string;
    inviteEmailsPerHour: number;
  };
  slack?: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    approvalChannel?: string;
    joinUrl?: string;
    adminToken?: string;
    apiUrl: string;
  };
  /** INFOMANIAK_API_URL, also for the setup page's check when kChat is not configured yet. */
  infomaniakApiUrl: string;
  /** The operator's welcome texts; unset: the bot's own, in the newcomer's language. */
  welcome?: WelcomeTemplates;
  /** The local playground is served (PLAYGROUND=on, or no platform configured and PLAYGROUND unset). */
  playground: boolean;
  /** Set when INFOMANIAK_API_TOKEN is: the Mattermost adapter then runs against kChat with this backend. */
  kchat?: {
    apiUrl: string;
    token: string;
    accountId: string;
    kdriveId?: number;
    arrivalPollSeconds: number;
  };
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    secret: e.GUESTLIST_SECRET,
    trigger: e.COMMAND_TRIGGER,
    invitesPerHour: { member: e.INVITES_PER_HOUR, admin: e.ADMIN_INVITES_PER_HOUR },
    reconcileCron: e.RECONCILE_CRON,
    database: e.DATABASE_URL ? { url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA } : undefined,
    archiveAfterDays: e.ARCHIVE_AFTER_DAYS,
    guests: { maxDays: e.GUEST_MAX_DAYS, endAction: e.GUEST_END_ACTION },
    org: { name: e.ORG_NAME, logoUrl: e.ORG_LOGO_URL },
    locale: {
      tag: e.DEFAULT_LOCALE,
      language: languageOf(e.DEFAULT_LOCALE)!,
      timeZone: e.TIME_ZONE ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    },
    smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.MAIL_FROM! } : undefined,
    sms: e.SMS_WEBHOOK_URL ? { url: e.SMS_WEBHOOK_URL, token: e.SMS_WEBHOOK_TOKEN } : undefined,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    adminApiToken: e.ADMIN_API_TOKEN,
    mattermost: e.MATTERMOST_URL
      ? {
          url: e.MATTERMOST_URL.replace(/\/+$/, ''),
          botToken: e.MATTERMOST_BOT_TOKEN!,
          commandTokens: (e.MATTERMOST_COMMAND_TOKEN ?? '')
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
          approvalChannelId: e.MATTERMOST_APPROVAL_CHANNEL_ID,
          inviteEmailsPerHour: e.MATTERMOST_INVITE_EMAILS_PER_HOUR,
        }
      : undefined,
    slack: e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          appToken: e.SLACK_APP_TOKEN,
          approvalChannel: e.SLACK_APPROVAL_CHANNEL,
          joinUrl: e.SLACK_JOIN_URL,
          adminToken: e.SLACK_ADMIN_TOKEN,
          apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
        }
      : undefined,
    welcome: welcomeTemplates(e.WELCOME_MESSAGE, e.WELCOME_MESSAGE_FILE),
    infomaniakApiUrl: e.INFOMANIAK_API_URL.replace(/\/+$/, ''),
    playground: e.PLAYGROUND === 'on' || (e.PLAYGROUND === undefined && !e.MATTERMOST_URL && !e.SLACK_BOT_TOKEN),
    kchat: e.INFOMANIAK_API_TOKEN
      ? {
          apiUrl: e.INFOMANIAK_API_URL.replace(/\/+$/, ''),
          token: e.INFOMANIAK_API_TOKEN,
          accountId: e.INFOMANIAK_ACCOUNT_ID!,
          kdriveId: e.KDRIVE_ID,
          arrivalPollSeconds: e.ARRIVAL_POLL_INTERVAL,
        }
      : undefined,
  };
}

const WelcomeText = z.string().min(1).max(WELCOME_MAX);
/** WELCOME_MESSAGE_FILE as JSON: `{"*": "…", "<workspace id>": {"fr": "…", "default": "…"}}`. */
const WelcomeFile = z.record(
  z.string().min(1).max(64),
  z.union([WelcomeText, z.partialRecord(z.enum([...LANGUAGES, 'default']), WelcomeText)]),
);

/** The welcome templates, each checked now: a wrong placeholder stops the bot at start-up, named. */
function welcomeTemplates(message: string | undefined, file: string | undefined): WelcomeTemplates | undefined {
  if (message && file)
    throw new ConfigError('Invalid configuration:\n  WELCOME_MESSAGE: set it or WELCOME_MESSAGE_FILE, not both');
  if (!message && !file) return undefined;
  const where = message ? 'WELCOME_MESSAGE' : `WELCOME_MESSAGE_FILE (${file})`;
  const fail = (why: string): never => {
    throw new ConfigError(`Invalid configuration:\n  ${where}: ${why}`);
  };
  const check = (text: string, at: string) => {
    const parsed = parseWelcomeTemplate(text);
    return parsed.ok ? parsed.template : fail(`${at}${parsed.error}`);
  };
  if (message) return { all: { default: check(message, '') }, teams: {} };
  let content: string;
  try {
    content = readFileSync(file!, 'utf8');
  } catch (err) {
    return fail(`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!file!.endsWith('.json')) {
    if (content.length > WELCOME_MAX) fail(`longer than ${WELCOME_MAX} characters`);
    return { all: { default: check(content, '') }, teams: {} };
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return fail('is not valid JSON');
  }
  const parsed = WelcomeFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(`${issue.path.join('.')}: ${issue.message}`);
  }
  const templates: WelcomeTemplates = { teams: {} };
  for (const [team, value] of Object.entries(parsed.data)) {
    const texts: WelcomeTexts = {};
    const entries = typeof value === 'string' ? { default: value } : value;
    for (const [lang, text] of Object.entries(entries)) {
      texts[lang as keyof WelcomeTexts] = check(text as string, `${team}.${lang}: `);
    }
    if (team === '*') templates.all = texts;
    else templates.teams[team] = texts;
  }
  return templates;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
