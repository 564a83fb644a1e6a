/**
 * The report's paired comparisons, per-arm statistics, learning curves, diagnostics, plan and figure, on
 * hand-made runs whose answers are computed here independently.
 */
import { describe, it, expect } from 'vitest';
import { compare, comparisons, drawsAgree } from '../../src/experiments/comparisons.ts';
import { armDiagnostics } from '../../src/experiments/diagnostics.ts';
import { experimentFigure, figureSvg } from '../../src/experiments/figure.ts';
import { FULL_PLAN, QUICK_PLAN, runGroups, runsOf, summarize, wilcoxonSignedRank, type RunResult, type SessionRecord } from '../../src/experiments/index.ts';

const seq = (s: string) => [...s].map((c) => c === '1');

function fakeRun(arm: string, preference: string, seed: number, met: string, cap = 10, extra: Partial<SessionRecord> = {}): RunResult {
  const flags = seq(met);
  let n = flags.length;
  let run = 0;
  for (let i = 0; i < flags.length; i++) {
    run = flags[i] ? run + 1 : 0;
    if (run === 3) {
      n = i + 1;
      break;
    }
  }
  const hitCap = run < 3;
  const sessions: SessionRecord[] = flags.slice(0, n).map((m, i) => ({
    session: i + 1, met: m, answer: m ? 'thanks' : 'state', reward: m ? 1 : -1, hinted: !m, sampled: true,
    hint: m ? null : 'The user wants a short answer: one sentence, no extra explanation.',
    question: `q${seed}-${i}`, reply: m ? 'Paris.' : 'The capital of France is Paris. It is a big city with many museums.',
    userText: 'u', replyTokens: 10, correct: true, version: i, teacherFollowed: m ? null : i % 2 === 0, ...extra,
  }));
  return {
    spec: { arm, preference, seed, cap, streak: 3 }, sessions, sessionsToSatisfy: hitCap ? cap : n, hitCap, updates: n,
    updateStats: { meanAbsAdvantage: 0.1, fractionDeltaClipped: 0.2, fractionRatioClipped: 0, klToFrozen: 0, lossGRPO: 0, lossOPD: 0 },
    accuracyAfter: { questions: 4, correct: 3 }, wallMs: 1,
  };
}

describe('paired comparisons', () => {
  it('pair runs by (preference, seed) and report the mean difference, its CI, the Wilcoxon p and the wins', () => {
    const runs = [
      fakeRun('hybrid', 'brief', 1, '111'), fakeRun('grpo', 'brief', 1, '0111'),
      fakeRun('hybrid', 'brief', 2, '0111'), fakeRun('grpo', 'brief', 2, '000111'),
      fakeRun('hybrid', 'emoji', 1, '00111'), fakeRun('grpo', 'emoji', 1, '00111'),
      fakeRun('hybrid', 'emoji', 2, '0000000000'), fakeRun('grpo', 'emoji', 2, '0000000000'),
      fakeRun('grpo', 'emoji', 3, '111'), // no hybrid partner: not a pair
    ];
    const c = compare('hybrid', 'grpo', runs)!;
    // Differences per pair (brief 1, brief 2, emoji 1, emoji 2): 3−4, 4−6, 5−5, 10−10.
    expect(c.pairs).toBe(4);
    expect(c.mean_difference).toBeCloseTo((-1 - 2 + 0 + 0) / 4, 3);
    expect(c.wins).toEqual({ a: 2, b: 0, ties: 2 });
    expect(c.both_capped).toBe(1);
    expect(c.p_value).toBeCloseTo(wilcoxonSignedRank([-1, -2, 0, 0]).p, 4);
    expect(c.ci95[0]).toBeLessThanOrEqual(c.mean_difference);
    expect(c.ci95[1]).toBeGreaterThanOrEqual(c.mean_difference);
    expect(c.ci95[0]).toBeGreaterThanOrEqual(-2);
    expect(c.ci95[1]).toBeLessThanOrEqual(0);
    expect(c.paired_draws_agree).toBe(true);
    // Every fake run answered 3 of 4 accuracy questions: no difference.
    expect(c.accuracy_after).toEqual({ pairs: 4, mean_difference: 0, ci95: [0, 0] });
    const better = runs.map((r) => (r.spec.arm === 'hybrid' ? { ...r, accuracyAfter: { questions: 4, correct: 4 } } : r));
    expect(compare('hybrid', 'grpo', better)!.accuracy_after).toEqual({ pairs: 4, mean_difference: 0.25, ci95: [0.25, 0.25] });
    expect(compare('hybrid', 'opd', runs)).toBeNull();
    expect(comparisons(runs).map((x) => `${x.a}/${x.b}`)).toEqual(['hybrid/grpo']);
  });

  it('notice runs that did not share their draws', () => {
    const a = fakeRun('hybrid', 'brief', 1, '0111');
    const b = fakeRun('grpo', 'brief', 1, '0111');
    expect(drawsAgree(a, b)).toBe(true);
    expect(drawsAgree(a, { ...b, sessions: b.sessions.map((s, i) => (i === 2 ? { ...s, question: 'other' } : s)) })).toBe(false);
    // Both met in session 2, yet the users answered differently: their answer draws were not shared.
    expect(drawsAgree(a, { ...b, sessions: b.sessions.map((s, i) => (i === 1 ? { ...s, answer: 'move-on' as const } : s)) })).toBe(false);
  });
});

