/** A short-lived memo of what the dialog shows (the inviter's level and channels), so a user who opens the wizard
 * again, or many at once, does not cost the server the same lookups each time. Only the dialog's contents come
 * from here: every submission and click re-checks rights with fresh calls. Failed lookups are not kept. */
export class RecentLookups<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const value = load();
    this.entries.set(key, { at: this.now(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}
