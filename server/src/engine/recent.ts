/** A map that keeps its `limit` most recently set entries (the files being edited, say). */
export class RecentMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    for (const k of this.keys()) {
      if (this.size <= this.limit) break;
      super.delete(k);
    }
    return this;
  }
}
