/** The Experiments panel's plot geometry: trailing means, polylines in the frame, y ranges, strip positions. */
import { describe, it, expect } from 'vitest';
import { armColour, polyline, seriesRange, seriesValues, sessionCurves, stripX, successValues, trailingMean } from '../../src/app/experiments/plot-geometry.ts';
import type { SessionRecord } from '../../src/experiments/index.ts';

describe('plot geometry', () => {
  it('trailingMean averages the last values up to each point', () => {
    expect(trailingMean([1, -1, 1, 1, 0], 2)).toEqual([1, 0, 0, 1, 0.5]);
    expect(trailingMean([-1, -1, 1], 5)).toEqual([-1, -1, -1 / 3]);
  });

  it('polyline maps sessions to x and values to y inside the frame, clamping', () => {
    const f = { width: 100, height: 50, xMax: 5, yMin: -1, yMax: 1 };
    expect(polyline([-1, 0, 1, 2, -3], f)).toBe('0.0,50.0 25.0,25.0 50.0,0.0 75.0,0.0 100.0,50.0');
    expect(polyline([0.5], { ...f, xMax: 1 })).toBe('0.0,12.5');
  });

  it('plots rewards in [−1, 1] and lengths up to the next 20 above the longest', () => {
    const s = (reward: number, replyTokens: number) => ({ reward, replyTokens }) as SessionRecord;
    const sessions = [s(-1, 30), s(1, 97), s(1, 12)];
    expect(seriesValues(sessions, 'length')).toEqual([30, 97, 12]);
    expect(seriesValues(sessions, 'reward')).toEqual(trailingMean([-1, 1, 1], 5));
    expect(seriesRange([[30, 97, 12]], 'length')).toEqual({ yMin: 0, yMax: 100 });
    expect(seriesRange([[3]], 'length')).toEqual({ yMin: 0, yMax: 40 });
    expect(seriesRange([[3]], 'reward')).toEqual({ yMin: -1, yMax: 1 });
  });

  it('places strip values on 0..cap and colours methods fixedly, ablations distinctly', () => {
    expect(stripX(15, 60, 300)).toBe(75);
    expect(stripX(90, 60, 300)).toBe(300);
    const order = ['hybrid', 'k=2', 'k=8'];
    expect(armColour('hybrid', order)).not.toBe(armColour('grpo', order));
    expect(armColour('k=2', order)).not.toBe(armColour('k=8', order));
  });

  it('draws a line per run with sessions, in a frame that fits them all up to the cap', () => {
    const s = (reward: number, replyTokens: number) => ({ reward, replyTokens }) as SessionRecord;
    const runs = [
      { key: 'a', spec: { arm: 'hybrid' }, status: 'running', sessions: Array.from({ length: 14 }, (_, i) => s(i % 2 ? 1 : -1, 10 * i)) },
      { key: 'b', spec: { arm: 'grpo' }, status: 'done', sessions: [s(1, 5)] },
      { key: 'c', spec: { arm: 'none' }, status: 'queued', sessions: [] },
    ];
    const reward = sessionCurves(runs, 'reward', 60);
    expect(reward.lines.map((l) => [l.key, l.arm, l.running, l.values.length])).toEqual([['a', 'hybrid', true, 14], ['b', 'grpo', false, 1]]);
    expect(reward).toMatchObject({ xMax: 14, yMin: -1, yMax: 1 });
    expect(sessionCurves(runs, 'length', 12)).toMatchObject({ xMax: 12, yMin: 0, yMax: 140 });
    expect(sessionCurves(runs.slice(1), 'reward', 60).xMax).toBe(10);
  });

  it('plots an environment run as the share of its last 5 episodes solved', () => {
    const flags = [true, false, false, true, true, true, false];
    const expected = flags.map((_, i) => { const w = flags.slice(Math.max(0, i - 4), i + 1); return w.filter(Boolean).length / w.length; });
    expect(successValues(flags.map((success) => ({ success })))).toEqual(expected);
  });
});