describe('per-arm statistics, curves and diagnostics', () => {
  it('give the median, a CI around the mean, the learning curve and the diagnostics', () => {
    const s = summarize([fakeRun('hybrid', 'brief', 1, '111'), fakeRun('hybrid', 'brief', 2, '00111'), fakeRun('hybrid', 'brief', 3, '0000000000')]);
    const h = s.arms.hybrid;
    expect(h.sessions_to_satisfy_median).toBe(5);
    expect(h.sessions_to_satisfy_mean).toBeCloseTo(6, 2);
    expect(h.sessions_to_satisfy_ci95[0]).toBeGreaterThanOrEqual(3);
    expect(h.sessions_to_satisfy_ci95[1]).toBeLessThanOrEqual(10);
    // Satisfied at sessions 3 and 5; the capped run never.
    expect(h.satisfied_by_session).toEqual([0, 0, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3].map((x) => Number(x.toFixed(3))));
    const d = h.diagnostics;
    // Missed sessions: 0 + 2 + 10 = 12, all hinted with a brief hint; combined samples (hint, r = −1) 12 over 3 runs.
    expect(d.samples_per_run).toEqual({ combined: 4, opd: 0, grpo: Number((6 / 3).toFixed(3)) });
    expect(d.hint_accepted_when_missed).toBe(1);
    // The long reply misses "brief" under the world's checker, so the hint names the missed style.
    expect(d.hint_names_missed_style).toBe(1);
    expect(d.hint_from_stated_wish).toBe(1);
    const bare = armDiagnostics([fakeRun('hybrid', 'brief', 1, '0011', 10, { answer: 'complain' }), fakeRun('hybrid', 'brief', 2, '00111')]);
    expect(bare.hint_from_stated_wish).toBe(0.5);
    // Two runs satisfied (the third capped), every reply right; then one streak with a wrong answer in it.
    expect(d.satisfied_with_right_answers).toBe(1);
    const wrong = fakeRun('hybrid', 'brief', 4, '0111');
    wrong.sessions[2] = { ...wrong.sessions[2], correct: false };
    expect(armDiagnostics([wrong, fakeRun('hybrid', 'brief', 5, '111')]).satisfied_with_right_answers).toBe(0.5);
    expect(armDiagnostics([fakeRun('hybrid', 'brief', 6, '0000')]).satisfied_with_right_answers).toBeNull();
    // Teacher probes at even missed sessions: run 2: sessions 1 (i=0 ✓), 2 (✗); run 3: i = 0..9 → 5 of 10.
    expect(d.teacher_probes).toBe(12);
    expect(d.teacher_hint_follow).toBeCloseTo(6 / 12, 3);
    expect(d.judge_agreement).toBe(1);
    expect(d.answer_accuracy_after).toBe(0.75);
    expect(d.mean_abs_advantage).toBe(0.1);
    // The drift is the mean over runs of each run's mean KL; runs without updates do not count.
    const run = fakeRun('hybrid', 'brief', 7, '111');
    const drift = (kl: number, updates = 1) => ({ ...run, updates, updateStats: updates ? { ...run.updateStats!, klToFrozen: kl } : null });
    expect(armDiagnostics([drift(0.25), drift(4.75), drift(99, 0)]).kl_to_frozen).toBe(2.5);
    expect(armDiagnostics([drift(1, 0)]).kl_to_frozen).toBeNull();
  });
});

