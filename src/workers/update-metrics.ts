/** The per-update numbers the dashboard plots (issue 5), computed from the batch and the policies. */
import { clippedAdvantages } from '../rl/advantages.ts';
import type { SampleRecord } from '../rl/records.ts';
import type { Settings } from '../rl/settings.ts';
import type { TrainingSample } from '../rl/staleness.ts';

/** Mean |A| and the fraction of differences D that the clip C changed (METHOD §5), over all support entries. */
export function advantageStats(samples: readonly SampleRecord[], C: number): { meanAbsAdvantage: number; fractionDeltaClipped: number } {
  let sum = 0;
  let entries = 0;
  let clipped = 0;
  for (const s of samples) {
    s.support_ids.forEach((ids, t) => {
      if (ids.length === 0 || s.loss_mask[t] === 0) return;
      const a = clippedAdvantages(s.old_logprobs_at_support[t], s.teacher_logprobs_at_support[t], C);
      for (const x of a.advantages) sum += Math.abs(x);
      entries += ids.length;
      clipped += a.clipped;
    });
  }
  return { meanAbsAdvantage: entries ? sum / entries : 0, fractionDeltaClipped: entries ? clipped / entries : 0 };
}

/**
 * Fraction of trained sampled tokens whose ratio ρ lies outside [1 − eps_lo, 1 + eps_hi] (METHOD §6); π_old is
 * the proximal policy for a sample trained with the decoupled objective (METHOD §7).
 */
export function ratioClippedFraction(current: number[][], samples: readonly TrainingSample[], settings: Pick<Settings, 'epsLo' | 'epsHi'>): number {
  let n = 0;
  let out = 0;
  samples.forEach((s, i) => {
    (s.proximal_logprobs ?? s.response_logprobs).forEach((old, t) => {
      if (s.loss_mask[t] === 0) return;
      const rho = Math.exp(Math.max(-20, Math.min(20, current[i][t] - old)));
      n++;
      if (rho < 1 - settings.epsLo || rho > 1 + settings.epsHi) out++;
    });
  });
  return n ? out / n : 0;
}

/**
 * Mean over the trained reply positions of the exact KL(current ‖ frozen) over the whole vocabulary, from both
 * policies' log-prob rows [N][T·V] at those positions: Σ_v p(v)·(log p(v) − log q(v)). Bounded and never negative,
 * unlike the k3 estimate on the sampled tokens, which averages to 1e6 or more once a token the behaviour policy
 * sampled has fallen far below the frozen policy's probability under the current one.
 */
export function exactKl(current: readonly Float32Array[], frozen: readonly Float32Array[], samples: readonly SampleRecord[], vocabSize: number): number {
  let n = 0;
  let sum = 0;
  samples.forEach((s, i) => {
    s.response_ids.forEach((_, t) => {
      if (s.loss_mask[t] === 0) return;
      let kl = 0;
      for (let v = t * vocabSize; v < (t + 1) * vocabSize; v++) {
        const p = Math.exp(current[i][v]);
        if (p > 0) kl += p * (current[i][v] - frozen[i][v]);
      }
      sum += Math.max(0, kl);
      n++;
    });
  });
  return n ? sum / n : 0;
}

/**
 * The decoupled objective's share of an update (METHOD §7): how many samples trained more than one version
 * behind, and over their trained tokens the mean behaviour weight and the fraction the cap c limited.
 */
export function behaviourWeightStats(
  samples: readonly TrainingSample[],
  cap: number,
): { proximalSamples: number; meanBehaviourWeight: number; fractionBehaviourWeightCapped: number } {
  let proximalSamples = 0;
  let n = 0;
  let sum = 0;
  let capped = 0;
  for (const s of samples) {
    if (!s.behaviour_weights) continue;
    proximalSamples++;
    s.behaviour_weights.forEach((w, t) => {
      if (s.loss_mask[t] === 0) return;
      n++;
      sum += w;
      if (w >= cap) capped++;
    });
  }
  return { proximalSamples, meanBehaviourWeight: n ? sum / n : 1, fractionBehaviourWeightCapped: n ? capped / n : 0 };
}
