/**
 * The inspector's numbers against a direct evaluation of METHOD §4–5 on fresh seeded log-prob rows: the
 * report and sample are built with the method core, as the signal worker builds them; every shown number
 * is recomputed here by brute force (sorting, set intersection, softmax, clip).
 */
import { describe, it, expect } from 'vitest';
import { createRng } from '../../model/rng.ts';
import { topK } from '../../rl/topk.ts';
import { overlapCounts } from '../../rl/overlap.ts';
import { selectHint, supportSet, type SupportMode } from '../../rl/selection.ts';
import { clippedAdvantages } from '../../rl/advantages.ts';
import { buildSample } from '../../rl/sample.ts';
import type { OverlapReport } from '../../workers/protocol.ts';
import { positionDetail, tokenCells, visibleGlyph, type InspectedTurn } from './token-view.ts';
import { advantageColour, scaleMax } from './colour-scale.ts';

const V = 12;
const decode = (id: number) => (id === 0 ? ' ' : id === 1 ? '\n' : String.fromCharCode(96 + id));

/** Log-softmax rows [T·V] with a few peaked tokens so top-k sets differ between policies. */
function rows(rng: () => number, T: number, sharpness: number): Float32Array {
  const out = new Float32Array(T * V);
  for (let i = 0; i < T; i++) {
    const logits = Array.from({ length: V }, () => sharpness * (rng() * 2 - 1));
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    logits.forEach((l, v) => (out[i * V + v] = l - lse));
  }
  return out;
}

function turnFor(seed: number, support: SupportMode, C: number, score: -1 | 0 | 1, sharpness = 3) {
  const rng = createRng(seed);
  const T = 9;
  const k = 4;
  const hints = ['be brief.', 'answer in lowercase please.'];
  const student = rows(rng, T, sharpness);
  const teachers = hints.map(() => rows(rng, T, sharpness + 1));
  // Sampled tokens: mostly the student's favourites, some from outside its top-k.
  const responseIds = Array.from({ length: T }, (_, i) => (i % 4 === 3 ? Math.floor(rng() * V) : topK(student.subarray(i * V, (i + 1) * V), 2).ids[i % 2]));
  const settings = { k, selection: 'sequence' as const, support, seed: 1, C, wRL: 1, wOPD: 1, klCoef: 0, entropyCoef: 0 };
  const row = (f: Float32Array, i: number) => f.subarray(i * V, (i + 1) * V);
  const studentTop = Array.from({ length: T }, (_, i) => topK(row(student, i), k));
  const teacherTop = teachers.map((t) => Array.from({ length: T }, (_, i) => topK(row(t, i), k)));
  const overlap = overlapCounts(studentTop.map((s) => s.ids), teacherTop.map((h) => h.map((s) => s.ids)));
  const selection = selectHint(overlap, 'sequence');
  const deltas: number[][] = [];
  const advantages: number[][] = [];
  for (let i = 0; i < T; i++) {
    const h = selection.perPosition[i];
    const S = supportSet(studentTop[i].ids, teacherTop[h][i].ids, support);
    const lOld = Array.from(S, (v) => student[i * V + v]);
    const lT = Array.from(S, (v) => teachers[h][i * V + v]);
    deltas.push(lT.map((x, j) => x - lOld[j]));
    advantages.push(Array.from(clippedAdvantages(lOld, lT, C).advantages));
  }
  const report: OverlapReport = {
    k, overlap: overlap.map((o) => Array.from(o)), sums: selection.sums, perPosition: Array.from(selection.perPosition),
    studentTop: studentTop.map((s) => ({ ids: Array.from(s.ids), logprobs: Array.from(s.values) })),
    teacherTop: teacherTop.map((h) => h.map((s) => ({ ids: Array.from(s.ids), logprobs: Array.from(s.values) }))),
    deltas, advantages, clip: C, path: 'reference',
  };
  const sample = buildSample({
    sessionId: 's', turn: 1, policyVersion: 0, promptIds: [3, 4], responseIds, responseLogprobs: responseIds.map((id, i) => student[i * V + id]),
    score, hints, vocabSize: V, studentLogprobs: student, teacherLogprobs: teachers,
  }, settings)!;
  const turn: InspectedTurn = { responseIds, score, report, sample };
  return { turn, student, teachers, responseIds, k, C };
}

/** The k largest ids of a row by plain sorting (ties to the lower id). */
function bruteTop(row: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: row.length }, (_, v) => v).sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
}

