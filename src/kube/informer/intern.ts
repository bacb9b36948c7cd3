// Deduplicates the strings of cached objects. JSON.parse makes a fresh string for every value, so
// 10,000 cached NeoJobs hold 10,000 copies of "neoengine.dev/v1alpha1", of their image, of the
// condition messages, and several copies of the same timestamp within one object. Interning
// short strings through one table per informer shares them. The table is bounded: when full it
// starts over (objects keep the strings they have; only sharing with later ones is lost), so
// unique values of deleted objects cannot pile up in it.

/** Strings longer than this are rarely repeated (messages with ids, long commands): left alone. */
const MAX_INTERNED_LENGTH = 96;

export class StringInterner {
  private table = new Map<string, string>();

  constructor(private readonly maxEntries = 50_000) {}

  intern(value: string): string {
    if (value.length > MAX_INTERNED_LENGTH) return value;
    const known = this.table.get(value);
    if (known !== undefined) return known;
    if (this.table.size >= this.maxEntries) this.table = new Map();
    this.table.set(value, value);
    return value;
  }

  /** Interns every string value of a JSON-like value in place; returns it. */
  internDeep<T>(value: T): T {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        value[i] = typeof item === "string" ? this.intern(item) : this.internDeep(item);
      }
    } else if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        if (typeof item === "string") record[key] = this.intern(item);
        else if (item !== null && typeof item === "object") this.internDeep(item);
      }
    }
    return value;
  }

  get size(): number {
    return this.table.size;
  }
}
