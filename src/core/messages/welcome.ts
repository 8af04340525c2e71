/** The newcomer's welcome: the bot's own words in their language, or the operator's template with the same facts.
 * Every value from users (names, channel names and purposes) is escaped here with the reader's TextFormat. */
import type { Person, Role } from '../model.js';
import { fillWelcome, type WelcomeTemplate, type WelcomeValues } from '../welcome.js';
import type { Writer } from '../writer.js';
import type { ArrivedUser } from './invitation.js';
import { roleLabel } from './refusals.js';

export interface WelcomeFacts {
  newcomer: ArrivedUser;
  inviter: Person;
  /** Whom the newcomer asks for more (their sponsor: the inviter unless another was set). */
  sponsor: Person;
  channels: { name: string; purpose?: string }[];
  role: Role;
  /** When a guest's access ends, where the invitation has an end date. */
  until?: string;
}

function channelLines(f: Writer, facts: WelcomeFacts): string {
  return facts.channels
    .map((c) =>
      f.t('welcome.channel', {
        channel: f.escape(c.name),
        purpose: c.purpose ? f.escape(c.purpose) : '',
        hasPurpose: c.purpose ? 'yes' : 'no',
      }),
    )
    .join('\n');
}

/** The placeholders' values, each made safe for the platform. */
export function welcomeValues(f: Writer, facts: WelcomeFacts): WelcomeValues {
  return {
    name: f.escape(facts.newcomer.displayName || facts.newcomer.username),
    inviter: f.mention(facts.inviter),
    channels: channelLines(f, facts),
    role: roleLabel(f, facts.role),
    until: facts.until ? f.date(facts.until) : '',
  };
}

export function welcomeMessage(f: Writer, facts: WelcomeFacts, template?: WelcomeTemplate): string {
  const values = welcomeValues(f, facts);
  if (template) return fillWelcome(template, values);
  const lines = [f.t('welcome.greeting', values)];
  if (facts.role === 'external' && facts.until) lines.push(f.t('welcome.until', values));
  lines.push(
    ...(facts.channels.length ? [f.t('welcome.channels'), values.channels] : [f.t('welcome.noChannels')]),
    f.t('welcome.askMore', { sponsor: f.mention(facts.sponsor) }),
  );
  return lines.join('\n');
}
