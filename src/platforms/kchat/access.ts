/** Whether the bot can act in the Infomaniak organization, checked at start-up with one cheap authenticated
 * call, so a wrong token, a missing scope or an unknown account shows in the log (with what to fix) and in
 * /readyz, not at the first invitation. A failed check is repeated now and then: a scope can be added to a
 * token, or the network come back, without a restart. */
import type { Logger } from '../../logger.js';
import type { AccessCheck, InfomaniakApi } from './infomaniakApi.js';

const RECHECK_MS = 5 * 60_000;

export const WHAT_TO_FIX: Record<Extract<AccessCheck, { ok: false }>['problem'], string> = {
  bad_token: 'Set INFOMANIAK_API_TOKEN to a valid token.',
  missing_scope: 'Give the token of INFOMANIAK_API_TOKEN the needed scope (see README, kChat).',
  unknown_account: 'Set INFOMANIAK_ACCOUNT_ID to the organization the token’s owner administers.',
  unreachable: 'Check INFOMANIAK_API_URL and the network; the check will be repeated.',
};

export class InfomaniakAccess {
  private state: AccessCheck | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ik: Pick<InfomaniakApi, 'checkAccess'>,
    private readonly log: Logger,
  ) {}

  ready(): boolean {
    return this.state?.ok === true;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.check();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async check(): Promise<void> {
    let result: AccessCheck;
    try {
      result = await this.ik.checkAccess();
    } catch (err) {
      result = {
        ok: false,
        problem: 'unreachable',
        message: `Could not check the Infomaniak API: ${(err as Error).message}`,
      };
    }
    const was = this.state;
    this.state = result;
    if (result.ok) {
      if (!was?.ok) this.log.info('Infomaniak organization API: access checked');
    } else {
      this.log.error(
        { problem: result.problem },
        `Infomaniak organization API not usable: ${result.message} ${WHAT_TO_FIX[result.problem]} ` +
          'Until then kChat invitations can only be for external guests.',
      );
      if (!this.stopped) this.timer = setTimeout(() => void this.check(), RECHECK_MS).unref();
    }
  }
}
