/**
 * Bounded staleness (METHOD §7, NextState extension): how many updates a sample's behaviour policy is behind
 * the policy being trained, which samples train as they are, which with the decoupled objective, and the
 * behaviour importance weight of the decoupled objective.
 */
import type { SampleRecord } from './records.ts';
import type { Settings } from './settings.ts';
import { topK } from './topk.ts';

/**
 * A sample as an update trains it. One more than one version behind carries the proximal policy's numbers
 * (METHOD §7): its support, π_old at the support and advantages' inputs were recomputed with the weights
 * being trained, `proximal_logprobs` replace the sampling log-probs in the PPO ratio, and
 * `behaviour_weights` multiply each token's loss. The stored record keeps the sampling log-probs (METHOD §8).
 */
export interface TrainingSample extends SampleRecord {
  /** l_prox: log-prob of each sampled token under the weights being trained (no gradient). */
  proximal_logprobs?: number[];
  /** min(exp(l_prox − l_behav), c) per response token (no gradient). */
  behaviour_weights?: number[];
}

/**
 * `staleness(version, lineage)`: how many updates lie between the policy that wrote a sample and the policy
 * being trained. `lineage` is the serving version, then its parent, grandparent, … (a rollback's abandoned
 * versions are not in it). Null when `version` is not in the lineage: older than it reaches, or abandoned.
 */
export function staleness(version: number, lineage: readonly number[]): number | null {
  const at = lineage.indexOf(version);
  return at < 0 ? null : at;
}

/**
 * How an update treats a sample (METHOD §7): `fresh` (written by the policy being trained or its parent, the
 * reference's bound) trains on its recorded numbers; `proximal` (2 … maxStaleness behind) trains with the
 * decoupled objective; `stale` never trains. With maxStaleness = 1 nothing is `proximal`.
 */
export type StalenessClass = 'fresh' | 'proximal' | 'stale';

export function stalenessClass(version: number, lineage: readonly number[], maxStaleness: number): StalenessClass {
  const behind = staleness(version, lineage);
  if (behind === null || behind > Math.max(1, maxStaleness)) return 'stale';
  return behind <= 1 ? 'fresh' : 'proximal';
}

/**
 * `behaviourWeights(proximal, behaviour, cap)` (METHOD §7): `min(exp(l_prox − l_behav), c)` per sampled token,
 * in float64 (no gradient: the weights are data to the loss).
 */
export function behaviourWeights(proximal: ArrayLike<number>, behaviour: ArrayLike<number>, cap: number): number[] {
  if (proximal.length !== behaviour.length) throw new RangeError(`behaviourWeights: ${proximal.length} proximal log-probs, ${behaviour.length} behaviour log-probs`);
  if (!(cap > 0)) throw new RangeError(`behaviourWeights: the cap must be positive, got ${cap}`);
  return Array.from(proximal, (lp, t) => Math.min(Math.exp(lp - behaviour[t]), cap));
}

/** A recomputed sample with the proximal policy's sampled-token log-probs and its behaviour weights attached. */
export function withBehaviourWeights(sample: SampleRecord, proximalLogprobs: ArrayLike<number>, settings: Pick<Settings, 'behaviourWeightCap'>): TrainingSample {
  if (proximalLogprobs.length !== sample.response_ids.length) throw new RangeError('withBehaviourWeights: one proximal log-prob per response token');
  return {
    ...sample,
    proximal_logprobs: Array.from(proximalLogprobs),
    behaviour_weights: behaviourWeights(proximalLogprobs, sample.response_logprobs, settings.behaviourWeightCap),
  };
}

/** Why a sample is kept `stale`, one line for the page (METHOD §7). */
export function staleReason(maxStaleness: number): string {
  const bound = maxStaleness <= 1 ? 'more than one version' : `more than ${maxStaleness} versions`;
  return `${bound} behind the policy being trained, or from a version a rollback left behind (METHOD §7)`;
}

/**
 * The shortcut of a recomputation (METHOD §4, §7): with the frozen teacher and the student's support, hint
 * selection and the support depend on π_old only through its top-k sets S_q,i. Where the proximal policy's
 * top-k sets (from `studentRows`, [T·V]) equal the recorded supports at every position, the selection, the
 * support and the teacher's log-probs there stand, and only π_old's log-probs at the support are new (in the
 * proximal top-k's order, as a full recomputation orders them). Null when a set changed: the teacher must score
 * the reply again. (The selection stands as made under the settings the sample was signalled with.)
 */
export function withUnchangedSupport(sample: SampleRecord, studentRows: ArrayLike<number>, V: number, k: number): SampleRecord | null {
  const T = sample.response_ids.length;
  if (studentRows.length !== T * V) throw new RangeError(`withUnchangedSupport: student rows must be [T·V] = ${T * V}`);
  const support: number[][] = [];
  const old: number[][] = [];
  const teacher: number[][] = [];
  for (let i = 0; i < T; i++) {
    const ids = Array.from(topK(Array.prototype.slice.call(studentRows, i * V, (i + 1) * V) as number[], k).ids);
    const recorded = sample.support_ids[i];
    if (ids.length !== recorded.length || ids.some((id) => !recorded.includes(id))) return null;
    support.push(ids);
    old.push(ids.map((id) => studentRows[i * V + id]));
    teacher.push(ids.map((id) => sample.teacher_logprobs_at_support[i][recorded.indexOf(id)]));
  }
  return { ...sample, support_ids: support, old_logprobs_at_support: old, teacher_logprobs_at_support: teacher };
}
