/**
 * Bounded staleness (METHOD §7): versions behind along the serving lineage, which samples train and how,
 * the behaviour importance weight against a float64 reference, and the batch an update takes, with
 * maxStaleness = 1 choosing exactly what the reference bound (the policy being trained or its parent) chose.
 */
import { describe, it, expect } from 'vitest';
import { behaviourWeights, staleness, stalenessClass, staleReason, withBehaviourWeights, withUnchangedSupport } from '../../src/rl/staleness.ts';
import { buildSample } from '../../src/rl/sample.ts';
import { DEFAULT_SETTINGS } from '../../src/rl/settings.ts';
import { planBatch } from '../../src/workers/bounded-staleness.ts';
import { VersionLineage, parentVersion } from '../../src/workers/version-lineage.ts';
import type { StoredSample } from '../../src/store/types.ts';
import { createRng } from '../../src/model/rng.ts';

function stored(id: string, version: number): StoredSample {
  return {
    id, status: 'pending', session_id: 's', turn: Number(id.slice(1)), policy_version: version, case: 'grpo', prompt_ids: [1], response_ids: [2, 3],
    response_logprobs: [-1, -2], loss_mask: [1, 1], reward: { score: 1 }, hints: [], hint: null, hint_index: [-1, -1], support_ids: [[], []],
    old_logprobs_at_support: [[], []], teacher_logprobs_at_support: [[], []],
  };
}

