/** A short-lived memo of what the dialog shows (the inviter's level and channels), so a user who opens the wizard
 * again, or many at once, does not cost the server the same lookups each time. Only the dialog's contents come
 * from here: every submission and click re-checks rights with fresh calls. Failed lookups are not kept. */
export class RecentLookups<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();
  private readonly settled = new Map<string, { at: number; value: Awaited<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The value already loaded for `key`, if it is fresh (never loads). */
  peek(key: string): Awaited<T> | undefined {
    const hit = this.settled.get(key);
    return hit && this.now() - hit.at < this.ttlMs ? hit.value : undefined;
  }

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    if (this.settled.size >= this.maxEntries) this.settled.delete(this.settled.keys().next().value!);
    const at = this.now();
    const value = load();
    this.entries.set(key, { at, value });
    value.then(
      (v) => this.settled.set(key, { at, value: v as Awaited<T> }),
      () => this.entries.delete(key),
    );
    return value;
  }
}
