import { describe, it, expect } from 'vitest';
import { buildSample, caseTrains, sampleCase, type SampleInput } from '../../src/rl/sample.ts';
import { validateRecord } from '../../src/rl/record-validate.ts';
import { DEFAULT_SETTINGS } from '../../src/rl/settings.ts';
import { createRng, type Rng } from '../../src/model/rng.ts';

const L = Math.log;
/** A log-prob row from probabilities (normalised here). */
const row = (...p: number[]) => {
  const z = p.reduce((a, b) => a + b, 0);
  return p.map((x) => L(x / z));
};

function input(over: Partial<SampleInput>): SampleInput {
  return {
    sessionId: 'sess', turn: 3, policyVersion: 2, promptIds: [5, 6], responseIds: [1, 2], responseLogprobs: [-0.5, -0.7],
    score: 1, hints: [], ...over,
  };
}

describe('sampleCase (METHOD §6 dispatch)', () => {
  it('hint and r = ±1 → combined; hint and r = 0 → opd; no hint and r = ±1 → grpo; neither → null', () => {
    expect(sampleCase(1, true)).toBe('combined');
    expect(sampleCase(-1, true)).toBe('combined');
    expect(sampleCase(0, true)).toBe('opd');
    expect(sampleCase(1, false)).toBe('grpo');
    expect(sampleCase(-1, false)).toBe('grpo');
    expect(sampleCase(0, false)).toBeNull();
    expect(() => sampleCase(2, true)).toThrow(/score/);
  });

  it('a case trains only where one of its terms weighs something: none of a single-method run\'s turns is an empty update', () => {
    const off = { wRL: 1, wOPD: 1, klCoef: 0, entropyCoef: 0 };
    const cases = ['combined', 'opd', 'grpo'] as const;
    const table = (w: Partial<typeof off>) => cases.map((c) => caseTrains(c, { ...off, ...w }));
    expect(table({})).toEqual([true, true, true]);
    expect(table({ wRL: 0 })).toEqual([true, true, false]); // OPD only: no-hint turns have no loss
    expect(table({ wOPD: 0 })).toEqual([true, false, true]); // GRPO only: hinted turns scored 0 have none
    expect(table({ wRL: 0, wOPD: 0 })).toEqual([false, false, false]);
    // an anchor or an entropy bonus is a loss of its own on every sample
    expect(table({ wRL: 0, wOPD: 0, klCoef: 0.1 })).toEqual([true, true, true]);
    expect(table({ wRL: 0, entropyCoef: 0.01 })).toEqual([true, true, true]);
  });
});