describe('token inspector numbers (METHOD §4–5)', () => {
  // sharpness 60: a confident policy (as the shipped one is), whose support holds tokens of w ≈ 0 with |Δ| > C
  for (const [seed, support, C, score, sharpness] of [[11, 'student', 1, -1, 3], [12, 'teacher', 0.3, 1, 3], [13, 'overlap', 0, 0, 3], [15, 'overlap', 1, -1, 3], [14, 'student', 0.05, -1, 3], [16, 'student', 1, -1, 60]] as const) {
    it(`support ${support}, C = ${C}, r = ${score}, sharpness ${sharpness}: cells, top-k, overlaps, w, Δ and A match a direct evaluation`, () => {
      const { turn, student, teachers, responseIds, k } = turnFor(seed, support, C, score, sharpness);
      let tinyClipped = 0;
      const cells = tokenCells(turn, decode);
      expect(cells).toHaveLength(responseIds.length);
      let clippedSeen = 0;
      responseIds.forEach((y, i) => {
        const h = turn.report!.perPosition[i];
        const sq = bruteTop(student.subarray(i * V, (i + 1) * V), k);
        const sp = bruteTop(teachers[h].subarray(i * V, (i + 1) * V), k);
        const S = support === 'student' ? sq : support === 'teacher' ? sp : sq.filter((v) => sp.includes(v));
        const lOld = S.map((v) => student[i * V + v]);
        const lT = S.map((v) => teachers[h][i * V + v]);
        const m = Math.max(...lOld);
        const z = lOld.reduce((s, l) => s + Math.exp(l - m), 0);
        const w = lOld.map((l) => Math.exp(l - m) / z);
        const d = lT.map((t, j) => t - lOld[j]);
        const dc = d.map((x) => (C > 0 ? Math.max(-C, Math.min(C, x)) : x));
        const a = w.map((wj, j) => wj * dc[j]);

        const j = S.indexOf(y);
        if (j < 0) expect(cells[i].opd).toBeNull();
        else expect(cells[i].opd!).toBeCloseTo(a[j], 5);
        expect(cells[i].grpo).toBe(score);
        expect(cells[i].glyph).toBe(visibleGlyph(decode(y)));
        // METHOD §6: an empty S_i leaves the loss only in the OPD-only case (r = 0); otherwise GRPO still trains it.
        expect(cells[i].trains).toBe(score !== 0 || S.length > 0);

        const detail = positionDetail(turn, i, decode)!;
        expect(detail.student.map((r) => r.id)).toEqual(sq);
        detail.student.forEach((r) => expect(r.prob).toBeCloseTo(Math.exp(student[i * V + r.id]), 5));
        expect(detail.student.filter((r) => r.shared).map((r) => r.id)).toEqual(sq.filter((v) => sp.includes(v)));
        expect(detail.overlap[h]).toBe(sq.filter((v) => sp.includes(v)).length);
        expect(detail.teachers[h].map((r) => r.id)).toEqual(sp);
        expect(detail.support.map((r) => r.id)).toEqual(S);
        detail.support.forEach((r, jj) => {
          expect(r.weight).toBeCloseTo(w[jj], 5);
          expect(r.delta).toBeCloseTo(d[jj], 4);
          expect(r.clippedDelta).toBeCloseTo(dc[jj], 3);
          expect(r.advantage).toBeCloseTo(a[jj], 5);
          if (C > 0 && Math.abs(d[jj]) > C + 1e-3) expect(r.clipped).toBe(true);
          if (C <= 0 || Math.abs(d[jj]) < C - 1e-3) expect(r.clipped).toBe(false);
          if (r.clipped) clippedSeen++;
          if (w[jj] < 1e-12 && Math.abs(d[jj]) > C) tinyClipped++;
        });
        // Another hint's teacher can be shown beside the student: overlaps are marked against it.
        const other = 1 - h;
        const spOther = bruteTop(teachers[other].subarray(i * V, (i + 1) * V), k);
        const shown = positionDetail(turn, i, decode, other)!;
        expect(shown.student.filter((r) => r.shared).map((r) => r.id)).toEqual(sq.filter((v) => spOther.includes(v)));
        expect(shown.selectedHint).toBe(h);
      });
      if (C === 0.05) expect(clippedSeen).toBeGreaterThan(0);
      if (sharpness === 60) expect(tinyClipped, 'the case where A / w cannot give the clipped Δ occurs').toBeGreaterThan(0);
      if (C === 0) expect(clippedSeen).toBe(0);
    });
  }

  it('without a report there is no OPD part and no position detail; r still colours every token', () => {
    const turn: InspectedTurn = { responseIds: [2, 0, 1], score: 1, report: null, sample: null };
    const cells = tokenCells(turn, decode);
    expect(cells.map((c) => [c.opd, c.grpo, c.glyph])).toEqual([[null, 1, 'b'], [null, 1, '␣'], [null, 1, '↵']]);
    expect(positionDetail(turn, 0, decode)).toBeNull();
  });
});

describe('advantage colour scale', () => {
  it('is green for pushes up, red for pushes down, transparent at 0 or without a value, stronger with |value|', () => {
    const alpha = (css: string) => Number(css.match(/, ([\d.]+)\)$/)![1]);
    expect(advantageColour(0.5, 1)).toMatch(/^rgba\(22, 150, 70,/);
    expect(advantageColour(-0.5, 1)).toMatch(/^rgba\(214, 48, 49,/);
    expect(advantageColour(0, 1)).toBe('transparent');
    expect(advantageColour(null, 1)).toBe('transparent');
    expect(advantageColour(Number.NaN, 1)).toBe('transparent');
    expect(alpha(advantageColour(0.9, 1))).toBeGreaterThan(alpha(advantageColour(0.2, 1)));
    expect(advantageColour(5, 1)).toBe(advantageColour(1, 1));
    expect(scaleMax([null, -0.3, 0.2])).toBe(0.3);
    expect(scaleMax([null, 0])).toBe(1);
  });
});

describe('teacherLabel', () => {
  it('names the frozen base or the live version with its adapter, and nothing for an older report', async () => {
    const { teacherLabel } = await import('./token-view.ts');
    const report = { k: 1, overlap: [], sums: [], perPosition: [], studentTop: [], teacherTop: [], deltas: [], advantages: [], path: 'reference' as const };
    expect(teacherLabel(report)).toBeNull();
    expect(teacherLabel({ ...report, teacher: { identity: 'frozen', version: 0, adapter: false } })).toMatch(/^frozen teacher: the policy as first loaded \(on a loaded model: the base without the adapter\)$/);
    expect(teacherLabel({ ...report, teacher: { identity: 'live', version: 3, adapter: true } })).toBe('live teacher: version 3 (the base with adapter v3)');
    expect(teacherLabel({ ...report, teacher: { identity: 'live', version: 2, adapter: false } })).toBe('live teacher: version 2');
  });
});
