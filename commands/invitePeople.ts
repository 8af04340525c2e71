/** What the words after the slash command ask for. Platform-neutral: each adapter runs the intent. */
import { parseRecipients } from '../src/core/recipients.js';

export type CommandIntent =
  | { kind: 'wizard'; prefill?: string }
  | { kind: 'list'; page: number }
  /** Many addresses at once: more than a chat dialog's field can hold. */
  | { kind: 'bulk' }
  /** An invitation's story, for its inviter and admins. */
  | { kind: 'history'; email: string }
  /** The last 30 days' figures, for admins. */
  | { kind: 'stats' }
  | { kind: 'help'; unknown?: string };

export function parseCommand(text: string): CommandIntent {
  const trimmed = text.trim();
  if (!trimmed) return { kind: 'wizard' };
  const [word, ...rest] = trimmed.split(/\s+/);
  const lower = word!.toLowerCase();
  if (lower === 'help') return { kind: 'help' };
  if (lower === 'bulk') return { kind: 'bulk' };
  if (lower === 'stats' && !rest.length) return { kind: 'stats' };
  if (lower === 'history' && rest.length === 1) {
    const { recipients, invalid } = parseRecipients(rest[0]!);
    if (recipients.length === 1 && !invalid.length) return { kind: 'history', email: recipients[0]!.email };
  }
  if (lower === 'list') {
    const page = Number.parseInt(rest[0] ?? '1', 10);
    return { kind: 'list', page: Number.isFinite(page) && page > 0 ? page : 1 };
  }
  const { recipients, invalid } = parseRecipients(trimmed);
  if (recipients.length && !invalid.length)
    return { kind: 'wizard', prefill: recipients.map((r) => (r.name ? `${r.name} <${r.email}>` : r.email)).join(', ') };
  return { kind: 'help', unknown: trimmed };
}

/** The help's words live with every other sentence. */
