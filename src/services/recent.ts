/**
 * A small most-recently-used cache of promises, for what a worker loads again and again (dataset tables,
 * models, evaluation data): a failed load is not kept, and `drop` releases what falls out (a model's
 * tensors).
 */
export class Recent<T> {
  readonly #items = new Map<string, Promise<T>>();
  readonly #keep: number;
  readonly #drop: (value: T) => void;

  constructor(keep: number, drop: (value: T) => void = () => {}) {
    this.#keep = keep;
    this.#drop = drop;
  }

  get(key: string, make: () => Promise<T>): Promise<T> {
    let hit = this.#items.get(key);
    if (hit) this.#items.delete(key);
    else {
      hit = make();
      hit.catch(() => this.#items.delete(key));
    }
    this.#items.set(key, hit);
    while (this.#items.size > this.#keep) this.forget(this.#items.keys().next().value!);
    return hit;
  }

  /** Drop one entry now (what it held was deleted). */
  forget(key: string): void {
    const entry = this.#items.get(key);
    this.#items.delete(key);
    void entry?.then(this.#drop).catch(() => {});
  }
}
