/** What the composition root hands every platform adapter: what the flows need, and the signer for the values
 * that travel through the chat client. */
import type { Platform } from '../core/model.js';
import type { FlowDeps } from '../flows/jobHandlers.js';
import type { Signer } from '../security/signing.js';

export type PlatformDeps = FlowDeps & { signer: Signer };

/** An adapter's own copy of the deps, its log lines marked with the platform. */
export function platformDeps(opts: PlatformDeps, platform: Platform): PlatformDeps {
  const { store, clock, outbox, signer, links, locales, guests, welcome } = opts;
  return { store, clock, outbox, signer, links, locales, guests, welcome, log: opts.log.child({ platform }) };
}
