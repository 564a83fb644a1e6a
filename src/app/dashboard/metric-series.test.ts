import { describe, it, expect } from 'vitest';
import { createRng } from '../../model/rng.ts';
import type { UpdateMetrics } from '../../workers/protocol.ts';
import { chartGeometry, METRIC_CHARTS } from './metric-series.ts';

function metrics(version: number, loss: number): UpdateMetrics {
  return {
    version, timestamp: 0, samples: 1, cases: { combined: 1, opd: 0, grpo: 0 }, loss, lossGRPO: loss / 2, lossOPD: loss / 2, kl: 0,
    meanAbsAdvantage: 0.1, fractionDeltaClipped: 0, fractionRatioClipped: 0, meanReward: -1, meanResponseLength: 12, klToFrozen: 0,
    backwardMs: 1, syncMs: 1, tokensPerS: 100,
  };
}

describe('dashboard line charts', () => {
  it('map the lowest value to the bottom, the highest to the top and versions across the width', () => {
    const rng = createRng(5);
    const ms = Array.from({ length: 7 }, (_, i) => metrics(i + 1, rng() * 4 - 2));
    const loss = METRIC_CHARTS.find((c) => c.id === 'loss')!;
    const W = 200;
    const H = 80;
    const pad = 4;
    const g = chartGeometry(ms, loss.series.slice(0, 1), W, H, pad);
    const values = ms.map((m) => m.loss);
    expect(g.yMin).toBe(Math.min(...values));
    expect(g.yMax).toBe(Math.max(...values));
    const dots = g.dots[0];
    expect(dots).toHaveLength(7);
    dots.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(pad + (i / 6) * (W - 2 * pad), 6);
      expect(y).toBeCloseTo(H - pad - ((values[i] - g.yMin) / (g.yMax - g.yMin)) * (H - 2 * pad), 6);
    });
    expect(g.lines[0].split(' ')).toHaveLength(7);
  });

  it('widen a flat series, centre a single update and skip values that are not finite', () => {
    const flat = chartGeometry([metrics(1, 0.5), metrics(2, 0.5)], METRIC_CHARTS[0].series.slice(0, 1), 100, 50);
    expect(flat.yMax).toBeGreaterThan(flat.yMin);
    const single = chartGeometry([metrics(3, 1)], METRIC_CHARTS[0].series.slice(0, 1), 100, 50);
    expect(single.dots[0][0][0]).toBe(50);
    const withNaN = chartGeometry([metrics(1, 1), metrics(2, Number.NaN), metrics(3, 2)], METRIC_CHARTS[0].series.slice(0, 1), 100, 50);
    expect(withNaN.dots[0]).toHaveLength(2);
  });

  it('every chart reads numbers that update metrics carry', () => {
    const m = metrics(1, 0.25);
    for (const chart of METRIC_CHARTS) for (const s of chart.series) expect(Number.isFinite(s.value(m))).toBe(true);
  });
});