describe('staleness (METHOD §7)', () => {
  it('counts updates along the lineage; versions off it (a rollback) or past maxStaleness are stale', () => {
    const lineage = [9, 7, 4, 3, 0]; // v9 from v7 (a rollback abandoned v8), v7 from v4, …
    expect([9, 7, 4, 3, 0, 8, 5].map((v) => staleness(v, lineage))).toEqual([0, 1, 2, 3, 4, null, null]);
    expect([9, 7, 4, 3, 0, 8].map((v) => stalenessClass(v, lineage, 4))).toEqual(['fresh', 'fresh', 'proximal', 'proximal', 'proximal', 'stale']);
    expect([9, 7, 4, 3, 0].map((v) => stalenessClass(v, lineage, 3))).toEqual(['fresh', 'fresh', 'proximal', 'proximal', 'stale']);
    expect([9, 7, 4].map((v) => stalenessClass(v, lineage, 1))).toEqual(['fresh', 'fresh', 'stale']);
    expect(staleReason(1)).toMatch(/^more than one version behind/);
    expect(staleReason(4)).toMatch(/^more than 4 versions behind .* rollback/);
  });

  it('behaviour weight min(exp(l_prox − l_behav), c) matches a float64 reference on random inputs', () => {
    const rng = createRng(4242);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + Math.floor(rng() * 30);
      const behav = Array.from({ length: n }, () => -rng() * 8);
      const prox = behav.map((b) => b + (rng() - 0.5) * 4);
      const cap = 1 + rng() * 3;
      const got = behaviourWeights(Float32Array.from(prox), Float32Array.from(behav), cap);
      prox.forEach((p, t) => {
        // float64 reference on the same float32-rounded inputs the engines hold.
        const ref = Math.min(Math.exp(Math.fround(p) - Math.fround(behav[t])), cap);
        expect(got[t]).toBeCloseTo(ref, 12);
        expect(got[t]).toBeLessThanOrEqual(cap);
      });
    }
    expect(behaviourWeights([-0.5, 5, -40], [-1, -1, 0], 2)).toEqual([Math.exp(0.5), 2, Math.exp(-40)]);
    expect(() => behaviourWeights([1], [1, 2], 2)).toThrow(/1 proximal log-probs, 2 behaviour/);
    const s = stored('t1', 0);
    const w = withBehaviourWeights(s, [-1.5, -1], { behaviourWeightCap: 2 });
    expect(w.proximal_logprobs).toEqual([-1.5, -1]);
    expect(w.behaviour_weights).toEqual([Math.exp(-0.5), 2]);
    expect(s.response_logprobs).toEqual([-1, -2]); // the record keeps the sampling log-probs (METHOD §8)
  });

  it('property: with maxStaleness = 1 the batch is exactly what the reference bound chose (random lineages and queues)', () => {
    const rng = createRng(77);
    for (let trial = 0; trial < 200; trial++) {
      const serving = 1 + Math.floor(rng() * 10);
      const parent = rng() < 0.2 ? undefined : Math.floor(rng() * serving);
      const lineage = parent === undefined ? [serving] : [serving, parent];
      if (parent !== undefined && parent > 0 && rng() < 0.5) lineage.push(Math.floor(rng() * parent));
      const B = 1 + Math.floor(rng() * 5);
      const pending = Array.from({ length: Math.floor(rng() * 10) }, (_, i) => stored(`t${i}`, Math.floor(rng() * (serving + 2))));
      // The rule before bounded staleness: the serving version or its parent; oldest version first; the first B.
      const trainable = (s: StoredSample) => s.policy_version === serving || s.policy_version === parent;
      const before = {
        staleIds: pending.filter((s) => !trainable(s)).map((s) => s.id),
        batch: pending.filter(trainable).sort((a, b) => a.policy_version - b.policy_version || a.turn - b.turn).slice(0, B).map((s) => s.id),
      };
      const plan = planBatch(pending, lineage, { ...DEFAULT_SETTINGS, maxStaleness: 1, batchSize: B });
      expect({ staleIds: plan.staleIds, batch: plan.batch.map((b) => b.sample.id) }).toEqual(before);
      expect(plan.batch.every((b) => !b.proximal)).toBe(true);
    }
  });

  it('among samples of one version the earliest turns train first, not the store\'s key order (turn 10 before turn 5)', () => {
    // the store lists by key: "s/10" … "s/13" come before "s/5" … "s/9"
    const pending = [10, 11, 12, 13, 5, 7, 8, 9].map((t) => stored(`t${t}`, 0));
    const plan = planBatch(pending, [2, 1, 0], { ...DEFAULT_SETTINGS, maxStaleness: 4, batchSize: 4 });
    expect(plan.batch.map((b) => b.sample.id)).toEqual(['t5', 't7', 't8', 't9']);
    expect(plan.waiting).toBe(4);
  });

  it('with maxStaleness = 4, samples 2–4 versions behind join the batch oldest first, marked for recomputation', () => {
    const lineage = [6, 5, 3, 2, 1, 0];
    const pending = [stored('t1', 6), stored('t2', 3), stored('t3', 0), stored('t4', 1), stored('t5', 5), stored('t6', 4)];
    const plan = planBatch(pending, lineage, { ...DEFAULT_SETTINGS, maxStaleness: 4, batchSize: 3 });
    expect(plan.staleIds).toEqual(['t3', 't6']); // 5 behind; off the lineage
    expect(plan.batch.map((b) => [b.sample.id, b.proximal])).toEqual([['t4', true], ['t2', true], ['t5', false]]);
    expect(plan.waiting).toBe(1);
  });

  it('a sample with no loss under the settings (GRPO-only once w_RL is 0) waits instead of making an update; old enough, it is stale', () => {
    const opd = (id: string, version: number): StoredSample => ({ ...stored(id, version), case: 'opd', reward: { score: 0 } });
    const pending = [stored('t1', 2), opd('t2', 2), stored('t3', 2), stored('t4', 0)];
    const plan = planBatch(pending, [2, 1, 0], { ...DEFAULT_SETTINGS, wRL: 0, maxStaleness: 1, batchSize: 4 });
    expect(plan.batch.map((b) => b.sample.id)).toEqual(['t2']);
    expect(plan.staleIds).toEqual(['t4']);
    expect(plan.waiting).toBe(0);
    expect(planBatch(pending, [2, 1, 0], { ...DEFAULT_SETTINGS, maxStaleness: 1, batchSize: 4 }).batch.map((b) => b.sample.id)).toEqual(['t1', 't2', 't3']);
  });
});

