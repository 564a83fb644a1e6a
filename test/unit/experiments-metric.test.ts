/**
 * The experiment's metric (METHOD §9) on hand-made sequences, the lucky-streak chance against a seeded
 * simulation, and the summary table on hand-made run results.
 */
import { describe, it, expect } from 'vitest';
import { createRng } from '../../src/model/rng.ts';
import { chanceOfStreak, isSatisfied, meanStd, sessionsToSatisfy, summarize, type RunResult, type SessionRecord } from '../../src/experiments/index.ts';

const seq = (s: string) => [...s].map((c) => c === '1');

describe('sessionsToSatisfy', () => {
  it('is the session that completes the first run of three', () => {
    expect(sessionsToSatisfy(seq('111'))).toEqual({ sessions: 3, hitCap: false });
    expect(sessionsToSatisfy(seq('0110111'))).toEqual({ sessions: 7, hitCap: false });
    expect(sessionsToSatisfy(seq('11011011100111'))).toEqual({ sessions: 9, hitCap: false });
    expect(sessionsToSatisfy(seq('1101'), 2)).toEqual({ sessions: 2, hitCap: false });
  });

  it('counts a run that never gets there as the cap, and says so', () => {
    expect(sessionsToSatisfy(seq('0'.repeat(60)))).toEqual({ sessions: 60, hitCap: true });
    expect(sessionsToSatisfy(seq('110110'))).toEqual({ sessions: 60, hitCap: true });
    // A streak completed exactly at the cap counts; one session later does not.
    expect(sessionsToSatisfy(seq('0'.repeat(57) + '111'))).toEqual({ sessions: 60, hitCap: false });
    expect(sessionsToSatisfy(seq('0'.repeat(58) + '111'))).toEqual({ sessions: 60, hitCap: true });
    expect(sessionsToSatisfy(seq('00111'), 3, 4)).toEqual({ sessions: 4, hitCap: true });
    expect(() => sessionsToSatisfy([], 0)).toThrow(RangeError);
  });

  it('isSatisfied looks at the last sessions only', () => {
    expect(isSatisfied(seq('0111'))).toBe(true);
    expect(isSatisfied(seq('1110'))).toBe(false);
    expect(isSatisfied(seq('11'))).toBe(false);
  });
});

