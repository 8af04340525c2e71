/** What the composition root hands every platform adapter. */
import type { Clock } from '../core/clock.js';
import type { LinkChannels } from '../delivery/acceptanceLink.js';
import type { Logger } from '../logger.js';
import type { Outbox } from '../outbox/outbox.js';
import type { Signer } from '../security/signing.js';
import type { Store } from '../store/store.js';

export interface PlatformDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  signer: Signer;
  outbox: Outbox;
  /** The bot's own acceptance links (link, bot email, SMS delivery), where the platform can use them. */
  links?: LinkChannels;
}