describe('the plan', () => {
  it('has the power issue 17 asks for: 10 seeds per preference per method, 5 seeds × 3 preferences per ablation arm', () => {
    const runs = runsOf(FULL_PLAN);
    const count = (arm: string, preference?: string) => runs.filter((r) => r.arm === arm && (!preference || r.preference === preference)).length;
    for (const arm of ['hybrid', 'grpo', 'opd', 'none']) for (const p of FULL_PLAN.sections[0].preferences) expect(count(arm, p)).toBeGreaterThanOrEqual(10);
    expect(FULL_PLAN.sections[0].preferences).toHaveLength(6);
    for (const arm of ['selection=sequence', 'selection=token', 'selection=shortest', 'selection=random', 'k=2', 'k=8', 'C=off', 'C=2']) {
      expect(count(arm)).toBeGreaterThanOrEqual(15);
      expect(new Set(runs.filter((r) => r.arm === arm).map((r) => r.preference)).size).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(runs.map((r) => `${r.arm}|${r.preference}|${r.seed}`)).size).toBe(runs.length);
  });

  it('goes seed by seed, hybrid and GRPO first, then OPD and no updates, then the ablations; no-update runs of a seed grouped', () => {
    const runs = runsOf(FULL_PLAN);
    const first = runs.filter((r) => ['hybrid', 'grpo'].includes(r.arm));
    const main = runs.filter((r) => ['hybrid', 'grpo', 'opd', 'none'].includes(r.arm));
    // Hybrid and GRPO before the other methods, the methods before every ablation run, seeds never going back within a section.
    expect(runs.slice(0, first.length)).toEqual(first);
    expect(runs.slice(0, main.length)).toEqual(main);
    first.forEach((r, i) => i > 0 && expect(r.seed).toBeGreaterThanOrEqual(first[i - 1].seed));
    const groups = runGroups(runs);
    expect(groups.flat()).toHaveLength(runs.length);
    for (const g of groups) {
      if (g[0].arm !== 'none') expect(g).toHaveLength(1);
      else expect(g.every((r) => r.arm === 'none' && r.seed === g[0].seed)).toBe(true);
    }
    expect(groups.filter((g) => g[0].arm === 'none')).toHaveLength(10);
    expect(runsOf(QUICK_PLAN)).toHaveLength(8);
  });
});

describe('the figure', () => {
  it('draws a CI bar per arm and a learning curve per method, with text escaped', () => {
    const s = summarize([fakeRun('hybrid', 'brief', 1, '111'), fakeRun('grpo', 'brief', 1, '0111'), fakeRun('k=2', 'brief', 1, '00111')]);
    const f = experimentFigure(s, 10);
    expect(f.shapes.filter((x) => x.kind === 'circle')).toHaveLength(3);
    // One step curve per method arm (k=2 is an ablation).
    expect(f.shapes.filter((x) => x.kind === 'polyline' && x.width === 2)).toHaveLength(2);
    for (const x of f.shapes) {
      if (x.kind === 'circle') {
        expect(x.cx).toBeGreaterThanOrEqual(0);
        expect(x.cx).toBeLessThanOrEqual(f.width);
      }
    }
    const svg = figureSvg({ width: 10, height: 10, shapes: [{ kind: 'text', x: 0, y: 0, text: '<b>&' }] });
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(svg).not.toContain('<b>');
    expect(figureSvg(f).startsWith('<svg')).toBe(true);
  });
});
