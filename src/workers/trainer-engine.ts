/**
 * The trainer engine (METHOD §6): one hybrid update with Adam on a batch of samples, published as the next
 * policy version with its checkpoint and metrics. It holds the trainable policy, its optimizer and the
 * frozen reference (for the optional KL; the drift metric is the signal engine's, once the version serves).
 */
import * as tf from '@tensorflow/tfjs';
import { Policy } from '../model/policy.ts';
import { Adam } from '../model/adam.ts';
import { optimizerStep } from '../model/optimizer-step.ts';
import { encodeCheckpoint, loadPolicy, type CheckpointManifest } from '../model/checkpoint.ts';
import { hybridLoss } from '../rl/hybrid-loss.ts';
import { batchFromSamples, disposeBatch } from '../rl/sample-batch.ts';
import type { SampleRecord } from '../rl/records.ts';
import type { TrainingSample } from '../rl/staleness.ts';
import type { Backend, Settings } from '../rl/settings.ts';
import { initBackend } from './tfjs-backend.ts';
import { withGpuFallback } from './gpu-recovery.ts';
import { sampledLogprobs, samplesResponseLogits } from './response-logits.ts';
import { advantageStats, behaviourWeightStats, ratioClippedFraction } from './update-metrics.ts';
import type { AdapterVersion, BackendChoice, BatchSample, CheckpointBlob, HfModelLocation, LoadedAdapter, ProximalBatch, TrainerEngineApi, UpdateResult } from './protocol.ts';
import { proximalSamples } from './proximal-samples.ts';
import { LoraAdapter, loraConfigOf, sameLoraConfig, type LoraConfig } from '../model/adapter/lora.ts';
import { decodePeft, encodePeft, type BaseModelIdentity } from '../model/adapter/peft.ts';
import { baseIdentity } from '../model/adapter/base-identity.ts';
import { loadHfModel } from '../model/hf/load.ts';
import { baseModelName, locationFiles } from './served-model.ts';
import { planUpdate, updateMemoryCap, updateShapeOf } from '../model/adapter/update-memory.ts';
import type { SavedOptimizer } from '../store/types.ts';

function adamKey(s: Settings): string {
  return `${s.adamBeta1}/${s.adamBeta2}/${s.adamEpsilon}/${s.weightDecay}`;
}

/** The WebGPU device's largest storage buffer, when tfjs runs there (an update's logits must fit in one). */
function gpuBufferLimit(): { maxBufferBytes?: number } {
  if (tf.getBackend() !== 'webgpu') return {};
  const device = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device;
  const limit = device?.limits?.maxStorageBufferBindingSize;
  return typeof limit === 'number' ? { maxBufferBytes: limit } : {};
}

export class TrainerEngine implements TrainerEngineApi {
  private policy: Policy | null = null;
  private frozen: Policy | null = null;
  private manifest: CheckpointManifest | null = null;
  private adam: Adam | null = null;
  private adamSettings = '';
  private version = 0;
  /** What the policies and the optimizer can be rebuilt from if the GPU fails. */
  private initial: CheckpointBlob | null = null;
  private latest: CheckpointBlob | null = null;
  /** The Adam state of the current version (load and update keep it so), restored when Adam is next created. */
  private savedOptimizer: SavedOptimizer | null = null;
  /** Set when the base is a Hugging Face model and an adapter trains: where it came from, what it is, the newest adapter. */
  private hf: { location: HfModelLocation; identity: BaseModelIdentity; lora: LoraConfig; latest: AdapterVersion | null } | null = null;
  /** The built-in model under "Trains: lora": the weights its adapter trains on (the version the adapter started from). */
  private adapterBase: Policy | null = null;

  async init(requested: Backend): Promise<BackendChoice> {
    return initBackend(requested);
  }

  async load(initial: CheckpointBlob, serving: CheckpointBlob | null, servingVersion: number, optimizer: SavedOptimizer | null = null): Promise<void> {
    const first = await loadPolicy(initial.bytes, initial.manifest);
    this.initial = initial;
    this.latest = serving;
    this.release();
    this.hf = null;
    this.frozen = first.policy;
    this.manifest = first.manifest;
    this.policy = serving ? (await loadPolicy(serving.bytes, serving.manifest)).policy : first.policy.clone();
    this.version = serving ? servingVersion : 0;
    this.savedOptimizer = optimizer && optimizer.version === this.version ? optimizer : null;
  }

