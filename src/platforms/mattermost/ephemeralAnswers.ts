/** Answers only the user sees: an ephemeral body, and the wizard's outcome told through the command's response URL
 * (ephemeral, no extra permission), which only ever points at the configured server. */
import type { Logger } from '../../logger.js';

/** Mattermost's command response URLs: `/hooks/commands/{26-character id}`. */
const COMMAND_HOOK_PATH = /^\/hooks\/commands\/[a-z0-9]{1,64}$/i;
const CONFIRM_TIMEOUT_MS = 5000;

export function ephemeral(text: string): { response_type: 'ephemeral'; text: string } {
  return { response_type: 'ephemeral', text };
}

/** The command's response URL, on the configured server only: a command hook's path is kept, any other host
 * or path is dropped, so no request can make the bot post somewhere else. */
export function commandResponseUrl(serverUrl: string, given: string | undefined): string | undefined {
  const path = given && URL.canParse(given) ? new URL(given).pathname : undefined;
  return path && COMMAND_HOOK_PATH.test(path) ? `${serverUrl}${path}` : undefined;
}

/** Tells the inviter what happened, through the command's response URL; never rejects. */
export async function confirm(log: Logger, { responseUrl, summary }: { responseUrl?: string; summary: string }) {
  if (!responseUrl || !summary) return;
  try {
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(ephemeral(summary)),
      signal: AbortSignal.timeout(CONFIRM_TIMEOUT_MS),
      redirect: 'error',
    });
    if (!res.ok) throw new Error(`status ${res.status}`);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not confirm the invitation to the inviter');
  }
}
