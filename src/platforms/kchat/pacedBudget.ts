/** The shared Infomaniak budget for work that must not wait in place (an outbox job, a poll, a lookup made while
 * someone waits for a dialog). With no call left it fails at once with a paced RetryLaterError, so the outbox
 * re-runs the job when a call frees up without spending an attempt, and a job never sleeps past its lease.
 * It draws from the same persisted window as StoreRateBudget: all replicas share 60 calls a minute. */
import type { Clock } from '../../core/clock.js';
import { type CallBudget, takePaced } from '../../outbox/outbox.js';
import { INFOMANIAK_BUDGET, type RateBudget } from './infomaniakApi.js';

export class PacedBudget implements RateBudget {
  constructor(
    private readonly store: CallBudget,
    private readonly clock: Clock,
  ) {}

  take(): Promise<void> {
    return takePaced(
      this.store,
      this.clock.now(),
      INFOMANIAK_BUDGET,
      'the Infomaniak budget (60 calls a minute) is used up',
    );
  }
}
