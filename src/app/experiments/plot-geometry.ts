/**
 * Geometry of the Experiments panel's SVG plots (no chart library): per-session (or per-episode) curves of
 * each run, the sessions-to-satisfy strip per arm and the episodes' success marks. Plain functions of the
 * runs, so the page only draws.
 */
import type { EpisodeRecord, SessionRecord } from '../../experiments/index.ts';

/** Arm colours: one table for the panel and the bench's figure. */
export { armColour } from '../../experiments/figure.ts';

/** The mean of the last `window` values up to each index (a readable curve for −1/0/+1 rewards). */
export function trailingMean(values: readonly number[], window: number): number[] {
  return values.map((_, i) => {
    const part = values.slice(Math.max(0, i - window + 1), i + 1);
    return part.reduce((a, b) => a + b, 0) / part.length;
  });
}

export interface Frame {
  width: number;
  height: number;
  /** Sessions shown on x: 1..xMax. */
  xMax: number;
  yMin: number;
  yMax: number;
}

/** An SVG `points` string for values at sessions 1..n in the frame. */
export function polyline(values: readonly number[], f: Frame): string {
  const x = (session: number) => (f.xMax <= 1 ? 0 : ((session - 1) / (f.xMax - 1)) * f.width);
  const span = f.yMax - f.yMin || 1;
  const y = (v: number) => f.height - ((Math.min(f.yMax, Math.max(f.yMin, v)) - f.yMin) / span) * f.height;
  return values.map((v, i) => `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}

/** What a session curve plots: the run's reward (trailing mean of 5) or its reply length. */
export type SessionSeries = 'reward' | 'length';

export function seriesValues(sessions: readonly SessionRecord[], series: SessionSeries): number[] {
  return series === 'reward' ? trailingMean(sessions.map((s) => s.reward), 5) : sessions.map((s) => s.replyTokens);
}

/** y range of a session plot: rewards in [−1, 1]; lengths from 0 to the longest reply seen (at least 40). */
export function seriesRange(all: readonly number[][], series: SessionSeries): { yMin: number; yMax: number } {
  if (series === 'reward') return { yMin: -1, yMax: 1 };
  const longest = Math.max(40, ...all.flat());
  return { yMin: 0, yMax: Math.ceil(longest / 20) * 20 };
}

/** One run's line in a live plot. */
export interface CurveLine {
  key: string;
  arm: string;
  running: boolean;
  values: number[];
}

/** The session curves of the preference experiment: their lines, and the frame every run fits in. */
export function sessionCurves(runs: readonly { key: string; spec: { arm: string }; status: string; sessions: readonly SessionRecord[] }[],
  series: SessionSeries, cap: number): { lines: CurveLine[]; xMax: number; yMin: number; yMax: number } {
  const shown = runs.filter((r) => r.sessions.length > 0);
  const lines = shown.map((r) => ({ key: r.key, arm: r.spec.arm, running: r.status === 'running', values: seriesValues(r.sessions, series) }));
  const xMax = Math.min(cap, Math.max(10, ...shown.map((r) => r.sessions.length)));
  return { lines, xMax, ...seriesRange(lines.map((l) => l.values), series) };
}

/** An environment run's success curve: per episode, the share solved of the last 5 (1 solved, 0 not). */
export function successValues(episodes: readonly Pick<EpisodeRecord, 'success'>[]): number[] {
  return trailingMean(episodes.map((e) => (e.success ? 1 : 0)), 5);
}

/** x position (0..width) of a sessions-to-satisfy value on the strip, whose axis runs 0..cap. */
export function stripX(sessions: number, cap: number, width: number): number {
  return (Math.min(cap, Math.max(0, sessions)) / cap) * width;
}
