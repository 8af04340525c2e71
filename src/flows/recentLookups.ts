/** A short-lived memo of what the dialog shows (the inviter's level and channels), so a user who opens the wizard
 * again, or many at once, does not cost the server the same lookups each time. Only the dialog's contents come
 * from here: every submission and click re-checks rights with fresh calls. Failed lookups are not kept. */
/** `settled`: the value once it has loaded, for peek. */
type Entry<T> = { at: number; value: Promise<T>; settled?: Awaited<T> };

export class RecentLookups<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The value already loaded for `key`, if it is fresh (never loads; undefined while it loads). */
  peek(key: string): Awaited<T> | undefined {
    const hit = this.entries.get(key);
    return hit && this.now() - hit.at < this.ttlMs ? hit.settled : undefined;
  }

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const entry: Entry<T> = { at: this.now(), value: load() };
    this.entries.set(key, entry);
    entry.value.then(
      (v) => void (entry.settled = v as Awaited<T>),
      () => this.entries.get(key) === entry && this.entries.delete(key),
    );
    return entry.value;
  }
}
