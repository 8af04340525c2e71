/** The inviter's level on kChat comes from their role in the Infomaniak organization, looked up by their email
 * (kChat users are Infomaniak users): `owner` (the Manager's legal representative) → owner, `admin` → admin,
 * `normal` → member. Where the organization does not answer in time, has no such user, or names another role,
 * the level from kChat's own roles stands (a system or team admin counts as an administrator). Answers are
 * cached, since the lookup runs before each dialog opens and draws on the 60 calls a minute. */
import type { Clock } from '../../core/clock.js';
import { normalizeEmail } from '../../core/model.js';
import type { InviterLevel } from '../../core/policy.js';
import type { Logger } from '../../logger.js';
import type { InfomaniakApi } from './infomaniakApi.js';

const FROM_ROLE_TYPE: Record<string, InviterLevel> = { owner: 'owner', admin: 'admin', normal: 'member' };
/** The dialog must open within the trigger's lifetime (3 s on old servers): never wait longer than this. */
const LOOKUP_TIMEOUT_MS = 800;
const CACHE_TTL_MS = 10 * 60_000;

export class OrganizationLevels {
  private readonly cache = new Map<string, { level: InviterLevel | undefined; at: number }>();

  constructor(
    private readonly ik: Pick<InfomaniakApi, 'accountUserRole'>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async refine(user: { id: string; email: string }, level: InviterLevel): Promise<InviterLevel> {
    if (level === 'guest' || !user.email) return level;
    const email = normalizeEmail(user.email);
    const now = this.clock.now().getTime();
    const cached = this.cache.get(email);
    if (cached && now - cached.at < CACHE_TTL_MS) return cached.level ?? level;
    const lookup = this.lookup(email, now);
    const found = await Promise.race([
      lookup,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), LOOKUP_TIMEOUT_MS).unref()),
    ]);
    if (found === 'timeout') {
      this.log.debug({ user: user.id }, 'organization role lookup too slow; using the kChat role for now');
      return level;
    }
    return found ?? level;
  }

  /** Resolves with the organization level, or undefined (unknown); never rejects. */
  private async lookup(email: string, now: number): Promise<InviterLevel | undefined> {
    try {
      const roleType = await this.ik.accountUserRole(email);
      const level = roleType && Object.hasOwn(FROM_ROLE_TYPE, roleType) ? FROM_ROLE_TYPE[roleType] : undefined;
      this.cache.set(email, { level, at: now });
      return level;
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'could not read the inviter’s organization role; using the kChat role',
      );
      return undefined;
    }
  }
}
