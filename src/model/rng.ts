/** A small seeded PRNG (mulberry32): the one source of randomness for sampling, corpora and ablations. */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** One element of a non-empty array, each as likely as its weight (weights need not sum to 1). */
export function pickWeighted<T>(rng: Rng, items: readonly T[], weightOf: (item: T) => number): T {
  if (items.length === 0) throw new Error('pickWeighted: empty array');
  let u = rng() * items.reduce((n, item) => n + weightOf(item), 0);
  for (const item of items) {
    u -= weightOf(item);
    if (u < 0) return item;
  }
  return items[items.length - 1];
}

/** One element of a non-empty array. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick: empty array');
  return items[randomInt(rng, items.length)];
}
