/** The setup page's Infomaniak check: the same call as the start-up check (InfomaniakAccess), for a token and an
 * account id typed in, against the configured INFOMANIAK_API_URL only (the address is not typed in). Counted in
 * the shared Infomaniak budget like every call; read-only. */
import type { Clock } from '../core/clock.js';
import type { CallBudget } from '../outbox/outbox.js';
import { WHAT_TO_FIX } from '../platforms/kchat/access.js';
import { InfomaniakApi } from '../platforms/kchat/infomaniakApi.js';
import { PacedBudget } from '../platforms/kchat/pacedBudget.js';

/** Past this the page answers instead of waiting for the budget or a slow API. */
const CHECK_TIMEOUT_MS = 10_000;

export type InfomaniakSetupCheck = (input: {
  token: string;
  accountId: string;
}) => Promise<{ ok: boolean; text: string }>;

export function infomaniakSetupCheck(deps: {
  store: CallBudget;
  clock: Clock;
  apiUrl: string;
  fetch?: typeof fetch;
}): InfomaniakSetupCheck {
  return async ({ token, accountId }) => {
    const ik = new InfomaniakApi({
      baseUrl: deps.apiUrl,
      token,
      accountId,
      budget: new PacedBudget(deps.store, deps.clock),
      fetch: deps.fetch,
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), CHECK_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([ik.checkAccess(), late]);
      if (result === 'late')
        return { ok: false, text: 'The Infomaniak API did not answer in time (or its call budget is used up).' };
      if (result.ok) return { ok: true, text: `The token may read the users of organization ${accountId}.` };
      return { ok: false, text: `${result.message} ${WHAT_TO_FIX[result.problem]}` };
    } catch (err) {
      return { ok: false, text: `Could not check the Infomaniak API: ${(err as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  };
}