describe('buildSample (METHOD §4, §6, §8)', () => {
  const settings = { ...DEFAULT_SETTINGS, k: 2 };
  // V = 5, T = 2. Student top-2: position 0 → {0, 1}, position 1 → {3, 2}.
  const student = [...row(5, 4, 1, 0.5, 0.2), ...row(1, 0.5, 3, 4, 0.2)];
  // Hint 0 (shorter): top-2 → {0, 4}, {3, 2} (overlap 1 + 2 = 3). Hint 1: {1, 0}, {4, 0} (overlap 2 + 0 = 2).
  const teacher0 = [...row(6, 1, 0.5, 0.2, 3), ...row(0.1, 0.2, 2, 5, 0.3)];
  const teacher1 = [...row(3, 6, 0.5, 0.2, 0.1), ...row(3, 0.2, 0.3, 0.1, 5)];
  const hinted = { vocabSize: 5, studentLogprobs: student, teacherLogprobs: [teacher0, teacher1], hints: ['short hint!', 'a longer hint here'] };

  it('no hint and r = ±1: a GRPO-only sample with empty supports', () => {
    const s = buildSample(input({ score: -1 }), settings)!;
    expect(s.case).toBe('grpo');
    expect(s.reward).toEqual({ score: -1 });
    expect(s.support_ids).toEqual([[], []]);
    expect(s.hint).toBeNull();
    expect(s.hint_index).toEqual([-1, -1]);
    expect(s.loss_mask).toEqual([1, 1]);
    expect(s.policy_version).toBe(2);
    expect(validateRecord('sample', s)).toBeNull();
    expect(buildSample(input({ score: 0 }), settings)).toBeNull();
  });

  it('with w_RL = 0 a turn without a hint makes no sample, and with w_OPD = 0 a hinted turn scored 0 makes none', () => {
    expect(buildSample(input({ score: -1 }), { ...settings, wRL: 0 })).toBeNull();
    expect(buildSample(input({ score: 1 }), { ...settings, wRL: 0, klCoef: 0.05 })!.case).toBe('grpo');
    expect(buildSample(input({ ...hinted, score: 0 }), { ...settings, wOPD: 0 })).toBeNull();
    expect(buildSample(input({ ...hinted, score: 0 }), { ...settings, wRL: 0 })!.case).toBe('opd');
    expect(buildSample(input({ ...hinted, score: -1 }), { ...settings, wRL: 0 })!.case).toBe('combined');
    expect(buildSample(input({ ...hinted, score: -1 }), { ...settings, wOPD: 0 })!.case).toBe('combined');
  });

  it('sequence selection, student support: S_i = Sq_i with both policies\' log-probs there', () => {
    const s = buildSample(input({ ...hinted }), settings)!;
    expect(s.case).toBe('combined');
    expect(s.hint_index).toEqual([0, 0]);
    expect(s.hint).toBe('short hint!');
    expect(s.support_ids).toEqual([[0, 1], [3, 2]]);
    expect(s.old_logprobs_at_support[1]).toEqual([student[5 + 3], student[5 + 2]]);
    expect(s.teacher_logprobs_at_support[0]).toEqual([teacher0[0], teacher0[1]]);
    expect(validateRecord('sample', s)).toBeNull();
  });

  it('token selection picks per position; teacher support uses the selected teacher\'s top-k', () => {
    const s = buildSample(input({ ...hinted }), { ...settings, selection: 'token', support: 'teacher' })!;
    expect(s.hint_index).toEqual([1, 0]);
    expect(s.support_ids).toEqual([[1, 0], [3, 2]]);
    expect(s.old_logprobs_at_support[0]).toEqual([student[1], student[0]]);
    expect(s.teacher_logprobs_at_support[0]).toEqual([teacher1[1], teacher1[0]]);
    expect(s.hint).toBe('short hint!'); // one position each: the tie goes to the shorter hint
  });

  it('overlap support: an empty intersection masks the position in the OPD-only case', () => {
    const s = buildSample(input({ ...hinted, score: 0 }), { ...settings, selection: 'shortest', support: 'overlap' })!;
    expect(s.case).toBe('opd');
    expect(s.support_ids).toEqual([[0], [3, 2]]);
    const onlyHint1 = { ...hinted, hints: ['a longer hint here'], teacherLogprobs: [teacher1] };
    const t = buildSample(input({ ...onlyHint1, score: 0 }), { ...settings, support: 'overlap' })!;
    expect(t.support_ids).toEqual([[0, 1], []]);
    expect(t.loss_mask).toEqual([1, 0]);
    // In the combined case the GRPO term still trains there.
    expect(buildSample(input({ ...onlyHint1, score: 1 }), { ...settings, support: 'overlap' })!.loss_mask).toEqual([1, 1]);
  });

  it('an OPD-only sample with no support anywhere is no sample', () => {
    const disjoint = [...row(0.1, 0.1, 0.1, 5, 6), ...row(5, 6, 0.1, 0.1, 0.1)];
    expect(buildSample(input({ ...hinted, hints: ['only one hint'], teacherLogprobs: [disjoint], score: 0 }), { ...settings, support: 'overlap' })).toBeNull();
  });

  it('random selection: reproducible per turn, varies across turns', () => {
    const pick = (turn: number) => buildSample(input({ ...hinted, turn }), { ...settings, selection: 'random' })!.hint_index[0];
    expect(pick(3)).toBe(pick(3));
    const seen = new Set(Array.from({ length: 40 }, (_, t) => pick(t + 1)));
    expect(seen).toEqual(new Set([0, 1]));
  });

  it('rejects inconsistent inputs', () => {
    expect(() => buildSample(input({ hints: ['some hint text'] }), settings)).toThrow(/needs vocabSize/);
    expect(() => buildSample(input({ ...hinted, studentLogprobs: student.slice(1) }), settings)).toThrow(/T·V/);
    expect(() => buildSample(input({ responseLogprobs: [-1] }), settings)).toThrow(/one response log-prob/);
  });

  it('property: support and log-probs match a brute-force derivation (seeded random rows)', () => {
    const rng = createRng(17);
    const randomRow = (r: Rng, V: number) => row(...Array.from({ length: V }, () => Math.round(r() * 8) + 0.1));
    const topIds = (lp: number[], k: number) => lp.map((_, v) => v).sort((a, b) => lp[b] - lp[a] || a - b).slice(0, k);
    for (let trial = 0; trial < 60; trial++) {
      const V = 3 + Math.floor(rng() * 6);
      const T = 1 + Math.floor(rng() * 4);
      const H = 1 + Math.floor(rng() * 3);
      const k = 1 + Math.floor(rng() * 4);
      const studentRows = Array.from({ length: T }, () => randomRow(rng, V));
      const teacherRows = Array.from({ length: H }, () => Array.from({ length: T }, () => randomRow(rng, V)));
      const mode = (['student', 'teacher', 'overlap'] as const)[trial % 3];
      const s = buildSample(
        input({ responseIds: Array(T).fill(0), responseLogprobs: Array(T).fill(-1), score: 1, hints: Array.from({ length: H }, (_, h) => `hint number ${h}`),
          vocabSize: V, studentLogprobs: studentRows.flat(), teacherLogprobs: teacherRows.map((rows) => rows.flat()) }),
        { ...settings, k, support: mode },
      )!;
      const overlap = (h: number, i: number) => topIds(studentRows[i], k).filter((v) => topIds(teacherRows[h][i], k).includes(v)).length;
      const sums = Array.from({ length: H }, (_, h) => Array.from({ length: T }, (_, i) => overlap(h, i)).reduce((a, b) => a + b, 0));
      const best = sums.indexOf(Math.max(...sums));
      for (let i = 0; i < T; i++) {
        const sq = topIds(studentRows[i], k);
        const sp = topIds(teacherRows[best][i], k);
        const S = mode === 'student' ? sq : mode === 'teacher' ? sp : sq.filter((v) => sp.includes(v));
        expect(s.hint_index[i]).toBe(best);
        expect(s.support_ids[i]).toEqual(S);
        expect(s.old_logprobs_at_support[i]).toEqual(S.map((v) => studentRows[i][v]));
        expect(s.teacher_logprobs_at_support[i]).toEqual(S.map((v) => teacherRows[best][i][v]));
      }
      expect(validateRecord('sample', s)).toBeNull();
    }
  });
});
