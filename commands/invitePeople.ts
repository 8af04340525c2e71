/** What the words after the slash command ask for. Platform-neutral: each adapter runs the intent. */
import { parseRecipients } from '../src/core/recipients.js';

export type CommandIntent =
  | { kind: 'wizard'; prefill?: string }
  | { kind: 'list'; page: number }
  /** Many addresses at once: more than a chat dialog's field can hold. */
  | { kind: 'bulk' }
  | { kind: 'help'; unknown?: string };

export function parseCommand(text: string): CommandIntent {
  const trimmed = text.trim();
  if (!trimmed) return { kind: 'wizard' };
  const [word, ...rest] = trimmed.split(/\s+/);
  const lower = word!.toLowerCase();
  if (lower === 'help') return { kind: 'help' };
  if (lower === 'bulk') return { kind: 'bulk' };
  if (lower === 'list') {
    const page = Number.parseInt(rest[0] ?? '1', 10);
    return { kind: 'list', page: Number.isFinite(page) && page > 0 ? page : 1 };
  }
  const { recipients, invalid } = parseRecipients(trimmed);
  if (recipients.length && !invalid.length) return { kind: 'wizard', prefill: recipients.map((r) => (r.name ? `${r.name} <${r.email}>` : r.email)).join(', ') };
  return { kind: 'help', unknown: trimmed };
}

/** `bulkPage`: the platform offers the bulk web page (`bulk`). */
export function helpText(trigger: string, unknown?: string, bulkPage = false): string {
  const lines = [
    unknown ? `I did not understand \`${unknown.replace(/`/g, "'").slice(0, 60)}\`. Here is what I can do:` : 'Invite people to this team and follow their invitation until they arrive.',
    '',
    `- \`/${trigger}\` opens the invitation form (this channel is preselected).`,
    `- \`/${trigger} ana@example.org\` opens it with the address filled in (several: separate them with commas).`,
    ...(bulkPage ? [`- \`/${trigger} bulk\` gives you a page where you can paste up to 1,000 addresses at once.`] : []),
    `- \`/${trigger} list\` shows your pending invitations (administrators see everyone's).`,
    `- \`/${trigger} help\` shows this help.`,
    '',
    'Invitations from members wait for an administrator’s approval. When your guest arrives, I announce it in their channels and tell you.',
  ];
  return lines.join('\n');
}
