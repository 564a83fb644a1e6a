/**
 * Recomputing stale samples in the trainer, with the weights it is about to train (METHOD §7): one batched
 * forward pass gives π_old's rows for every sample, hence l_prox and the behaviour weights; a hinted sample's
 * support is recomputed here when the frozen teacher's numbers can stand (`withUnchangedSupport`), otherwise the
 * teacher must score it again and the signal engine recomputes it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Policy } from '../model/policy.ts';
import type { SampleRecord } from '../rl/records.ts';
import type { Settings } from '../rl/settings.ts';
import { withBehaviourWeights, withUnchangedSupport, type TrainingSample } from '../rl/staleness.ts';
import { samplesResponseLogits } from './response-logits.ts';

/**
 * `proximalSamples(policy, samples, settings)`: per sample, the recomputed training sample, or null where the
 * teacher has to score the reply again (a hinted sample with the live teacher, another support than the
 * student's, or a π_old top-k set that moved).
 */
export async function proximalSamples(policy: Policy, samples: readonly SampleRecord[], settings: Settings): Promise<(TrainingSample | null)[]> {
  if (samples.length === 0) return [];
  const T = Math.max(...samples.map((s) => s.response_ids.length));
  const V = policy.config.vocabSize;
  const rows = tf.tidy(() => tf.logSoftmax(tf.div(samplesResponseLogits(policy, samples, T), settings.temperature)));
  const all = (await rows.data()) as Float32Array;
  rows.dispose();
  const teacherStands = settings.teacher === 'frozen' && settings.support === 'student';
  return samples.map((sample, n) => {
    const own = all.subarray(n * T * V, (n * T + sample.response_ids.length) * V);
    const recomputed = sample.hints.length === 0 ? sample : teacherStands ? withUnchangedSupport(sample, own, V, settings.k) : null;
    if (!recomputed) return null;
    return withBehaviourWeights(recomputed, sample.response_ids.map((id, t) => own[t * V + id]), settings);
  });
}
