/**
 * One line per main turn saying where it is in the loop (METHOD §1, §6–7), as the chat shows it under a
 * reply: waiting for a next state, being judged, no sample, waiting for an update, trained, or not trained and why.
 */
import type { TurnView } from '../state/turns.svelte.ts';
import { staleReason } from '../../rl/staleness.ts';

export interface LoopPosition {
  pendingSamples: number;
  batchSize: number;
  servingVersion: number;
  /** Why samples are kept stale (METHOD §7), from the loop's settings. */
  staleReason?: string;
}

export function trainingLine(view: TurnView, loop: LoopPosition | null): string {
  const t = view.stored;
  switch (t.status) {
    case 'awaiting_next_state':
      return 'Waiting for its next state (your next message).';
    case 'pending_signals':
      return 'Next state recorded; judging and teacher scoring…';
    case 'signals_done':
      return t.error ? `Signals failed: ${t.error}` : 'Signals done.';
    case 'no_sample':
      return noSampleLine(view);
    case 'sampled':
      if (view.sample?.status === 'failed') {
        return `Not trained: every update on its batch failed (${view.sample.error ?? 'no reason given'}); set aside. Sessions → "Retry failed samples" tries it again.`;
      }
      if (view.sample?.status === 'foreign') {
        return 'Imported sample: its version number is another browser\'s, so it trains only if you ask (Sessions → "Train on imported samples").';
      }
      return loop
        ? `Sample queued for update v${loop.servingVersion + 1} (${loop.pendingSamples}/${loop.batchSize} samples).`
        : 'Sample queued for the next update.';
    case 'trained':
      return `Trained in the update that made v${t.trained_in_update}.`;
    case 'stale':
      return `Not trained: written by v${t.policy_version}, ${loop?.staleReason ?? staleReason(1)}.`;
  }
}

/**
 * Why a judged turn made no sample (METHOD §6): score 0 and no hint, or its only term weighs 0 (an OPD-only
 * setting drops the turns without a hint; a GRPO-only one the hinted turns scored 0).
 */
function noSampleLine(view: TurnView): string {
  const score = view.evaluative?.score;
  const hinted = (view.directive?.hints.length ?? 0) > 0;
  if (score === undefined || score === null || (score === 0 && !hinted)) return 'No training sample: score 0 and no hint (METHOD §6).';
  if (!hinted) return 'No training sample: no hint, and its GRPO term is off (w_RL = 0; METHOD §6).';
  if (score === 0) return 'No training sample: score 0, and its OPD term is off (w_OPD = 0; METHOD §6).';
  return 'No training sample: both its terms are off (w_RL = w_OPD = 0; METHOD §6).';
}

/** A judge score as the chat shows it: +1, 0, −1. */
export function scoreLabel(score: number | null | undefined): string {
  if (score === null || score === undefined) return 'failed';
  return score > 0 ? `+${score}` : score < 0 ? `−${-score}` : '0';
}

/** The hint the directive signal chose for the turn: the sample's, else the report's best total overlap. */
export function selectedHint(view: TurnView): number | null {
  const hints = view.directive?.hints ?? [];
  if (hints.length === 0) return null;
  if (view.sample?.hint) {
    const i = hints.indexOf(view.sample.hint);
    if (i >= 0) return i;
  }
  const sums = view.report?.sums;
  if (!sums || sums.length === 0) return 0;
  let best = 0;
  for (let h = 1; h < sums.length; h++) if (sums[h] > sums[best]) best = h;
  return best;
}