  async loadHf(location: HfModelLocation, lora: LoraConfig, serving: AdapterVersion | null, optimizer: SavedOptimizer | null = null): Promise<LoadedAdapter> {
    const model = await loadHfModel(locationFiles(location));
    const { name, revision } = baseModelName(location);
    const identity = await baseIdentity(name, revision, model.config, model.weights);
    // decoded before anything is replaced: an adapter for another base is refused with the engine as it was
    const restored = serving ? decodePeft(serving.files, model.config, identity) : null;
    const base = new Policy(model.config, model.weights, { trainable: false });
    this.release();
    this.initial = null;
    this.latest = null;
    this.manifest = null;
    this.frozen = base; // the frozen teacher and reference: the base without the adapter, no second copy
    this.policy = base.withAdapter(restored ? new LoraAdapter(model.config, restored.config, restored.weights) : LoraAdapter.create(model.config, lora, 1));
    this.hf = { location, identity, lora: this.policy.adapter!.config, latest: serving };
    this.version = serving?.version ?? 0;
    this.savedOptimizer = optimizer && optimizer.version === this.version ? optimizer : null;
    const adapter = this.policy.adapter!;
    const weights = adapter.getWeights();
    return {
      version: this.version,
      files: serving?.files ?? encodePeft(model.config, adapter.config, weights, identity),
      base: identity,
      weights: { version: this.version, weights, adapter: adapter.config },
      model: model.config,
      lora: adapter.config,
      ...gpuBufferLimit(),
    };
  }

  /** Frees the policies, the adapter and the optimizer. */
  private release(): void {
    this.policy?.adapter?.dispose();
    this.policy?.dispose();
    this.adapterBase?.dispose();
    this.frozen?.dispose();
    this.adam?.dispose();
    this.adam = null;
    this.policy = null;
    this.adapterBase = null;
    this.frozen = null;
  }

  /** Samples more than one version behind, recomputed with the weights to be trained where the trainer can (METHOD §7). */
  async proximal(samples: SampleRecord[], settings: Settings): Promise<ProximalBatch> {
    const { result, fellBack } = await withGpuFallback(async () => {
      if (!this.policy) throw new Error('TrainerEngine: no checkpoint loaded');
      return { version: this.version, samples: await proximalSamples(this.policy, samples, settings) };
    }, () => this.rebuild());
    return fellBack ? { ...result, fellBack } : result;
  }

  async update(samples: BatchSample[], settings: Settings, version: number): Promise<UpdateResult> {
    const { result, fellBack } = await withGpuFallback(() => this.updateNow(samples, settings, version), () => this.rebuild());
    if (this.hf) this.hf.latest = { version: result.version, files: result.adapter! };
    else this.latest = result.checkpoint!;
    return fellBack ? { ...result, fellBack } : result;
  }

  private async rebuild(): Promise<void> {
    if (this.hf) {
      await this.loadHf(this.hf.location, this.hf.lora, this.hf.latest, this.savedOptimizer);
      return;
    }
    this.frozen = (await loadPolicy(this.initial!.bytes, this.initial!.manifest)).policy;
    const base = this.latest ?? this.initial!;
    this.policy = (await loadPolicy(base.bytes, base.manifest)).policy;
    this.adapterBase = null;
    this.adam = null;
  }

  /**
   * "Trains: lora" on the built-in model: an adapter on the current weights trains, and each version is saved and
   * published with it merged in (a full checkpoint, like every built-in version). An adapter setting changed, or
   * turned off, folds what the adapter learnt into the weights (the newest version's) and starts again from them.
   */
  private fitBuiltinAdapter(settings: Settings): void {
    const want = settings.finetune === 'lora' ? loraConfigOf(settings) : null;
    const has = this.policy!.adapter;
    if (!want && !has) return;
    if (want && has && sameLoraConfig(has.config, want)) return;
    if (has) {
      const base = this.adapterBase!;
      base.setWeights(has.merge(base.getWeights()));
      has.dispose();
      this.policy = base;
      this.adapterBase = null;
    }
    if (want) {
      this.adapterBase = this.policy!;
      this.policy = this.adapterBase.withAdapter(LoraAdapter.create(this.adapterBase.config, want, 1));
    }
    // the moments belonged to other variables
    this.adam?.dispose();
    this.adam = null;
    this.savedOptimizer = null;
  }

