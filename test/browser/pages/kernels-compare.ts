/**
 * Compares kernel outputs with the reference: integers exactly; floats within RTOL relative plus an
 * absolute floor ATOL near 0; NaN only equals NaN and ±∞ only the same infinity.
 */
export const RTOL = 1e-5;
export const ATOL = 1e-5;

export class Mismatches {
  readonly found: string[] = [];
  count = 0;
  maxRelative = 0;
  private note(text: string): void {
    this.count++;
    if (this.found.length < 8) this.found.push(text);
  }
  ints(name: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
    if (got.length !== want.length) return this.note(`${name}: length ${got.length} ≠ ${want.length}`);
    for (let j = 0; j < want.length; j++) if (got[j] !== want[j]) this.note(`${name}[${j}]: ${got[j]} ≠ ${want[j]}`);
  }
  floats(name: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
    if (got.length !== want.length) return this.note(`${name}: length ${got.length} ≠ ${want.length}`);
    for (let j = 0; j < want.length; j++) {
      const a = got[j];
      const b = want[j];
      if (Number.isNaN(a) || Number.isNaN(b) || !Number.isFinite(b) || !Number.isFinite(a)) {
        const same = a === b || (Number.isNaN(a) && Number.isNaN(b));
        if (!same) this.note(`${name}[${j}]: ${a} ≠ ${b}`);
        continue;
      }
      const err = Math.abs(a - b);
      if (err > RTOL * Math.abs(b) + ATOL) this.note(`${name}[${j}]: ${a} ≠ ${b}`);
      else if (b !== 0) this.maxRelative = Math.max(this.maxRelative, err / Math.abs(b));
    }
  }
  /** Every word of a raw output must have been written (none still holds the poison marker). */
  noPoison(name: string, words: Int32Array, poison: number): void {
    const marker = poison | 0;
    const at = words.indexOf(marker);
    if (at >= 0) this.note(`${name}: word ${at} was never written`);
  }
}