describe('meanStd', () => {
  it('is the mean and the n − 1 standard deviation', () => {
    const { mean, std } = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(mean).toBe(5);
    expect(std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(meanStd([7])).toEqual({ mean: 7, std: 0 });
  });
});

describe('chanceOfStreak', () => {
  it('matches closed forms at the edges', () => {
    expect(chanceOfStreak(1)).toBe(1);
    expect(chanceOfStreak(0)).toBe(0);
    expect(chanceOfStreak(0.3, 3, 3)).toBeCloseTo(0.027, 12);
    // Four sessions: 1110 or x111 → p³ + (1 − p)p³.
    expect(chanceOfStreak(0.4, 3, 4)).toBeCloseTo(0.4 ** 3 + 0.6 * 0.4 ** 3, 12);
  });

  it('matches a seeded simulation of a policy that never learns', () => {
    const rng = createRng(20260511);
    for (const p of [0.1, 0.2, 0.35]) {
      let hits = 0;
      const trials = 20000;
      for (let t = 0; t < trials; t++) {
        const met = Array.from({ length: 60 }, () => rng() < p);
        if (!sessionsToSatisfy(met).hitCap) hits++;
      }
      expect(Math.abs(hits / trials - chanceOfStreak(p))).toBeLessThan(0.015);
    }
  });
});

function fakeRun(arm: string, preference: string, seed: number, met: string, replyTokens = 50): RunResult {
  const flags = seq(met);
  const { sessions, hitCap } = sessionsToSatisfy(flags, 3, 10);
  const records: SessionRecord[] = flags.map((m, i) => ({
    session: i + 1, met: m, answer: m ? 'thanks' : 'state', reward: m ? 1 : i % 2 ? -1 : 0, hinted: !m, sampled: true, hint: null, question: 'q', reply: 'r', userText: 'u',
    replyTokens, correct: i % 2 === 0, version: i, teacherFollowed: null,
  }));
  return { spec: { arm, preference, seed, cap: 10, streak: 3 }, sessions: records, sessionsToSatisfy: sessions, hitCap, updates: flags.length, updateStats: null, accuracyAfter: null, wallMs: 1 };
}

describe('summarize', () => {
  it('builds per-arm and per-preference rows, ratios and targets from the runs', () => {
    const runs = [
      fakeRun('hybrid', 'lowercase', 1, '0111'),
      fakeRun('hybrid', 'lowercase', 2, '111'),
      fakeRun('hybrid', 'list', 1, '00111'),
      fakeRun('grpo', 'lowercase', 1, '0101101101'),
      fakeRun('grpo', 'lowercase', 2, '0000000000'),
      fakeRun('grpo', 'list', 1, '000111'),
      fakeRun('none', 'lowercase', 1, '0000000000'),
      fakeRun('none', 'list', 1, '000111'),
    ];
    const s = summarize(runs);
    expect(Object.keys(s.arms)).toEqual(['hybrid', 'grpo', 'none']);
    const h = s.arms.hybrid;
    expect(h.runs).toBe(3);
    expect(h.sessions_to_satisfy_mean).toBeCloseTo((4 + 3 + 5) / 3, 2);
    expect(h.per_preference.lowercase.runs).toEqual([4, 3]);
    expect(h.per_preference.lowercase.sessions_to_satisfy_std).toBeCloseTo(Math.SQRT1_2, 2);
    expect(h.hit_cap).toBe(0);
    const g = s.arms.grpo;
    expect(g.per_preference.lowercase.runs).toEqual([10, 10]);
    expect(g.per_preference.lowercase.hit_cap).toBe(2);
    expect(g.hit_cap).toBe(2);
    // Means of per-preference means: hybrid (3.5 + 5) / 2, GRPO (10 + 6) / 2.
    expect(s.ratios.grpo_over_hybrid).toBeCloseTo(8 / 4.25, 3);
    expect(s.targets.hybrid_below_grpo).toBe(true);
    expect(s.targets.hybrid_below_opd).toBeNull();
    // No updates: lowercase met 0/10 (chance 0, not satisfied), list met 3/6 and satisfied.
    expect(s.targets.no_updates.lowercase).toMatchObject({ base_rate: 0, chance_of_streak: 0, satisfied_runs: 0, runs: 1 });
    expect(s.targets.no_updates.list.base_rate).toBe(0.5);
    expect(s.targets.no_updates_never_satisfies_unlikely).toBe(true);
    expect(s.arms.none.answer_accuracy).toBeCloseTo(8 / 16, 3);
    // Judge agreement: met sessions got +1; unmet ones −1 only at odd indices.
    const all = runs.flatMap((r) => r.sessions);
    const agreed = all.filter((x) => x.reward === (x.met ? 1 : -1)).length;
    expect(s.judge_agreement.all).toMatchObject({ sessions: all.length, agreed });
  });

  it('flags a no-update run that satisfied an unlikely preference', () => {
    const s = summarize([fakeRun('none', 'lowercase+emoji', 1, '0000000111')]);
    // Met rate 0.3 over 10 sessions with cap 10: a lucky streak has a small chance, and it happened.
    expect(s.targets.no_updates['lowercase+emoji'].chance_of_streak).toBeCloseTo(chanceOfStreak(0.3, 3, 10), 3);
    expect(s.targets.no_updates_never_satisfies_unlikely).toBe(chanceOfStreak(0.3, 3, 10) >= 0.05);
  });

  it('tables each ablation over the ablation\'s own users and seeds, with the hybrid as the default value', () => {
    const s = summarize([
      fakeRun('hybrid', 'lowercase', 1, '111'),
      fakeRun('hybrid', 'lowercase', 2, '0111'),
      fakeRun('hybrid', 'lowercase', 3, '0000000000'),
      fakeRun('hybrid', 'emoji', 1, '00111'),
      fakeRun('k=2', 'lowercase', 1, '00000111', 80),
      fakeRun('k=2', 'lowercase', 2, '000111', 80),
      fakeRun('C=off', 'lowercase', 1, '000111', 140),
    ]);
    expect(Object.keys(s.ablations)).toEqual(['k', 'C']);
    // k = 4 is the hybrid on lowercase seeds 1 and 2 only: (3 + 4) / 2.
    expect(s.ablations.k!['4']).toMatchObject({ arm: 'hybrid', runs: 2, sessions_to_satisfy_mean: 3.5 });
    expect(s.ablations.k!['2']).toMatchObject({ arm: 'k=2', runs: 2, sessions_to_satisfy_mean: 7, mean_reply_tokens: 80 });
    expect(s.ablations.k!['8']).toBeUndefined();
    expect(s.ablations.C!['1']).toMatchObject({ runs: 1, sessions_to_satisfy_mean: 3 });
    expect(s.ablations.C!.off).toMatchObject({ sessions_to_satisfy_mean: 6, mean_reply_tokens: 140 });
  });
});