  private async updateNow(samples: BatchSample[], settings: Settings, version: number): Promise<UpdateResult> {
    if (!this.policy || !this.frozen || (!this.manifest && !this.hf)) throw new Error('TrainerEngine: no checkpoint loaded');
    if (samples.length === 0) throw new RangeError('TrainerEngine.update: no samples');
    if (!this.hf) this.fitBuiltinAdapter(settings);
    const policy = this.policy!;
    const frozen = this.frozen;
    if (!this.adam || this.adamSettings !== adamKey(settings)) {
      this.adam?.dispose();
      this.adam = new Adam(policy.trainableVariables, { beta1: settings.adamBeta1, beta2: settings.adamBeta2, epsilon: settings.adamEpsilon, weightDecay: settings.weightDecay });
      this.adamSettings = adamKey(settings);
      if (this.savedOptimizer) {
        try {
          this.adam.restore(this.savedOptimizer.bytes);
        } catch {
          // Written with other Adam settings (or by other code): this update starts the moments over.
        }
      }
    }
    const T = Math.max(...samples.map((s) => s.response_ids.length));
    const started = performance.now();
    const refLogprobs = settings.klCoef > 0 ? sampledLogprobs(frozen, samples, T, settings.temperature) : undefined;
    // a LoRA batch runs the cheapest way under the memory cap: one sample at a time (its gradients summed) and/or
    // under gradient checkpointing only when it must (update-memory.ts planUpdate)
    const plan = policy.adapter && planUpdate(policy.config, policy.adapter.config, updateShapeOf(samples), updateMemoryCap(settings)).shape;
    const oneAtATime = plan?.atOnce === 1;
    const groups = (oneAtATime ? samples.map((s, i) => ({ samples: [s], ref: refLogprobs && [refLogprobs[i]] })) : [{ samples, ref: refLogprobs }])
      .map((g) => ({ samples: g.samples, batch: batchFromSamples(g.samples, settings, { length: T, refLogprobs: g.ref }) }));
    let terms = { loss: 0, grpo: 0, opd: 0, kl: 0 };
    let ratioClipped = 0;
    try {
      for (let epoch = 0; epoch < settings.epochsPerBatch; epoch++) {
        const parts = [0, 0, 0];
        const sampled: number[][] = [];
        const last = epoch === settings.epochsPerBatch - 1;
        const { loss } = optimizerStep(
          policy,
          this.adam,
          // the loss is a mean over samples: a group's part is weighted by its share of them
          groups.map(({ samples: group, batch }) => () => {
            const share = group.length / samples.length;
            const out = hybridLoss(samplesResponseLogits(policy, group, T), batch, settings);
            [out.terms.grpo, out.terms.opd, out.terms.kl].forEach((t, i) => (parts[i] += share * t.dataSync()[0]));
            // ρ before the last epoch's step, from this forward pass rather than another one.
            if (last) sampled.push(...(out.sampledLogprobs.arraySync() as number[][]));
            return share === 1 ? out.loss : (tf.mul(out.loss, share) as tf.Scalar);
          }),
          settings.lr,
          settings.gradClip,
          { checkpointing: plan?.checkpointing },
        );
        if (last) ratioClipped = ratioClippedFraction(sampled, samples, settings);
        if (epoch === 0) terms = { loss, grpo: parts[0], opd: parts[1], kl: parts[2] };
      }
    } finally {
      for (const { batch } of groups) disposeBatch(batch);
    }
    const backwardMs = performance.now() - started;
    const syncStart = performance.now();
    const parentVersion = this.version;
    const optimizer: SavedOptimizer = { version, bytes: this.adam.encode() };
    const adapter = policy.adapter;
    // on the built-in model a version is every weight: the adapter merged into the weights it trained on
    const merged = this.adapterBase !== null;
    const weights = adapter ? (merged ? adapter.merge(this.adapterBase!.getWeights()) : adapter.getWeights()) : policy.getWeights();
    const tokensSeen = (this.manifest?.tokensSeen ?? 0) + samples.reduce((n, s) => n + s.response_ids.length, 0);
    const checkpoint = this.manifest && (!adapter || merged)
      ? await encodeCheckpoint(weights, {
          preset: this.manifest.preset,
          config: this.manifest.config,
          tokenizer: this.manifest.tokenizer,
          corpusVersion: this.manifest.corpusVersion,
          tokensSeen,
          finalLoss: terms.loss,
          training: { step: version, onlineUpdate: version, parentVersion },
        })
      : undefined;
    const peft = adapter && this.hf ? encodePeft(policy.config, adapter.config, weights, this.hf.identity) : undefined;
    const base = peft ? this.hf!.identity : undefined;
    const tokens = samples.reduce((n, s) => n + s.response_ids.length, 0);
    const cases = { combined: 0, opd: 0, grpo: 0 };
    for (const s of samples) cases[s.case]++;
    // Only now is the update done: a GPU lost before this point retries it from the previous version.
    this.version = version;
    this.savedOptimizer = optimizer;
    return {
      version,
      weights,
      ...(adapter && !merged ? { adapterConfig: adapter.config } : {}),
      ...(checkpoint ? { checkpoint } : {}),
      ...(peft ? { adapter: peft, base } : {}),
      optimizer,
      trainedSamples: samples.map((s) => s.id),
      metrics: {
        version,
        timestamp: Date.now(),
        samples: samples.length,
        cases,
        loss: terms.loss,
        lossGRPO: terms.grpo,
        lossOPD: terms.opd,
        kl: terms.kl,
        ...advantageStats(samples, settings.C),
        fractionRatioClipped: ratioClipped,
        ...behaviourWeightStats(samples, settings.behaviourWeightCap),
        meanReward: samples.reduce((n, s) => n + s.reward.score, 0) / samples.length,
        meanResponseLength: tokens / samples.length,
        backwardMs,
        syncMs: performance.now() - syncStart,
        tokensPerS: (tokens * settings.epochsPerBatch) / (backwardMs / 1000),
      },
    };
  }
}
