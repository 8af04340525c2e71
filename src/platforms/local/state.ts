/** The playground's chat: its people, channels and messages. The Store has no place for a chat's own data (it keeps
 * invitations, audit and outbox, which the playground keeps there like any platform), so they live in a small file
 * of their own, DATA_DIR/playground.json, rewritten whole (temp file, fsync, rename) before a change is shown.
 * Forms open on screen are held in memory only, as a dialog does not outlive a chat client either. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { newId } from '../../core/clock.js';
import type { FieldErrors } from '../../core/wizard.js';
import { writeFileSynced } from '../../durableFiles.js';
import type { FormRequest } from '../../flows/chatPort.js';

export const WORKSPACE = 'playground';
/** Who the bot's own messages are from. */
export const BOT = 'guestlist';
/** The oldest messages are dropped beyond this many, so the file stays small. */
const MAX_MESSAGES = 1000;

const Id = z.string().min(1).max(64);
const Person = z.object({
  id: Id,
  username: z.string().max(64),
  displayName: z.string().max(200),
  email: z.string().max(320),
  level: z.enum(['owner', 'admin', 'member', 'guest']),
});
export type LocalPerson = z.infer<typeof Person>;
const Channel = z.object({
  id: Id,
  name: z.string().max(64),
  /** What the channel is for, as a newcomer's welcome tells it. */
  purpose: z.string().max(250).optional(),
  members: z.array(Id),
  dmOf: Id.optional(),
});
export type LocalChannel = z.infer<typeof Channel>;
const Button = z.object({
  label: z.string().max(40),
  action: z.string().max(20),
  invitationId: Id,
  style: z.enum(['primary', 'danger']).optional(),
  fromList: z.boolean().default(false),
});
export type LocalButton = z.infer<typeof Button>;
const Message = z.object({
  id: Id,
  channelId: Id,
  at: z.string(),
  from: z.string().max(64),
  text: z.string(),
  outcome: z.array(z.string()).default([]),
  buttons: z.array(Button).default([]),
  /** An ephemeral answer: shown to this person only. */
  to: Id.optional(),
});
export type LocalMessage = z.infer<typeof Message>;
const StateFile = z.object({ people: z.array(Person), channels: z.array(Channel), messages: z.array(Message) });
type StateFile = z.infer<typeof StateFile>;

/** A form open for one person, as the flows asked for it, with what a failed submission left in it. */
export interface OpenForm {
  channelId: string;
  form: FormRequest;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  error?: string;
}

/** A team to try things with: a member, two admins (four eyes need two), an external guest, two channels. */
function seed(): StateFile {
  const person = (id: string, displayName: string, level: LocalPerson['level']) => ({
    id,
    username: id,
    displayName,
    email: `${id}@playground.example`,
    level,
  });
  const people = [
    person('maya', 'Maya Member', 'member'),
    person('ada', 'Ada Admin', 'admin'),
    person('bo', 'Bo Admin', 'admin'),
    person('eli', 'Eli External', 'guest'),
  ];
  return {
    people,
    channels: [
      { id: 'town-square', name: 'town-square', purpose: 'Everyone, every day', members: people.map((p) => p.id) },
      { id: 'launch', name: 'launch', purpose: 'The launch, step by step', members: ['maya', 'ada', 'bo'] },
    ],
    messages: [],
  };
}

export class LocalChat {
  readonly forms = new Map<string, OpenForm>();
  private readonly listeners = new Set<() => void>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly data: StateFile,
  ) {}

  /** The chat in `dataDir`, or the seeded team when there is none yet. A file that does not parse stops the bot,
   * naming it, rather than being overwritten. */
  static async open(dataDir: string): Promise<LocalChat> {
    const file = path.join(dataDir, 'playground.json');
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text === undefined) return new LocalChat(file, seed());
    // As the store does with its own files: refused at start, named, and left untouched (never overwritten).
    const untouched = 'fix or move it away to start afresh; it was left untouched.';
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`The playground file ${file} is not valid JSON (${(err as Error).message}); ${untouched}`);
    }
    const parsed = StateFile.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') || 'its top level';
      throw new Error(`The playground file ${file} is not a playground state file (at ${where}); ${untouched}`);
    }
    return new LocalChat(file, parsed.data);
  }

  people(): LocalPerson[] {
    return this.data.people;
  }

  person(id: string): LocalPerson | undefined {
    return this.data.people.find((p) => p.id === id);
  }

  channels(): LocalChannel[] {
    return this.data.channels.filter((c) => !c.dmOf);
  }

  channel(id: string): LocalChannel | undefined {
    return this.data.channels.find((c) => c.id === id);
  }

  /** The bot's direct-message channel with a person, made on first use. */
  async directChannel(userId: string): Promise<LocalChannel> {
    const id = `dm-${userId}`;
    const existing = this.channel(id);
    if (existing) return existing;
    const dm = { id, name: `guestlist`, members: [userId], dmOf: userId };
    this.data.channels.push(dm);
    await this.save();
    return dm;
  }

  /** What `viewer` sees in a channel, oldest first. */
  messagesIn(channelId: string, viewer: string): LocalMessage[] {
    return this.data.messages.filter((m) => m.channelId === channelId && (!m.to || m.to === viewer));
  }

  message(id: string): LocalMessage | undefined {
    return this.data.messages.find((m) => m.id === id);
  }

  async post(
    message: Omit<LocalMessage, 'id' | 'at' | 'outcome' | 'buttons'> & Partial<LocalMessage>,
  ): Promise<LocalMessage> {
    const stored = Message.parse({ ...message, id: newId(), at: new Date().toISOString() });
    this.data.messages.push(stored);
    this.data.messages.splice(0, Math.max(0, this.data.messages.length - MAX_MESSAGES));
    await this.save();
    return stored;
  }

  async update(id: string, patch: Pick<LocalMessage, 'text' | 'outcome' | 'buttons'>): Promise<void> {
    const message = this.message(id);
    if (!message) return;
    Object.assign(message, patch);
    await this.save();
  }

  async addPerson(person: LocalPerson): Promise<void> {
    this.data.people.push(Person.parse(person));
    await this.save();
  }

  async setLevel(userId: string, level: LocalPerson['level']): Promise<void> {
    const person = this.person(userId);
    if (!person || person.level === level) return;
    person.level = level;
    await this.save();
  }

  async join(userId: string, channelId: string): Promise<void> {
    const channel = this.channel(channelId);
    if (!channel || channel.members.includes(userId)) return;
    channel.members.push(userId);
    await this.save();
  }

  /** Out of the playground's team: out of every channel and off its people. Repeating it changes nothing. */
  async removeFromTeam(userId: string): Promise<void> {
    const before = this.data.people.length;
    for (const channel of this.channels()) channel.members = channel.members.filter((m) => m !== userId);
    this.data.people = this.data.people.filter((p) => p.id !== userId);
    if (this.data.people.length !== before) await this.save();
  }

  /** A form appears or closes: nothing to store, but the screen changes. */
  setForm(userId: string, form: OpenForm | undefined): void {
    if (form) this.forms.set(userId, form);
    else this.forms.delete(userId);
    this.changed();
  }

  /** Called after every change (and when the flows change invitations): the server-sent events. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Writes the whole state, one write at a time; resolves once it is on disk. */
  private save(): Promise<void> {
    const content = JSON.stringify(this.data);
    this.saving = this.saving.catch(() => undefined).then(() => writeFileSynced(this.file, [content], 0o600));
    return this.saving.then(() => this.changed());
  }
}
