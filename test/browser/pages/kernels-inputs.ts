/** Seeded test logits for the kernel tests: fresh random rows with the special cases the kernels must get right. */
import { createRng, type Rng } from '../../../src/model/rng.ts';

/**
 * `normal`: N(0, 3²) logits; `ties`: 6 levels only (ties everywhere, broken by the lower id);
 * `specials`: −∞ entries, ±1e30, ±0, whole rows of −∞, a row with +∞; `nan`: NaN entries in some rows.
 */
export type LogitsKind = 'normal' | 'ties' | 'specials' | 'nan';

function gaussian(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** `[T·V]` logits of one matrix; teachers are the student plus noise, so overlaps span 0..k. */
export function makeLogits(kind: LogitsKind, positions: number, vocab: number, seed: number, base?: Float32Array): Float32Array {
  const rng = createRng(seed);
  const n = positions * vocab;
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    if (kind === 'ties') out[j] = base && rng() < 0.7 ? base[j] : Math.floor(rng() * 6);
    else out[j] = (base ? base[j] : 0) + 3 * gaussian(rng);
  }
  if (kind === 'specials') addSpecials(out, positions, vocab, rng);
  if (kind === 'nan') addNaNs(out, positions, vocab, rng);
  return out;
}

function addSpecials(out: Float32Array, positions: number, vocab: number, rng: Rng): void {
  const specials = [-Infinity, 1e30, -1e30, 0, -0, -Infinity];
  for (let j = 0; j < out.length; j++) if (rng() < 0.05) out[j] = specials[Math.floor(rng() * specials.length)];
  const row = (i: number) => out.subarray(i * vocab, (i + 1) * vocab);
  row(Math.floor(rng() * positions)).fill(-Infinity);
  if (positions > 1) row(Math.floor(rng() * positions))[Math.floor(rng() * vocab)] = Infinity;
}

function addNaNs(out: Float32Array, positions: number, vocab: number, rng: Rng): void {
  for (let i = 0; i < positions; i++) {
    if (rng() < 0.5) continue;
    const count = 1 + Math.floor(rng() * Math.min(vocab, 40));
    for (let c = 0; c < count; c++) out[i * vocab + Math.floor(rng() * vocab)] = NaN;
  }
}
