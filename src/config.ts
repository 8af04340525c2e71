/** The bot's configuration: read from the environment once, validated with zod. Nothing else reads process.env. */
import { z } from 'zod';

const optional = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional());

const Env = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.url().default('http://localhost:3000'),
    DATA_DIR: z.string().min(1).default('./data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    GUESTLIST_SECRET: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
    COMMAND_TRIGGER: z.string().regex(/^[a-z0-9_-]{1,128}$/, 'lower-case letters, digits, - or _, no leading /').default('invite-people'),
    INVITES_PER_HOUR: z.coerce.number().int().min(1).default(20),
    MATTERMOST_URL: optionalUrl,
    MATTERMOST_BOT_TOKEN: optional,
    MATTERMOST_COMMAND_TOKEN: optional,
    MATTERMOST_APPROVAL_CHANNEL_ID: optional,
    /** Mattermost sends at most 20 invitation emails an hour per sending account. */
    MATTERMOST_INVITE_EMAILS_PER_HOUR: z.coerce.number().int().min(1).default(20),
    RECONCILE_CRON: z.string().default('*/5 * * * *'),
    /** lowdb: finished invitations older than this move from the hot file to the archive file. */
    ARCHIVE_AFTER_DAYS: z.coerce.number().int().min(1).default(30),
    /** PostgreSQL for several replicas; unset = the embedded lowdb file in DATA_DIR. */
    DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional()),
    DATABASE_SCHEMA: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _').optional()),
    /** kChat: the Infomaniak organization behind the kChat server (MATTERMOST_URL). */
    INFOMANIAK_API_URL: z.url().default('https://api.infomaniak.com'),
    INFOMANIAK_API_TOKEN: optional,
    INFOMANIAK_ACCOUNT_ID: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\d+$/, 'the numeric id of the organization, as shown in the Manager').optional()),
    KDRIVE_ID: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
    /** Seconds between two checks of the Infomaniak invitations' status. */
    ARRIVAL_POLL_INTERVAL: z.coerce.number().int().min(5).default(60),
  })
  .superRefine((env, ctx) => {
    if (env.MATTERMOST_URL && !env.MATTERMOST_BOT_TOKEN) ctx.addIssue({ code: 'custom', path: ['MATTERMOST_BOT_TOKEN'], message: 'is required when MATTERMOST_URL is set' });
    if (env.INFOMANIAK_API_TOKEN && !env.INFOMANIAK_ACCOUNT_ID) ctx.addIssue({ code: 'custom', path: ['INFOMANIAK_ACCOUNT_ID'], message: 'is required when INFOMANIAK_API_TOKEN is set (the numeric id of the organization)' });
    if (env.INFOMANIAK_API_TOKEN && !env.MATTERMOST_URL) ctx.addIssue({ code: 'custom', path: ['MATTERMOST_URL'], message: 'is required when INFOMANIAK_API_TOKEN is set (the kChat server, e.g. https://your-team.kchat.infomaniak.com)' });
  });

export interface Config {
  port: number;
  publicUrl: string;
  dataDir: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  secret?: string;
  trigger: string;
  invitesPerHour: number;
  reconcileCron: string;
  database?: { url: string; schema?: string };
  archiveAfterDays: number;
  mattermost?: {
    url: string;
    botToken: string;
    commandTokens: string[];
    approvalChannelId?: string;
    inviteEmailsPerHour: number;
  };
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
    publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    secret: e.GUESTLIST_SECRET,
    trigger: e.COMMAND_TRIGGER,
    invitesPerHour: e.INVITES_PER_HOUR,
    reconcileCron: e.RECONCILE_CRON,
    database: e.DATABASE_URL ? { url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA } : undefined,
    archiveAfterDays: e.ARCHIVE_AFTER_DAYS,
    mattermost: e.MATTERMOST_URL
      ? {
          url: e.MATTERMOST_URL.replace(/\/+$/, ''),
          botToken: e.MATTERMOST_BOT_TOKEN!,
          commandTokens: (e.MATTERMOST_COMMAND_TOKEN ?? '').split(',').map((t) => t.trim()).filter(Boolean),
          approvalChannelId: e.MATTERMOST_APPROVAL_CHANNEL_ID,
          inviteEmailsPerHour: e.MATTERMOST_INVITE_EMAILS_PER_HOUR,
        }
      : undefined,
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
