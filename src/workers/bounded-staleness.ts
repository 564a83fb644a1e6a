/**
 * Which pending samples an update trains on (METHOD §7, NextState extension): those written up to
 * `maxStaleness` versions behind the policy being trained, oldest first; the ones behind that (or left by a
 * rollback) stay `stale`. Samples more than one version behind are recomputed with the weights being
 * trained before they join the batch.
 */
import { caseTrains, type TermWeights } from '../rl/sample.ts';
import { stalenessClass, type TrainingSample } from '../rl/staleness.ts';
import type { Settings } from '../rl/settings.ts';
import type { StoredSample } from '../store/types.ts';
import type { Message } from '../model/chat.ts';
import type { BackendChoice, BatchSample, SignalEngineApi, TrainerEngineApi } from './protocol.ts';

export interface BatchPlan {
  /** Pending samples that can never train: kept `stale`. */
  staleIds: string[];
  /** Up to B trainable samples, the oldest first, with how far behind each is. */
  batch: { sample: StoredSample; proximal: boolean }[];
  /** Trainable samples left for later updates. */
  waiting: number;
}

/**
 * `planBatch(pending, lineage, settings)`: `lineage` is the serving version, its parent, … (at least
 * `maxStaleness` deep where it exists). With maxStaleness = 1 only samples of the serving version and its
 * parent train, all on their recorded numbers, as the reference's bound does. A sample whose case has no loss
 * under the settings (written before w_RL or w_OPD was set to 0; `caseTrains`) waits: trained, Adam's momentum
 * would still move the weights.
 */
export function planBatch(pending: readonly StoredSample[], lineage: readonly number[], settings: Pick<Settings, 'maxStaleness' | 'batchSize'> & TermWeights): BatchPlan {
  const staleIds: string[] = [];
  const trainable: { sample: StoredSample; behind: number; proximal: boolean }[] = [];
  for (const sample of pending) {
    const which = stalenessClass(sample.policy_version, lineage, settings.maxStaleness);
    if (which !== 'stale' && !caseTrains(sample.case, settings)) continue;
    if (which === 'stale') staleIds.push(sample.id);
    else trainable.push({ sample, behind: lineage.indexOf(sample.policy_version), proximal: which === 'proximal' });
  }
  // Oldest first, so a sample waits as few updates as can be: the furthest behind, then the earliest turn (the
  // store lists samples by key, where a session's turn 10 comes before its turn 9: among a version's samples that
  // order starved the early turns until they went stale), then the store's order.
  trainable.sort((a, b) => b.behind - a.behind || a.sample.turn - b.sample.turn);
  const batch = trainable.slice(0, settings.batchSize).map(({ sample, proximal }) => ({ sample, proximal }));
  return { staleIds, batch, waiting: trainable.length - batch.length };
}

/** A stored sample without the store's own fields, but with its stored id (an import may have renamed it): what the trainer takes. */
export function trainerSample({ status: _s, trained_in_update: _t, error: _e, ...sample }: StoredSample): BatchSample {
  return sample;
}

export interface PreparedBatch {
  samples: BatchSample[];
  /** Ids of samples whose recomputation left nothing to train: kept `stale`. */
  staleIds: string[];
  /** How many of them the signal engine recomputed (its kept frozen-teacher rows, or the teacher scored again), the rest the trainer alone. */
  rescored: number;
  /** An engine that found the GPU gone while recomputing. */
  fellBack?: { engine: 'trainer' | 'signal'; choice: BackendChoice };
}

/**
 * The planned batch as the trainer takes it, each sample more than one version behind recomputed with the
 * weights of `trainingVersion` (the version the update starts from). Under the frozen teacher a hinted sample
 * goes straight to the signal engine, which keeps that teacher's rows of recent replies (teacher-rows.ts) and so
 * recomputes it with one student pass, while the trainer recomputes the others in one batched pass at the same
 * time. Otherwise the trainer goes first, and the signal engine scores the teacher again only for the samples whose
 * teacher numbers cannot stand (another support, a moved π_old top-k, the live teacher). Both must hold
 * `trainingVersion`. `messagesOf` gives the context of a sample's turn.
 */
export async function prepareBatch(
  plan: BatchPlan,
  trainingVersion: number,
  settings: Settings,
  engines: { trainer: Pick<TrainerEngineApi, 'proximal'>; signal: Pick<SignalEngineApi, 'proximal'> },
  messagesOf: (sample: StoredSample) => Promise<Message[]>,
): Promise<PreparedBatch> {
  const checkVersion = (who: string, version: number) => {
    if (version !== trainingVersion) throw new Error(`recomputing a stale sample: the ${who} holds v${version}, the update starts from v${trainingVersion}`);
  };
  let fellBack: { engine: 'trainer' | 'signal'; choice: BackendChoice } | undefined;
  const bySignal = async (sample: StoredSample): Promise<TrainingSample | null> => {
    const result = await engines.signal.proximal({ sample: trainerSample(sample), messages: await messagesOf(sample) }, settings);
    if (result.fellBack) fellBack = { engine: 'signal', choice: result.fellBack };
    checkVersion('signal engine', result.version);
    return result.sample;
  };
  const stale = plan.batch.filter((b) => b.proximal).map((b) => b.sample);
  const direct = settings.teacher === 'frozen' ? stale.filter((s) => s.hints.length > 0) : [];
  const forTrainer = stale.filter((s) => !direct.includes(s));
  const recomputed = new Map<StoredSample, TrainingSample | null>();
  await Promise.all([
    (async () => {
      if (forTrainer.length === 0) return;
      const fromTrainer = await engines.trainer.proximal(forTrainer.map(trainerSample), settings);
      checkVersion('trainer', fromTrainer.version);
      if (fromTrainer.fellBack) fellBack = { engine: 'trainer', choice: fromTrainer.fellBack };
      forTrainer.forEach((s, i) => recomputed.set(s, fromTrainer.samples[i]));
    })(),
    (async () => {
      for (const s of direct) recomputed.set(s, await bySignal(s));
    })(),
  ]);
  // what the trainer could not recompute alone (its teacher numbers do not stand): the signal engine scores it again
  let rescored = direct.length;
  for (const s of forTrainer) {
    if (recomputed.get(s)) continue;
    recomputed.set(s, await bySignal(s));
    rescored++;
  }
  const samples: BatchSample[] = [];
  const staleIds: string[] = [];
  for (const { sample, proximal } of plan.batch) {
    const training = proximal ? recomputed.get(sample) : trainerSample(sample);
    if (training) samples.push({ ...training, id: sample.id });
    else staleIds.push(sample.id);
  }
  return { samples, staleIds, rescored, fellBack };
}
