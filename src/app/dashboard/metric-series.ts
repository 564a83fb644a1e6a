/**
 * The training dashboard's curves (issue 6): which update metrics are plotted together, and the geometry
 * of a small SVG line chart (no chart library). x is the policy version an update produced.
 */
import type { UpdateMetrics } from '../../workers/protocol.ts';

export interface SeriesSpec {
  label: string;
  colour: string;
  value: (m: UpdateMetrics) => number;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** What the curve says about the method, one line. */
  note: string;
  series: SeriesSpec[];
  digits: number;
}

export const METRIC_CHARTS: ChartSpec[] = [
  { id: 'loss', title: 'Loss', note: 'w_RL·L_GRPO + w_OPD·L_OPD, mean over the batch (METHOD §6).', digits: 3, series: [
    { label: 'total', colour: '#1d2330', value: (m) => m.loss },
    { label: 'GRPO', colour: '#d6821f', value: (m) => m.lossGRPO },
    { label: 'OPD', colour: '#2f5bd3', value: (m) => m.lossOPD },
  ] },
  { id: 'advantage', title: 'Mean |A|', note: 'Size of the clipped log-prob-difference advantage (METHOD §5).', digits: 4, series: [
    { label: 'mean |A|', colour: '#2f5bd3', value: (m) => m.meanAbsAdvantage },
  ] },
  { id: 'clip', title: 'Clipped fractions', note: 'Share of Δ hitting ±C, and of ratios ρ outside [1−ε_lo, 1+ε_hi].', digits: 3, series: [
    { label: 'Δ clipped', colour: '#b42323', value: (m) => m.fractionDeltaClipped },
    { label: 'ratio clipped', colour: '#8a5a00', value: (m) => m.fractionRatioClipped },
  ] },
  { id: 'reward', title: 'Mean reward r', note: 'The evaluative scores of the batch (METHOD §2).', digits: 2, series: [
    { label: 'r', colour: '#167a3f', value: (m) => m.meanReward },
  ] },
  { id: 'length', title: 'Reply length', note: 'Mean response tokens; without the clip replies grow long (METHOD §5).', digits: 1, series: [
    { label: 'tokens', colour: '#6b3fa0', value: (m) => m.meanResponseLength },
  ] },
  { id: 'drift', title: 'KL to the frozen policy', note: 'How far the policy has moved from the one first loaded.', digits: 4, series: [
    { label: 'KL', colour: '#0f7c8c', value: (m) => m.klToFrozen },
  ] },
  { id: 'speed', title: 'Training speed', note: 'Tokens per second of the update (forward, backward, Adam).', digits: 0, series: [
    { label: 'tokens/s', colour: '#5b6473', value: (m) => m.tokensPerS },
  ] },
];

export interface ChartGeometry {
  /** One SVG `points` string per series (finite values only). */
  lines: string[];
  /** Points as [x, y] in chart units, per series (for the dots). */
  dots: [number, number][][];
  yMin: number;
  yMax: number;
  xMin: number;
  xMax: number;
}

/**
 * Maps each series' (version, value) pairs into a `width × height` box with `pad` units of margin; the y
 * range covers every finite value (widened when flat), the x range the versions.
 */
export function chartGeometry(metrics: readonly UpdateMetrics[], series: readonly SeriesSpec[], width: number, height: number, pad = 4): ChartGeometry {
  const xs = metrics.map((m) => m.version);
  const values = series.map((s) => metrics.map((m) => s.value(m)));
  const finite = values.flat().filter((v) => Number.isFinite(v));
  let yMin = finite.length ? Math.min(...finite) : 0;
  let yMax = finite.length ? Math.max(...finite) : 1;
  if (yMax - yMin < 1e-12) {
    const half = Math.max(Math.abs(yMax) * 0.1, 1e-3);
    yMin -= half;
    yMax += half;
  }
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const px = (x: number) => (xMax === xMin ? width / 2 : pad + ((x - xMin) / (xMax - xMin)) * (width - 2 * pad));
  const py = (y: number) => height - pad - ((y - yMin) / (yMax - yMin)) * (height - 2 * pad);
  const dots = values.map((vs) => vs.flatMap((v, i): [number, number][] => (Number.isFinite(v) ? [[px(xs[i]), py(v)]] : [])));
  const lines = dots.map((pts) => pts.map(([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`).join(' '));
  return { lines, dots, yMin, yMax, xMin, xMax };
}