describe('recomputing a sample with a frozen teacher (METHOD §4, §7)', () => {
  it('property: when π_old\'s top-k sets stand, the shortcut equals a full recomputation; when one moves, it declines', () => {
    const rng = createRng(606);
    for (let trial = 0; trial < 30; trial++) {
      const [T, V, k, H] = [2 + Math.floor(rng() * 6), 12, 1 + Math.floor(rng() * 4), 1 + Math.floor(rng() * 3)];
      const logRow = () => {
        const z = Array.from({ length: V }, () => (rng() - 0.5) * 6);
        const lse = Math.log(z.reduce((a, x) => a + Math.exp(x), 0));
        return z.map((x) => Math.fround(x - lse));
      };
      const before = Float32Array.from(Array.from({ length: T }, logRow).flat());
      const teachers = Array.from({ length: H }, () => Float32Array.from(Array.from({ length: T }, logRow).flat()));
      const input = {
        sessionId: 's', turn: trial, policyVersion: 0, promptIds: [1, 2], responseIds: Array.from({ length: T }, () => Math.floor(rng() * V)),
        responseLogprobs: Array.from({ length: T }, () => -rng()), score: (rng() < 0.5 ? -1 : 1) as -1 | 1,
        hints: Array.from({ length: H }, (_, h) => `hint ${'x'.repeat(h)}`), vocabSize: V, teacherLogprobs: teachers,
      };
      const settings = { ...DEFAULT_SETTINGS, k, selection: 'sequence' as const, support: 'student' as const, seed: 0 };
      const recorded = buildSample({ ...input, studentLogprobs: before }, settings)!;
      // The proximal policy: each row's top-k values shuffled among its top-k ids (the set stands, its order
      // moves) and the rest lowered a little.
      const after = Float32Array.from(before);
      for (let i = 0; i < T; i++) {
        const top = recorded.support_ids[i];
        const values = top.map((v) => before[i * V + v]).sort(() => rng() - 0.5);
        for (let v = 0; v < V; v++) if (!top.includes(v)) after[i * V + v] = Math.fround(before[i * V + v] - 0.01 * rng());
        top.forEach((v, j) => (after[i * V + v] = values[j]));
      }
      expect(withUnchangedSupport(recorded, after, V, k)).toEqual(buildSample({ ...input, studentLogprobs: after }, settings));
      // A token from outside the top-k becomes the most likely at one position: the set moved.
      const i = Math.floor(rng() * T);
      const outside = Array.from({ length: V }, (_, v) => v).find((v) => !recorded.support_ids[i].includes(v))!;
      const moved = Float32Array.from(after);
      moved[i * V + outside] = 5;
      expect(withUnchangedSupport(recorded, moved, V, k)).toBeNull();
      expect(withUnchangedSupport(recorded, after, V, k + 1)).toBeNull();
    }
  });
});

describe('the serving lineage (METHOD §7)', () => {
  it('reads parents from the manifests only as deep as asked, stops at a deleted checkpoint, and restarts on a rollback', async () => {
    // v5 from v3 (v4 abandoned by a rollback), v3 from v2, v2 from v1 whose checkpoint was deleted.
    const parents: Record<number, number | undefined> = { 5: 3, 4: 3, 3: 2, 2: 1 };
    const reads: number[] = [];
    const lineage = new VersionLineage(async (v) => {
      reads.push(v);
      return v in parents ? ({ training: { parentVersion: parents[v] } } as never) : undefined;
    });
    lineage.reset(5, { training: { parentVersion: 3 } } as never);
    expect(await lineage.ancestors(1)).toEqual([5, 3]);
    expect(reads).toEqual([]);
    expect(await lineage.ancestors(2)).toEqual([5, 3, 2]);
    expect(reads).toEqual([3]);
    expect(await lineage.ancestors(10)).toEqual([5, 3, 2, 1]);
    expect(reads).toEqual([3, 2, 1]);
    lineage.advance(6);
    expect(await lineage.ancestors(2)).toEqual([6, 5, 3]);
    lineage.reset(0, {} as never);
    expect(await lineage.ancestors(4)).toEqual([0]);
    expect(parentVersion(7, {} as never)).toBe(6); // a checkpoint without a recorded parent: the number before
  });
});
