/**
 * The inspector's diverging colour scale: green where the signal pushes a token up, red where it pushes
 * it down, transparent at zero; the alpha grows with |value| / max.
 */
export const POSITIVE_RGB = '22, 150, 70';
export const NEGATIVE_RGB = '214, 48, 49';

/** A CSS background for `value` on a scale whose ends are ±max; null values get no colour. */
export function advantageColour(value: number | null, max: number): string {
  if (value === null || !Number.isFinite(value) || value === 0 || !(max > 0)) return 'transparent';
  const t = Math.min(1, Math.abs(value) / max);
  const alpha = (0.12 + 0.78 * t).toFixed(3);
  return `rgba(${value > 0 ? POSITIVE_RGB : NEGATIVE_RGB}, ${alpha})`;
}

/** The end of a symmetric scale for these values: their largest magnitude (1 when all are zero or missing). */
export function scaleMax(values: readonly (number | null)[]): number {
  let max = 0;
  for (const v of values) if (v !== null && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  return max > 0 ? max : 1;
}
