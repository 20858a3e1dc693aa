// A Map and a Set over a base that is never changed again: reads fall through to the base, changes
// stay in the layer. While a migration is edited, the schema model and the policy replay go on at
// each keystroke from a state kept at the start of the edited file; copying that state (18,000
// entries at the end of a 1,000-file history) took 10 ms of every keystroke, and a layer over it
// costs nothing until something is changed. Iteration is in a Map's order: the base's entries in
// theirs (a value set here in its key's place), then the keys new here in the order they came.

export class LayeredMap<K, V> extends Map<K, V> {
  /** Keys of the base deleted here; one set again here is new here, at the end, as in a Map. */
  private readonly gone = new Set<K>();
  /** How many keys set here hide a value of the base. */
  private overrides = 0;
  /** The values in order, made at the first read after a change: rules read them several times. */
  private merged?: V[];

  constructor(private readonly base: ReadonlyMap<K, V>) {
    super();
  }

  override get(key: K): V | undefined {
    if (super.has(key)) return super.get(key);
    return this.gone.has(key) ? undefined : this.base.get(key);
  }

  override has(key: K): boolean {
    return super.has(key) || (!this.gone.has(key) && this.base.has(key));
  }

  override set(key: K, value: V): this {
    if (!super.has(key) && this.shows(key)) this.overrides++;
    this.merged = undefined;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    const had = this.has(key);
    if (super.has(key) && this.shows(key)) this.overrides--;
    this.merged = undefined;
    super.delete(key);
    if (this.base.has(key)) this.gone.add(key);
    return had;
  }

  override clear(): void {
    for (const k of [...this.keys()]) this.delete(k);
  }

  override get size(): number {
    return this.base.size - this.gone.size + super.size - this.overrides;
  }

  override *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) if (!this.gone.has(k)) yield [k, super.has(k) ? super.get(k)! : v];
    for (const [k, v] of super.entries()) if (!this.shows(k)) yield [k, v];
  }

  override *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  override values(): MapIterator<V> {
    if (!this.merged) {
      const out: V[] = [];
      const { gone, overrides } = this;
      // forEach, not for-of over entries: no pair made per entry of a base of thousands.
      this.base.forEach((v, k) => {
        if (gone.size && gone.has(k)) return;
        out.push(overrides && super.has(k) ? super.get(k)! : v);
      });
      super.forEach((v, k) => {
        if (!this.shows(k)) out.push(v);
      });
      this.merged = out;
    }
    return this.merged.values();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  /** Whether the base's value for `key` is in this map, unless set again here: the base has it, and it was not deleted here. */
  private shows(key: K): boolean {
    return !this.gone.has(key) && this.base.has(key);
  }
}

/** A Set over a base that is never changed again (LayeredMap's, with values that are the keys). */
export class LayeredSet<T> extends Set<T> {
  private readonly map: LayeredMap<T, T>;

  constructor(base: ReadonlySet<T>) {
    super();
    this.map = new LayeredMap<T, T>(new SetAsMap(base));
  }

  override has(value: T): boolean {
    return this.map.has(value);
  }

  override add(value: T): this {
    this.map.set(value, value);
    return this;
  }

  override delete(value: T): boolean {
    return this.map.delete(value);
  }

  override clear(): void {
    this.map.clear();
  }

  override get size(): number {
    return this.map.size;
  }

  override *values(): SetIterator<T> {
    yield* this.map.keys();
  }

  override keys(): SetIterator<T> {
    return this.values();
  }

  override *entries(): SetIterator<[T, T]> {
    for (const v of this.map.keys()) yield [v, v];
  }

  override [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }

  override forEach(fn: (value: T, key: T, set: Set<T>) => void, thisArg?: unknown): void {
    for (const v of this.map.keys()) fn.call(thisArg, v, v, this);
  }
}

/** A set read as the map of each of its values to itself, without copying it. */
class SetAsMap<T> implements ReadonlyMap<T, T> {
  constructor(private readonly set: ReadonlySet<T>) {}
  get size() {
    return this.set.size;
  }
  get(key: T) {
    return this.set.has(key) ? key : undefined;
  }
  has(key: T) {
    return this.set.has(key);
  }
  forEach(fn: (value: T, key: T, map: ReadonlyMap<T, T>) => void) {
    for (const v of this.set) fn(v, v, this);
  }
  *entries(): MapIterator<[T, T]> {
    for (const v of this.set) yield [v, v];
  }
  keys(): MapIterator<T> {
    return this.set.values();
  }
  values(): MapIterator<T> {
    return this.set.values();
  }
  [Symbol.iterator](): MapIterator<[T, T]> {
    return this.entries();
  }
}
