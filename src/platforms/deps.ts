/** What the composition root hands every platform adapter: what the flows need, and the signer for the values
 * that travel through the chat client. */
import type { FlowDeps } from '../flows/jobHandlers.js';
import type { Signer } from '../security/signing.js';

export type PlatformDeps = FlowDeps & { signer: Signer };
